/* Posters and the catalogue handout, checked with Debian's poppler-utils
 * (pdfinfo, pdffonts, pdftotext, pdftoppm) and zbar-tools (zbarimg):
 * page counts, the text that comes back, every QR code decoded from a
 * 150 dpi rendering, every word inside the margins, and Thai shaping
 * measured on the rendered pixels.
 *
 * pdftotext splits Thai words around stacked marks and moves the marks
 * ("ที่ตั้ง" comes back as "ที่ตงั ้", DESIGN.md §4), so Thai text is compared as
 * its skeleton: white space and the non-spacing marks (U+0E31, U+0E34–0E3A,
 * U+0E47–0E4E) removed on both sides. Whether the marks are drawn, and in
 * place, is checked on the rendered image instead
 * (test_thai_marks_in_place). URLs, digits and Latin text are compared with
 * only white space removed.
 * OSSPOINT_TEST_KEEP=<dir> keeps the PDFs there to look at. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>
#include <pango/pangocairo.h>

#include "render/export.h" /* export_pdf_shutdown */
#include "render/print.h"
#include "support.h"

#define PT_MM  (72.0 / 25.4)
#define PAGE_W (210 * PT_MM)
#define PAGE_H (297 * PT_MM)
#define MARGIN (20 * PT_MM)
#define DPI    150

/* ---- helpers ---- */

static bool is_space(const char *p)
{
	return *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
}

/* U+0E31, U+0E34..U+0E3A, U+0E47..U+0E4E: Thai marks with no advance. */
static bool is_thai_mark(const unsigned char *p)
{
	if (p[0] != 0xE0)
		return false;
	unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	return cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E);
}

/* White space and Thai non-spacing marks removed, in place. */
static char *skeleton(char *s)
{
	char *o = s;
	for (const char *p = s; *p;) {
		if (is_space(p)) {
			p++;
		} else if (is_thai_mark((const unsigned char *)p) && p[1] && p[2]) {
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return s;
}

/* Whether hay's skeleton contains the skeleton of needle. */
static bool has_thai(const char *hay_skeleton, const char *needle)
{
	char *n = skeleton(strdup(needle));
	bool found = strstr(hay_skeleton, n) != NULL;
	free(n);
	return found;
}

static void assert_has_thai(const char *hay_skeleton, const char *needle)
{
	if (!has_thai(hay_skeleton, needle))
		fail_msg("\"%s\" not in the extracted text", needle);
}

static void assert_has(const char *hay_squashed, const char *needle)
{
	char *n = support_squash(strdup(needle));
	if (!strstr(hay_squashed, n))
		fail_msg("\"%s\" not in the extracted text", needle);
	free(n);
}

/* pdfinfo's page count; checks every page is A4 portrait. */
static int pdf_pages(const char *path)
{
	char *info = support_run(false, "pdfinfo '%s'", path);
	const char *p = strstr(info, "Pages:");
	assert_non_null(p);
	int pages = (int)strtol(p + 6, NULL, 10);
	assert_true(pages >= 1);
	free(info);
	info = support_run(false, "pdfinfo -f 1 -l %d '%s'", pages, path);
	assert_int_equal(support_count(info, " size:  595.276 x 841.89 pts (A4)\n"), pages); /* portrait */
	free(info);
	return pages;
}

/* Every font in the PDF is Laksaman (regular or bold), embedded: no
 * fallback font was needed for any character. */
static void check_fonts(const char *path)
{
	char *fonts = support_run(false, "pdffonts '%s'", path);
	char *line = strstr(fonts, "\n---");
	assert_non_null(line);
	line = strchr(line + 1, '\n');
	int n = 0;
	for (char *l = line + 1; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char name[256], type[64];
		if (sscanf(l, "%255s %63s", name, type) != 2)
			continue;
		const char *plus = strchr(name, '+');
		const char *family = plus ? plus + 1 : name;
		if (strcmp(family, "Laksaman") && strcmp(family, "Laksaman-Bold"))
			fail_msg("unexpected font %s", name);
		n++;
	}
	assert_true(n >= 2);
	free(fonts);
}

/* The text of each page, split at pdftotext's \f (caller frees pv[0] and
 * pv). Sets *n to the number of pages. */
static char **page_texts(const char *path, int *n)
{
	char *text = support_run(false, "pdftotext -enc UTF-8 '%s' -", path);
	/* A dotted circle (U+25CC) means a mark that could not be attached. */
	assert_null(strstr(text, "\xE2\x97\x8C"));
	int pages = support_count(text, "\f");
	char **pv = calloc((size_t)pages + 1, sizeof *pv);
	char *p = text;
	for (int k = 0; k < pages; k++) {
		char *ff = strchr(p, '\f');
		*ff = '\0';
		pv[k] = p;
		p = ff + 1;
	}
	*n = pages;
	return pv;
}

/* Every word pdftotext finds lies inside the 2 cm margins left, right and
 * top, and on the page at the bottom (the footer sits in the margin). */
static void check_geometry(const char *path)
{
	char *html = support_run(false, "pdftotext -bbox '%s' -", path);
	int words = 0;
	for (const char *p = html; (p = strstr(p, "<word ")); p++) {
		double x0, y0, x1, y1;
		assert_int_equal(sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0,
		                        &y0, &x1, &y1),
		                 4);
		if (x0 < MARGIN - 0.5 || x1 > PAGE_W - MARGIN + 0.5 || y0 < MARGIN - 0.5 || y1 > PAGE_H)
			fail_msg("word outside the text area: %.60s", p);
		words++;
	}
	assert_true(words > 10);
	free(html);
}

/* The URLs zbarimg decodes from page `page` (1-based) rendered at DPI, one
 * per line, sorted (caller frees). */
static char *decode_page(const char *pdf, int page)
{
	char *prefix = support_temp_path("png");
	unlink(prefix);
	char *out = support_run(false, "pdftoppm -r %d -f %d -l %d -singlefile -png '%s' '%s'", DPI, page,
	                        page, pdf, prefix);
	free(out);
	char *png = NULL;
	if (asprintf(&png, "%s.png", prefix) < 0)
		fail();
	char *got = support_run(true, "zbarimg --raw -q '%s' 2>/dev/null | LC_ALL=C sort", png);
	unlink(png);
	free(png);
	free(prefix);
	return got;
}

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *m = json_loads(text, 0, &err);
	if (!m)
		fail_msg("model: %s", err.text);
	return m;
}

