/* An order's PDF (render/order_pdf.c) measured with poppler-glib: A4, the
 * body at 16 pt, every character inside the margins (left 3 cm, right
 * 2 cm), only Laksaman and embedded, Thai digits only, the title lines
 * centred, the annex on its own page with "- ๒ -" and its table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../pdf/pdfcheck.h"
#include "render/export.h"
#include "support.h"

#define MM (72.0 / 25.4)

static json_t *model(int annex_rows)
{
	json_t *rows = json_array();
	for (int i = 0; i < annex_rows; i++)
		json_array_append_new(rows, json_pack("[s, s, s, s]", "3 ม.ค. 2570", "นางสาวใจดี มีสุข",
		                                      "เจ้าพนักงานปกครอง", "เวรเช้า 08:30–12:00 น."));
	return json_pack(
	    "{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:{s:[s,s], s:o}}", "draft", 0, "emblem", "",
	    "office_th", "อำเภอพรรณานิคม", "number", "3/2569", "year_be", "2569", "subject",
	    "แต่งตั้งเจ้าหน้าที่ปฏิบัติหน้าที่ ณ จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) อำเภอพรรณานิคม", "body",
	    "ตามที่อำเภอพรรณานิคมได้จัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) ณ ศูนย์ดำรงธรรมอำเภอ"
	    "พรรณานิคม นั้น\n\nเพื่อให้การให้บริการเป็นไปด้วยความเรียบร้อย จึงแต่งตั้งเจ้าหน้าที่ปฏิบัติหน้าที่ "
	    "ประจำเดือนมกราคม พ.ศ. 2570 ตามบัญชีแนบท้ายคำสั่งนี้\n\nทั้งนี้ ตั้งแต่วันที่ 1 มกราคม พ.ศ. 2570",
	    "date_th", "๒ ธันวาคม พ.ศ. ๒๕๖๙", "signer", "(นายสมศักดิ์ รักราชการ)", "ปลัดอำเภอ ปฏิบัติราชการแทน",
	    "นายอำเภอพรรณานิคม", "annex", "title", "บัญชีแนบท้ายคำสั่งอำเภอพรรณานิคม", "ที่ 3/2569", "rows", rows);
}

static void test_order_measured(void **state)
{
	json_t *m = model(40);
	struct buf b;
	buf_init(&b, 16u << 20);
	assert_int_equal(export_order_pdf(&b, m), 0);
	free(support_write_temp(b.data, b.len, "pdf", "order-duty"));
	struct pdf_measure pm;
	assert_int_equal(pdf_measure(b.data, b.len, &pm), 0);
	assert_true(pm.pages >= 3); /* the order, then the annex over two pages */
	assert_true(pm.all_same_size && pm.page_w > 595 && pm.page_w < 596 && pm.page_h > 841 &&
	            pm.page_h < 842);
	assert_true(pm.min_x >= 30 * MM - 0.5);
	assert_true(pm.max_x <= pm.page_w - 20 * MM + 0.5);
	assert_int_equal(pm.non_laksaman, 0);
	assert_int_equal(pm.fonts_not_embedded, 0);
	assert_int_equal(pm.ascii_digits, 0);
	/* Page 1 is all 16 pt (the body, titles, date and signature). */
	char *sizes = pdf_sizes(b.data, b.len, 0);
	assert_string_equal(sizes, "16.0 ");
	free(sizes);
	assert_non_null(strstr(pm.page_text[0], "คำสั่งอำเภอพรรณานิคม"));
	assert_non_null(strstr(pm.page_text[0], "ที่๓/๒๕๖๙"));
	assert_non_null(strstr(pm.page_text[0], "สั่งณวันที่๒ธันวาคมพ.ศ.๒๕๖๙"));
	assert_non_null(strstr(pm.page_text[0], "ปฏิบัติราชการแทน"));
	assert_non_null(strstr(pm.page_text[1], "-๒-"));
	assert_non_null(strstr(pm.page_text[1], "บัญชีแนบท้ายคำสั่งอำเภอพรรณานิคม"));
	assert_non_null(strstr(pm.page_text[2], "ชื่อ–สกุล")); /* the header again */
	pdf_measure_free(&pm);
	buf_cleanup(&b);
	json_decref(m);
}

/* "คำสั่งอำเภอ…" is centred in the text area. */
static void test_title_centred(void **state)
{
	json_t *m = model(0);
	json_object_set_new(m, "annex", json_null());
	json_object_set_new(m, "body", json_string(""));
	json_object_set_new(m, "subject", json_string("ก"));
	json_object_set_new(m, "signer", json_array());
	json_object_set_new(m, "date_th", json_string("๑"));
	struct buf b;
	buf_init(&b, 4u << 20);
	assert_int_equal(export_order_pdf(&b, m), 0);
	char *path = support_write_temp(b.data, b.len, "pdf", "order-title");
	char *html = support_run(false, "pdftotext -bbox '%s' -", path);
	const char *w = strstr(html, "<word ");
	assert_non_null(w);
	double x0, y0, x1, y1;
	assert_int_equal(
	    sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0, &y0, &x1, &y1), 4);
	double want = (30 * MM + 595.276 - 20 * MM) / 2;
	assert_true((x0 + x1) / 2 > want - 2 && (x0 + x1) / 2 < want + 2);
	free(html);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

int main(int argc, char **argv)
{
	support_glib_malloc(argc, argv);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_measured),
	    cmocka_unit_test(test_title_centred),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	export_pdf_shutdown();
	return rc;
}
