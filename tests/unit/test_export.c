/* Registry exports: CSV bytes exactly; XLSX unzipped (Debian unzip); PDF
 * page counts and extracted text (Debian poppler-utils: pdfinfo, pdftotext).
 *
 * pdftotext may reorder stacked Thai marks and add spaces (DESIGN.md §4), so
 * extracted text is compared with white space removed, and the strings
 * looked for avoid a tone mark stacked on an upper vowel.
 * OSSPOINT_TEST_KEEP=<dir> keeps the rendered files there to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "lib/xlsx_read.h"
#include "render/export.h"
#include "support.h"

/* ---- helpers ---- */

static const char *const base_model =
    "{"
    "\"unit\": {\"code\": \"4701\", \"name_th\": \"เมืองสกลนคร\", \"province_th\": "
    "\"สกลนคร\", \"level_label\": \"อำเภอ\"},"
    "\"period\": {\"iso\": \"2024-02\", \"label\": \"ก.พ. 2567\", \"first_day_th\": "
    "\"26 มกราคม 2567\", \"last_day_th\": \"25 กุมภาพันธ์ 2567\"},"
    "\"generated_th\": \"25 พฤศจิกายน 2569 14:05 น.\", \"generated_by\": \"สมชาย ใจดี\","
    "\"entries\": [], \"totals\": {\"entries\": 0, \"services\": 0, \"void\": 0}}";

/* Two entries: one active with two services, a comma, quotes and a line
 * break; one voided whose cells start with formula characters. */
static const char *const two_entries =
    "["
    "{\"number\": \"15/2567\", \"visited_th\": \"3 ก.พ. 2567 09:15 น.\", \"visitor_name\": \"นางสาวสมศรี "
    "มีสุข\","
    " \"cid_masked\": \"X-XXXX-XXXX1-83-8\", \"phone\": \"0812345678\", \"sex_label\": \"หญิง\","
    " \"age_band_label\": \"40–59 ปี\", \"services\": ["
    "  {\"code\": \"tangrat_signup\", \"name_th\": \"ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ\","
    "   \"outcome_label\": \"ดำเนินการให้แล้วเสร็จ\"},"
    "  {\"code\": \"welfare\", \"name_th\": \"ขอรับเงิน, สวัสดิการ\", \"outcome_label\": \"ส่งต่อหน่วยงาน\"}],"
    " \"channel_label\": \"แอปพลิเคชันทางรัฐ\", \"officer_name\": \"สมชาย ใจดี\","
    " \"remarks\": \"ผู้รับบริการแจ้งว่า \\\"ด่วน\\\"\\nบรรทัดสอง\", \"status\": \"active\", \"void_reason\": \"\"},"
    "{\"number\": \"16/2567\", \"visited_th\": \"3 ก.พ. 2567 09:20 น.\","
    " \"visitor_name\": \"=HYPERLINK(\\\"http://x\\\")\", \"cid_masked\": null, \"phone\": \"+66812345678\","
    " \"sex_label\": \"\", \"age_band_label\": \"\", \"services\": [], \"channel_label\": \"\","
    " \"officer_name\": \"สมชาย ใจดี\", \"remarks\": \"-ลบ\", \"status\": \"void\", \"void_reason\": "
    "\"บันทึกซ้ำ\"}"
    "]";

static json_t *model_with(const char *entries_json)
{
	json_error_t err;
	json_t *m = json_loads(base_model, 0, &err);
	assert_non_null(m);
	if (entries_json) {
		json_t *e = json_loads(entries_json, 0, &err);
		if (!e)
			fail_msg("entries: %s", err.text);
		json_object_set_new(m, "entries", e);
	}
	return m;
}

/* n generated entries: one service, every 5th two, every 17th three; every
 * 7th a long remark (several lines); every 13th voided. Entry i is visitor
 * "นายทดสอบ<i> สกุลดี" and its remark ends with "[จบ<i>]", so a test can see
 * both ends of each row. */
