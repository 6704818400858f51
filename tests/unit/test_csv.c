/* The CSV reader: RFC 4180 cases and the malformed inputs it must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/csv.h"

static int read_all(const char *s, char out[][8][64], size_t *nrec, size_t *line)
{
	struct csv c;
	csv_init(&c, s, strlen(s));
	int rc;
	*nrec = 0;
	while ((rc = csv_next(&c)) == CSV_RECORD) {
		for (size_t i = 0; i < c.nfields && i < 8; i++)
			snprintf(out[*nrec][i], 64, "%s", c.fields[i]);
		(*nrec)++;
	}
	*line = c.line;
	csv_cleanup(&c);
	return rc;
}

static void test_basic(void **state)
{
	char r[8][8][64];
	size_t n, line;
	assert_int_equal(read_all("a,b,c\n1,2,3\n", r, &n, &line), CSV_EOF);
	assert_int_equal(n, 2);
	assert_string_equal(r[1][2], "3");
}

static void test_quotes_crlf_bom_blank(void **state)
{
	char r[8][8][64];
	size_t n, line;
	const char *s = "\xEF\xBB\xBF"
	                "code,name\r\n\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\n";
	assert_int_equal(read_all(s, r, &n, &line), CSV_EOF);
	assert_int_equal(n, 3);
	assert_string_equal(r[0][0], "code");
	assert_string_equal(r[1][0], "x,1");
	assert_string_equal(r[1][1], "say \"hi\"");
	assert_string_equal(r[2][0], "two\nlines");
	assert_string_equal(r[2][1], "");
}

static void test_no_final_newline_and_empty_fields(void **state)
{
	char r[8][8][64];
	size_t n, line;
	assert_int_equal(read_all(",,", r, &n, &line), CSV_EOF);
	assert_int_equal(n, 1);
	assert_string_equal(r[0][0], "");
	assert_string_equal(r[0][2], "");
}

static void test_thai(void **state)
{
	char r[8][8][64];
	size_t n, line;
	assert_int_equal(read_all("47,สกลนคร\n", r, &n, &line), CSV_EOF);
	assert_string_equal(r[0][1], "สกลนคร");
}

static void test_malformed_reports_line(void **state)
{
	char r[8][8][64];
	size_t n, line;
	assert_int_equal(read_all("a,b\n1,2\n\"open,3\n", r, &n, &line), CSV_MALFORMED);
	assert_int_equal(n, 2);
	assert_int_equal(line, 3);
	assert_int_equal(read_all("a,b\n\"x\"y,1\n", r, &n, &line), CSV_MALFORMED);
	assert_int_equal(line, 2);
	assert_int_equal(read_all("a,b\nx\"y,1\n", r, &n, &line), CSV_MALFORMED);
	assert_int_equal(read_all("a\rb\n", r, &n, &line), CSV_MALFORMED);
}

static void test_line_numbers_count_quoted_newlines(void **state)
{
	struct csv c;
	const char *s = "h\n\"a\nb\nc\"\n\nbad\"\n";
	csv_init(&c, s, strlen(s));
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_int_equal(c.line, 1);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_int_equal(c.line, 2);
	assert_int_equal(csv_next(&c), CSV_MALFORMED);
	assert_int_equal(c.line, 6);
	csv_cleanup(&c);
}

static void test_too_many_fields(void **state)
{
	char s[CSV_MAX_FIELDS * 2 + 8];
	size_t k = 0;
	for (int i = 0; i <= CSV_MAX_FIELDS; i++)
		s[k++] = ',';
	s[k++] = '\n';
	s[k] = '\0';
	struct csv c;
	csv_init(&c, s, k);
	assert_int_equal(csv_next(&c), CSV_TOO_BIG);
	csv_cleanup(&c);
}

static void test_column_lookup(void **state)
{
	struct csv c;
	const char *s = "code,name_th\n";
	csv_init(&c, s, strlen(s));
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_int_equal(csv_column(&c, "name_th"), 1);
	assert_int_equal(csv_column(&c, "nope"), -1);
	csv_cleanup(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_quotes_crlf_bom_blank),
	    cmocka_unit_test(test_no_final_newline_and_empty_fields),
	    cmocka_unit_test(test_thai),
	    cmocka_unit_test(test_malformed_reports_line),
	    cmocka_unit_test(test_line_numbers_count_quoted_newlines),
	    cmocka_unit_test(test_too_many_fields),
	    cmocka_unit_test(test_column_lookup),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
