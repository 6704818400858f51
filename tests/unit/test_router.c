/* The router: patterns, parameters, decoding, trailing slash, 404/405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

#include "../common/any_scope.h"

static void h_noop(struct req *r)
{
	(void)r;
}

static const struct route table[] = {
    {HTTP_GET, "/", 0, ROUTE_PUBLIC, h_noop, "home", &any_scope},
    {HTTP_GET, "/units", 0, 0, h_noop, "units.list", &any_scope},
    {HTTP_POST, "/units", 0, 0, h_noop, "units.create", &any_scope},
    {HTTP_GET, "/units/new", 0, 0, h_noop, "units.new", &any_scope},
    {HTTP_GET, "/units/{code}", 0, 0, h_noop, "units.show", &any_scope},
    {HTTP_PUT | HTTP_PATCH, "/units/{code}", 0, 0, h_noop, "units.update", &any_scope},
    {HTTP_GET, "/units/{code}/visits/{id}", 0, 0, h_noop, "visits.show", &any_scope},
    {HTTP_POST, "/units/{code}/visits", 0, 0, h_noop, "visits.create", &any_scope},
    {HTTP_DELETE, "/users/{id}", 0, 0, h_noop, "users.delete", &any_scope},
    {HTTP_HEAD, "/ping", 0, ROUTE_PUBLIC, h_noop, "ping.head", &any_scope},
    {HTTP_GET, "/ping", 0, ROUTE_PUBLIC, h_noop, "ping.get", &any_scope},
    {0},
};

static int setup(void **state)
{
	struct router *rt = router_new();
	assert_int_equal(router_add_table(rt, table), 0);
	*state = rt;
	return 0;
}

static int teardown(void **state)
{
	router_free(*state);
	return 0;
}

static const char *match_name(const struct router *rt, enum http_method m, const char *path)
{
	const struct route *out = NULL;
	struct route_params rp;
	unsigned allowed = 0;
	enum route_match res = router_match(rt, m, path, &out, &rp, &allowed);
	route_params_cleanup(&rp);
	return res == ROUTE_FOUND ? out->name : NULL;
}

static void literal_routes(void **state)
{
	const struct router *rt = *state;
	assert_string_equal(match_name(rt, HTTP_GET, "/"), "home");
	assert_string_equal(match_name(rt, HTTP_GET, "/units"), "units.list");
	assert_string_equal(match_name(rt, HTTP_POST, "/units"), "units.create");
	/* a literal segment beats a parameter */
	assert_string_equal(match_name(rt, HTTP_GET, "/units/new"), "units.new");
	assert_null(match_name(rt, HTTP_GET, "/nope"));
	assert_null(match_name(rt, HTTP_GET, ""));
	assert_null(match_name(rt, HTTP_GET, "units"));
}

static void params_extracted(void **state)
{
	const struct router *rt = *state;
	const struct route *out;
	struct route_params rp;
	unsigned allowed;
	assert_int_equal(router_match(rt, HTTP_GET, "/units/1001/visits/42", &out, &rp, &allowed),
	                 ROUTE_FOUND);
	assert_string_equal(out->name, "visits.show");
	assert_int_equal(rp.n, 2);
	assert_string_equal(rp.p[0].name, "code");
	assert_string_equal(rp.p[0].value, "1001");
	assert_string_equal(rp.p[1].name, "id");
	assert_string_equal(rp.p[1].value, "42");
	route_params_cleanup(&rp);
	assert_int_equal(rp.n, 0);

	/* "new" under POST is not the GET literal: the parameter route takes it */
	assert_int_equal(router_match(rt, HTTP_PUT, "/units/new", &out, &rp, &allowed), ROUTE_FOUND);
	assert_string_equal(out->name, "units.update");
	assert_string_equal(rp.p[0].value, "new");
	route_params_cleanup(&rp);

	/* a parameter never matches an empty segment */
	assert_int_equal(router_match(rt, HTTP_GET, "/units//visits/1", &out, &rp, &allowed),
	                 ROUTE_NOT_FOUND);
	assert_int_equal(rp.n, 0);
	/* nor more than one segment */
	assert_int_equal(router_match(rt, HTTP_GET, "/users/1/2", &out, &rp, &allowed), ROUTE_NOT_FOUND);
}

