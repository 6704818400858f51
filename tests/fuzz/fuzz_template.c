/* libFuzzer target: the Mustache parser and renderer. The input is a template
 * rendered against a fixed context; it is also registered as the partial
 * "fuzz", so inputs can recurse into themselves, next to fixed partials that
 * cover parents, blocks, indentation and recursion. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "render/mustache.h"

static const char CONTEXT[] =
    "{\"a\":\"x<&>\\\"'\",\"i\":42,\"r\":1.21,\"t\":true,\"f\":false,\"n\":null,\"e\":[],\"s\":\"\","
    "\"o\":{\"a\":\"oa\",\"p\":{\"q\":\"deep\"}},\"l\":[1,\"two\",{\"a\":\"three\"},[4,5],null],"
    "\"tree\":{\"c\":\"0\",\"kids\":[{\"c\":\"1\",\"kids\":[{\"c\":\"2\",\"kids\":[]}]}]}}";

static const char PARTIALS[] =
    "{\"p\":\"[{{a}}]\\n  {{{a}}}\\n\",\"node\":\"{{c}}{{#kids}}\\n  {{>node}}{{/kids}}\","
    "\"layout\":\"<h1>{{$title}}t{{/title}}</h1>\\n  {{$body}}\\n  {{/body}}\\n{{$tail}}{{/tail}}\","
    "\"mid\":\"{{<layout}}{{$body}}\\n    mid {{$inner}}i{{/inner}}\\n{{/body}}{{/layout}}\","
    "\"self\":\"{{>self}}\",\"loop\":\"{{<loop}}{{$b}}{{>loop}}{{/b}}{{/loop}}\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx, *partials;
	if (!ctx) {
		ctx = json_loads(CONTEXT, 0, NULL);
		partials = json_loads(PARTIALS, 0, NULL);
		if (!ctx || !partials)
			__builtin_trap();
	}
	json_t *ps = json_copy(partials);
	json_object_set_new(ps, "fuzz", json_stringn_nocheck((const char *)data, size));
	struct buf out;
	char err[128];
	buf_init(&out, 1 << 20);
	int rc = tpl_render_string((const char *)data, size, ctx, ps, &out, err, sizeof err);
	/* Failure always explains itself; success leaves a NUL-terminated page. */
	if (rc < 0 && !strchr(err, ':'))
		__builtin_trap();
	if (rc == 0 && strlen(buf_str(&out)) > out.len)
		__builtin_trap();
	buf_cleanup(&out);
	json_decref(ps);
	return 0;
}
