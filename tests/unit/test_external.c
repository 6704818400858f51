/* core/external: the national survey's figures file. Periods in every form
 * the manual promises, numbers (Thai digits, commas, spreadsheet artefacts),
 * exact mean and percent, errors naming row and column, and an XLSX with a
 * title above its header (our own table export) read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/external.h"
#include "render/table.h"

static const struct period NOW = {2026, 12};

static void periods(void **state)
{
	struct {
		const char *in;
		int y, m; /* 0: refused */
	} cases[] = {
	    {"ก.พ. 2567", 2024, 2},
	    {"กุมภาพันธ์ 2567", 2024, 2},
	    {"ก.พ. 67", 2024, 2},
	    {"กพ 2567", 2024, 2},
	    {"2567-02", 2024, 2},
	    {"2024-02", 2024, 2},
	    {"๒๕๖๗-๐๒", 2024, 2},
	    {"ก.พ. ๒๕๖๗", 2024, 2},
	    {" ต.ค. 2566 ", 2023, 10},
	    {"2024-02-01", 2024, 2},
	    {"2024-02-29T00:00:00", 2024, 2},
	    {"ก.พ. พ.ศ. 2567", 2024, 2},
	    {"2567/02", 2024, 2},
	    {"13/2567", 0, 0},
	    {"2567-13", 0, 0},
	    {"", 0, 0},
	    {"ก.พ.", 0, 0},
	    {"1 ก.พ. 2567", 0, 0},
	    {"2567-2", 0, 0},
	    {"hello", 0, 0},
	    {"1850-01", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct period p = {0, 0};
		int rc = external_period_parse(cases[i].in, &p);
		if (cases[i].y) {
			if (rc != 0 || p.year != cases[i].y || p.month != cases[i].m)
				fail_msg("\"%s\": rc %d, %d-%d", cases[i].in, rc, p.year, p.month);
		} else if (rc == 0) {
			fail_msg("\"%s\" should be refused, got %d-%d", cases[i].in, p.year, p.month);
		}
	}
}

static void mean_percent(void **state)
{
	char m[EXTERNAL_DEC_SIZE], p[EXTERNAL_DEC_SIZE];
	assert_int_equal(external_mean_percent("9173", 1000, m, p), 0);
	assert_string_equal(m, "9.17");
	assert_string_equal(p, "91.73");
	assert_int_equal(external_mean_percent("2790", 300, m, p), 0);
	assert_string_equal(m, "9.30");
	assert_string_equal(p, "93.00");
	assert_int_equal(external_mean_percent("9175", 1000, m, p), 0); /* 9.175 → 9.18 (half up) */
	assert_string_equal(m, "9.18");
	assert_int_equal(external_mean_percent("2", 3, m, p), 0); /* 0.666… → 0.67, 6.666… → 6.67 */
	assert_string_equal(m, "0.67");
	assert_string_equal(p, "6.67");
	assert_int_equal(external_mean_percent("1", 0, m, p), -1);
	assert_int_equal(external_mean_percent("x", 5, m, p), -1);
	assert_int_equal(external_mean_to_percent("9.173", p), 0);
	assert_string_equal(p, "91.73");
	assert_int_equal(external_mean_to_percent("9.17", p), 0);
	assert_string_equal(p, "91.70");
}

static struct external_batch parse(const char *csv, const char *source, int want)
{
	struct external_batch b;
	int rc = external_parse(csv, strlen(csv), source, NOW, &b);
	if (rc != want) {
		char *e = json_dumps(b.errors, 0);
		fail_msg("rc %d, want %d: %s / %s", rc, want, b.message, e);
	}
	return b;
}

static void rows_and_numbers(void **state)
{
	struct external_batch b = parse("\xEF\xBB\xBF"
	                                "ตารางตัวเลข ก.พ.ร.\n\n"
	                                "รหัสหน่วยงาน,งวด,ผู้มารับบริการ (ราย),คะแนนเฉลี่ย,ร้อยละ,คะแนนรวม,หมายเหตุ\n"
	                                "47,ก.พ. 2567,\"1,671\",9.1730000000000004,91.73,,ดี\n"
	                                "๔๗๐๑,2567-02,๔๑๒,,,\"1,000.5\",\n"
	                                ",,,,,,\n"
	                                "48,2024-02,1671.0,09.5,,,\n",
	                                "ก.พ.ร.", EXTERNAL_OK);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.unit_header, "รหัสหน่วยงาน");
	assert_int_equal(b.rows[0].line, 4);
	assert_string_equal(b.rows[0].unit, "47");
	assert_string_equal(b.rows[0].period, "2024-02");
	assert_string_equal(b.rows[0].source, "ก.พ.ร.");
	assert_int_equal(b.rows[0].users, 1671);
	assert_string_equal(b.rows[0].score_mean, "9.173");
	assert_string_equal(b.rows[0].percent, "91.73");
	assert_int_equal(b.rows[0].respondents, -1);
	assert_string_equal(b.rows[1].unit, "4701");
	assert_int_equal(b.rows[1].users, 412);
	assert_string_equal(b.rows[1].score_sum, "1000.5");
	assert_int_equal(b.rows[2].line, 7);
	assert_int_equal(b.rows[2].users, 1671);
	assert_string_equal(b.rows[2].score_mean, "9.5");
	external_batch_cleanup(&b);
}

