/* Body parsers: application/x-www-form-urlencoded and multipart/form-data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static enum form_status url(struct form *f, const char *s, const char **bad)
{
	form_init(f);
	return form_parse_urlencoded(f, s, strlen(s), NULL, bad);
}

static const char *val(const struct form *f, const char *name)
{
	const struct form_field *ff = form_get(f, name);
	return ff ? ff->value : NULL;
}

/* ---- urlencoded ---- */

static void urlenc_basic(void **state)
{
	struct form f;
	const char *bad = "x";
	assert_int_equal(url(&f, "a=1&b=two+words&c=%E0%B8%81%20x", &bad), FORM_OK);
	assert_null(bad);
	assert_int_equal(f.n, 3);
	assert_string_equal(val(&f, "a"), "1");
	assert_string_equal(val(&f, "b"), "two words");
	assert_string_equal(val(&f, "c"), "ก x");
	assert_int_equal(form_get(&f, "c")->len, strlen("ก x"));
	assert_null(form_get(&f, "a")->filename);
	assert_null(form_get(&f, "a")->content_type);
	assert_null(form_get(&f, "zzz"));
	form_cleanup(&f);
}

static void urlenc_plus_and_encoded_plus(void **state)
{
	struct form f;
	assert_int_equal(url(&f, "q=1%2B1+%3D+2&n%2Bm=x", NULL), FORM_OK);
	assert_string_equal(val(&f, "q"), "1+1 = 2");
	assert_string_equal(val(&f, "n+m"), "x");
	form_cleanup(&f);
}

static void urlenc_empty_values_and_no_equals(void **state)
{
	struct form f;
	assert_int_equal(url(&f, "a=&b&c=3&&d=", NULL), FORM_OK);
	assert_int_equal(f.n, 4);
	assert_string_equal(val(&f, "a"), "");
	assert_int_equal(form_get(&f, "a")->len, 0);
	assert_string_equal(val(&f, "b"), "");
	assert_string_equal(val(&f, "c"), "3");
	assert_string_equal(val(&f, "d"), "");
	form_cleanup(&f);

	assert_int_equal(url(&f, "", NULL), FORM_OK);
	assert_int_equal(f.n, 0);
	form_cleanup(&f);
	assert_int_equal(url(&f, "&&&", NULL), FORM_OK);
	assert_int_equal(f.n, 0);
	form_cleanup(&f);
	/* '=' inside a value is kept */
	assert_int_equal(url(&f, "k=a=b", NULL), FORM_OK);
	assert_string_equal(val(&f, "k"), "a=b");
	form_cleanup(&f);
}

static void urlenc_repeated_names(void **state)
{
	struct form f;
	assert_int_equal(url(&f, "tag=a&tag=b&tag=c", NULL), FORM_OK);
	assert_int_equal(f.n, 3);
	assert_string_equal(val(&f, "tag"), "a"); /* form_get: the first */
	assert_string_equal(f.f[1].value, "b");
	assert_string_equal(f.f[2].value, "c");
	form_cleanup(&f);
}

static void urlenc_bad_escapes(void **state)
{
	struct form f;
	const char *bad = NULL;
	/* bad escape in a value names the field */
	assert_int_equal(url(&f, "ok=1&name=%zz", &bad), FORM_MALFORMED);
	assert_non_null(bad);
	assert_string_equal(bad, "name");
	form_cleanup(&f);
	/* truncated escapes */
	assert_int_equal(url(&f, "a=%4", &bad), FORM_MALFORMED);
	assert_string_equal(bad, "a");
	form_cleanup(&f);
	assert_int_equal(url(&f, "a=%", &bad), FORM_MALFORMED);
	form_cleanup(&f);
	/* bad escape in a name: the body */
	assert_int_equal(url(&f, "n%G1=1", &bad), FORM_MALFORMED);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	/* NUL bytes and invalid UTF-8 are refused */
	assert_int_equal(url(&f, "a=x%00y", &bad), FORM_MALFORMED);
	assert_string_equal(bad, "a");
	form_cleanup(&f);
	assert_int_equal(url(&f, "a=%C3%28", &bad), FORM_MALFORMED);
	form_cleanup(&f);
	assert_int_equal(url(&f, "a=%ED%A0%80", &bad), FORM_MALFORMED); /* surrogate */
	form_cleanup(&f);
	/* empty name */
	assert_int_equal(url(&f, "=1", &bad), FORM_MALFORMED);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	/* lower-case hex is fine */
	assert_int_equal(url(&f, "a=%e0%b8%81", &bad), FORM_OK);
	assert_string_equal(val(&f, "a"), "ก");
	form_cleanup(&f);
}

