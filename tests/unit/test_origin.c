/* Unit tests for src/core/origin.c: where a login may redirect (open
 * redirect) and which logins come from another site (login CSRF). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/origin.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Values a browser would resolve to another host, or that hide one. */
static const char *const hostile_next[] = {
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/%09/evil.example", /* the case of issue 8 */
    "/%0A/evil.example",
    "/%0d/evil.example",
    "/%00/evil.example",
    "/%7F/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%252F%252Fevil.example", /* double-encoded */
    "/%25252F%25252Fevil.example",
    "/%2525252F%2525252Fevil", /* four levels: refused whatever it holds */
    "/%255Cevil.example",
    "/%2509/evil.example",
    "/a//b",
    "/registry//5",
    "/x\\y",
    "/x\x7f",
    "/x\x01y",
    "/x\xc2\x85y",     /* U+0085 NEL (C1) */
    "/x\xe2\x80\xaey", /* U+202E right-to-left override */
    "/\xff",           /* not UTF-8 */
    "/%E2%80%AE",      /* the same override, encoded */
    "/%C2%85",
    "/%zz",
    "/100%",
    "/%2",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "home",
    "",
    "?next=/home",
    "#frag",
};

struct good {
	const char *next, *location;
};
static const struct good good_next[] = {
    {"/", "/"},
    {"/home", "/home"},
    {"/registry/5", "/registry/5"},
    {"/units/47?x=1&y=2", "/units/47?x=1&y=2"},
    {"/registry/new#top", "/registry/new#top"},
    {"/users?added=somsak", "/users?added=somsak"},
    {"/a%20b", "/a%20b"}, /* an encoded space is a path byte, not a separator */
    {"/a%2520b", "/a%2520b"},
    {"/%20/x", "/%20/x"},                   /* "/ /x": a path on this host */
    {"/%E0%B8%81", "/%E0%B8%81"},           /* Thai, encoded */
    {"/services/ก", "/services/%E0%B8%81"}, /* Thai raw: Location stays ASCII */
    {"/a:b", "/a:b"},
    {"/../home", "/../home"},
    {"/@evil.example", "/@evil.example"}, /* a path segment, same host */
};

static void test_next_hostile(void **state)
{
	char out[ORIGIN_NEXT_BUF];
	for (size_t i = 0; i < N(hostile_next); i++) {
		memset(out, 'x', sizeof out);
		if (origin_next_path(hostile_next[i], out))
			fail_msg("accepted hostile next #%zu \"%s\"", i, hostile_next[i]);
		assert_string_equal(out, ORIGIN_NEXT_FALLBACK);
	}
	assert_false(origin_next_path(NULL, out));
	assert_string_equal(out, "/home");
}

static void test_next_good(void **state)
{
	char out[ORIGIN_NEXT_BUF];
	for (size_t i = 0; i < N(good_next); i++) {
		if (!origin_next_path(good_next[i].next, out))
			fail_msg("refused good next #%zu \"%s\"", i, good_next[i].next);
		assert_string_equal(out, good_next[i].location);
	}
}

static void test_next_length(void **state)
{
	char next[ORIGIN_NEXT_MAX + 2], out[ORIGIN_NEXT_BUF];
	memset(next, 'a', sizeof next);
	next[0] = '/';
	next[ORIGIN_NEXT_MAX] = '\0';
	assert_true(origin_next_path(next, out));
	assert_int_equal(strlen(out), ORIGIN_NEXT_MAX);
	next[ORIGIN_NEXT_MAX] = 'a';
	next[ORIGIN_NEXT_MAX + 1] = '\0';
	assert_false(origin_next_path(next, out));
	/* The longest accepted non-ASCII path fits the buffer once encoded. */
	for (size_t i = 1; i + 3 <= ORIGIN_NEXT_MAX; i += 3)
		memcpy(next + i, "\xe0\xb8\x81", 3);
	next[ORIGIN_NEXT_MAX - (ORIGIN_NEXT_MAX - 1) % 3] = '\0';
	assert_true(origin_next_path(next, out));
	assert_true(strlen(out) < ORIGIN_NEXT_BUF);
}

