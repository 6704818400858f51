/* The Mustache engine: every case of the official spec (tests/mustache-spec)
 * through both entry points, then loading, parse errors, limits and threads. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "render/mustache.h"

/* ---- helpers ---- */

/* Renders src with ctx (JSON text) and partials (JSON text or NULL); returns
 * the output (static buffer) or NULL on failure, with the message in err. */
static char err[256];

static const char *render(const char *src, const char *ctx, const char *partials)
{
	static char result[4096];
	json_t *c = json_loads(ctx, JSON_DECODE_ANY, NULL);
	json_t *p = partials ? json_loads(partials, 0, NULL) : NULL;
	assert_non_null(c);
	struct buf out;
	buf_init(&out, 0);
	err[0] = '\0';
	int rc = tpl_render_string(src, strlen(src), c, p, &out, err, sizeof err);
	snprintf(result, sizeof result, "%s", buf_str(&out));
	buf_cleanup(&out);
	json_decref(c);
	json_decref(p);
	return rc == 0 ? result : NULL;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[1024];
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

/* ---- the spec ---- */

static const char *spec_dir(char *tmp, size_t n)
{
	const char *root = getenv("OSSPOINT_SOURCE_DIR");
	snprintf(tmp, n, "%s%stests/mustache-spec", root && *root ? root : "", root && *root ? "/" : "");
	return tmp;
}

static int json_file_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	/* Lambdas need host-language code; the provided spec files have none. */
	return n > 5 && !strcmp(e->d_name + n - 5, ".json") && strcmp(e->d_name, "~lambdas.json") != 0;
}

/* One case through tpl_render_string and through a set; 1 if both match. */
static int spec_case(const char *file, json_t *tc)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	json_t *tpl = json_object_get(tc, "template");
	json_t *data = json_object_get(tc, "data");
	json_t *partials = json_object_get(tc, "partials");
	json_t *expected = json_object_get(tc, "expected");
	const char *want = json_string_value(expected);
	char e[256];
	int ok = 1;

	struct buf out;
	buf_init(&out, 0);
	if (tpl_render_string(json_string_value(tpl), json_string_length(tpl), data, partials, &out, e,
	                      sizeof e) < 0 ||
	    strcmp(buf_str(&out), want) != 0) {
		printf("FAIL %s: %s (tpl_render_string)\n  want: %s\n  got:  %s %s\n", file, name, want,
		       buf_str(&out), e);
		ok = 0;
	}
	buf_cleanup(&out);

	struct tpl_set *set = tpl_set_new();
	const char *pname;
	json_t *ptext;
	json_object_foreach(partials, pname, ptext)
	{
		if (tpl_set_add(set, pname, json_string_value(ptext), json_string_length(ptext), e,
		                sizeof e) < 0) {
			printf("FAIL %s: %s: partial %s: %s\n", file, name, pname, e);
			ok = 0;
		}
	}
	/* A space keeps the name apart from every partial name in the spec. */
	if (tpl_set_add(set, "spec main", json_string_value(tpl), json_string_length(tpl), e, sizeof e) < 0) {
		printf("FAIL %s: %s: %s\n", file, name, e);
		ok = 0;
	} else {
		buf_init(&out, 0);
		if (tpl_render(set, "spec main", data, &out) < 0 || strcmp(buf_str(&out), want) != 0) {
			printf("FAIL %s: %s (tpl_set)\n  want: %s\n  got:  %s\n", file, name, want,
			       buf_str(&out));
			ok = 0;
		}
		buf_cleanup(&out);
	}
	tpl_set_free(set);
	return ok;
}

static void test_spec(void **state)
{
	char dir[1024];
	struct dirent **files;
	spec_dir(dir, sizeof dir);
	int nfiles = scandir(dir, &files, json_file_filter, alphasort);
	if (nfiles <= 0)
		fail_msg("no spec files in %s (run from the project root or set OSSPOINT_SOURCE_DIR)", dir);
	int passed = 0, total = 0;
	for (int i = 0; i < nfiles; i++) {
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]->d_name);
		json_error_t jerr;
		json_t *spec = json_load_file(path, 0, &jerr);
		if (!spec)
			fail_msg("%s: %s", path, jerr.text);
		size_t j;
		json_t *tc;
		json_array_foreach(json_object_get(spec, "tests"), j, tc)
		{
			total++;
			passed += spec_case(files[i]->d_name, tc);
		}
		json_decref(spec);
		free(files[i]);
	}
	free(files);
	printf("mustache spec: %d/%d passed\n", passed, total);
	assert_true(total > 0);
	assert_int_equal(passed, total);
}