static void params_percent_decoded(void **state)
{
	const struct router *rt = *state;
	const struct route *out;
	struct route_params rp;
	unsigned allowed;
	assert_int_equal(router_match(rt, HTTP_GET, "/units/%E0%B8%81%20x", &out, &rp, &allowed),
	                 ROUTE_FOUND);
	assert_string_equal(rp.p[0].value, "ก x");
	route_params_cleanup(&rp);
	/* an encoded slash stays inside its segment */
	assert_int_equal(router_match(rt, HTTP_GET, "/units/a%2Fb", &out, &rp, &allowed), ROUTE_FOUND);
	assert_string_equal(out->name, "units.show");
	assert_string_equal(rp.p[0].value, "a/b");
	route_params_cleanup(&rp);
	/* '+' is not a space in a path */
	assert_int_equal(router_match(rt, HTTP_GET, "/units/a+b", &out, &rp, &allowed), ROUTE_FOUND);
	assert_string_equal(rp.p[0].value, "a+b");
	route_params_cleanup(&rp);
	/* literal segments match their decoded form */
	assert_string_equal(match_name(rt, HTTP_GET, "/unit%73"), "units.list");
	/* bad escapes, NUL and invalid UTF-8 match nothing */
	assert_null(match_name(rt, HTTP_GET, "/units/%zz"));
	assert_null(match_name(rt, HTTP_GET, "/units/%4"));
	assert_null(match_name(rt, HTTP_GET, "/units/a%00b"));
	assert_null(match_name(rt, HTTP_GET, "/units/%FF"));
}

static void trailing_slash(void **state)
{
	const struct router *rt = *state;
	assert_string_equal(match_name(rt, HTTP_GET, "/units/"), "units.list");
	assert_string_equal(match_name(rt, HTTP_GET, "/units//"), "units.list");
	assert_string_equal(match_name(rt, HTTP_GET, "/units/1001/"), "units.show");
	assert_string_equal(match_name(rt, HTTP_GET, "//"), "home");
}