struct site {
	const char *origin, *fetch_site, *host, *public_url;
	bool cross;
};
static const struct site sites[] = {
    /* neither header: curl, a script, an older browser */
    {NULL, NULL, "127.0.0.1:8080", NULL, false},
    {NULL, NULL, NULL, NULL, false},
    /* Sec-Fetch-Site */
    {NULL, "same-origin", "a.example", NULL, false},
    {NULL, "same-site", "a.example", NULL, false},
    {NULL, "none", "a.example", NULL, false},
    {NULL, "cross-site", "a.example", NULL, true},
    {NULL, " Cross-Site ", "a.example", NULL, true},
    {"http://a.example", "cross-site", "a.example", NULL, true},
    /* Origin against Host */
    {"http://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL, false},
    {"http://127.0.0.1:8080", "same-origin", "127.0.0.1:8080", NULL, false},
    {"http://A.Example", NULL, "a.example", NULL, false},
    {"http://a.example", NULL, "a.example:80", NULL, false},
    {"http://a.example:80", NULL, "a.example", NULL, false},
    {"https://a.example", NULL, "a.example:443", NULL, false},
    {"https://a.example", NULL, "a.example", NULL, false}, /* TLS at the proxy, Host forwarded */
    {"http://[::1]:8080", NULL, "[::1]:8080", NULL, false},
    {"https://evil.example", NULL, "127.0.0.1:8080", NULL, true},
    {"http://127.0.0.1:8081", NULL, "127.0.0.1:8080", NULL, true},
    {"http://127.0.0.1", NULL, "127.0.0.1:8080", NULL, true},
    {"http://a.example.evil", NULL, "a.example", NULL, true},
    {"http://evila.example", NULL, "a.example", NULL, true},
    {"null", NULL, "a.example", NULL, true},
    {"", NULL, "a.example", NULL, true},
    {"a.example", NULL, "a.example", NULL, true},
    {"ftp://a.example", NULL, "a.example", NULL, true},
    {"http://a.example/", NULL, "a.example", NULL, true},
    {"http://user@a.example", NULL, "a.example", NULL, true},
    {"http://a.example:0", NULL, "a.example", NULL, true},
    {"http://a.example:99999", NULL, "a.example", NULL, true},
    {"http://a.example", NULL, NULL, NULL, true},
    {"http://a.example", NULL, "", NULL, true},
    /* Origin against public_url (a proxy that rewrites Host) */
    {"https://eservice.example.go.th", NULL, "127.0.0.1:8080", "https://eservice.example.go.th", false},
    {"https://eservice.example.go.th", NULL, "127.0.0.1:8080", "https://eservice.example.go.th/osspoint",
     false},
    {"https://eservice.example.go.th:443", NULL, "127.0.0.1:8080", "https://eservice.example.go.th", false},
    {"http://eservice.example.go.th", NULL, "127.0.0.1:8080", "https://eservice.example.go.th", true},
    {"https://eservice.example.go.th:8443", NULL, "127.0.0.1:8080", "https://eservice.example.go.th", true},
    {"https://evil.example", NULL, "127.0.0.1:8080", "https://eservice.example.go.th", true},
};

static void test_cross_site(void **state)
{
	for (size_t i = 0; i < N(sites); i++) {
		const struct site *s = &sites[i];
		bool got = origin_login_cross_site(s->origin, s->fetch_site, s->host, s->public_url);
		if (got != s->cross)
			fail_msg("#%zu origin=%s fetch-site=%s host=%s public_url=%s: got %d", i,
			         s->origin ? s->origin : "-", s->fetch_site ? s->fetch_site : "-",
			         s->host ? s->host : "-", s->public_url ? s->public_url : "-", got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_next_hostile),
	    cmocka_unit_test(test_next_good),
	    cmocka_unit_test(test_next_length),
	    cmocka_unit_test(test_cross_site),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