static void urlenc_limits(void **state)
{
	struct form_limits lim = {.max_fields = 3, .max_name = 4, .max_value = 5, .max_file = 10};
	struct form f;
	const char *bad = NULL;
	form_init(&f);
	assert_int_equal(form_parse_urlencoded(&f, "a=1&b=2&c=3", 11, &lim, &bad), FORM_OK);
	form_cleanup(&f);
	assert_int_equal(form_parse_urlencoded(&f, "a=1&b=2&c=3&d=4", 15, &lim, &bad), FORM_TOO_MANY);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	assert_int_equal(form_parse_urlencoded(&f, "abcd=1", 6, &lim, &bad), FORM_OK);
	form_cleanup(&f);
	assert_int_equal(form_parse_urlencoded(&f, "abcde=1", 7, &lim, &bad), FORM_TOO_LONG);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	assert_int_equal(form_parse_urlencoded(&f, "v=12345", 7, &lim, &bad), FORM_OK);
	form_cleanup(&f);
	assert_int_equal(form_parse_urlencoded(&f, "v=123456", 8, &lim, &bad), FORM_TOO_LONG);
	assert_string_equal(bad, "v");
	form_cleanup(&f);
	/* the limit is on the decoded length: 5 escaped bytes are fine */
	const char *esc = "v=%41%42%43%44%45";
	assert_int_equal(form_parse_urlencoded(&f, esc, strlen(esc), &lim, &bad), FORM_OK);
	assert_string_equal(val(&f, "v"), "ABCDE");
	form_cleanup(&f);
	/* length-bounded input: nothing past len is read */
	assert_int_equal(form_parse_urlencoded(&f, "a=1&b=2", 3, &lim, &bad), FORM_OK);
	assert_int_equal(f.n, 1);
	form_cleanup(&f);
	/* default limits */
	assert_int_equal(FORM_DEFAULT_LIMITS.max_fields, 256);
	char *big = malloc(300 * 4 + 1);
	size_t n = 0;
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(big + n, 300 * 4 + 1 - n, "a=%d&", i % 10);
	assert_int_equal(form_parse_urlencoded(&f, big, n, NULL, &bad), FORM_TOO_MANY);
	form_cleanup(&f);
	free(big);
}

/* ---- multipart ---- */

#define CT "multipart/form-data; boundary=XyZ"

static enum form_status mp(struct form *f, const char *ct, const char *body, const char **bad)
{
	form_init(f);
	return form_parse_multipart(f, ct, body, strlen(body), NULL, bad);
}