static void not_found_and_bad_method(void **state)
{
	const struct router *rt = *state;
	const struct route *out = (const struct route *)1;
	struct route_params rp;
	unsigned allowed = 99;
	assert_int_equal(router_match(rt, HTTP_GET, "/nowhere", &out, &rp, &allowed), ROUTE_NOT_FOUND);
	assert_null(out);
	assert_int_equal(allowed, 0);

	assert_int_equal(router_match(rt, HTTP_DELETE, "/units", &out, &rp, &allowed), ROUTE_BAD_METHOD);
	assert_null(out);
	assert_int_equal(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);

	/* the union over every matching shape: literal "new" (GET) and {code} */
	assert_int_equal(router_match(rt, HTTP_POST, "/units/new", &out, &rp, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, HTTP_GET | HTTP_HEAD | HTTP_PUT | HTTP_PATCH);

	assert_int_equal(router_match(rt, HTTP_GET, "/users/5", &out, &rp, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, HTTP_DELETE);
	assert_int_equal(router_match(rt, HTTP_OTHER, "/users/5", &out, &rp, &allowed), ROUTE_BAD_METHOD);
	/* NULL out-parameters are allowed */
	assert_int_equal(router_match(rt, HTTP_GET, "/units/9", NULL, NULL, NULL), ROUTE_FOUND);
}

static void head_answers_get(void **state)
{
	const struct router *rt = *state;
	assert_string_equal(match_name(rt, HTTP_HEAD, "/units"), "units.list");
	assert_string_equal(match_name(rt, HTTP_HEAD, "/units/7"), "units.show");
	/* an explicit HEAD route wins over the GET one */
	assert_string_equal(match_name(rt, HTTP_HEAD, "/ping"), "ping.head");
	assert_string_equal(match_name(rt, HTTP_GET, "/ping"), "ping.get");
	/* HEAD is not GET: a HEAD-only path does not answer GET */
	assert_null(match_name(rt, HTTP_HEAD, "/users/1"));
}

static void duplicates_refused(void **state)
{
	static const struct route dup[] = {
	    {HTTP_GET, "/a/{x}", 0, 0, h_noop, "a1", &any_scope},
	    {HTTP_GET | HTTP_POST, "/a/{y}", 0, 0, h_noop, "a2", &any_scope}, /* same shape, GET again */
	    {0},
	};
	struct router *rt = router_new();
	assert_int_equal(router_add_table(rt, dup), -1);
	router_free(rt);

	static const struct route dup_slash[] = {
	    {HTTP_GET, "/b", 0, 0, h_noop, "b1", &any_scope},
	    {HTTP_GET, "/b/", 0, 0, h_noop, "b2", &any_scope},
	    {0},
	};
	rt = router_new();
	assert_int_equal(router_add_table(rt, dup_slash), -1);
	router_free(rt);

	/* across tables too */
	static const struct route t1[] = {{HTTP_POST, "/c", 0, 0, h_noop, "c1", &any_scope}, {0}};
	static const struct route t2[] = {{HTTP_POST, "/c", 0, 0, h_noop, "c2", &any_scope}, {0}};
	rt = router_new();
	assert_int_equal(router_add_table(rt, t1), 0);
	assert_int_equal(router_add_table(rt, t2), -1);
	router_free(rt);

	/* same shape, different methods: fine */
	static const struct route ok[] = {
	    {HTTP_GET, "/d/{x}", 0, 0, h_noop, "d1", &any_scope},
	    {HTTP_POST, "/d/{y}", 0, 0, h_noop, "d2", &any_scope},
	    {0},
	};
	rt = router_new();
	assert_int_equal(router_add_table(rt, ok), 0);
	struct route_params rp;
	const struct route *out;
	assert_int_equal(router_match(rt, HTTP_POST, "/d/5", &out, &rp, NULL), ROUTE_FOUND);
	assert_string_equal(rp.p[0].name, "y"); /* each route keeps its own names */
	route_params_cleanup(&rp);
	assert_int_equal(router_match(rt, HTTP_GET, "/d/5", &out, &rp, NULL), ROUTE_FOUND);
	assert_string_equal(rp.p[0].name, "x");
	route_params_cleanup(&rp);
	router_free(rt);
}

static void malformed_patterns(void **state)
{
	static const char *const bad[] = {
	    "",         "units", "/a//b",  "/{}",  "/{a",   "/a{b}", "/{a-b}",
	    "/{a}/{a}", "/a b",  "/a%20b", "/a?b", "/{a}x", NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		struct route t[] = {{HTTP_GET, bad[i], 0, 0, h_noop, "bad", &any_scope}, {0}};
		struct router *rt = router_new();
		if (router_add_table(rt, t) != -1)
			fail_msg("pattern \"%s\" was accepted", bad[i]);
		router_free(rt);
	}
	/* no handler, no methods */
	struct route t1[] = {{HTTP_GET, "/x", 0, 0, NULL, "nohandler", &any_scope}, {0}};
	struct route t2[] = {{0, "/x", 0, 0, h_noop, "nomethod", &any_scope}, {0}};
	/* every route declares its scope (the authorize hook resolves it) */
	struct route t3[] = {{HTTP_GET, "/x", 0, 0, h_noop, "noscope", NULL}, {0}};
	static const struct route_scope unnamed = {NULL, any_scope_resolve};
	struct route t4[] = {{HTTP_GET, "/x", 0, 0, h_noop, "unnamed", &unnamed}, {0}};
	struct router *rt = router_new();
	assert_int_equal(router_add_table(rt, t1), -1);
	assert_int_equal(router_add_table(rt, t2), -1);
	assert_int_equal(router_add_table(rt, t3), -1);
	assert_int_equal(router_add_table(rt, t4), -1);
	router_free(rt);
	/* at most 8 parameters */
	struct route nine[] = {
	    {HTTP_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", 0, 0, h_noop, "nine", &any_scope}, {0}};
	struct route eight[] = {
	    {HTTP_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", 0, 0, h_noop, "eight", &any_scope}, {0}};
	rt = router_new();
	assert_int_equal(router_add_table(rt, nine), -1);
	assert_int_equal(router_add_table(rt, eight), 0);
	struct route_params rp;
	assert_int_equal(router_match(rt, HTTP_GET, "/1/2/3/4/5/6/7/8", NULL, &rp, NULL), ROUTE_FOUND);
	assert_int_equal(rp.n, 8);
	assert_string_equal(rp.p[7].name, "h");
	assert_string_equal(rp.p[7].value, "8");
	route_params_cleanup(&rp);
	router_free(rt);
}

struct walk_ctx {
	int n;
	const char *names[32];
};

static void collect(const struct route *r, void *arg)
{
	struct walk_ctx *w = arg;
	w->names[w->n++] = r->name;
}

static void each_in_table_order(void **state)
{
	const struct router *rt = *state;
	struct walk_ctx w = {0};
	router_each(rt, collect, &w);
	assert_int_equal(w.n, 11);
	assert_string_equal(w.names[0], "home");
	assert_string_equal(w.names[4], "units.show");
	assert_string_equal(w.names[10], "ping.get");
}

static char **many_names;

static void many_routes(void **state)
{
	/* ~200 routes over 100 resources: every one is found, with its params. */
	enum { N = 100 };
	struct route *t = calloc(2 * N + 1, sizeof *t);
	many_names = calloc(2 * N, sizeof *many_names);
	char **patterns = calloc(2 * N, sizeof *patterns);
	for (int i = 0; i < N; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "/r%d", i);
		patterns[2 * i] = strdup(buf);
		snprintf(buf, sizeof buf, "/r%d/{id}/items/{item}", i);
		patterns[2 * i + 1] = strdup(buf);
		snprintf(buf, sizeof buf, "list%d", i);
		many_names[2 * i] = strdup(buf);
		snprintf(buf, sizeof buf, "item%d", i);
		many_names[2 * i + 1] = strdup(buf);
		t[2 * i] = (struct route){HTTP_GET | HTTP_POST, patterns[2 * i], 0, 0, h_noop,
		                          many_names[2 * i],    &any_scope};
		t[2 * i + 1] = (struct route){HTTP_GET, patterns[2 * i + 1],   0,         0,
		                              h_noop,   many_names[2 * i + 1], &any_scope};
	}
	struct router *rt = router_new();
	assert_int_equal(router_add_table(rt, t), 0);
	for (int i = 0; i < N; i++) {
		char path[64], want[32];
		snprintf(path, sizeof path, "/r%d/", i);
		snprintf(want, sizeof want, "list%d", i);
		assert_string_equal(match_name(rt, HTTP_POST, path), want);
		snprintf(path, sizeof path, "/r%d/x%d/items/%d", i, i, i * 7);
		struct route_params rp;
		const struct route *out;
		assert_int_equal(router_match(rt, HTTP_GET, path, &out, &rp, NULL), ROUTE_FOUND);
		snprintf(want, sizeof want, "item%d", i);
		assert_string_equal(out->name, want);
		char v[16];
		snprintf(v, sizeof v, "%d", i * 7);
		assert_string_equal(rp.p[1].value, v);
		route_params_cleanup(&rp);
	}
	assert_null(match_name(rt, HTTP_GET, "/r100"));
	router_free(rt);
	for (int i = 0; i < 2 * N; i++) {
		free(patterns[i]);
		free(many_names[i]);
	}
	free(patterns);
	free(many_names);
	free(t);
}

static void long_paths(void **state)
{
	const struct router *rt = *state;
	/* longer than the router's stack buffer, and more segments than it walks */
	size_t n = 5000;
	char *p = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (i % 2 == 0) ? '/' : 'a';
	p[n] = '\0';
	assert_null(match_name(rt, HTTP_GET, p));
	memcpy(p, "/units/", 7);
	memset(p + 7, 'x', n - 7);
	assert_string_equal(match_name(rt, HTTP_GET, p), "units.show");
	free(p);
}

/* "{id}.pdf": a parameter with a literal suffix in its segment. */
static void suffix_parameters(void **state)
{
	static const struct route t[] = {
	    {HTTP_GET, "/orders/{id}", 0, 0, h_noop, "orders.show", &any_scope},
	    {HTTP_GET, "/orders/{id}.pdf", 0, 0, h_noop, "orders.pdf", &any_scope},
	    {HTTP_GET, "/orders/{id}.xlsx", 0, 0, h_noop, "orders.xlsx", &any_scope},
	    {HTTP_GET, "/orders/new.pdf", 0, 0, h_noop, "orders.literal", &any_scope},
	    {0},
	};
	struct router *rt = router_new();
	assert_int_equal(router_add_table(rt, t), 0);
	const struct route *out;
	struct route_params rp;
	unsigned allowed;
	assert_int_equal(router_match(rt, HTTP_GET, "/orders/12.pdf", &out, &rp, &allowed), ROUTE_FOUND);
	assert_string_equal(out->name, "orders.pdf");
	assert_int_equal(rp.n, 1);
	assert_string_equal(rp.p[0].value, "12");
	route_params_cleanup(&rp);
	assert_string_equal(match_name(rt, HTTP_GET, "/orders/12.xlsx"), "orders.xlsx");
	assert_string_equal(match_name(rt, HTTP_GET, "/orders/12"), "orders.show");
	assert_string_equal(match_name(rt, HTTP_GET, "/orders/new.pdf"), "orders.literal");
	/* Nothing before the suffix: the plain parameter takes the segment. */
	assert_string_equal(match_name(rt, HTTP_GET, "/orders/.pdf"), "orders.show");
	router_free(rt);
	static const struct route bad[] = {{HTTP_GET, "/x/{id}.p{df", 0, 0, h_noop, "bad", &any_scope}, {0}};
	rt = router_new();
	assert_int_equal(router_add_table(rt, bad), -1);
	router_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(literal_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(params_extracted, setup, teardown),
	    cmocka_unit_test_setup_teardown(params_percent_decoded, setup, teardown),
	    cmocka_unit_test_setup_teardown(trailing_slash, setup, teardown),
	    cmocka_unit_test_setup_teardown(not_found_and_bad_method, setup, teardown),
	    cmocka_unit_test_setup_teardown(head_answers_get, setup, teardown),
	    cmocka_unit_test(duplicates_refused),
	    cmocka_unit_test(malformed_patterns),
	    cmocka_unit_test_setup_teardown(each_in_table_order, setup, teardown),
	    cmocka_unit_test(many_routes),
	    cmocka_unit_test(suffix_parameters),
	    cmocka_unit_test_setup_teardown(long_paths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