static json_t *model_many(int n)
{
	json_t *m = model_with(NULL), *entries = json_array();
	json_int_t services = 0, voided = 0;
	for (int i = 1; i <= n; i++) {
		char number[32], visited[64], name[96], remarks[1024], tail[32];
		snprintf(number, sizeof number, "%d/2567", i);
		snprintf(visited, sizeof visited, "%d ก.พ. 2567 %02d:%02d น.", 1 + i % 25, 8 + i % 9, i % 60);
		snprintf(name, sizeof name, "นายทดสอบ%d สกุลดี", i);
		snprintf(tail, sizeof tail, "[จบ%d]", i);
		snprintf(remarks, sizeof remarks, "%s%s",
		         i % 7 == 0 ? "บัตรประจำตัวประชาชนหมดอายุ แนะนำให้ติดต่อสำนักทะเบียนอำเภอก่อน " : "", tail);
		json_t *svc = json_array();
		int nsvc = i % 17 == 0 ? 3 : i % 5 == 0 ? 2 : 1;
		for (int k = 0; k < nsvc; k++)
			json_array_append_new(svc, json_pack("{s:s, s:s, s:s}", "code", "tangrat_signup",
			                                     "name_th",
			                                     k ? "ยื่นคำขอรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด"
			                                       : "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ",
			                                     "outcome_label", "ดำเนินการให้แล้วเสร็จ"));
		bool v = i % 13 == 0;
		if (v)
			voided++;
		else
			services += nsvc;
		/* visited_at as the handler gives it: 2024-02-(1 + i % 25) at the
		 * time visited_th shows, Bangkok. */
		json_int_t at =
		    1706720400 + (json_int_t)(i % 25) * 86400 + (8 + i % 9) * 3600 + (i % 60) * 60;
		json_array_append_new(
		    entries,
		    json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}",
		              "number", number, "visited_th", visited, "visited_at", at, "visitor_name", name,
		              "cid_masked", "X-XXXX-XXXX1-83-8", "phone", "0812345678", "sex_label",
		              i % 2 ? "ชาย" : "หญิง", "age_band_label", "40–59 ปี", "services", svc,
		              "channel_label", "แอปพลิเคชันทางรัฐ", "officer_name", "สมชาย ใจดี", "remarks",
		              remarks, "status", v ? "void" : "active", "void_reason",
		              v ? "บันทึกผิดอำเภอ" : ""));
	}
	json_object_set_new(m, "entries", entries);
	json_object_set_new(m, "totals",
	                    json_pack("{s:I, s:I, s:I}", "entries", (json_int_t)n - voided, "services",
	                              services, "void", voided));
	return m;
}

/* Page geometry in points: A4 landscape, margins left 3 cm, right 2 cm, top
 * and bottom 2 cm; the footer sits in the bottom margin. */
#define PT_MM      (72.0 / 25.4)
#define TEXT_LEFT  (30 * PT_MM)
#define TEXT_RIGHT (277 * PT_MM)
#define TEXT_TOP   (20 * PT_MM)
#define BODY_END   (190 * PT_MM)

/* Every word pdftotext finds (its box from the font's ascent and descent)
 * lies inside the margins, and the only words below the table area are the
 * footer's, on one line. So no row runs off its page. */
static void check_geometry(const char *path)
{
	char *html = support_run(false, "pdftotext -bbox '%s' -", path);
	int words = 0;
	double foot_top = -1;
	for (const char *p = html; (p = strstr(p, "<word ")); p++) {
		double x0, y0, x1, y1;
		if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0, &y0, &x1,
		           &y1) != 4)
			fail_msg("cannot read %.60s", p);
		words++;
		if (x0 < TEXT_LEFT - 0.01 || x1 > TEXT_RIGHT + 0.01 || y0 < TEXT_TOP - 0.01)
			fail_msg("word outside the margins: %.80s", p);
		if (y1 > BODY_END + 0.01) {
			if (foot_top < 0)
				foot_top = y0;
			if (y0 < BODY_END || y0 != foot_top || y1 > 200 * PT_MM)
				fail_msg("word below the table area: %.80s", p);
		}
	}
	assert_true(words > 20);
	assert_true(foot_top > 0);
	free(html);
}

/* Renders model as PDF; returns pdftotext's squashed text split into pages
 * (pages[0..n), each NUL-terminated inside *text; caller frees *text and
 * pages). Checks that pdfinfo counts the pages the renderer said. */
static char **pdf_pages(const json_t *model, const char *name, int *n, char **text)
{
	struct buf b;
	buf_init(&b, 0);
	int pages = -1;
	assert_int_equal(export_registry_pdf_pages(&b, model, &pages), 0);
	assert_true(b.len > 4);
	assert_memory_equal(b.data, "%PDF", 4);
	char *path = support_write_temp(b.data, b.len, "pdf", name);
	buf_cleanup(&b);
	char *info = support_run(false, "pdfinfo '%s'", path);
	const char *pl = strstr(info, "Pages:");
	assert_non_null(pl);
	assert_int_equal(strtol(pl + 6, NULL, 10), pages);
	assert_non_null(strstr(info, "841.89 x 595.276 pts (A4)")); /* landscape */
	free(info);
	check_geometry(path);
	*text = support_squash(support_run(false, "pdftotext -enc UTF-8 '%s' -", path));
	unlink(path);
	free(path);
	char **pv = calloc((size_t)pages + 1, sizeof *pv);
	int k = 0;
	for (char *p = *text; *p && k <= pages;) {
		char *ff = strchr(p, '\f');
		if (ff)
			*ff = '\0';
		pv[k++] = p;
		if (!ff)
			break;
		p = ff + 1;
	}
	assert_int_equal(k, pages); /* one \f after every page */
	*n = pages;
	return pv;
}