static void multipart_basic(void **state)
{
	const char *body = "--XyZ\r\n"
	                   "Content-Disposition: form-data; name=\"title\"\r\n"
	                   "\r\n"
	                   "สวัสดี\r\n"
	                   "--XyZ\r\n"
	                   "Content-Disposition: form-data; name=\"doc\"; filename=\"a b.txt\"\r\n"
	                   "Content-Type: text/plain\r\n"
	                   "\r\n"
	                   "line1\r\nline2\r\n\r\n"
	                   "--XyZ--\r\n";
	struct form f;
	const char *bad = "x";
	assert_int_equal(mp(&f, CT, body, &bad), FORM_OK);
	assert_null(bad);
	assert_int_equal(f.n, 2);
	assert_string_equal(val(&f, "title"), "สวัสดี");
	assert_null(form_get(&f, "title")->filename);
	assert_string_equal(form_get(&f, "title")->content_type, "text/plain");
	const struct form_field *d = form_get(&f, "doc");
	assert_non_null(d);
	assert_string_equal(d->filename, "a b.txt");
	assert_string_equal(d->content_type, "text/plain");
	/* CRLFs inside content are kept; only the one before the delimiter goes */
	assert_int_equal(d->len, strlen("line1\r\nline2\r\n"));
	assert_memory_equal(d->value, "line1\r\nline2\r\n", d->len);
	form_cleanup(&f);
}

static void multipart_boundary_quoting(void **state)
{
	const char *body = "--a b:c\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b:c--";
	struct form f;
	assert_int_equal(mp(&f, "multipart/form-data; charset=utf-8; boundary=\"a b:c\"", body, NULL),
	                 FORM_OK);
	assert_string_equal(val(&f, "x"), "1");
	form_cleanup(&f);
	/* case-insensitive type and parameter name, spaces around ';' */
	assert_int_equal(mp(&f, "Multipart/Form-Data ;  BOUNDARY=\"a b:c\"", body, NULL), FORM_OK);
	form_cleanup(&f);
	/* no boundary, empty boundary, wrong type */
	const char *bad = NULL;
	assert_int_equal(mp(&f, "multipart/form-data", body, &bad), FORM_MALFORMED);
	assert_string_equal(bad, "body");
	assert_int_equal(mp(&f, "multipart/form-data; boundary=\"\"", body, &bad), FORM_MALFORMED);
	assert_int_equal(mp(&f, "multipart/mixed; boundary=XyZ", body, &bad), FORM_MALFORMED);
	assert_int_equal(mp(&f, "multipart/form-data; boundary=\"unterminated", body, &bad), FORM_MALFORMED);
	form_cleanup(&f);

	/* RFC 2046: 1 to 70 characters */
	char b70[71], ct[128], body70[256];
	memset(b70, 'b', 70);
	b70[70] = '\0';
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b70);
	snprintf(body70, sizeof body70, "--%s\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--%s--",
	         b70, b70);
	assert_int_equal(mp(&f, ct, body70, NULL), FORM_OK);
	form_cleanup(&f);
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%sb", b70);
	assert_int_equal(mp(&f, ct, body70, &bad), FORM_MALFORMED);
	form_cleanup(&f);
}

static void multipart_preamble_epilogue_padding(void **state)
{
	const char *body = "This is a preamble.\r\n"
	                   "--XyZ  \t\r\n" /* transport padding after the delimiter */
	                   "content-disposition: FORM-DATA; NAME=\"a\"\r\n"
	                   "X-Ignored: yes\r\n"
	                   "\r\n"
	                   "A\r\n"
	                   "--XyZ--\r\n"
	                   "epilogue --XyZ garbage\r\n";
	struct form f;
	assert_int_equal(mp(&f, CT, body, NULL), FORM_OK);
	assert_int_equal(f.n, 1);
	assert_string_equal(val(&f, "a"), "A");
	form_cleanup(&f);
}

static void multipart_header_case(void **state)
{
	static const char body[] = "--XyZ\r\n"
	                           "CONTENT-TYPE: image/png\r\n"
	                           "Content-disposition:form-data;name=\"img\";FILENAME=\"p.png\"\r\n"
	                           "\r\n"
	                           "\x89PNG\x00\x01\r\n"
	                           "--XyZ--";
	struct form f;
	form_init(&f);
	/* strlen would stop at the NUL: give the real length */
	assert_int_equal(form_parse_multipart(&f, CT, body, sizeof body - 1, NULL, NULL), FORM_OK);
	const struct form_field *img = form_get(&f, "img");
	assert_non_null(img);
	assert_string_equal(img->filename, "p.png");
	assert_string_equal(img->content_type, "image/png");
	assert_int_equal(img->len, 6); /* binary, NUL included */
	assert_memory_equal(img->value, "\x89PNG\x00\x01", 6);
	form_cleanup(&f);
}

