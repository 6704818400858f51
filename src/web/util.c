#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/thai.h"
#include "web/web.h"

const char *web_level_label(int level, const char *code)
{
	switch (level) {
	case 0: return "ส่วนกลาง";
	case 1: return "จังหวัด";
	case 2: return code && strncmp(code, "10", 2) == 0 ? "เขต" : "อำเภอ";
	default: return "";
	}
}

void web_field_error(json_t *errors, const char *field, const char *message)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

const char *web_field(struct req *r, const char *name)
{
	const char *v = req_form(r, name);
	if (!v)
		return "";
	while (*v && isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	char *s = req_alloc(r, n + 1);
	memcpy(s, v, n);
	s[n] = '\0';
	return s;
}

void web_url_encode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
}

const char *web_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

bool web_wants_json(struct req *r)
{
	return req_wants_json(r) || req_is_json_body(r);
}

int64_t web_version_param(struct req *r)
{
	const char *v = req_form(r, "version");
	if (!v || !*v)
		return 0;
	char a[32];
	if (strlen(v) >= sizeof a)
		return -1;
	thai_digits_to_ascii(a, sizeof a, v);
	char *end;
	long long n = strtoll(a, &end, 10);
	return *end || n <= 0 ? -1 : (int64_t)n;
}

void web_attach_errors(json_t *m, json_t *errors)
{
	json_t *by = json_object_get(m, "errors_by_field");
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!json_object_get(by, web_str(e, "field")))
	    json_object_set(by, web_str(e, "field"), json_object_get(e, "message"));
}

json_t *web_options(const char *const *values, const char *(*label)(const char *), const char *selected)
{
	json_t *a = json_array();
	for (size_t i = 0; values[i]; i++) {
		const char *l = label(values[i]);
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
		                                   l ? l : values[i], "selected",
		                                   selected && !strcmp(selected, values[i])));
	}
	return a;
}

bool web_code_in(json_t *codes, const char *code)
{
	size_t i;
	json_t *c;
	json_array_foreach(codes, i, c) if (!strcmp(json_string_value(c), code)) return true;
	return false;
}