/* ---- models ---- */

static const char *const poster_names[] = {
    "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ",
    "ขอรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
    "ตรวจสอบสิทธิการรักษาพยาบาล",
    "ยื่นแบบแสดงรายการภาษีเงินได้บุคคลธรรมดา",
    "ลงทะเบียนเกษตรกร",
    "ต่ออายุใบอนุญาตขับรถ",
    "ตรวจสอบข้อมูลทะเบียนราษฎร",
    "แจ้งเรื่องร้องเรียนผ่านศูนย์ดำรงธรรม",
    "ชำระค่าไฟฟ้า",
    "สมัครงานกับกรมการจัดหางาน",
    "ลงทะเบียนคนพิการ",
    "ตรวจสอบเบี้ยยังชีพผู้สูงอายุ",
    "รายการที่สิบสามไม่ถูกพิมพ์",
};

#define POINT_HREF "https://osspoint.example.go.th/points/4701"
#define HOME_HREF  "https://osspoint.example.go.th/"

/* Both QR codes of a poster (the portal's home and the point's page)
 * decode from a 150 dpi rendering. */
static void assert_poster_qr(const char *pdf)
{
	char *urls = decode_page(pdf, 1);
	assert_string_equal(urls, HOME_HREF "\n" POINT_HREF "\n");
	free(urls);
}

static json_t *poster_model(void)
{
	json_t *m = load(
	    "{\"point\": {\"name_th\": \"จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองสกลนคร\","
	    " \"district_th\": \"เมืองสกลนคร\", \"province_th\": \"สกลนคร\","
	    " \"address\": \"ที่ว่าการอำเภอเมืองสกลนคร ถนนศูนย์ราชการ จังหวัดสกลนคร 47000\","
	    " \"hours\": \"วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)\","
	    " \"phone\": \"0 4271 1234\", \"status_label\": \"เปิดให้บริการ\"},"
	    " \"point_url\": {\"href\": \"" POINT_HREF "\", \"short\": \"osspoint.example.go.th/p/4701\"},"
	    " \"catalogue_url\": {\"href\": \"" HOME_HREF "\", \"short\": \"osspoint.example.go.th\"},"
	    " \"generated_th\": \"25 พฤศจิกายน 2569\"}");
	json_t *names = json_array();
	for (size_t i = 0; i < sizeof poster_names / sizeof poster_names[0]; i++)
		json_array_append_new(names, json_string(poster_names[i]));
	json_object_set_new(m, "services", names);
	return m;
}