/* ---- beyond the spec ---- */

static void test_numbers_and_values(void **state)
{
	assert_string_equal(render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
	                           "{\"a\":1.21,\"b\":0.1,\"c\":1e21,\"d\":3.0,\"e\":-0.5,"
	                           "\"f\":123456789012345678,\"g\":0.30000000000000004}",
	                           NULL),
	                    "1.21 0.1 1e+21 3 -0.5 123456789012345678 0.30000000000000004");
	assert_string_equal(render("{{t}}/{{f}}/{{n}}/{{o}}/{{l}}",
	                           "{\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"l\":[1]}", NULL),
	                    "true/false///");
	/* Only false, null, [] and a missing name are falsey; "" and 0 are not. */
	assert_string_equal(
	    render("{{#s}}s{{/s}}{{#z}}z{{/z}}{{#o}}o{{/o}}{{#e}}e{{/e}}{{^e}}!e{{/e}}{{^m}}!m{{/m}}",
	           "{\"s\":\"\",\"z\":0,\"o\":{},\"e\":[]}", NULL),
	    "szo!e!m");
	assert_string_equal(render("{{x}}{{{x}}}", "{\"x\":\"<a href='/'>&\\\"</a>\"}", NULL),
	                    "&lt;a href=&#39;/&#39;&gt;&amp;&quot;&lt;/a&gt;<a href='/'>&\"</a>");
	/* A NULL context is an empty one. */
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(tpl_render_string("[{{a}}{{.}}]", 12, NULL, NULL, &out, err, sizeof err), 0);
	assert_string_equal(buf_str(&out), "[]");
	buf_cleanup(&out);
}

/* The reference for reals: the shortest of %.15g, %.16g, %.17g that reads back. */
static void shortest_g(char *tmp, size_t cap, double d)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, cap, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			return;
	}
}