static void check_page_frame(char *const *pv, int n)
{
	for (int p = 0; p < n; p++) {
		char foot[64];
		snprintf(foot, sizeof foot, "หน้า%d/%d", p + 1, n);
		if (!strstr(pv[p], foot))
			fail_msg("page %d lacks %s", p + 1, foot);
		assert_non_null(strstr(pv[p], "อิเล็กทรอนิกส์(e-Service)"));
		assert_non_null(strstr(pv[p], "อำเภอเมืองสกลนครจังหวัดสกลนคร"));
		assert_non_null(strstr(pv[p], "ประจำงวดก.พ.2567(26มกราคม2567–25กุมภาพันธ์2567)"));
		assert_non_null(strstr(pv[p], "พิมพ์เมื่อ25พฤศจิกายน256914:05น.โดยสมชายใจดี"));
		assert_non_null(strstr(pv[p], "ลำดับที่"));
		assert_non_null(strstr(pv[p], "หมายเหตุ"));
	}
}

/* ---- CSV ---- */

static void test_csv_row_quoting_and_guard(void **state)
{
	const char *f[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "=1+2", "+66", "-5",
	                   "@x",    "\tt", "\rr",        NULL,         "",     "x=1", "'q"};
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(csv_write_row(&b, f, sizeof f / sizeof f[0]), 0);
	assert_string_equal(buf_str(&b),
	                    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=1+2,'+66,'-5,'@x,'\tt,"
	                    "\"'\rr\",,,x=1,'q\r\n");
	buf_reset(&b);
	assert_int_equal(csv_write_row(&b, NULL, 0), 0);
	assert_string_equal(buf_str(&b), "\r\n");
	buf_cleanup(&b);
}

static void test_csv_registry_exact_bytes(void **state)
{
	json_t *m = model_with(two_entries);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(export_registry_csv(&b, m), 0);
	const char *want =
	    "\xEF\xBB\xBF"
	    "ลำดับที่,วันเวลา,ชื่อ–สกุล,เลขประจำตัวประชาชน,โทรศัพท์,เพศ,ช่วงอายุ,บริการ,ผลการให้บริการ,ช่องทาง,"
	    "เจ้าหน้าที่,หมายเหตุ,สถานะ\r\n"
	    "15/2567,3 ก.พ. 2567 09:15 น.,นางสาวสมศรี มีสุข,X-XXXX-XXXX1-83-8,0812345678,หญิง,40–59 ปี,"
	    "\"ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ; ขอรับเงิน, สวัสดิการ\",ดำเนินการให้แล้วเสร็จ; ส่งต่อหน่วยงาน,"
	    "แอปพลิเคชันทางรัฐ,สมชาย ใจดี,\"ผู้รับบริการแจ้งว่า \"\"ด่วน\"\"\nบรรทัดสอง\",ปกติ\r\n"
	    "16/2567,3 ก.พ. 2567 09:20 น.,\"'=HYPERLINK(\"\"http://x\"\")\",,'+66812345678,,,,,,สมชาย ใจดี,"
	    "'-ลบ,ยกเลิก: บันทึกซ้ำ\r\n";
	assert_int_equal(b.len, strlen(want));
	assert_string_equal(buf_str(&b), want);

	/* Appends: what was in the buffer stays in front. */
	buf_reset(&b);
	buf_puts(&b, "x");
	json_object_set_new(m, "entries", json_array());
	assert_int_equal(export_registry_csv(&b, m), 0);
	assert_memory_equal(b.data, "x\xEF\xBB\xBF", 4);
	assert_int_equal(support_count(buf_str(&b), "\r\n"), 1);
	buf_cleanup(&b);
	json_decref(m);
}

static void test_csv_cap_leaves_buffer_unchanged(void **state)
{
	json_t *m = model_with(two_entries);
	struct buf b;
	buf_init(&b, 400); /* holds the header, not the rows */
	buf_puts(&b, "keep");
	assert_int_equal(export_registry_csv(&b, m), -1);
	assert_string_equal(buf_str(&b), "keep");
	const char *f[] = {"0123456789012345678901234567890123456789"};
	struct buf small;
	buf_init(&small, 10);
	assert_int_equal(csv_write_row(&small, f, 1), -1);
	assert_int_equal(small.len, 0);
	buf_cleanup(&small);
	buf_cleanup(&b);
	json_decref(m);
}

static void test_bad_models_refused(void **state)
{
	json_t *bad[] = {json_array(), json_string("x"), json_pack("{s:s}", "entries", "no")};
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(export_registry_csv(&b, bad[i]), -1);
		assert_int_equal(export_registry_xlsx(&b, bad[i]), -1);
		assert_int_equal(export_registry_pdf(&b, bad[i]), -1);
		json_decref(bad[i]);
	}
	assert_int_equal(export_registry_csv(&b, NULL), -1);
	assert_int_equal(b.len, 0);
	/* An object with nothing in it is an empty registry. */
	json_t *empty = json_object();
	assert_int_equal(export_registry_csv(&b, empty), 0);
	assert_int_equal(export_registry_pdf(&b, empty), 0);
	json_decref(empty);
	buf_cleanup(&b);
}

static void test_totals_given_or_counted(void **state)
{
	json_t *m = model_with(two_entries);
	struct export_totals t;
	export_registry_totals(m, &t); /* as given: zeros */
	assert_int_equal(t.entries, 0);
	assert_int_equal(t.voided, 0);
	json_object_del(m, "totals");
	export_registry_totals(m, &t); /* counted */
	assert_int_equal(t.entries, 1);
	assert_int_equal(t.services, 2);
	assert_int_equal(t.voided, 1);
	/* A list row carries "void": true instead of a status. */
	json_t *e = json_pack("{s:b}", "void", 1);
	assert_true(export_entry_is_void(e));
	json_decref(e);
	json_decref(m);
}