#define SVC_HREF  "https://osspoint.example.go.th/services/svc_%02d"
#define SVC_SHORT "osspoint.example.go.th/s/svc_%02d"

/* n services "บริการทดสอบ [NN]" whose texts are all one line each. */
static json_t *catalogue_model(int n)
{
	json_t *m = load("{\"title\": \"บริการภาครัฐออนไลน์ที่จุดให้บริการ e-Service ช่วยท่านได้\","
	                 " \"generated_th\": \"25 พฤศจิกายน 2569\"}");
	json_t *list = json_array();
	for (int i = 1; i <= n; i++) {
		char name[128], url[128], href[128], shorter[128], code[32];
		snprintf(code, sizeof code, "svc_%02d", i);
		snprintf(name, sizeof name, "บริการทดสอบ [%02d]", i);
		snprintf(url, sizeof url, "https://www.example.go.th/e%02d", i);
		snprintf(href, sizeof href, SVC_HREF, i);
		snprintf(shorter, sizeof shorter, SVC_SHORT, i);
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "code", code,
		                                "name_th", name, "agency_th", "กรมการปกครอง", "category_th",
		                                "ทะเบียนราษฎร", "channel_label", "เว็บไซต์", "url", url,
		                                "page_url", "href", href, "short", shorter));
	}
	json_object_set_new(m, "services", list);
	return m;
}

/* ---- poster ---- */