static void test_reals_match_reference(void **state)
{
	/* The renderer has a printf-free path for short decimals; it must agree
	 * with the reference everywhere, including at its range's edges. */
	static const double edge[] = {0.0,         -0.0,    1e-4,      -1e-4, 9.9999e-5,  1e-5,
	                              999999999.5, 1e9,     1e9 + 0.5, -1e9,  123456.789, 0.1 + 0.2,
	                              1e300,       -1e-300, 2.5e-3,    1e15,  1e16,       4503599627370496.5,
	                              0.000123,    1.0 / 3, 2.0 / 3};
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
		json_array_append_new(arr, json_real(edge[i]));
	unsigned long long x = 88172645463325252ULL; /* xorshift: fixed, reproducible */
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double d;
		switch (i % 4) {
		case 0: d = (double)(long long)(x % 2000001) / 100 - 10000; break;
		case 1: d = (double)(long long)(x % 20000001) / 1000000; break;
		case 2: d = (double)(x >> 11) / (double)(1ULL << 53) * 1e6; break;
		default: memcpy(&d, &x, sizeof d); break;
		}
		if (d != d || d - d != 0)
			continue; /* NaN and infinities are not JSON */
		json_array_append_new(arr, json_real(d));
	}
	json_t *ctx = json_pack("{s:o}", "l", arr);
	struct buf out, want;
	buf_init(&out, 0);
	buf_init(&want, 0);
	assert_int_equal(tpl_render_string("{{#l}}{{.}}\n{{/l}}", 18, ctx, NULL, &out, err, sizeof err), 0);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		char tmp[64];
		shortest_g(tmp, sizeof tmp, json_real_value(v));
		buf_printf(&want, "%s\n", tmp);
	}
	const char *a = buf_str(&out), *b = buf_str(&want);
	while (*a && *a == *b)
		a++, b++;
	if (*a || *b) {
		while (a > buf_str(&out) && a[-1] != '\n')
			a--, b--;
		fail_msg("got %.*s, want %.*s", (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
	}
	buf_cleanup(&out);
	buf_cleanup(&want);
	json_decref(ctx);
}

static void test_layout_pattern(void **state)
{
	/* The shape the site's pages use: a page passes blocks to a layout. */
	const char *partials = "{\"layout\":\"<title>{{$title}}{{site}}{{/title}}</title>\\n<body>\\n"
	                       "  {{$content}}\\n  {{/content}}\\n  {{>foot}}\\n</body>\\n\","
	                       "\"foot\":\"<footer>\\n  {{year}}\\n</footer>\\n\"}";
	const char *page = "{{! a page }}\n"
	                   "{{<layout}}\n"
	                   "{{$title}}Units · {{site}}{{/title}}\n"
	                   "{{$content}}\n"
	                   "<ul>\n"
	                   "{{#units}}\n"
	                   "  <li>{{name}}</li>\n"
	                   "{{/units}}\n"
	                   "</ul>\n"
	                   "{{/content}}\n"
	                   "{{/layout}}\n";
	assert_string_equal(
	    render(page,
	           "{\"site\":\"osspoint\",\"year\":2568,\"units\":[{\"name\":\"A\"},{\"name\":\"B&C\"}]}",
	           partials),
	    "<title>Units · osspoint</title>\n<body>\n  <ul>\n    <li>A</li>\n    <li>B&amp;C</li>\n"
	    "  </ul>\n  <footer>\n    2568\n  </footer>\n</body>\n");
}

static void test_load_dir(void **state)
{
	char dir[] = "/tmp/osspoint-tpl-XXXXXX";
	char path[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/page.mustache", dir);
	write_file(path, "{{<layout}}{{$body}}Hi {{name}}{{/body}}{{/layout}}\n");
	snprintf(path, sizeof path, "%s/layout.mustache", dir);
	write_file(path, "<p>{{$body}}{{/body}}</p>\n{{>sub/foot}}");
	snprintf(path, sizeof path, "%s/sub/foot.mustache", dir);
	write_file(path, "foot {{year}}\n");
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	write_file(path, "{{ not a template");
	snprintf(path, sizeof path, "%s/.hidden.mustache", dir);
	write_file(path, "{{ hidden");

	struct tpl_set *set = tpl_set_new();
	assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), 3);
	assert_true(tpl_set_has(set, "page"));
	assert_true(tpl_set_has(set, "layout"));
	assert_true(tpl_set_has(set, "sub/foot"));
	assert_false(tpl_set_has(set, "notes"));
	assert_false(tpl_set_has(set, ".hidden"));
	assert_false(tpl_set_has(set, "page.mustache"));
	json_t *ctx = json_pack("{s:s, s:i}", "name", "A&B", "year", 2568);
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(tpl_render(set, "page", ctx, &out), 0);
	assert_string_equal(buf_str(&out), "<p>Hi A&amp;B</p>\nfoot 2568\n");
	/* A missing template is an error; a missing partial is "" (spec). */
	assert_int_equal(tpl_render(set, "nope", ctx, &out), -1);
	buf_reset(&out);
	assert_int_equal(tpl_set_add(set, "p2", "[{{>nope}}]", 11, err, sizeof err), 0);
	assert_int_equal(tpl_render(set, "p2", ctx, &out), 0);
	assert_string_equal(buf_str(&out), "[]");
	/* Adding under an existing name replaces the template. */
	buf_reset(&out);
	assert_int_equal(tpl_set_add(set, "p2", "new", 3, err, sizeof err), 0);
	assert_int_equal(tpl_render(set, "p2", ctx, &out), 0);
	assert_string_equal(buf_str(&out), "new");
	buf_cleanup(&out);
	json_decref(ctx);
	tpl_set_free(set);

	/* A broken file fails the load and names itself and the line. */
	snprintf(path, sizeof path, "%s/sub/broken.mustache", dir);
	write_file(path, "line one\n{{#open}}\n");
	set = tpl_set_new();
	assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), -1);
	assert_non_null(strstr(err, "sub/broken:2: "));
	tpl_set_free(set);
	remove_tree(dir);

	/* A missing directory is -1; an empty one is 0 with a note. */
	set = tpl_set_new();
	assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), -1);
	assert_non_null(strstr(err, dir));
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(tpl_set_load_dir(set, dir, err, sizeof err), 0);
	assert_non_null(strstr(err, "no *.mustache"));
	rmdir(dir);
	tpl_set_free(set);
	tpl_set_free(NULL);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *src, *prefix;
	} cases[] = {
	    {"{{#a}}x", "template:1: {{#a}} is never closed"},
	    {"x\n\n  {{^list}}\n", "template:3: {{^list}} is never closed"},
	    {"x\n{{#a}}\n{{/b}}", "template:3: {{/b}} does not match {{#a}} opened on line 2"},
	    {"{{/a}}", "template:1: {{/a}} closes nothing"},
	    {"{{#a}}{{/a}}{{/a}}", "template:1: {{/a}} closes nothing"},
	    {"{{<p}}{{$a}}{{/p}}{{/a}}", "template:1: {{/p}} does not match {{$a}}"},
	    {"a\n{{=<%=}}", "template:2: bad set-delimiter tag"},
	    {"{{= a b c =}}", "template:1: bad set-delimiter tag"},
	    {"{{=<% %>}}", "template:1: unclosed tag"},
	    {"a\nb\n{{x", "template:3: unclosed tag"},
	    {"{{{x}}", "template:1: unclosed tag"},
	    {"{{=| |=}}|x}}", "template:1: unclosed tag"},
	    {"{{ }}", "template:1: empty tag name"},
	    {"{{#}}{{/}}", "template:1: empty tag name"},
	    {"{{>  }}", "template:1: empty tag name"},
	    {"{{!\n\n}}{{#a}}", "template:3: {{#a}} is never closed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_null(render(cases[i].src, "{}", NULL));
		if (strncmp(err, cases[i].prefix, strlen(cases[i].prefix)) != 0)
			fail_msg("%s: got \"%s\", want \"%s...\"", cases[i].src, err, cases[i].prefix);
	}
	/* Nesting is bounded. */
	char deep[65 * 6 + 1] = "";
	for (int i = 0; i < 65; i++)
		memcpy(deep + i * 6, "{{#a}}", 6);
	deep[65 * 6] = '\0';
	assert_null(render(deep, "{}", NULL));
	assert_non_null(strstr(err, "nested deeper"));
	/* Errors in partials name the partial; the set keeps its name too. */
	assert_null(render("{{>p}}", "{}", "{\"p\":\"ok\\n{{#x}}\"}"));
	assert_string_equal(err, "p:2: {{#x}} is never closed");
	struct tpl_set *set = tpl_set_new();
	assert_int_equal(tpl_set_add(set, "units/edit", "{{/x}}", 6, err, sizeof err), -1);
	assert_string_equal(err, "units/edit:1: {{/x}} closes nothing");
	assert_false(tpl_set_has(set, "units/edit"));
	/* A tiny or absent error buffer is fine. */
	char small[8];
	assert_int_equal(tpl_set_add(set, "t", "{{#a}}", 6, small, sizeof small), -1);
	assert_string_equal(small, "t:1: {{");
	assert_int_equal(tpl_set_add(set, "t", "{{#a}}", 6, NULL, 0), -1);
	tpl_set_free(set);
}