/* ---- XLSX ---- */

static void test_xlsx_contents(void **state)
{
	json_t *m = model_with(two_entries);
	json_object_set_new(m, "totals",
	                    json_pack("{s:i, s:i, s:i}", "entries", 1, "services", 2, "void", 1));
	/* A private TMPDIR shows that no temporary file is left behind. */
	char dir[] = "/tmp/osspoint-xlsx-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", dir, 1);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(export_registry_xlsx(&b, m), 0);
	assert_int_equal(rmdir(dir), 0); /* empty */
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "PK\x03\x04", 4);
	char *path = support_write_temp(b.data, b.len, "xlsx", "registry");

	char *wb = support_run(false, "unzip -p '%s' xl/workbook.xml", path);
	assert_non_null(strstr(wb, "name=\"ทะเบียน\""));
	free(wb);
	char *sheet = support_run(false, "unzip -p '%s' xl/worksheets/sheet1.xml", path);
	assert_non_null(strstr(sheet, "นางสาวสมศรี มีสุข"));
	assert_non_null(strstr(sheet, "อำเภอเมืองสกลนคร จังหวัดสกลนคร"));
	assert_non_null(strstr(sheet, "ประจำงวด ก.พ. 2567 (26 มกราคม 2567 – 25 กุมภาพันธ์ 2567)"));
	assert_non_null(strstr(sheet, "เลขประจำตัวประชาชน"));
	assert_non_null(strstr(sheet, "ยกเลิก: บันทึกซ้ำ"));
	assert_non_null(strstr(sheet, "<pane ySplit=\"3\""));        /* frozen below the header */
	assert_non_null(strstr(sheet, "<autoFilter ref=\"A3:M5\"")); /* header + 2 rows */
	assert_non_null(strstr(sheet, "<mergeCell ref=\"A1:M1\""));
	assert_non_null(strstr(sheet, "<landscape") ? sheet : strstr(sheet, "orientation=\"landscape\""));
	/* The formula-looking name is a string cell, never a formula. */
	assert_non_null(strstr(sheet, "<t>=HYPERLINK(\"http://x\")</t>"));
	assert_null(strstr(sheet, "<f>"));
	/* Totals row (row 6): numbers, with the unit in the number format. */
	assert_non_null(strstr(sheet, "<c r=\"C6\""));
	assert_non_null(strstr(sheet, "<v>2</v>"));
	free(sheet);
	char *styles = support_run(false, "unzip -p '%s' xl/styles.xml", path);
	assert_non_null(strstr(styles, "#,##0 &quot;ราย&quot;"));
	free(styles);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

static void test_xlsx_cap(void **state)
{
	json_t *m = model_many(50);
	struct buf b;
	buf_init(&b, 2000);
	buf_puts(&b, "keep");
	assert_int_equal(export_registry_xlsx(&b, m), -1);
	assert_string_equal(buf_str(&b), "keep");
	buf_cleanup(&b);
	json_decref(m);
}

/* ---- XLSX dates and reading XLSX back (lib/xlsx_read) ---- */

/* Issue 9: วันเวลา is a real date (an Excel serial, so Excel sorts and filters
 * it), shown in the Buddhist era by its number format. */