static void test_poster(void **state)
{
	json_t *m = poster_model();
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(print_poster_pdf(m, &b), 0);
	assert_memory_equal(b.data, "%PDF-", 5);
	char *path = support_write_temp(b.data, b.len, "pdf", "poster");
	assert_int_equal(pdf_pages(path), 1);
	check_fonts(path);
	check_geometry(path);

	int n;
	char **pv = page_texts(path, &n);
	assert_int_equal(n, 1);
	char *sq = support_squash(strdup(pv[0])), *sk = skeleton(strdup(pv[0]));
	assert_has_thai(sk, "บริการภาครัฐออนไลน์");
	assert_has_thai(sk, "มีเจ้าหน้าที่ช่วยท่านใช้บริการได้ที่นี่");
	assert_has_thai(sk, "จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองสกลนคร");
	assert_has_thai(sk, "เวลาทำการ วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)");
	assert_has_thai(sk, "โทรศัพท์");
	assert_has(sq, "042711234");
	assert_has_thai(sk, "ที่ว่าการอำเภอเมืองสกลนคร ถนนศูนย์ราชการ จังหวัดสกลนคร 47000");
	assert_has(sq, "osspoint.example.go.th/p/4701");
	assert_has(sq, "osspoint.example.go.th");
	assert_has_thai(sk, "สแกนดูข้อมูลจุดให้บริการนี้");
	assert_has_thai(sk, "สแกนดูรายการบริการทั้งหมด");
	assert_has_thai(sk, "บริการที่ช่วยท่านได้");
	for (int i = 0; i < 12; i++)
		assert_has_thai(sk, poster_names[i]);
	assert_false(has_thai(sk, poster_names[12])); /* the first 12 only */
	assert_false(has_thai(sk, "และบริการอื่นอีก"));
	assert_has_thai(sk, "ข้อมูล ณ วันที่ 25 พฤศจิกายน 2569");
	free(sq);
	free(sk);
	free(pv[0]);
	free(pv);

	assert_poster_qr(path);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

/* Long texts stay on the one page: the services list shows the names that
 * fit, in order, then says how many more there are. No phone: no row. */
static void test_poster_long_texts(void **state)
{
	json_t *m = poster_model();
	json_t *pt = json_object_get(m, "point");
	json_object_set_new(pt, "phone", json_string(""));
	char longer[2048] = "";
	for (int i = 0; i < 20; i++)
		strncat(longer, "ที่ว่าการอำเภอเมืองสกลนคร ", sizeof longer - strlen(longer) - 1);
	json_object_set_new(pt, "address", json_string(longer));
	json_object_set_new(pt, "name_th", json_string(longer));
	json_t *names = json_array();
	for (int i = 1; i <= 12; i++) {
		char name[512];
		snprintf(name, sizeof name,
		         "[%02d] ขอรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิดและลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ", i);
		json_array_append_new(names, json_string(name));
	}
	json_object_set_new(m, "services", names);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(print_poster_pdf(m, &b), 0);
	char *path = support_write_temp(b.data, b.len, "pdf", "poster-long");
	assert_int_equal(pdf_pages(path), 1);
	check_geometry(path);
	int n;
	char **pv = page_texts(path, &n);
	char *sk = skeleton(strdup(pv[0]));
	assert_false(has_thai(sk, "โทรศัพท์"));
	int shown = 0;
	for (int i = 1; i <= 12; i++) {
		char tag[16];
		snprintf(tag, sizeof tag, "[%02d]", i);
		if (strstr(sk, tag)) {
			assert_int_equal(shown, i - 1); /* a prefix of the list */
			shown = i;
		}
	}
	assert_in_range(shown, 2, 11);
	char more[128];
	snprintf(more, sizeof more, "และบริการอื่นอีก %d รายการ", 12 - shown);
	assert_has_thai(sk, more);
	free(sk);
	free(pv[0]);
	free(pv);
	assert_poster_qr(path);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

/* ---- catalogue ---- */

/* 31 services whose texts are one line each: every block is the same
 * height (four text lines and padding: 109.7 pt, 38.7 mm; docs/modules/print.md),
 * six to a page under the header, so six pages, the last with one. */
static void test_catalogue_pages(void **state)
{
	enum { N = 31, PER_PAGE = 6, PAGES = (N + PER_PAGE - 1) / PER_PAGE };
	json_t *m = catalogue_model(N);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(print_catalogue_pdf(m, &b), 0);
	char *path = support_write_temp(b.data, b.len, "pdf", "catalogue");
	assert_int_equal(pdf_pages(path), PAGES);
	check_fonts(path);
	check_geometry(path);
	int n;
	char **pv = page_texts(path, &n);
	assert_int_equal(n, PAGES);
	for (int k = 0; k < PAGES; k++) {
		char *sq = support_squash(strdup(pv[k])), *sk = skeleton(strdup(pv[k]));
		char foot[32];
		snprintf(foot, sizeof foot, "หน้า %d/%d", k + 1, PAGES);
		assert_has_thai(sk, foot);
		assert_has_thai(sk, "บริการภาครัฐออนไลน์ที่จุดให้บริการ e-Service ช่วยท่านได้");
		assert_has_thai(sk, "ข้อมูล ณ วันที่ 25 พฤศจิกายน 2569");
		/* Page k holds services k*6+1 .. k*6+6, whole, in order. */
		const char *prev = sk;
		for (int i = 1; i <= N; i++) {
			char name[64], shorter[128], url[64];
			snprintf(name, sizeof name, "%d. บริการทดสอบ [%02d]", i, i);
			snprintf(shorter, sizeof shorter, SVC_SHORT, i);
			snprintf(url, sizeof url, "https://www.example.go.th/e%02d", i);
			bool here = (i - 1) / PER_PAGE == k;
			char *nk = skeleton(strdup(name));
			const char *at = strstr(sk, nk);
			free(nk);
			if (!here) {
				assert_null(at);
				assert_null(strstr(sq, shorter));
				continue;
			}
			if (!at)
				fail_msg("page %d lacks %s", k + 1, name);
			assert_true(at >= prev);
			prev = at;
			assert_int_equal(support_count(sq, shorter), 1);
			assert_has(sq, url);
		}
		assert_has_thai(sk, "หน่วยงาน: กรมการปกครอง");
		assert_has_thai(sk, "หมวด: ทะเบียนราษฎร ช่องทาง: เว็บไซต์");

		/* Every QR code on the page decodes to its service's page. */
		struct buf want;
		buf_init(&want, 0);
		for (int i = k * PER_PAGE + 1; i <= N && i <= (k + 1) * PER_PAGE; i++) {
			buf_printf(&want, SVC_HREF, i);
			buf_putc(&want, '\n');
		}
		char *got = decode_page(path, k + 1);
		assert_string_equal(got, buf_str(&want));
		free(got);
		buf_cleanup(&want);
		free(sq);
		free(sk);
	}
	free(pv[0]);
	free(pv);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

/* A block of huge texts is cut (line limits) and never split across pages;
 * no services: one page that says so. */
static void test_catalogue_long_block_and_empty(void **state)
{
	json_t *m = catalogue_model(8);
	json_t *s = json_array_get(json_object_get(m, "services"), 6);
	char huge[8192] = "";
	for (int i = 0; i < 60; i++)
		strncat(huge, "ยื่นคำขอรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด ", sizeof huge - strlen(huge) - 1);
	json_object_set_new(s, "name_th", json_string(huge));
	json_object_set_new(s, "agency_th", json_string(huge));
	json_object_set_new(s, "category_th", json_string(huge));
	char url[4096] = "https://www.example.go.th/";
	for (size_t i = strlen(url); i < sizeof url - 1; i++)
		url[i] = 'a' + (char)(i % 26);
	url[sizeof url - 1] = '\0';
	json_object_set_new(s, "url", json_string(url));
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(print_catalogue_pdf(m, &b), 0);
	char *path = support_write_temp(b.data, b.len, "pdf", "catalogue-long");
	int pages = pdf_pages(path);
	check_geometry(path);
	int n;
	char **pv = page_texts(path, &n);
	assert_int_equal(n, pages);
	assert_int_equal(pages, 2); /* six blocks, then the long one and the eighth */
	char *sk = skeleton(strdup(pv[1]));
	assert_has_thai(sk, "7. ยื่นคำขอรับเงินอุดหนุน");
	assert_has_thai(sk, "เว็บไซต์: https://www.example.go.th/");
	assert_has_thai(sk, "8. บริการทดสอบ [08]");
	free(sk);
	/* The URL, broken over lines, comes back whole and in order. (pango's
	 * hyphen at a break inside a word, which print.c turns off, would not
	 * show here: it maps to no text. That was checked on the image.) */
	char *sq = support_squash(strdup(pv[1]));
	char head[151];
	memcpy(head, url, 150);
	head[150] = '\0';
	assert_has(sq, head);
	free(sq);
	free(pv[0]);
	free(pv);
	char *got = decode_page(path, 2);
	assert_string_equal(got, "https://osspoint.example.go.th/services/svc_07\n"
	                         "https://osspoint.example.go.th/services/svc_08\n");
	free(got);
	unlink(path);
	free(path);

	/* No services. */
	buf_reset(&b);
	json_object_set_new(m, "services", json_array());
	assert_int_equal(print_catalogue_pdf(m, &b), 0);
	path = support_write_temp(b.data, b.len, "pdf", "catalogue-empty");
	assert_int_equal(pdf_pages(path), 1);
	pv = page_texts(path, &n);
	sk = skeleton(strdup(pv[0]));
	assert_has_thai(sk, "ยังไม่มีบริการในรายการ");
	assert_has_thai(sk, "หน้า 1/1");
	free(sk);
	free(pv[0]);
	free(pv);
	unlink(path);
	free(path);
	buf_cleanup(&b);
	json_decref(m);
}

/* ---- bad models and the cap ---- */

static void test_bad_models_and_cap(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "keep");
	json_t *arr = json_array();
	assert_int_equal(print_poster_pdf(arr, &b), -1);
	assert_int_equal(print_catalogue_pdf(arr, &b), -1);
	assert_int_equal(print_poster_pdf(NULL, &b), -1);
	assert_int_equal(print_catalogue_pdf(NULL, &b), -1);
	json_decref(arr);

	/* Poster: no point, no QR target, a target too long to encode, a
	 * services member that is not a list. */
	const char *poster_breaks[] = {"point", "point_url", "catalogue_url"};
	for (size_t i = 0; i < 3; i++) {
		json_t *m = poster_model();
		json_object_del(m, poster_breaks[i]);
		assert_int_equal(print_poster_pdf(m, &b), -1);
		json_decref(m);
	}
	json_t *m = poster_model();
	json_object_set_new(json_object_get(m, "point_url"), "href", json_string(""));
	assert_int_equal(print_poster_pdf(m, &b), -1);
	char too_long[1100];
	memset(too_long, 'a', sizeof too_long - 1);
	too_long[sizeof too_long - 1] = '\0';
	json_object_set_new(json_object_get(m, "point_url"), "href", json_string(too_long));
	assert_int_equal(print_poster_pdf(m, &b), -1);
	json_decref(m);
	m = poster_model();
	json_object_set_new(m, "services", json_string("x"));
	assert_int_equal(print_poster_pdf(m, &b), -1);
	json_decref(m);

	/* Catalogue: services not a list, a service not an object, one without
	 * page_url.href. */
	m = catalogue_model(3);
	json_object_set_new(m, "services", json_object());
	assert_int_equal(print_catalogue_pdf(m, &b), -1);
	json_decref(m);
	m = catalogue_model(3);
	json_array_append_new(json_object_get(m, "services"), json_string("x"));
	assert_int_equal(print_catalogue_pdf(m, &b), -1);
	json_decref(m);
	m = catalogue_model(3);
	json_object_del(json_array_get(json_object_get(m, "services"), 1), "page_url");
	assert_int_equal(print_catalogue_pdf(m, &b), -1);
	json_decref(m);
	assert_string_equal(buf_str(&b), "keep");
	assert_int_equal(b.len, 4);
	buf_cleanup(&b);

	/* The cap: a PDF with its fonts is far larger than 8 KB. */
	buf_init(&b, 8192);
	buf_puts(&b, "keep");
	m = poster_model();
	assert_int_equal(print_poster_pdf(m, &b), -1);
	json_decref(m);
	m = catalogue_model(31);
	assert_int_equal(print_catalogue_pdf(m, &b), -1);
	assert_string_equal(buf_str(&b), "keep");
	json_decref(m);
	buf_cleanup(&b);

	/* A model without the optional members still renders. */
	buf_init(&b, 0);
	m = load("{\"point\": {}, \"point_url\": {\"href\": \"http://h/p/1\"}, \"catalogue_url\": {\"href\": "
	         "\"http://h/\"}}");
	assert_int_equal(print_poster_pdf(m, &b), 0);
	json_decref(m);
	m = load("{}");
	assert_int_equal(print_catalogue_pdf(m, &b), 0);
	json_decref(m);
	buf_cleanup(&b);
}

/* ---- Thai shaping, measured on the rendered page ---- */

#define MARKED   "ผู้ใหญ่ ปู่ย่า น้ำใจ กี่ครั้ง"
#define UNMARKED "ผใหญ ปยา นำใจ กครง" /* the same, non-spacing marks removed */
#define INFO_PT  16                   /* print.c's P_SIZE_I: the hours row */

struct box {
	double x0, x1, y0, y1;
};

/* The value on the poster's hours row: the words on the line of the label
 * "เวลาทำการ", the label excluded (pdftotext -bbox, points). */
static struct box hours_row(const char *pdf)
{
	char *html = support_run(false, "pdftotext -bbox '%s' -", pdf);
	const char *hit = strstr(html, ">เวลาทำการ</word>");
	assert_non_null(hit);
	const char *w = hit;
	while (w > html && strncmp(w, "<word ", 6))
		w--;
	double lx0, ly0, lx1, ly1;
	const char *fmt = "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"";
	assert_int_equal(sscanf(w, fmt, &lx0, &ly0, &lx1, &ly1), 4);
	struct box r = {1e9, -1e9, ly0, ly1};
	for (const char *p = html; (p = strstr(p, "<word ")); p++) {
		double x0, y0, x1, y1;
		assert_int_equal(sscanf(p, fmt, &x0, &y0, &x1, &y1), 4);
		if (fabs(y0 - ly0) < 0.5 && x0 > lx1) {
			r.x0 = fmin(r.x0, x0);
			r.x1 = fmax(r.x1, x1);
		}
	}
	free(html);
	assert_true(r.x1 > r.x0);
	return r;
}

/* A binary image: w × h pixels, 1 where there is ink. */
struct bitmap {
	int w, h;
	unsigned char *px;
};

/* The ink (red < 128) of img inside [x0, x1) × [y0, y1), cropped to its
 * bounding box; the box's edges must be clear (the ink does not run out). */
static struct bitmap crop_ink(cairo_surface_t *img, int x0, int y0, int x1, int y1)
{
	cairo_surface_flush(img);
	const unsigned char *px = cairo_image_surface_get_data(img);
	int stride = cairo_image_surface_get_stride(img);
	int bx0 = x1, bx1 = -1, by0 = y1, by1 = -1;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			if (((*(const uint32_t *)(px + y * stride + x * 4) >> 16) & 0xff) < 128) {
				bx0 = x < bx0 ? x : bx0;
				bx1 = x > bx1 ? x : bx1;
				by0 = y < by0 ? y : by0;
				by1 = y > by1 ? y : by1;
			}
	assert_true(bx1 >= bx0 && bx0 > x0 && by0 > y0 && bx1 < x1 - 1 && by1 < y1 - 1);
	struct bitmap b = {bx1 - bx0 + 1, by1 - by0 + 1, NULL};
	b.px = calloc((size_t)b.w * b.h, 1);
	for (int y = 0; y < b.h; y++)
		for (int x = 0; x < b.w; x++)
			b.px[y * b.w + x] =
			    ((*(const uint32_t *)(px + (y + by0) * stride + (x + bx0) * 4) >> 16) & 0xff) <
			    128;
	return b;
}

/* The ink of the hours row's value on page 1 rendered at DPI: from 3 pt left
 * of its first word to the right margin, from 3 pt above its word boxes to
 * 5 pt below them. On these posters nothing else is drawn there (the rule
 * above is 7 pt away, the QR captions below 9 pt). */
static struct bitmap hours_ink(const char *pdf)
{
	struct box r = hours_row(pdf);
	char *prefix = support_temp_path("png");
	unlink(prefix);
	free(support_run(false, "pdftoppm -r %d -f 1 -l 1 -singlefile -png '%s' '%s'", DPI, pdf, prefix));
	char *png = NULL;
	if (asprintf(&png, "%s.png", prefix) < 0)
		fail();
	cairo_surface_t *img = cairo_image_surface_create_from_png(png);
	assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_format(img), CAIRO_FORMAT_RGB24);
	double k = DPI / 72.0;
	struct bitmap b = crop_ink(img, (int)((r.x0 - 3) * k), (int)((r.y0 - 3) * k),
	                           (int)((PAGE_W - MARGIN) * k), (int)((r.y1 + 5) * k));
	cairo_surface_destroy(img);
	unlink(png);
	free(png);
	free(prefix);
	return b;
}

/* text in Laksaman at size points drawn by pango at 72 dpi (a PDF page's
 * points), scaled to DPI: the reference. Set up here rather than with
 * pdf_pango_context, so that a wrong set-up there shows. Stores pango's
 * logical width in pixels at DPI in *logical_w. */
static struct bitmap pango_reference(const char *text, double size, double *logical_w)
{
	double k = DPI / 72.0;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 800, 200);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_scale(cr, k, k);
	PangoContext *ctx = pango_cairo_create_context(cr);
	pango_cairo_context_set_resolution(ctx, 72);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(ctx, FALSE);
	PangoLayout *l = pango_layout_new(ctx);
	PangoFontDescription *f = pango_font_description_from_string("Laksaman");
	pango_font_description_set_size(f, (int)(size * PANGO_SCALE));
	pango_layout_set_font_description(l, f);
	pango_layout_set_text(l, text, -1);
	PangoRectangle ink, logical;
	pango_layout_get_extents(l, &ink, &logical);
	*logical_w = logical.width * k / PANGO_SCALE;
	cairo_move_to(cr, 10, 10);
	pango_cairo_show_layout(cr, l);
	struct bitmap b = crop_ink(s, 0, 0, 800, 200);
	assert_true(fabs(b.w - ink.width * k / PANGO_SCALE) <= 2);
	pango_font_description_free(f);
	g_object_unref(l);
	g_object_unref(ctx);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return b;
}

