/* The official-document layout (render/official.h), measured from the PDF
 * with poppler-glib (tests/pdf/pdfcheck.h): A4, every character inside the
 * margins (left 3 cm, right 2 cm), the body at 16 pt, only Laksaman and
 * embedded, Thai digits throughout, page numbers, tables broken across
 * pages with their header again, and Thai text that extracts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../pdf/pdfcheck.h"
#include "lib/thai.h"
#include "render/export.h" /* export_pdf_shutdown */
#include "render/official.h"
#include "support.h"

#define MM (72.0 / 25.4)

static int draw_sample(struct official_doc *d, void *arg)
{
	int rows = *(int *)arg;
	official_emblem(d, NULL);
	official_centred(d, "คำสั่งอำเภอพรรณานิคม", true, 0);
	official_centred(d, "ที่ 3/2569", false, 0);
	official_centred(d, "เรื่อง แต่งตั้งเจ้าหน้าที่ปฏิบัติงาน ณ จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service)", false, 0);
	official_gap(d, 8);
	for (int i = 0; i < 3; i++)
		official_paragraph(
		    d,
		    "ตามที่กรมการปกครองได้กำหนดแนวทางการจัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ "
		    "(e-Service) ณ ศูนย์ดำรงธรรมอำเภอ เพื่ออำนวยความสะดวกแก่ประชาชนในการเข้าถึงบริการภาครัฐ "
		    "ผ่านระบบอิเล็กทรอนิกส์ ตั้งแต่วันที่ 1 ธันวาคม 2569 เป็นต้นไป",
		    OFFICIAL_INDENT);
	official_line_at(d, "สั่ง ณ วันที่ 2 ธันวาคม พ.ศ. 2569", OFFICIAL_INDENT * 2, false);
	const char *sig[] = {"(นายทดสอบ ใจดี)", "นายอำเภอพรรณานิคม"};
	official_signature(d, sig, 2);
	official_page_break(d);
	static const struct official_col cols[] = {
	    {"วันที่", 90, true}, {"ชื่อ–สกุล", 0, false}, {"ตำแหน่ง", 120, false}, {"หน้าที่", 80, false}};
	official_table_begin(d, cols, 4, 14);
	for (int i = 0; i < rows; i++) {
		char day[64];
		snprintf(day, sizeof day, "%d ธ.ค. 2569", i % 31 + 1);
		const char *cells[] = {day, "นางสาวทดสอบ มีชื่อยาวมาก นามสกุลยาวกว่านั้นอีกหลายคำ", "เจ้าพนักงานปกครอง",
		                       "เวรเช้า"};
		official_table_row(d, cells);
	}
	official_table_end(d);
	return 0;
}

static void test_layout_measured(void **state)
{
	struct buf b;
	buf_init(&b, 16u << 20);
	int rows = 60;
	int pages = official_render(&b, OFFICIAL_PORTRAIT, OFFICIAL_NUMBER_TOP, true, "ทดสอบ", NULL,
	                            draw_sample, &rows);
	assert_true(pages >= 3);
	free(support_write_temp(b.data, b.len, "pdf", "official-sample"));
	struct pdf_measure m;
	assert_int_equal(pdf_measure(b.data, b.len, &m), 0);
	assert_int_equal(m.pages, pages);
	assert_true(m.all_same_size);
	assert_true(m.page_w > 595 && m.page_w < 596 && m.page_h > 841 && m.page_h < 842); /* A4 portrait */
	/* Margins: left 3 cm, right 2 cm (a glyph's box may reach half a point
	 * beyond its advance). */
	assert_true(m.min_x >= 30 * MM - 0.5);
	assert_true(m.max_x <= m.page_w - 20 * MM + 0.5);
	/* Only the page number sits in the top margin (1 cm below the edge). */
	assert_true(m.min_y >= 9 * MM);
	assert_true(m.max_y <= m.page_h - 20 * MM + 2);
	/* Laksaman only, embedded; no ASCII digit anywhere. */
	assert_int_equal(m.non_laksaman, 0);
	assert_int_equal(m.fonts_not_embedded, 0);
	assert_int_equal(m.ascii_digits, 0);
	/* The body is 16 pt (pango at 72 dpi: 96 would give 21.3), the table 14. */
	assert_true(m.max_size < 16.05);
	assert_true(pdf_count_size(b.data, b.len, 0, 16.0) > 300);
	assert_true(pdf_count_size(b.data, b.len, 1, 14.0) > 300);
	/* Thai that extracts; the number in Thai digits; page numbers from 2. */
	assert_non_null(strstr(m.page_text[0], "คำสั่งอำเภอพรรณานิคม"));
	assert_non_null(strstr(m.page_text[0], "ที่๓/๒๕๖๙"));
	assert_null(strstr(m.page_text[0], "-๑-"));
	assert_non_null(strstr(m.page_text[1], "-๒-"));
	/* The table's header again on every page it covers. */
	for (int p = 1; p < m.pages; p++)
		assert_non_null(strstr(m.page_text[p], "ชื่อ–สกุล"));
	pdf_measure_free(&m);
	buf_cleanup(&b);
}