static void test_xlsx_dates(void **state)
{
	json_t *m = model_with(two_entries);
	/* 3 ก.พ. 2567 09:15 Bangkok = 2024-02-03T02:15Z; serial 45325 + 9.25 h */
	json_object_set_new(json_array_get(json_object_get(m, "entries"), 0), "visited_at",
	                    json_integer(1706926500));
	double serial;
	assert_true(export_entry_serial(json_array_get(json_object_get(m, "entries"), 0), &serial));
	assert_true(serial > 45325.385416 && serial < 45325.385417);
	assert_false(export_entry_serial(json_array_get(json_object_get(m, "entries"), 1), &serial));
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(export_registry_xlsx(&b, m), 0);
	char *path = support_write_temp(b.data, b.len, "xlsx", "registry-dates");
	char *sheet = support_run(false, "unzip -p '%s' xl/worksheets/sheet1.xml", path);
	/* B4 is a number cell (no t="inlineStr"), its value the serial. */
	const char *b4 = strstr(sheet, "<c r=\"B4\"");
	assert_non_null(b4);
	const char *end = strstr(b4, "</c>");
	assert_non_null(end);
	char cellxml[256];
	snprintf(cellxml, sizeof cellxml, "%.*s", (int)(end - b4), b4);
	assert_null(strstr(cellxml, "t=\""));
	assert_non_null(strstr(cellxml, "<v>45325.38541666"));
	/* An entry without visited_at keeps its text. */
	assert_non_null(strstr(sheet, "3 ก.พ. 2567 09:20 น."));
	/* The B4 style's number format is the Buddhist-era date-time. */
	int style = -1;
	const char *sa = strstr(cellxml, " s=\"");
	assert_non_null(sa);
	style = (int)strtol(sa + 4, NULL, 10);
	free(sheet);
	char *styles = support_run(false, "unzip -p '%s' xl/styles.xml", path);
	const char *fmt = strstr(styles, "formatCode=\"[$-107041E]d/m/yyyy hh:mm\"");
	assert_non_null(fmt);
	int fmt_id = -1;
	for (const char *q = fmt; q > styles; q--)
		if (!strncmp(q, "numFmtId=\"", 10)) {
			fmt_id = (int)strtol(q + 10, NULL, 10);
			break;
		}
	assert_true(fmt_id >= 164);
	const char *xfs = strstr(styles, "<cellXfs");
	assert_non_null(xfs);
	const char *xf = xfs;
	for (int k = 0; k <= style; k++) {
		xf = strstr(xf + 1, "<xf ");
		assert_non_null(xf);
	}
	char want[32];
	snprintf(want, sizeof want, "numFmtId=\"%d\"", fmt_id);
	assert_true(!strncmp(strstr(xf, "numFmtId="), want, strlen(want)));
	free(styles);

	/* Read back: the date cell arrives as ISO text, the rest as written. */
	struct xlsx_sheet sh;
	assert_int_equal(xlsx_sheet_read(b.data, b.len, 100, &sh), XLSX_OK);
	assert_int_equal(sh.nrows, 6); /* title, period, header, 2 entries, totals */
	assert_int_equal(sh.rows[2].num, 3);
	assert_string_equal(sh.rows[2].cells[0], "ลำดับที่");
	assert_string_equal(sh.rows[2].cells[12], "สถานะ");
	assert_string_equal(sh.rows[3].cells[1], "2024-02-03T09:15:00");
	assert_string_equal(sh.rows[3].cells[2], "นางสาวสมศรี มีสุข");
	assert_string_equal(sh.rows[3].cells[7], "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ; ขอรับเงิน, สวัสดิการ");
	assert_string_equal(sh.rows[4].cells[1], "3 ก.พ. 2567 09:20 น.");
	assert_string_equal(sh.rows[4].cells[12], "ยกเลิก: บันทึกซ้ำ");
	assert_string_equal(sh.rows[5].cells[0], "รวม");
	xlsx_sheet_cleanup(&sh);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

/* A workbook as Excel saves it: shared strings, gaps between cells, a date
 * with and without a time, a number, a boolean (libxlsxwriter without
 * constant_memory writes a shared-strings table). */
static void test_xlsx_read_shared_strings(void **state)
{
	char *path = support_temp_path("xlsx");
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "แผ่น1");
	lxw_worksheet *ws2 = workbook_add_worksheet(wb, "second");
	lxw_format *day = workbook_add_format(wb), *when = workbook_add_format(wb);
	format_set_num_format(day, "d/m/yyyy");
	format_set_num_format(when, "[$-th-TH,107]d mmm yyyy h:mm");
	worksheet_write_string(ws, 0, 0, "วันเวลา", NULL);
	worksheet_write_string(ws, 0, 2, "ชื่อ–สกุล", NULL);
	worksheet_write_number(ws, 1, 0, 46353.75, when); /* 2026-11-27 18:00 */
	worksheet_write_string(ws, 1, 2, "นายหนึ่ง", NULL);
	worksheet_write_number(ws, 2, 0, 46353, day);
	worksheet_write_number(ws, 2, 1, 812345678, NULL);
	worksheet_write_boolean(ws, 2, 3, 1, NULL);
	worksheet_write_string(ws, 4, 1, "นายหนึ่ง", NULL); /* row 4 empty */
	worksheet_write_string(ws2, 0, 0, "not read", NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char data[1 << 20];
	size_t len = fread(data, 1, sizeof data, f);
	fclose(f);
	unlink(path);
	free(path);
	char *shared = NULL;
	(void)shared;
	struct xlsx_sheet sh;
	assert_int_equal(xlsx_sheet_read(data, len, 100, &sh), XLSX_OK);
	assert_int_equal(sh.nrows, 4);
	assert_int_equal(sh.rows[0].ncells, 3);
	assert_string_equal(sh.rows[0].cells[0], "วันเวลา");
	assert_string_equal(sh.rows[0].cells[1], "");
	assert_string_equal(sh.rows[0].cells[2], "ชื่อ–สกุล");
	assert_string_equal(sh.rows[1].cells[0], "2026-11-27T18:00:00");
	assert_string_equal(sh.rows[2].cells[0], "2026-11-27");
	assert_string_equal(sh.rows[2].cells[1], "812345678");
	assert_string_equal(sh.rows[2].cells[3], "TRUE");
	assert_int_equal(sh.rows[3].num, 5);
	assert_string_equal(sh.rows[3].cells[0], "");
	assert_string_equal(sh.rows[3].cells[1], "นายหนึ่ง");
	xlsx_sheet_cleanup(&sh);
	/* The row limit */
	assert_int_equal(xlsx_sheet_read(data, len, 3, &sh), XLSX_TOO_MANY);
	assert_int_equal(sh.nrows, 0);
	xlsx_sheet_cleanup(&sh);
}

/* A minimal package written with libzip: parts given as (name, XML). */
static size_t make_zip(char *out, size_t cap, const char *const *parts)
{
	char *path = support_temp_path("zip");
	int ze;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (size_t i = 0; parts[i]; i += 2) {
		zip_source_t *src = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
		assert_true(zip_file_add(z, parts[i], src, ZIP_FL_OVERWRITE) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	FILE *f = fopen(path, "rb");
	size_t len = fread(out, 1, cap, f);
	fclose(f);
	unlink(path);
	free(path);
	return len;
}

#define WB_RELS                                                                                              \
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"             \
	"<Relationship Id=\"rId7\" "                                                                         \
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"                        \
	"worksheet\" Target=\"/xl/sheets/data.xml\"/></Relationships>"
#define WORKBOOK                                                                                             \
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "                     \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"                   \
	"<workbookPr date1904=\"1\"/><sheets><sheet name=\"a\" sheetId=\"1\" "                               \
	"r:id=\"rId7\"/></sheets></workbook>"
#define SHEET(rows)                                                                                          \
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" rows    \
	"</sheetData></worksheet>"

/* Inline strings with rich text and phonetic runs, cell references with
 * gaps, the 1904 date system (no styles part: numbers stay numbers), an
 * absolute relationship target; then what is refused. */
static void test_xlsx_read_crafted(void **state)
{
	static char data[65536];
	const char *ok[] = {"xl/workbook.xml",
	                    WORKBOOK,
	                    "xl/_rels/workbook.xml.rels",
	                    WB_RELS,
	                    "xl/sheets/data.xml",
	                    SHEET("<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><r><t>สม</t></r><r><t "
	                          "xml:space=\"preserve\">ชาย </t></r><rPh><t>x</t></rPh></is></c>"
	                          "<c r=\"D2\"><v>1.5</v></c><c r=\"E2\" t=\"str\"><v>=1</v></c></row>"),
	                    NULL};
	size_t len = make_zip(data, sizeof data, ok);
	struct xlsx_sheet sh;
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_OK);
	assert_int_equal(sh.nrows, 1);
	assert_int_equal(sh.rows[0].num, 2);
	assert_int_equal(sh.rows[0].ncells, 5);
	assert_string_equal(sh.rows[0].cells[1], "สมชาย ");
	assert_string_equal(sh.rows[0].cells[3], "1.5");
	assert_string_equal(sh.rows[0].cells[4], "=1");
	xlsx_sheet_cleanup(&sh);

	const char *doctype[] = {"xl/workbook.xml",
	                         WORKBOOK,
	                         "xl/_rels/workbook.xml.rels",
	                         WB_RELS,
	                         "xl/sheets/data.xml",
	                         "<!DOCTYPE x [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>" SHEET(
	                             "<row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>"),
	                         NULL};
	len = make_zip(data, sizeof data, doctype);
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_MALFORMED);
	xlsx_sheet_cleanup(&sh);

	const char *wide[] = {"xl/workbook.xml",
	                      WORKBOOK,
	                      "xl/_rels/workbook.xml.rels",
	                      WB_RELS,
	                      "xl/sheets/data.xml",
	                      SHEET("<row><c r=\"BM1\" t=\"inlineStr\"><is><t>x</t></is></c></row>"),
	                      NULL};
	len = make_zip(data, sizeof data, wide);
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_TOO_MANY); /* column 65 */
	xlsx_sheet_cleanup(&sh);

	const char *broken[] = {"xl/workbook.xml",
	                        WORKBOOK,
	                        "xl/_rels/workbook.xml.rels",
	                        WB_RELS,
	                        "xl/sheets/data.xml",
	                        SHEET("<row><c><v>1</v></row>"),
	                        NULL};
	len = make_zip(data, sizeof data, broken);
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_MALFORMED);
	xlsx_sheet_cleanup(&sh);

	const char *bad_index[] = {"xl/workbook.xml",
	                           WORKBOOK,
	                           "xl/_rels/workbook.xml.rels",
	                           WB_RELS,
	                           "xl/sheets/data.xml",
	                           SHEET("<row><c t=\"s\"><v>3</v></c></row>"),
	                           NULL};
	len = make_zip(data, sizeof data, bad_index);
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_MALFORMED); /* no shared string 3 */
	xlsx_sheet_cleanup(&sh);

	const char *no_sheet[] = {"xl/workbook.xml", WORKBOOK, NULL};
	len = make_zip(data, sizeof data, no_sheet);
	assert_int_equal(xlsx_sheet_read(data, len, 10, &sh), XLSX_NOT_XLSX);
	xlsx_sheet_cleanup(&sh);

	assert_int_equal(xlsx_sheet_read("a,b\n1,2\n", 8, 10, &sh), XLSX_NOT_XLSX);
	assert_int_equal(xlsx_sheet_read("PK\3\4garbage", 11, 10, &sh), XLSX_NOT_XLSX);
	assert_false(xlsx_looks_like("PK", 2));
	assert_non_null(strstr(xlsx_strerror(XLSX_NOT_XLSX), "Excel"));
}