/* The share of a's ink pixels with no ink of b within one pixel, the two
 * aligned at their top-left corners: anti-aliasing moves edges by a pixel at
 * most; a mark set elsewhere leaves its pixels unmatched. */
static double unmatched(const struct bitmap *a, const struct bitmap *b)
{
	long ink = 0, lone = 0;
	for (int y = 0; y < a->h; y++)
		for (int x = 0; x < a->w; x++) {
			if (!a->px[y * a->w + x])
				continue;
			ink++;
			bool near = false;
			for (int dy = -1; dy <= 1 && !near; dy++)
				for (int dx = -1; dx <= 1 && !near; dx++) {
					int yy = y + dy, xx = x + dx;
					near = yy >= 0 && yy < b->h && xx >= 0 && xx < b->w &&
					       b->px[yy * b->w + xx];
				}
			lone += !near;
		}
	return ink ? (double)lone / ink : 1;
}

static char *poster_with_hours(const char *hours, const char *name)
{
	json_t *m = poster_model();
	json_t *pt = json_object_get(m, "point");
	json_object_set_new(pt, "hours", json_string(hours));
	json_object_set_new(pt, "phone", json_string(""));
	json_object_set_new(pt, "address", json_string(""));
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(print_poster_pdf(m, &b), 0);
	char *path = support_write_temp(b.data, b.len, "pdf", name);
	buf_cleanup(&b);
	json_decref(m);
	return path;
}