static void multipart_missing_final_boundary(void **state)
{
	struct form f;
	const char *bad = NULL;
	/* content never closed */
	assert_int_equal(mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nAAA", &bad),
	                 FORM_MALFORMED);
	assert_string_equal(bad, "a");
	form_cleanup(&f);
	/* delimiter without "--" and nothing after */
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--XyZ", &bad),
	    FORM_MALFORMED);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	/* headers never end */
	assert_int_equal(mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n", &bad),
	                 FORM_MALFORMED);
	form_cleanup(&f);
	/* no delimiter at all, empty body */
	assert_int_equal(mp(&f, CT, "just text", &bad), FORM_MALFORMED);
	form_cleanup(&f);
	assert_int_equal(mp(&f, CT, "", &bad), FORM_MALFORMED);
	form_cleanup(&f);
	/* "--XyZ--" alone: a valid empty form */
	assert_int_equal(mp(&f, CT, "--XyZ--\r\n", &bad), FORM_OK);
	assert_int_equal(f.n, 0);
	form_cleanup(&f);
}

static void multipart_crlf_strict(void **state)
{
	struct form f;
	const char *bad = NULL;
	/* bare LF line endings are not multipart */
	assert_int_equal(mp(&f, CT, "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nA\n--XyZ--", &bad),
	                 FORM_MALFORMED);
	form_cleanup(&f);
	/* junk right after a delimiter */
	assert_int_equal(
	    mp(&f, CT, "--XyZjunk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--XyZ--", &bad),
	    FORM_MALFORMED);
	form_cleanup(&f);
	/* a lone LF inside content is content */
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\nB\r\n--XyZ--", &bad),
	    FORM_OK);
	assert_string_equal(val(&f, "a"), "A\nB");
	form_cleanup(&f);
	/* empty content */
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--XyZ--", &bad),
	    FORM_OK);
	assert_string_equal(val(&f, "a"), "");
	form_cleanup(&f);
}

static void multipart_bad_parts(void **state)
{
	struct form f;
	const char *bad = NULL;
	/* no Content-Disposition */
	assert_int_equal(mp(&f, CT, "--XyZ\r\nContent-Type: text/plain\r\n\r\nA\r\n--XyZ--", &bad),
	                 FORM_MALFORMED);
	assert_string_equal(bad, "body");
	form_cleanup(&f);
	/* no name, wrong disposition type, header without colon, folded header */
	assert_int_equal(mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nA\r\n--XyZ--", &bad),
	                 FORM_MALFORMED);
	form_cleanup(&f);
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nA\r\n--XyZ--", &bad),
	    FORM_MALFORMED);
	form_cleanup(&f);
	assert_int_equal(mp(&f, CT, "--XyZ\r\nno colon here\r\n\r\nA\r\n--XyZ--", &bad), FORM_MALFORMED);
	form_cleanup(&f);
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nA\r\n--XyZ--", &bad),
	    FORM_MALFORMED);
	form_cleanup(&f);
	/* invalid UTF-8 in a text part names the field; in a file part it is fine */
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=t\r\n\r\n\xff\r\n--XyZ--", &bad),
	    FORM_MALFORMED);
	assert_string_equal(bad, "t");
	form_cleanup(&f);
	assert_int_equal(
	    mp(&f, CT,
	       "--XyZ\r\nContent-Disposition: form-data; name=t; filename=x.bin\r\n\r\n\xff\r\n--XyZ--",
	       &bad),
	    FORM_OK);
	assert_string_equal(form_get(&f, "t")->content_type, "text/plain");
	form_cleanup(&f);
	/* an empty filename (no file chosen) is still a file part */
	assert_int_equal(
	    mp(&f, CT, "--XyZ\r\nContent-Disposition: form-data; name=up; filename=\"\"\r\n\r\n\r\n--XyZ--",
	       &bad),
	    FORM_OK);
	assert_string_equal(form_get(&f, "up")->filename, "");
	form_cleanup(&f);
	/* backslashes in a filename stay (browsers do not escape them) */
	assert_int_equal(mp(&f, CT,
	                    "--XyZ\r\nContent-Disposition: form-data; name=up; "
	                    "filename=\"C:\\x\\y.txt\"\r\n\r\nA\r\n--XyZ--",
	                    &bad),
	                 FORM_OK);
	assert_string_equal(form_get(&f, "up")->filename, "C:\\x\\y.txt");
	form_cleanup(&f);
}