static void errors_name_row_and_column(void **state)
{
	struct external_batch b = parse("unit_code,period,score_mean,source\n"
	                                "47,2024-02,9.12345,x\n" /* 5 places by a person: refused */
	                                "47,2024-02,9,x\n"
	                                "47,2024-02,8,x\n"  /* duplicate of row 3 */
	                                "47,2024-02,8,y\n", /* another source: fine */
	                                NULL, EXTERNAL_BAD_ROWS);
	assert_int_equal(b.n, 0);
	assert_int_equal(json_array_size(b.errors), 2);
	json_t *e0 = json_array_get(b.errors, 0), *e1 = json_array_get(b.errors, 1);
	assert_int_equal(json_integer_value(json_object_get(e0, "line")), 2);
	assert_string_equal(json_string_value(json_object_get(e0, "column")), "score_mean");
	assert_string_equal(json_string_value(json_object_get(e0, "message")),
	                    "แถวที่ 2 คอลัมน์ \"score_mean\": ต้องเป็นตัวเลข 0–10 ทศนิยมไม่เกิน 4 ตำแหน่ง");
	assert_int_equal(json_integer_value(json_object_get(e1, "line")), 4);
	assert_non_null(strstr(json_string_value(json_object_get(e1, "message")), "ซ้ำกับแถวที่ 3"));
	external_batch_cleanup(&b);

	b = parse("รหัสหน่วยงาน,งวด,งวด,คะแนน\n47,2024-02,2024-02,1\n", "x", EXTERNAL_BAD_ROWS);
	assert_int_equal(json_array_size(b.errors), 2); /* the repeated header, the unknown one */
	external_batch_cleanup(&b);
	b = parse("รหัสหน่วยงาน,ผู้มารับบริการ\n47,1\n", "x", EXTERNAL_BAD_ROWS);
	assert_string_equal(json_string_value(json_object_get(json_array_get(b.errors, 0), "field")),
	                    "period");
	external_batch_cleanup(&b);
	b = parse("a,b\n1,2\n", "x", EXTERNAL_BAD_FILE);
	assert_non_null(strstr(b.message, "รหัสหน่วยงาน"));
	external_batch_cleanup(&b);
	b = parse("รหัสหน่วยงาน,งวด\n", "x", EXTERNAL_BAD_FILE);
	external_batch_cleanup(&b);
	/* A source of control characters or invalid UTF-8 is refused, never stored. */
	b = parse("รหัสหน่วยงาน,งวด,ผู้มารับบริการ,แหล่งข้อมูล\n47,2024-02,1,a\x01"
	          "b\n47,2024-03,1,\xff\n",
	          NULL, EXTERNAL_BAD_ROWS);
	assert_int_equal(json_array_size(b.errors), 2);
	external_batch_cleanup(&b);
}

static void our_xlsx_reads_back(void **state)
{
	json_error_t je;
	json_t *m = json_loads(
	    "{\"rows\": [{\"u\": \"47\", \"p\": \"2024-02\", \"n\": 1671, \"s\": \"9.17\", \"src\": "
	    "\"ก.พ.ร.\"}],"
	    " \"tables\": {\"t\": {\"title\": \"ข้อมูลจากแหล่งภายนอก\", \"rows\": \"rows\", \"columns\": ["
	    " {\"key\": \"u\", \"label\": \"รหัสหน่วยงาน\"}, {\"key\": \"p\", \"label\": \"งวด\", \"type\": "
	    "\"period\"},"
	    " {\"key\": \"n\", \"label\": \"ผู้มารับบริการ\", \"type\": \"int\"},"
	    " {\"key\": \"s\", \"label\": \"คะแนนเฉลี่ย\", \"type\": \"number\"},"
	    " {\"key\": \"src\", \"label\": \"แหล่งข้อมูล\"}]}}}",
	    0, &je);
	assert_non_null(m);
	struct buf x;
	buf_init(&x, 16 << 20);
	assert_int_equal(table_xlsx(&x, "t", table_find(m, "t"), m), 0);
	struct external_batch b;
	assert_int_equal(external_parse(x.data, x.len, NULL, NOW, &b), EXTERNAL_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.rows[0].line, 4); /* title, blank, header */
	assert_string_equal(b.rows[0].period, "2024-02");
	assert_int_equal(b.rows[0].users, 1671);
	assert_string_equal(b.rows[0].score_mean, "9.17");
	assert_string_equal(b.rows[0].source, "ก.พ.ร.");
	external_batch_cleanup(&b);
	buf_cleanup(&x);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(periods),
	    cmocka_unit_test(mean_percent),
	    cmocka_unit_test(rows_and_numbers),
	    cmocka_unit_test(errors_name_row_and_column),
	    cmocka_unit_test(our_xlsx_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