/* Tone marks and vowels above and below render in place.
 * - The line with marks is as wide on paper as the same line without them:
 *   a shaper that set the marks beside their consonants as spacing glyphs,
 *   or drew dotted circles, makes it far wider. This holds whatever pango
 *   does.
 * - Its ink is what pango draws for it at 72 dpi, pixel for pixel (within
 *   one pixel): 96 dpi would make it a third larger; a fallback font, text
 *   drawn unshaped, or marks set at the wrong height would not match.
 * - pdftotext finds no dotted circle (U+25CC). */
static void test_thai_marks_in_place(void **state)
{
	char *marked = poster_with_hours(MARKED, "poster-marks");
	char *plain = poster_with_hours(UNMARKED, "poster-nomarks");
	check_fonts(marked);
	int n;
	char **pv = page_texts(marked, &n); /* asserts there is no dotted circle */
	char *sk = skeleton(strdup(pv[0]));
	assert_has_thai(sk, MARKED);
	free(sk);
	free(pv[0]);
	free(pv);
	assert_true(fabs(hours_row(marked).x0 - hours_row(plain).x0) < 0.01); /* the same column */

	struct bitmap a = hours_ink(marked), p = hours_ink(plain);
	double logical_w;
	struct bitmap ref = pango_reference(MARKED, INFO_PT, &logical_w);
	double lost = unmatched(&a, &ref), extra = unmatched(&ref, &a);
	print_message("ink at %d dpi: marked %d x %d px, unmarked %d x %d px, pango %d x %d px "
	              "(logical width %.1f px); unmatched %.2f %% / %.2f %%\n",
	              DPI, a.w, a.h, p.w, p.h, ref.w, ref.h, logical_w, 100 * lost, 100 * extra);
	assert_true(abs(a.w - p.w) <= 0.02 * p.w + 2);
	assert_true(abs(a.w - ref.w) <= 2 && abs(a.h - ref.h) <= 2);
	assert_true(a.w <= logical_w + 2 && a.w >= 0.9 * logical_w);
	assert_true(lost < 0.01 && extra < 0.01);
	/* The marks are drawn: the line is taller than without them. */
	assert_true(a.h > p.h + 5);
	free(a.px);
	free(p.px);
	free(ref.px);
	unlink(marked);
	unlink(plain);
	free(marked);
	free(plain);
}