static void test_recursion_limit(void **state)
{
	struct tpl_set *set = tpl_set_new();
	assert_int_equal(tpl_set_add(set, "self", "x{{>self}}", 10, err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "parent", "{{<parent}}{{/parent}}", 22, err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "a", "{{#t}}{{>b}}{{/t}}", 18, err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "b", "{{>a}}", 6, err, sizeof err), 0);
	/* Two calls per level: depth alone would allow 2^64 expansions. */
	assert_int_equal(tpl_set_add(set, "twice", "{{>twice}}{{>twice}}", 20, err, sizeof err), 0);
	json_t *ctx = json_pack("{s:b}", "t", 1);
	struct buf out;
	buf_init(&out, 0);
	buf_puts(&out, "kept");
	assert_int_equal(tpl_render(set, "self", ctx, &out), -1);
	assert_string_equal(buf_str(&out), "kept"); /* no half page */
	assert_int_equal(tpl_render(set, "parent", ctx, &out), -1);
	assert_int_equal(tpl_render(set, "a", ctx, &out), -1);
	assert_int_equal(tpl_render(set, "twice", ctx, &out), -1);
	assert_string_equal(buf_str(&out), "kept");
	buf_cleanup(&out);
	json_decref(ctx);
	tpl_set_free(set);

	assert_null(render("{{>self}}", "{}", "{\"self\":\"{{>self}}\"}"));
	assert_non_null(strstr(err, "nested too deeply"));

	/* Legitimate recursion well inside the limit works. */
	json_t *tree = json_pack("{s:s, s:[]}", "c", "0", "kids");
	for (int i = 1; i <= 20; i++) {
		char c[8];
		snprintf(c, sizeof c, "%d", i % 10);
		tree = json_pack("{s:s, s:[o]}", "c", c, "kids", tree);
	}
	buf_init(&out, 0);
	json_t *partials = json_pack("{s:s}", "node", "{{c}}{{#kids}}{{>node}}{{/kids}}");
	assert_int_equal(tpl_render_string("{{>node}}", 9, tree, partials, &out, err, sizeof err), 0);
	assert_string_equal(buf_str(&out), "098765432109876543210");
	buf_cleanup(&out);
	json_decref(partials);
	json_decref(tree);
}