static void multipart_limits(void **state)
{
	struct form_limits lim = {.max_fields = 2, .max_name = 3, .max_value = 4, .max_file = 6};
	struct form f;
	const char *bad = NULL;
	const char *three = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	                    "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
	                    "--XyZ\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n--XyZ--";
	form_init(&f);
	assert_int_equal(form_parse_multipart(&f, CT, three, strlen(three), &lim, &bad), FORM_TOO_MANY);
	form_cleanup(&f);
	const char *longname = "--XyZ\r\nContent-Disposition: form-data; name=abcd\r\n\r\n1\r\n--XyZ--";
	assert_int_equal(form_parse_multipart(&f, CT, longname, strlen(longname), &lim, &bad), FORM_TOO_LONG);
	form_cleanup(&f);
	const char *longval = "--XyZ\r\nContent-Disposition: form-data; name=v\r\n\r\n12345\r\n--XyZ--";
	assert_int_equal(form_parse_multipart(&f, CT, longval, strlen(longval), &lim, &bad), FORM_TOO_LONG);
	assert_string_equal(bad, "v");
	form_cleanup(&f);
	/* a file may be longer than a text value, up to max_file */
	const char *file6 =
	    "--XyZ\r\nContent-Disposition: form-data; name=v; filename=f\r\n\r\n123456\r\n--XyZ--";
	assert_int_equal(form_parse_multipart(&f, CT, file6, strlen(file6), &lim, &bad), FORM_OK);
	form_cleanup(&f);
	const char *file7 =
	    "--XyZ\r\nContent-Disposition: form-data; name=v; filename=f\r\n\r\n1234567\r\n--XyZ--";
	assert_int_equal(form_parse_multipart(&f, CT, file7, strlen(file7), &lim, &bad), FORM_TOO_LONG);
	assert_string_equal(bad, "v");
	form_cleanup(&f);
}

static void form_get_first(void **state)
{
	struct form f;
	form_init(&f);
	assert_null(form_get(&f, "a"));
	form_cleanup(&f);
	form_cleanup(&f); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(urlenc_basic),
	    cmocka_unit_test(urlenc_plus_and_encoded_plus),
	    cmocka_unit_test(urlenc_empty_values_and_no_equals),
	    cmocka_unit_test(urlenc_repeated_names),
	    cmocka_unit_test(urlenc_bad_escapes),
	    cmocka_unit_test(urlenc_limits),
	    cmocka_unit_test(multipart_basic),
	    cmocka_unit_test(multipart_boundary_quoting),
	    cmocka_unit_test(multipart_preamble_epilogue_padding),
	    cmocka_unit_test(multipart_header_case),
	    cmocka_unit_test(multipart_missing_final_boundary),
	    cmocka_unit_test(multipart_crlf_strict),
	    cmocka_unit_test(multipart_bad_parts),
	    cmocka_unit_test(multipart_limits),
	    cmocka_unit_test(form_get_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