/* ---- PDF ---- */

static void test_pdf_empty_period(void **state)
{
	json_t *m = model_with(NULL);
	int n;
	char *text;
	char **pv = pdf_pages(m, "registry-empty", &n, &text);
	assert_int_equal(n, 1);
	check_page_frame(pv, n);
	assert_non_null(strstr(pv[0], "ไม่มีรายการในงวดนี้"));
	assert_null(strstr(pv[0], "รวมผู้มาขอรับบริการ"));
	free(pv);
	free(text);
	json_decref(m);
}

static void test_pdf_small(void **state)
{
	json_t *m = model_with(two_entries);
	json_object_set_new(m, "totals",
	                    json_pack("{s:i, s:i, s:i}", "entries", 1, "services", 2, "void", 1));
	int n;
	char *text;
	char **pv = pdf_pages(m, "registry-small", &n, &text);
	assert_int_equal(n, 1);
	check_page_frame(pv, n);
	assert_non_null(strstr(pv[0], "นางสาวสมศรีมีสุข"));
	assert_non_null(strstr(pv[0], "X-XXXX-XXXX1-83-8"));
	assert_non_null(strstr(pv[0], "15/2567"));
	assert_non_null(strstr(pv[0], "ยกเลิก:บันทึกซ้ำ"));
	assert_non_null(strstr(pv[0], "=HYPERLINK(\"http://x\")"));
	assert_non_null(strstr(pv[0], "รวมผู้มาขอรับบริการ1ราย"));
	assert_non_null(strstr(pv[0], "ยกเลิก1รายการ"));
	free(pv);
	free(text);
	json_decref(m);
}