/* The title lines are centred: their boxes' middles at the text area's. */
static int draw_title(struct official_doc *d, void *arg)
{
	official_centred(d, "คำสั่ง", true, 0);
	return 0;
}

static void test_title_centred(void **state)
{
	struct buf b;
	buf_init(&b, 4u << 20);
	assert_int_equal(
	    official_render(&b, OFFICIAL_PORTRAIT, OFFICIAL_NUMBER_NONE, true, "t", NULL, draw_title, NULL),
	    1);
	struct pdf_measure m;
	assert_int_equal(pdf_measure(b.data, b.len, &m), 0);
	double mid = (m.min_x + m.max_x) / 2, want = (30 * MM + m.page_w - 20 * MM) / 2;
	assert_true(mid > want - 1.5 && mid < want + 1.5);
	pdf_measure_free(&m);
	buf_cleanup(&b);
}

static void test_foot_numbers_and_date(void **state)
{
	struct buf b;
	buf_init(&b, 16u << 20);
	int rows = 80;
	int pages = official_render(&b, OFFICIAL_LANDSCAPE, OFFICIAL_NUMBER_FOOT, true, "t", "พิมพ์เมื่อ",
	                            draw_sample, &rows);
	struct pdf_measure m;
	assert_int_equal(pdf_measure(b.data, b.len, &m), 0);
	assert_true(m.page_w > 841 && m.page_w < 842);
	char want[64];
	snprintf(want, sizeof want, "หน้า%d/%d", pages, pages);
	struct buf t;
	buf_init(&t, 0);
	thai_digits_from_ascii_buf(&t, want);
	assert_non_null(strstr(m.page_text[pages - 1], buf_str(&t)));
	buf_reset(&t);
	assert_int_equal(official_date(&t, 2026, 12, 2, true), 0);
	assert_string_equal(buf_str(&t), "๒ ธันวาคม พ.ศ. ๒๕๖๙");
	assert_int_equal(official_date(&t, 2026, 2, 30, true), -1);
	buf_cleanup(&t);
	pdf_measure_free(&m);
	buf_cleanup(&b);
}

/* The roster's month (render/roster_pdf.c) on the layout: titles 16 pt, the
 * table 14, the footer 12 ("หน้า n / N"), inside the margins, Thai digits. */
static void test_roster_pdf(void **state)
{
	json_t *rows = json_array();
	for (int i = 0; i < 70; i++)
		json_array_append_new(rows, json_pack("[s, s, s, s, s]", "1 ธ.ค. 2569", "เวรเช้า",
		                                      "นางสาวใจดี มีสุข", "เจ้าพนักงานปกครอง", "0812345678"));
	json_t *m = json_pack("{s:[s, s], s:o, s:s}", "title", "ตารางการปฏิบัติหน้าที่ (เวร) ประจำเดือนธันวาคม 2569",
	                      "ศูนย์บริการร่วม อำเภอพรรณานิคม", "rows", rows, "footer", "พิมพ์เมื่อ 2 ธ.ค. 2569");
	struct buf b;
	buf_init(&b, 16u << 20);
	assert_int_equal(export_roster_pdf(&b, m), 0);
	struct pdf_measure pm;
	assert_int_equal(pdf_measure(b.data, b.len, &pm), 0);
	assert_true(pm.pages >= 2);
	assert_true(pm.min_x >= 30 * MM - 0.5 && pm.max_x <= pm.page_w - 20 * MM + 0.5);
	assert_int_equal(pm.ascii_digits, 0);
	assert_int_equal(pm.non_laksaman, 0);
	char *sizes = pdf_sizes(b.data, b.len, 0);
	assert_non_null(strstr(sizes, "16.0 "));
	assert_non_null(strstr(sizes, "14.0 "));
	assert_non_null(strstr(sizes, "12.0 "));
	free(sizes);
	char want[64];
	struct buf t;
	buf_init(&t, 0);
	snprintf(want, sizeof want, "หน้า%d/%d", pm.pages, pm.pages);
	thai_digits_from_ascii_buf(&t, want);
	assert_non_null(strstr(pm.page_text[pm.pages - 1], buf_str(&t)));
	assert_non_null(strstr(pm.page_text[1], "ชื่อ–สกุล"));
	buf_cleanup(&t);
	pdf_measure_free(&pm);
	buf_cleanup(&b);
	json_decref(m);
}

int main(int argc, char **argv)
{
	support_glib_malloc(argc, argv);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout_measured),
	    cmocka_unit_test(test_title_centred),
	    cmocka_unit_test(test_foot_numbers_and_date),
	    cmocka_unit_test(test_roster_pdf),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	export_pdf_shutdown();
	return rc;
}