/* ---- threads ---- */

struct job {
	const json_t *poster, *catalogue;
	int rc;
	size_t len;
};

static void *render_job(void *arg)
{
	struct job *j = arg;
	struct buf b;
	buf_init(&b, 0);
	for (int k = 0; k < 3 && j->rc == 0; k++) {
		buf_reset(&b);
		j->rc = print_poster_pdf(j->poster, &b);
		if (j->rc == 0)
			j->rc = print_catalogue_pdf(j->catalogue, &b);
	}
	j->len = b.len;
	buf_cleanup(&b);
	return NULL;
}

/* Web workers render posters and handouts at the same time. */
static void test_threads(void **state)
{
	json_t *p = poster_model(), *c = catalogue_model(20);
	struct job jobs[3] = {{p, c, 0, 0}, {p, c, 0, 0}, {p, c, 0, 0}};
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_job, &jobs[i]), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].rc, 0);
		assert_true(jobs[i].len > 20000);
	}
	json_decref(p);
	json_decref(c);
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
	    cmocka_unit_test(test_poster),
	    cmocka_unit_test(test_poster_long_texts),
	    cmocka_unit_test(test_catalogue_pages),
	    cmocka_unit_test(test_catalogue_long_block_and_empty),
	    cmocka_unit_test(test_bad_models_and_cap),
	    cmocka_unit_test(test_thai_marks_in_place),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