/* ~200 entries: every page has the heading, the column headers and
 * "หน้า k / N"; no row is split (its visitor and the end of its remark are
 * on the same page); every row is printed once, in order; totals on the
 * last page only. */
static void test_pdf_many_pages(void **state)
{
	const int count_entries = 200;
	json_t *m = model_many(count_entries);
	int n;
	char *text;
	char **pv = pdf_pages(m, "registry-200", &n, &text);
	/* One line a row: about twenty rows a page. */
	assert_true(n >= count_entries / 22 && n <= count_entries / 18 + 1);
	check_page_frame(pv, n);
	int last_page = 0;
	for (int i = 1; i <= count_entries; i++) {
		char name[64], tail[32];
		snprintf(name, sizeof name, "นายทดสอบ%dสกุลดี", i);
		snprintf(tail, sizeof tail, "[จบ%d]", i);
		int found = -1;
		for (int p = 0; p < n; p++) {
			if (strstr(pv[p], name)) {
				if (found >= 0)
					fail_msg("%s on pages %d and %d", name, found + 1, p + 1);
				found = p;
			}
		}
		if (found < 0)
			fail_msg("%s missing", name);
		if (!strstr(pv[found], tail))
			fail_msg("row %d split: %s not on page %d", i, tail, found + 1);
		assert_true(found >= last_page); /* in order */
		last_page = found;
	}
	assert_non_null(strstr(pv[n - 1], "รวมผู้มาขอรับบริการ185ราย"));
	assert_non_null(strstr(pv[n - 1], "ยกเลิก15รายการ"));
	for (int p = 0; p < n - 1; p++)
		assert_null(strstr(pv[p], "รวมผู้มาขอรับบริการ"));
	free(pv);
	free(text);
	json_decref(m);
}

/* A remark taller than a page is cut with "…" instead of splitting the row
 * or running off the page. pango maps the ellipsis to the text it hides, so
 * pdftotext still finds all of it: the checks are that it is all on the
 * row's page and that no word passes the bottom margin (check_geometry). */
static void test_pdf_cell_taller_than_page(void **state)
{
	struct buf r;
	buf_init(&r, 0);
	for (int i = 0; i < 120; i++)
		buf_printf(&r, "ข้อความยาวมาก%d ", i);
	json_t *m = model_many(3);
	json_t *e = json_array_get(json_object_get(m, "entries"), 1);
	json_object_set_new(e, "remarks", json_string(buf_str(&r)));
	buf_cleanup(&r);
	int n;
	char *text;
	char **pv = pdf_pages(m, "registry-tall", &n, &text);
	assert_int_equal(n, 1); /* the remark ends in "…": the row stays one line */
	int row2 = -1;
	for (int p = 0; p < n; p++)
		if (strstr(pv[p], "นายทดสอบ2สกุลดี"))
			row2 = p;
	assert_true(row2 >= 0);
	assert_non_null(strstr(pv[row2], "ข้อความยาวมาก119"));
	for (int p = 0; p < n; p++)
		if (p != row2)
			assert_null(strstr(pv[p], "ข้อความยาวมาก"));
	assert_non_null(strstr(pv[n - 1], "นายทดสอบ3สกุลดี"));
	assert_non_null(strstr(pv[n - 1], "รวมผู้มาขอรับบริการ"));
	free(pv);
	free(text);
	json_decref(m);
}

/* The y of the first word on page `page` (1-based) of a pdftotext -bbox page
 * whose text is word, or -1. */