static void test_buffer_cap(void **state)
{
	struct buf out;
	buf_init(&out, 16);
	json_t *ctx = json_pack("{s:s}", "x", "<<<<");
	assert_int_equal(tpl_render_string("0123456789", 10, ctx, NULL, &out, err, sizeof err), 0);
	/* "&lt;" x4 = 16 bytes more: past the cap, and the buffer is rolled back */
	assert_int_equal(tpl_render_string("{{x}}", 5, ctx, NULL, &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "buffer limit"));
	assert_string_equal(buf_str(&out), "0123456789");
	assert_int_equal(out.len, 10);
	struct tpl_set *set = tpl_set_new();
	assert_int_equal(tpl_set_add(set, "t", "{{#l}}abcd{{/l}}", 16, err, sizeof err), 0);
	json_t *l = json_pack("{s:[iiii]}", "l", 1, 2, 3, 4);
	buf_reset(&out);
	assert_int_equal(tpl_render(set, "t", l, &out), 0); /* exactly 16 */
	assert_int_equal(out.len, 16);
	json_array_append_new(json_object_get(l, "l"), json_integer(5));
	buf_reset(&out);
	assert_int_equal(tpl_render(set, "t", l, &out), -1);
	assert_int_equal(out.len, 0);
	json_decref(l);
	json_decref(ctx);
	tpl_set_free(set);
	buf_cleanup(&out);
}

struct job {
	const struct tpl_set *set;
	json_t *ctx;
	const char *want;
	int ok;
};

static void *render_many(void *arg)
{
	struct job *j = arg;
	struct buf out;
	buf_init(&out, 0);
	j->ok = 1;
	for (int i = 0; i < 2000 && j->ok; i++) {
		buf_reset(&out);
		if (tpl_render(j->set, "page", j->ctx, &out) < 0 || strcmp(buf_str(&out), j->want) != 0)
			j->ok = 0;
	}
	buf_cleanup(&out);
	return NULL;
}

static void test_threads(void **state)
{
	struct tpl_set *set = tpl_set_new();
	const char *layout = "<h1>{{$title}}?{{/title}}</h1>\n<ul>\n  {{$items}}\n  {{/items}}\n</ul>\n";
	const char *page = "{{<layout}}\n{{$title}}{{title}}{{/title}}\n{{$items}}\n{{#items}}\n"
	                   "{{>item}}\n{{/items}}\n{{/items}}\n{{/layout}}\n";
	const char *item = "<li>{{name}} {{price}}</li>\n";
	assert_int_equal(tpl_set_add(set, "layout", layout, strlen(layout), err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "page", page, strlen(page), err, sizeof err), 0);
	assert_int_equal(tpl_set_add(set, "item", item, strlen(item), err, sizeof err), 0);
	json_t *a = json_pack("{s:s, s:[{s:s,s:f},{s:s,s:i}]}", "title", "One", "items", "name", "a<b",
	                      "price", 1.5, "name", "c", "price", 2);
	json_t *b = json_pack("{s:s, s:[{s:s,s:i}]}", "title", "Two", "items", "name", "z", "price", 9);
	struct job ja = {set, a, "<h1>One</h1>\n<ul>\n  <li>a&lt;b 1.5</li>\n  <li>c 2</li>\n</ul>\n", 0};
	struct job jb = {set, b, "<h1>Two</h1>\n<ul>\n  <li>z 9</li>\n</ul>\n", 0};
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, render_many, &ja), 0);
	assert_int_equal(pthread_create(&tb, NULL, render_many, &jb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_true(ja.ok);
	assert_true(jb.ok);
	json_decref(a);
	json_decref(b);
	tpl_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec),
	    cmocka_unit_test(test_numbers_and_values),
	    cmocka_unit_test(test_reals_match_reference),
	    cmocka_unit_test(test_layout_pattern),
	    cmocka_unit_test(test_load_dir),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_recursion_limit),
	    cmocka_unit_test(test_buffer_cap),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests_name("mustache", tests, NULL, NULL);
}