static double word_y(const char *html, int page, const char *word)
{
	const char *p = html;
	for (int k = 0; k < page; k++)
		if (!(p = strstr(p + 1, "<page ")))
			return -1;
	const char *end = strstr(p + 1, "<page ");
	char want[128];
	snprintf(want, sizeof want, ">%s</word>", word);
	for (const char *w = p; (w = strstr(w, "<word ")) && (!end || w < end); w++) {
		const char *close = strstr(w, "</word>");
		const char *gt = close ? close : w;
		while (gt > w && *gt != '>')
			gt--;
		if (close && (size_t)(close - gt) + 7 == strlen(want) && !strncmp(gt, want, strlen(want))) {
			double x0, y0;
			if (sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\"", &x0, &y0) == 2)
				return y0;
		}
	}
	return -1;
}

/* Issue 9: one visitor per line, about twenty a page (19 entries took 6
 * pages). 40 entries fit 3 pages; each entry's number is one word on the
 * same line as its visitor's name, its masked ID and its phone. */
static void test_pdf_one_visitor_per_line(void **state)
{
	json_t *m = model_many(19);
	int n;
	char *text;
	char **pv = pdf_pages(m, "registry-19", &n, &text);
	assert_int_equal(n, 1);
	free(pv);
	free(text);
	json_decref(m);

	m = model_many(40);
	struct buf b;
	buf_init(&b, 0);
	int pages = -1;
	assert_int_equal(export_registry_pdf_pages(&b, m, &pages), 0);
	assert_true(pages >= 2 && pages <= 3);
	char *path = support_write_temp(b.data, b.len, "pdf", "registry-40");
	buf_cleanup(&b);
	check_geometry(path);
	char *html = support_run(false, "pdftotext -bbox '%s' -", path);
	int page = 1;
	for (int i = 1; i <= 40; i++) {
		char number[32], name[64];
		snprintf(number, sizeof number, "%d/2567", i);
		snprintf(name, sizeof name, "นายทดสอบ%d", i);
		double y = word_y(html, page, number);
		if (y < 0 && page < pages)
			y = word_y(html, ++page, number);
		if (y < 0)
			fail_msg("%s is not one word on page %d", number, page);
		double yn = word_y(html, page, name);
		if (yn < 0 || yn - y > 1 || y - yn > 1)
			fail_msg("%s and %s are not on one line (%.1f, %.1f)", number, name, y, yn);
	}
	free(html);
	unlink(path);
	free(path);
	json_decref(m);
}

static void test_pdf_cap(void **state)
{
	json_t *m = model_many(40);
	struct buf b;
	buf_init(&b, 4096); /* a PDF with its fonts is far larger */
	buf_puts(&b, "keep");
	assert_int_equal(export_registry_pdf(&b, m), -1);
	assert_string_equal(buf_str(&b), "keep");
	buf_cleanup(&b);
	json_decref(m);
}

struct job {
	const json_t *model;
	int rc, pages;
	size_t len;
};

static void *render_job(void *arg)
{
	struct job *j = arg;
	struct buf b;
	buf_init(&b, 0);
	for (int k = 0; k < 3 && j->rc == 0; k++) {
		buf_reset(&b);
		j->rc = export_registry_pdf_pages(&b, j->model, &j->pages);
		if (j->rc == 0 && export_registry_xlsx(&b, j->model) < 0)
			j->rc = -1;
	}
	j->len = b.len;
	buf_cleanup(&b);
	return NULL;
}

/* Renderers run in several threads at once (each MHD worker may export). */
static void test_threads(void **state)
{
	json_t *m = model_many(60);
	struct job jobs[3] = {{m, 0, 0, 0}, {m, 0, 0, 0}, {m, 0, 0, 0}};
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_job, &jobs[i]), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].rc, 0);
		assert_int_equal(jobs[i].pages, jobs[0].pages);
		assert_true(jobs[i].len > 10000);
	}
	json_decref(m);
}

static int teardown(void **state)
{
	export_pdf_shutdown();
	return 0;
}

int main(int argc, char **argv)
{
	support_glib_malloc(argc, argv);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_row_quoting_and_guard),
	    cmocka_unit_test(test_csv_registry_exact_bytes),
	    cmocka_unit_test(test_csv_cap_leaves_buffer_unchanged),
	    cmocka_unit_test(test_bad_models_refused),
	    cmocka_unit_test(test_totals_given_or_counted),
	    cmocka_unit_test(test_xlsx_contents),
	    cmocka_unit_test(test_xlsx_cap),
	    cmocka_unit_test(test_xlsx_dates),
	    cmocka_unit_test(test_xlsx_read_shared_strings),
	    cmocka_unit_test(test_xlsx_read_crafted),
	    cmocka_unit_test(test_pdf_empty_period),
	    cmocka_unit_test(test_pdf_small),
	    cmocka_unit_test(test_pdf_many_pages),
	    cmocka_unit_test(test_pdf_cell_taller_than_page),
	    cmocka_unit_test(test_pdf_one_visitor_per_line),
	    cmocka_unit_test(test_pdf_cap),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
