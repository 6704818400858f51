/* Unit tests for src/core/eservice.c: every rule of eservice_validate and
 * point_validate (alone and all at once), trimming, the labels, the real
 * catalogue file passing the rules, and validation being idempotent (what
 * was saved is accepted again unchanged when the form is saved again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/eservice.h"
#include "lib/csv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ----------------------------------------------------------------- */

struct cats {
	const char *unknown; /* a category category_exists denies */
	char last[64];       /* what it was last asked */
	int calls;
};

static bool cat_exists(const char *code, void *ctx)
{
	struct cats *c = ctx;
	c->calls++;
	snprintf(c->last, sizeof c->last, "%s", code);
	return !(c->unknown && strcmp(code, c->unknown) == 0);
}

static struct eservice_raw good(void)
{
	return (struct eservice_raw){
	    .code = "dlt_vehicle_tax",
	    .name_th = "ชำระภาษีรถประจำปีออนไลน์",
	    .name_en = "Online annual vehicle tax payment",
	    .agency_th = "กรมการขนส่งทางบก",
	    .agency_en = "Department of Land Transport",
	    .category = "vehicles",
	    .channel = "web",
	    .url = "https://eservice.dlt.go.th/",
	};
}

static struct eservice out;
static struct eservice_errors errs;
static struct cats cats;

static size_t check(const struct eservice_raw *raw)
{
	memset(&cats, 0, sizeof cats);
	cats.unknown = "nowhere";
	return eservice_validate(raw, false, cat_exists, &cats, &out, &errs);
}

/* The message of the error on field, or NULL. */
static const char *error_on(const char *field)
{
	for (size_t i = 0; i < errs.n; i++)
		if (strcmp(errs.e[i].field, field) == 0)
			return errs.e[i].message;
	return NULL;
}

/* The errors after a check must be exactly one, on field, with message msg
 * (msg NULL: none at all). value is only for the failure message. */
static void expect(size_t n, const char *field, const char *value, const char *msg)
{
	if (!msg) {
		if (n != 0)
			fail_msg("%s=\"%s\": unexpected error on %s: %s", field, value, errs.e[0].field,
			         errs.e[0].message);
		return;
	}
	const char *m = error_on(field);
	if (n != 1 || !m || strcmp(m, msg) != 0)
		fail_msg("%s=\"%s\": %zu errors, on %s: %s; expected: %s", field, value, n,
		         n ? errs.e[0].field : "-", n ? errs.e[0].message : "-", msg);
}

/* The good service with one member replaced. */
#define FIELD_CASE(member, value, msg)                                                                       \
	do {                                                                                                 \
		struct eservice_raw r_ = good();                                                             \
		r_.member = (value);                                                                         \
		expect(check(&r_), #member, r_.member ? r_.member : "(null)", (msg));                        \
	} while (0)

/* ---- services ----------------------------------------------------------------- */

static void test_valid_and_defaults(void **state)
{
	(void)state;
	struct eservice_raw r = good();
	assert_int_equal(check(&r), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(out.code, "dlt_vehicle_tax");
	assert_string_equal(out.name_th, "ชำระภาษีรถประจำปีออนไลน์");
	assert_string_equal(out.category, "vehicles");
	assert_string_equal(cats.last, "vehicles");
	assert_int_equal(cats.calls, 1);
	/* Defaults. */
	assert_string_equal(out.agency_type, "government");
	assert_string_equal(out.status, "active");
	assert_string_equal(out.fees, "ไม่มี");
	assert_int_equal(out.sort_order, ESVC_SORT_AUTO);
	assert_string_equal(out.description, "");
	assert_string_equal(out.steps, "");
	/* Given values are kept. */
	r.agency_type = "state_enterprise";
	r.status = "moving";
	r.fees = "100 บาท";
	r.sort_order = "7";
	r.channel = "tangrat";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.agency_type, "state_enterprise");
	assert_string_equal(out.status, "moving");
	assert_string_equal(out.fees, "100 บาท");
	assert_int_equal(out.sort_order, 7);
	assert_string_equal(out.channel, "tangrat");
	/* No category callback: any well-formed code. */
	r.category = "anything_goes";
	assert_int_equal(eservice_validate(&r, false, NULL, NULL, &out, &errs), 0);
	assert_string_equal(out.category, "anything_goes");
}

static void test_trimming(void **state)
{
	(void)state;
	struct eservice_raw r = good();
	/* ASCII white space, NBSP, zero-width space, ideographic space and the
	 * BOM at both ends go; inner spaces stay. */
	r.code = "  dlt_vehicle_tax\t";
	r.name_th = "\xC2\xA0\xE2\x80\x8B ชำระภาษีรถ  ประจำปี \xE3\x80\x80";
	r.agency_th = "\xEF\xBB\xBFกรมการขนส่งทางบก\r\n";
	r.category = " vehicles ";
	r.channel = " web ";
	r.url = " https://eservice.dlt.go.th/ ";
	r.status = "\tretired\n";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.code, "dlt_vehicle_tax");
	assert_string_equal(out.name_th, "ชำระภาษีรถ  ประจำปี");
	assert_string_equal(out.agency_th, "กรมการขนส่งทางบก");
	assert_string_equal(out.category, "vehicles");
	assert_string_equal(cats.last, "vehicles");
	assert_string_equal(out.url, "https://eservice.dlt.go.th/");
	assert_string_equal(out.status, "retired");
	/* Only white space is empty. */
	r.name_th = " \xC2\xA0 ";
	assert_int_equal(check(&r), 1);
	assert_string_equal(error_on("name_th"), "กรุณากรอกชื่อบริการภาษาไทย");
}

static void test_code(void **state)
{
	(void)state;
	const char *chars = "รหัสบริการใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร";
	const char *length = "รหัสบริการต้องยาว 2–40 ตัวอักษร";
	FIELD_CASE(code, "ab", NULL);
	FIELD_CASE(code, "a_1", NULL);
	FIELD_CASE(code, "a2345678901234567890123456789012345678901", length); /* 41 */
	FIELD_CASE(code, "a23456789012345678901234567890123456789", NULL);     /* 40 */
	FIELD_CASE(code, "", "กรุณากรอกรหัสบริการ");
	FIELD_CASE(code, NULL, "กรุณากรอกรหัสบริการ");
	FIELD_CASE(code, "a", length);
	FIELD_CASE(code, "Dlt_tax", chars);
	FIELD_CASE(code, "dlt-tax", chars);
	FIELD_CASE(code, "1dlt", chars);
	FIELD_CASE(code, "_dlt", chars);
	FIELD_CASE(code, "dlt tax", chars);
	FIELD_CASE(code, "ภาษี", chars);
	/* An update keeps the stored code: raw->code is not looked at. */
	struct eservice_raw r = good();
	r.code = "NOT A CODE";
	assert_int_equal(eservice_validate(&r, true, NULL, NULL, &out, &errs), 0);
	assert_string_equal(out.code, "");
	r.code = NULL;
	assert_int_equal(eservice_validate(&r, true, NULL, NULL, &out, &errs), 0);
}

static void test_texts(void **state)
{
	(void)state;
	static char longer[ESVC_NAME_MAX + 8], exact[ESVC_NAME_MAX + 8];
	/* 100 Thai letters are 300 bytes: at the limit. */
	exact[0] = '\0';
	for (int i = 0; i < 100; i++)
		strncat(exact, "ก", sizeof exact - strlen(exact) - 1);
	memcpy(longer, exact, ESVC_NAME_MAX);
	memcpy(longer + ESVC_NAME_MAX, "x", 2);
	FIELD_CASE(name_th, exact, NULL);
	FIELD_CASE(name_th, longer, "ชื่อบริการภาษาไทยยาวเกิน 300 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(name_th, "", "กรุณากรอกชื่อบริการภาษาไทย");
	FIELD_CASE(name_th, "Vehicle tax", "ชื่อบริการภาษาไทยต้องมีอักษรไทย");
	FIELD_CASE(name_th, "๑๒๓", "ชื่อบริการภาษาไทยต้องมีอักษรไทย");
	FIELD_CASE(name_th, "PEA e-Service ค่าไฟ", NULL);
	FIELD_CASE(name_th, "ภาษี\nรถ", "ชื่อบริการภาษาไทยมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(name_th, "ภาษี\trถ", "ชื่อบริการภาษาไทยมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(name_th, "ภาษี\xE2\x80\xAEรถ", "ชื่อบริการภาษาไทยมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(name_th, "ภาษี\xC2\x85รถ", "ชื่อบริการภาษาไทยมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(name_th, "ภาษี\xFFรถ", "ชื่อบริการภาษาไทยมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");
	FIELD_CASE(name_th, "ภาษี\xC0\xAFรถ", "ชื่อบริการภาษาไทยมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");   /* overlong */
	FIELD_CASE(name_th, "ภาษี\xED\xA0\x80", "ชื่อบริการภาษาไทยมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)"); /* surrogate */
	FIELD_CASE(name_th, "ภาษี\xE0\xB8", "ชื่อบริการภาษาไทยมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");     /* cut */
	/* Zero-width space inside Thai text is normal and kept. */
	FIELD_CASE(name_th, "ภาษี\xE2\x80\x8Bรถ", NULL);
	FIELD_CASE(name_en, "", NULL);
	FIELD_CASE(name_en, longer, "ชื่อบริการภาษาอังกฤษยาวเกิน 300 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(name_en, "Tax\x01", "ชื่อบริการภาษาอังกฤษมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(agency_th, "", "กรุณากรอกชื่อหน่วยงานภาษาไทย");
	FIELD_CASE(agency_th, longer, "ชื่อหน่วยงานภาษาไทยยาวเกิน 300 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(agency_en, "\xF5", "ชื่อหน่วยงานภาษาอังกฤษมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");
	FIELD_CASE(fees, "ไม่มีค่าธรรมเนียม", NULL);
	FIELD_CASE(fees, "100\nบาท", "ค่าธรรมเนียมมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
}

static void test_choices_and_category(void **state)
{
	(void)state;
	FIELD_CASE(agency_type, "government", NULL);
	FIELD_CASE(agency_type, "state_enterprise", NULL);
	FIELD_CASE(agency_type, "Government",
	           "ประเภทหน่วยงานไม่ถูกต้อง (ต้องเป็น government หรือ state_enterprise)");
	FIELD_CASE(channel, "app", NULL);
	FIELD_CASE(channel, "line", NULL);
	FIELD_CASE(channel, "", "กรุณาเลือกช่องทางให้บริการ");
	FIELD_CASE(channel, "other", "ช่องทางให้บริการไม่ถูกต้อง (ต้องเป็น tangrat, web, line หรือ app)");
	FIELD_CASE(status, "retired", NULL);
	FIELD_CASE(status, "deleted", "สถานะบริการไม่ถูกต้อง (ต้องเป็น active, moving หรือ retired)");
	FIELD_CASE(category, "", "กรุณาเลือกหมวดบริการ");
	FIELD_CASE(category, "nowhere", "ไม่พบหมวดบริการนี้");
	FIELD_CASE(category, "Vehicles", "รหัสหมวดบริการใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร (2–40 ตัวอักษร)");
	FIELD_CASE(category, "ยานพาหนะ", "รหัสหมวดบริการใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร (2–40 ตัวอักษร)");
	/* The callback is asked only about a well-formed code. */
	struct eservice_raw r = good();
	r.category = "Bad Code";
	check(&r);
	assert_int_equal(cats.calls, 0);
	assert_string_equal(out.category, "");
}

static void test_url(void **state)
{
	(void)state;
	const char *scheme = "ที่อยู่เว็บไซต์ต้องขึ้นต้นด้วย https:// หรือ http://";
	const char *chars = "ที่อยู่เว็บไซต์ต้องไม่มีช่องว่าง เครื่องหมายคำพูด < > หรืออักขระควบคุม";
	const char *host = "ที่อยู่เว็บไซต์ต้องมีชื่อโดเมนที่ถูกต้อง เช่น https://www.example.go.th/";
	const char *port = "หมายเลขพอร์ตในที่อยู่เว็บไซต์ต้องเป็นตัวเลข 1–65535";
	const char *user = "ที่อยู่เว็บไซต์ต้องไม่มีชื่อผู้ใช้หรือรหัสผ่าน (เครื่องหมาย @ หน้าชื่อโดเมน)";
	FIELD_CASE(url, "https://eservice.pea.co.th/Account/Login?ReturnUrl=%2f", NULL);
	FIELD_CASE(url, "http://www.nsf.or.th", NULL);
	FIELD_CASE(url, "https://www.ทางรัฐ.com/", NULL);
	FIELD_CASE(url, "https://e-service.doe.go.th:8443/login.do", NULL);
	FIELD_CASE(url, "https://example.go.th/ค้นหา?q=ภาษี#top", NULL);
	FIELD_CASE(url, "https://example.go.th/a@b", NULL); /* '@' in the path is fine */
	FIELD_CASE(url, "", "กรุณากรอกที่อยู่เว็บไซต์ของบริการ (จำเป็นเมื่อช่องทางเป็นเว็บไซต์)");
	FIELD_CASE(url, "www.dlt.go.th", scheme);
	FIELD_CASE(url, "ftp://www.dlt.go.th", scheme);
	FIELD_CASE(url, "javascript:alert(1)", scheme);
	FIELD_CASE(url, "https//www.dlt.go.th", scheme);
	FIELD_CASE(url, "https://www.dlt.go.th/a b", chars);
	FIELD_CASE(url, "https://www.dlt.go.th/\"onmouseover=", chars);
	FIELD_CASE(url, "https://www.dlt.go.th/<script>", chars);
	FIELD_CASE(url, "https://www.dlt.go.th/'x", chars);
	FIELD_CASE(url, "https://www.dlt.go.th/\x01", chars);
	FIELD_CASE(url,
	           "https://www.dlt.go.th/a\xC2\xA0"
	           "b",
	           chars);
	FIELD_CASE(url,
	           "https://www.dlt.go.th/a\xE2\x80\x8B"
	           "b",
	           chars);
	FIELD_CASE(url, "https://www.dlt.go.th/\xFF", chars);
	FIELD_CASE(url, "https://localhost/", host);
	FIELD_CASE(url, "https://", host);
	FIELD_CASE(url, "https:///path", host);
	FIELD_CASE(url, "https://www..go.th/", host);
	FIELD_CASE(url, "https://.go.th/", host);
	FIELD_CASE(url, "https://go.th./", host);
	FIELD_CASE(url, "https://-x.go.th/", host);
	FIELD_CASE(url, "https://x-.go.th/", host);
	FIELD_CASE(url, "https://x_y.go.th/", host);
	FIELD_CASE(url, "https://evil.example\\.go.th/", host);
	FIELD_CASE(url, "https://www.gov.th@evil.example/", user);
	FIELD_CASE(url, "https://user:pass@www.gov.th/", user);
	FIELD_CASE(url, "https://www.dlt.go.th:0/", port);
	FIELD_CASE(url, "https://www.dlt.go.th:65536/", port);
	FIELD_CASE(url, "https://www.dlt.go.th:/", port);
	FIELD_CASE(url, "https://www.dlt.go.th:80a/", port);
	FIELD_CASE(url, "https://www.dlt.go.th:65535/", NULL);
	/* The scheme is written in lower case, the rest kept. */
	struct eservice_raw r = good();
	r.url = "HTTPS://Eservice.DLT.go.th/Path";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.url, "https://Eservice.DLT.go.th/Path");
	/* At most ESVC_URL_MAX bytes. */
	static char u[ESVC_URL_MAX + 8];
	memset(u, 'a', sizeof u);
	memcpy(u, "https://x.go.th/", 16);
	u[ESVC_URL_MAX] = '\0';
	FIELD_CASE(url, u, NULL);
	u[ESVC_URL_MAX] = 'a';
	u[ESVC_URL_MAX + 1] = '\0';
	FIELD_CASE(url, u, "ที่อยู่เว็บไซต์ยาวเกิน 500 ตัวอักษร");
	/* An app or a LINE account may have no URL; given, it is checked. */
	r = good();
	r.channel = "app";
	r.url = "";
	assert_int_equal(check(&r), 0);
	r.channel = "line";
	r.url = "line.me/R/ti/p/@traffyfondue";
	assert_int_equal(check(&r), 1);
	assert_string_equal(error_on("url"), scheme);
}

static void test_lists(void **state)
{
	(void)state;
	struct eservice_raw r = good();
	r.steps = "\r\n  เปิดแอปทางรัฐ \r\n\r\nเลือกบริการ\n\xC2\xA0\n กดยืนยัน\r\n";
	r.documents = "บัตรประจำตัวประชาชน";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.steps, "เปิดแอปทางรัฐ\nเลือกบริการ\nกดยืนยัน");
	assert_string_equal(out.documents, "บัตรประจำตัวประชาชน");
	/* 20 items pass, 21 do not. */
	static char many[64 * 30];
	many[0] = '\0';
	for (int i = 1; i <= 20; i++) {
		size_t used = strlen(many);
		snprintf(many + used, sizeof many - used, "ข้อ %d\n", i);
	}
	FIELD_CASE(steps, many, NULL);
	assert_int_equal(strlen(out.steps) > 0, 1);
	strncat(many, "ข้อ 21", sizeof many - strlen(many) - 1);
	FIELD_CASE(steps, many, "ขั้นตอนการใช้บริการมีได้ไม่เกิน 20 ข้อ (ข้อละบรรทัด)");
	assert_string_equal(out.steps, "");
	FIELD_CASE(documents, many, "เอกสารที่ต้องใช้มีได้ไม่เกิน 20 รายการ (รายการละบรรทัด)");
	/* A line of 501 bytes. */
	static char line[ESVC_LINE_MAX + 8];
	memset(line, 'x', ESVC_LINE_MAX);
	line[ESVC_LINE_MAX] = '\0';
	FIELD_CASE(steps, line, NULL);
	line[ESVC_LINE_MAX] = 'x';
	line[ESVC_LINE_MAX + 1] = '\0';
	FIELD_CASE(steps, line, "ขั้นตอนการใช้บริการแต่ละข้อยาวได้ไม่เกิน 500 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(documents, line, "เอกสารที่ต้องใช้แต่ละรายการยาวได้ไม่เกิน 500 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(steps, "ก\tข", "ขั้นตอนการใช้บริการมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	FIELD_CASE(documents, "ก\xFF", "เอกสารที่ต้องใช้มีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");
	/* Blank only is empty. */
	FIELD_CASE(steps, "\n \r\n\t\n", NULL);
	assert_string_equal(out.steps, "");
}

static void test_multiline(void **state)
{
	(void)state;
	struct eservice_raw r = good();
	r.description = "  บรรทัดแรก  \r\nบรรทัดที่สอง\tมีแท็บ\r\rบรรทัดที่สี่\n";
	r.source = "a\r\nb";
	r.note = "หมายเหตุ";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.description, "บรรทัดแรก\nบรรทัดที่สอง\tมีแท็บ\n\nบรรทัดที่สี่");
	assert_string_equal(out.source, "a\nb");
	assert_string_equal(out.note, "หมายเหตุ");
	FIELD_CASE(description, "ก\x01ข", "คำอธิบายบริการมีอักขระควบคุมที่ใช้ไม่ได้");
	FIELD_CASE(description, "ก\xE2\x80\xA8ข", "คำอธิบายบริการมีอักขระควบคุมที่ใช้ไม่ได้");
	FIELD_CASE(note, "\xC3\x28", "หมายเหตุมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)");
	static char big[ESVC_DESC_MAX * 3];
	memset(big, 'x', ESVC_DESC_MAX);
	big[ESVC_DESC_MAX] = '\0';
	FIELD_CASE(description, big, NULL);
	/* CR LF counts as one byte once normalized: 2010 bytes typed, 2000 kept. */
	memset(big, 'x', ESVC_DESC_MAX + 10);
	big[ESVC_DESC_MAX + 10] = '\0';
	for (int i = 0; i < 10; i++)
		memcpy(big + i * 10, "xxxxxxxx\r\n", 10);
	FIELD_CASE(description, big, NULL);
	assert_int_equal(strlen(out.description), ESVC_DESC_MAX);
	memset(big, 'x', ESVC_DESC_MAX + 1);
	big[ESVC_DESC_MAX + 1] = '\0';
	FIELD_CASE(description, big, "คำอธิบายบริการยาวเกิน 2000 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	FIELD_CASE(source, big, "แหล่งที่มาของข้อมูลยาวเกิน 2000 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	FIELD_CASE(note, big, "หมายเหตุยาวเกิน 2000 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
}

static void test_sort_order(void **state)
{
	(void)state;
	const char *msg = "ลำดับการแสดงต้องเป็นจำนวนเต็ม 0–1000000 หรือเว้นว่าง (ต่อท้ายรายการ)";
	static const struct {
		const char *in;
		int64_t v; /* -2 = error */
	} cases[] = {
	    {"", ESVC_SORT_AUTO},
	    {"  ", ESVC_SORT_AUTO},
	    {"0", 0},
	    {"12", 12},
	    {"๑๒", 12},
	    {"1๐", 10},
	    {"1000000", 1000000},
	    {"1000001", -2},
	    {"-1", -2},
	    {"+1", -2},
	    {"1.5", -2},
	    {"abc", -2},
	    {"99999999999999999999999", -2},
	    {"1 000", -2},
	};
	for (size_t i = 0; i < N(cases); i++) {
		if (cases[i].v == -2) {
			FIELD_CASE(sort_order, cases[i].in, msg);
		} else {
			FIELD_CASE(sort_order, cases[i].in, NULL);
			assert_int_equal(out.sort_order, cases[i].v);
		}
	}
}

static void test_all_errors(void **state)
{
	(void)state;
	/* Nothing given: every required field at once, in form order. */
	struct eservice_raw r = {0};
	size_t n = check(&r);
	const char *fields[] = {"code", "name_th", "agency_th", "category", "channel"};
	assert_int_equal(n, N(fields));
	for (size_t i = 0; i < N(fields); i++)
		assert_string_equal(errs.e[i].field, fields[i]);
	/* Every field wrong: one error each, nothing past ESVC_MAX_ERRORS. */
	r = (struct eservice_raw){
	    .code = "X",
	    .name_th = "abc",
	    .name_en = "\x01",
	    .agency_th = "\xFF",
	    .agency_en = "\x02",
	    .agency_type = "x",
	    .category = "nowhere",
	    .channel = "web",
	    .url = "x",
	    .description = "\x03",
	    .steps = "\x04",
	    .documents = "\x05",
	    .fees = "\x06",
	    .status = "x",
	    .sort_order = "x",
	    .source = "\x07",
	    .note = "\x08",
	};
	n = check(&r);
	assert_int_equal(n, 16); /* all but channel */
	assert_null(error_on("channel"));
	for (size_t i = 0; i < errs.n; i++) {
		assert_non_null(errs.e[i].message);
		assert_true(strlen(errs.e[i].message) > 0);
	}
}

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(eservice_channel_label("tangrat"), "แอปพลิเคชันทางรัฐ");
	assert_string_equal(eservice_channel_label("web"), "เว็บไซต์ของหน่วยงาน");
	assert_non_null(eservice_channel_label("line"));
	assert_non_null(eservice_channel_label("app"));
	assert_null(eservice_channel_label("other"));
	assert_null(eservice_channel_label(NULL));
	assert_string_equal(eservice_status_label("active"), "ใช้งาน");
	assert_string_equal(eservice_status_label("moving"), "กำลังย้ายไปทางรัฐ");
	assert_string_equal(eservice_status_label("retired"), "ยกเลิกแล้ว");
	assert_null(eservice_status_label(""));
	assert_string_equal(eservice_agency_type_label("government"), "ส่วนราชการ");
	assert_string_equal(eservice_agency_type_label("state_enterprise"), "รัฐวิสาหกิจ");
	assert_null(eservice_agency_type_label("private"));
	assert_string_equal(point_status_label("open"), "เปิดให้บริการ");
	assert_string_equal(point_status_label("temporarily_closed"), "ปิดให้บริการชั่วคราว");
	assert_non_null(point_status_label("closed"));
	assert_non_null(point_status_label("planned"));
	assert_null(point_status_label("gone"));
}

/* The record of details whose code is code, as the fields of d (valid
 * until d is cleaned up); false when there is none. */
static bool details_of(struct csv *d, const char *data, size_t len, const char *code)
{
	csv_cleanup(d);
	csv_init(d, data, len);
	assert_int_equal(csv_next(d), CSV_RECORD);
	while (csv_next(d) == CSV_RECORD)
		if (d->nfields >= 6 && strcmp(d->fields[0], code) == 0)
			return true;
	return false;
}

/* Every service of data/eservices.csv, with its details from
 * data/eservice_details.csv (category, description, steps, documents,
 * fees), passes the rules, and the checked service passes again unchanged
 * (an edit form holds what was stored). */
static void test_real_catalogue(void **state)
{
	(void)state;
	static char data[1 << 20], details[1 << 20];
	FILE *f = fopen("data/eservices.csv", "rb");
	assert_non_null(f);
	size_t len = fread(data, 1, sizeof data, f);
	fclose(f);
	f = fopen("data/eservice_details.csv", "rb");
	assert_non_null(f);
	size_t dlen = fread(details, 1, sizeof details, f);
	fclose(f);
	struct csv c, d;
	csv_init(&c, data, len);
	csv_init(&d, details, dlen);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	assert_int_equal(csv_next(&d), CSV_RECORD);
	const char *dnames[] = {"code", "category", "description", "steps", "documents", "fees"};
	for (size_t i = 0; i < N(dnames); i++)
		assert_int_equal(csv_column(&d, dnames[i]), (int)i);
	const char *names[] = {"code",        "name_th", "name_en", "agency_th", "agency_en",
	                       "agency_type", "channel", "url",     "source",    "note"};
	int col[N(names)];
	for (size_t i = 0; i < N(names); i++)
		assert_true((col[i] = csv_column(&c, names[i])) >= 0);
	size_t rows = 0, with_details = 0;
	static struct eservice first, again;
	while (csv_next(&c) == CSV_RECORD) {
		const char *v[N(names)];
		for (size_t i = 0; i < N(names); i++)
			v[i] = (size_t)col[i] < c.nfields ? c.fields[col[i]] : NULL;
		bool has = details_of(&d, details, dlen, v[0]);
		with_details += has;
		struct eservice_raw r = {
		    .code = v[0],
		    .name_th = v[1],
		    .name_en = v[2],
		    .agency_th = v[3],
		    .agency_en = v[4],
		    .agency_type = v[5],
		    .channel = v[6],
		    .url = v[7],
		    .source = v[8],
		    .note = v[9],
		    .category = has ? d.fields[1] : "general",
		    .description = has ? d.fields[2] : NULL,
		    .steps = has ? d.fields[3] : NULL,
		    .documents = has ? d.fields[4] : NULL,
		    .fees = has ? d.fields[5] : NULL,
		};
		size_t n = eservice_validate(&r, false, NULL, NULL, &first, &errs);
		if (n)
			fail_msg("%s: %s: %s", v[0], errs.e[0].field, errs.e[0].message);
		if (has)
			assert_true(first.steps[0] && first.documents[0] && first.description[0]);
		char sort[32];
		snprintf(sort, sizeof sort, "%lld", (long long)rows);
		struct eservice_raw back = {
		    .code = first.code,
		    .name_th = first.name_th,
		    .name_en = first.name_en,
		    .agency_th = first.agency_th,
		    .agency_en = first.agency_en,
		    .agency_type = first.agency_type,
		    .category = first.category,
		    .channel = first.channel,
		    .url = first.url,
		    .description = first.description,
		    .steps = first.steps,
		    .documents = first.documents,
		    .fees = first.fees,
		    .status = first.status,
		    .sort_order = sort,
		    .source = first.source,
		    .note = first.note,
		};
		assert_int_equal(eservice_validate(&back, false, NULL, NULL, &again, &errs), 0);
		assert_int_equal(again.sort_order, (int64_t)rows);
		again.sort_order = first.sort_order;
		assert_memory_equal(&first, &again, sizeof first);
		rows++;
	}
	csv_cleanup(&c);
	csv_cleanup(&d);
	assert_true(rows >= 20);
	assert_true(with_details >= 20);
}

/* ---- points ------------------------------------------------------------------- */

#define TODAY "2024-10-15"

static struct point_profile pout;

static struct point_raw good_point(void)
{
	return (struct point_raw){
	    .name_th = "จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองขอนแก่น",
	    .address = "ที่ว่าการอำเภอเมืองขอนแก่น จังหวัดขอนแก่น",
	    .hours = "วันจันทร์–วันศุกร์ เวลา 08.30–16.30 น. (เว้นวันหยุดราชการ)",
	    .status = "open",
	};
}

static size_t pcheck(const struct point_raw *raw)
{
	return point_validate(raw, TODAY, &pout, &errs);
}

#define POINT_CASE(member, value, msg)                                                                       \
	do {                                                                                                 \
		struct point_raw r_ = good_point();                                                          \
		r_.member = (value);                                                                         \
		expect(pcheck(&r_), #member, r_.member ? r_.member : "(null)", (msg));                       \
	} while (0)

static void test_point_valid(void **state)
{
	(void)state;
	struct point_raw r = good_point();
	assert_int_equal(pcheck(&r), 0);
	assert_string_equal(pout.status, "open");
	assert_string_equal(pout.lat, "");
	assert_string_equal(pout.phone, "");
	assert_string_equal(pout.opened_on, "");
	/* Nothing given: the four required fields. */
	r = (struct point_raw){0};
	assert_int_equal(pcheck(&r), 4);
	assert_string_equal(error_on("name_th"), "กรุณากรอกชื่อจุดให้บริการ");
	assert_string_equal(error_on("address"), "กรุณากรอกที่อยู่ของจุดให้บริการ");
	assert_string_equal(error_on("hours"), "กรุณากรอกวันและเวลาให้บริการ");
	assert_string_equal(error_on("status"), "กรุณาเลือกสถานะของจุดให้บริการ");
	POINT_CASE(status, "temporarily_closed", NULL);
	POINT_CASE(status, "planned", NULL);
	POINT_CASE(status, "closed", NULL);
	POINT_CASE(status, "Open",
	           "สถานะของจุดให้บริการไม่ถูกต้อง (ต้องเป็น open, temporarily_closed, closed หรือ planned)");
	POINT_CASE(name_th, "ชื่อ\x01", "ชื่อจุดให้บริการมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	/* Line breaks in the address (a textarea) become one space. */
	struct point_raw a = good_point();
	a.address = "ที่ว่าการอำเภอเมืองขอนแก่น  \r\n\r\n  ถนนศูนย์ราชการ\nจังหวัดขอนแก่น";
	a.hours = "จันทร์–ศุกร์\n08.30–16.30 น.";
	a.status_note = "ย้ายชั่วคราว\r\nไปที่ศาลากลาง";
	assert_int_equal(pcheck(&a), 0);
	assert_string_equal(pout.address, "ที่ว่าการอำเภอเมืองขอนแก่น ถนนศูนย์ราชการ จังหวัดขอนแก่น");
	assert_string_equal(pout.hours, "จันทร์–ศุกร์ 08.30–16.30 น.");
	assert_string_equal(pout.status_note, "ย้ายชั่วคราว ไปที่ศาลากลาง");
	POINT_CASE(address, "ก\tข", "ที่อยู่ของจุดให้บริการมีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)");
	static char big[POINT_ADDRESS_MAX * 3];
	memset(big, 'x', POINT_ADDRESS_MAX);
	big[POINT_ADDRESS_MAX] = '\0';
	POINT_CASE(address, big, NULL);
	big[POINT_ADDRESS_MAX] = 'x';
	POINT_CASE(address, big, "ที่อยู่ของจุดให้บริการยาวเกิน 600 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	POINT_CASE(hours, big, "วันและเวลาให้บริการยาวเกิน 300 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	POINT_CASE(status_note, big, "หมายเหตุสถานะยาวเกิน 500 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
}

static void test_point_coords(void **state)
{
	(void)state;
	struct point_raw r = good_point();
	r.lat = "16.441900";
	r.lon = "๑๐๒.๘๓๖";
	assert_int_equal(pcheck(&r), 0);
	assert_string_equal(pout.lat, "16.441900");
	assert_string_equal(pout.lon, "102.836");
	r.lat = "+016.4";
	r.lon = "0102";
	assert_int_equal(pcheck(&r), 0);
	assert_string_equal(pout.lat, "16.4");
	assert_string_equal(pout.lon, "102");
	/* A pair pasted from a map app into the latitude box. */
	r.lat = " 16.4419, 102.8360 ";
	r.lon = "";
	assert_int_equal(pcheck(&r), 0);
	assert_string_equal(pout.lat, "16.4419");
	assert_string_equal(pout.lon, "102.8360");
	/* Edges of Thailand's box. */
	r.lat = "5";
	r.lon = "106.000000";
	assert_int_equal(pcheck(&r), 0);
	r.lat = "21.000001";
	assert_int_equal(pcheck(&r), 1);
	assert_string_equal(error_on("lat"), "ละติจูดต้องอยู่ระหว่าง 5 ถึง 21 (ประเทศไทย)");
	assert_string_equal(pout.lat, "");
	assert_string_equal(pout.lon, ""); /* both or neither */
#define LAT_FMT   "ละติจูดต้องเป็นตัวเลขทศนิยมไม่เกิน 6 ตำแหน่ง เช่น 16.4419"
#define LON_FMT   "ลองจิจูดต้องเป็นตัวเลขทศนิยมไม่เกิน 6 ตำแหน่ง เช่น 102.8360"
#define LON_RANGE "ลองจิจูดต้องอยู่ระหว่าง 97 ถึง 106 (ประเทศไทย)"
	static const struct {
		const char *lat, *lon, *field, *msg;
	} bad[] = {
	    {"16.4", "", "lon", "กรุณากรอกลองจิจูดคู่กับละติจูด หรือเว้นว่างทั้งสองช่อง"},
	    {"", "102.8", "lat", "กรุณากรอกละติจูดคู่กับลองจิจูด หรือเว้นว่างทั้งสองช่อง"},
	    {"16.4419123", "102.8", "lat", LAT_FMT},
	    {"16,4", "102.8", "lat", LAT_FMT},
	    {"16.", "102.8", "lat", LAT_FMT},
	    {".5", "102.8", "lat", LAT_FMT},
	    {"-16.4", "102.8", "lat", LAT_FMT},
	    {"1e1", "102.8", "lat", LAT_FMT},
	    {"4.99", "102.8", "lat", "ละติจูดต้องอยู่ระหว่าง 5 ถึง 21 (ประเทศไทย)"},
	    {"16.4", "96.999999", "lon", LON_RANGE},
	    {"16.4", "1000000", "lon", LON_RANGE},
	    {"16.4", "102.8x", "lon", LON_FMT},
	};
	for (size_t i = 0; i < N(bad); i++) {
		r.lat = bad[i].lat;
		r.lon = bad[i].lon;
		size_t n = pcheck(&r);
		const char *m = error_on(bad[i].field);
		if (n != 1 || !m || strcmp(m, bad[i].msg) != 0)
			fail_msg("lat \"%s\" lon \"%s\": %zu errors, %s: %s", bad[i].lat, bad[i].lon, n,
			         n ? errs.e[0].field : "-", n ? errs.e[0].message : "-");
	}
}

static void test_point_phone(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"0812345678", "081-234-5678"},
	    {"๐๘๑ ๒๓๔ ๕๖๗๘", "081-234-5678"},
	    {"02-123-4567", "02-123-4567"},
	    {"043246123", "043-246-123"},
	    {"043 246 123, 0812345678", "043-246-123, 081-234-5678"},
	    {"043-246-123,081-234-5678,", "043-246-123, 081-234-5678"},
	    {"021234567, 021234567, 021234567, 021234567",
	     "02-123-4567, 02-123-4567, 02-123-4567, 02-123-4567"},
	    {"", ""},
	};
	for (size_t i = 0; i < N(ok); i++) {
		POINT_CASE(phone, ok[i].in, NULL);
		assert_string_equal(pout.phone, ok[i].out);
	}
	const char *chars = "เบอร์โทรศัพท์มีอักขระที่ไม่ใช่ตัวเลข (เว้นวรรคหรือขีดได้ คั่นหลายหมายเลขด้วย ,)";
	const char *length = "เบอร์โทรศัพท์แต่ละหมายเลขต้องมี 9 หลัก (โทรศัพท์บ้าน) หรือ 10 หลัก (มือถือ)";
	const char *prefix = "เบอร์โทรศัพท์ไม่ถูกต้อง: โทรศัพท์บ้าน 9 หลักขึ้นต้นด้วย 02–07 "
	                     "มือถือ 10 หลักขึ้นต้นด้วย 06 08 หรือ 09";
	POINT_CASE(phone, "043-246-123 ต่อ 12", chars);
	POINT_CASE(phone, "(043) 246123", chars);
	POINT_CASE(phone, "1567", length);
	POINT_CASE(phone, "08123456789", length);
	POINT_CASE(phone, "0812345678,,0812345678", length);
	POINT_CASE(phone, "0712345678", prefix);
	POINT_CASE(phone, "012345678", prefix);
	POINT_CASE(phone, "1812345678", prefix);
	POINT_CASE(phone, "021234567, 021234567, 021234567, 021234567, 021234567",
	           "เบอร์โทรศัพท์ใส่ได้ไม่เกิน 4 หมายเลข");
}

static void test_point_days(void **state)
{
	(void)state;
	static const struct {
		const char *in, *iso;
	} ok[] = {
	    {"2024-10-01", "2024-10-01"},
	    {"1/10/2567", "2024-10-01"},
	    {"01/10/2567", "2024-10-01"},
	    {"๑/๑๐/๒๕๖๗", "2024-10-01"},
	    {"15/10/2567", TODAY},
	    {"29/2/2567", "2024-02-29"},
	    {"1/1/2500", "1957-01-01"},
	    {"๒๐๒๔-๑๐-๐๑", "2024-10-01"},
	    /* the one parser (thai_when_parse): C.E. years, 2-digit B.E., month names */
	    {"1/10/2024", "2024-10-01"},
	    {"1-10-2567", "2024-10-01"},
	    {"1/10/67", "2024-10-01"},
	    {"1 ต.ค. 2567", "2024-10-01"},
	    {"1 ตุลาคม พ.ศ. 2567", "2024-10-01"},
	};
	for (size_t i = 0; i < N(ok); i++) {
		POINT_CASE(opened_on, ok[i].in, NULL);
		assert_string_equal(pout.opened_on, ok[i].iso);
		POINT_CASE(status_since, ok[i].in, NULL);
		assert_string_equal(pout.status_since, ok[i].iso);
	}
	const char *bad = "วันที่เปิดให้บริการไม่ถูกต้อง (เช่น 1/10/2567 หรือ 2024-10-01)";
	const char *bad_since = "วันที่เริ่มสถานะไม่ถูกต้อง (เช่น 1/10/2567 หรือ 2024-10-01)";
	const char *bads[] = {"31/2/2567",  "1/10/567",    "1/10",           "2024-13-01",
	                      "2024/10/01", " 1/ 10/2567", "+1/10/2567",     "1/10/2567x",
	                      "31/12/2499", "31/12/1956",  "1/10/2567 09:00"};
	for (size_t i = 0; i < N(bads); i++) {
		POINT_CASE(opened_on, bads[i], bad);
		POINT_CASE(status_since, bads[i], bad_since);
	}
	POINT_CASE(opened_on, "16/10/2567", "วันที่เปิดให้บริการต้องไม่เป็นวันในอนาคต");
	POINT_CASE(opened_on, "2025-01-01", "วันที่เปิดให้บริการต้องไม่เป็นวันในอนาคต");
	/* A status change may be announced up to POINT_SCHEDULE_DAYS ahead: it
	 * is then scheduled (the point keeps its status until that day). */
	POINT_CASE(status_since, "2567-10-01", "วันที่เริ่มสถานะตั้งล่วงหน้าได้ไม่เกิน 1 ปี"); /* B.E. in ISO form */
	POINT_CASE(status_since, "2025-10-17", "วันที่เริ่มสถานะตั้งล่วงหน้าได้ไม่เกิน 1 ปี");
	POINT_CASE(status_since, "16/10/2567", NULL);
	assert_string_equal(pout.status_since, "2024-10-16");
	assert_true(pout.scheduled);
	POINT_CASE(status_since, "2025-10-16", NULL); /* 366 days after TODAY */
	assert_true(pout.scheduled);
	POINT_CASE(status_since, TODAY, NULL);
	assert_false(pout.scheduled);
	POINT_CASE(status_since, "2024-10-01", NULL);
	assert_false(pout.scheduled);
	POINT_CASE(status_since, "", NULL);
	assert_false(pout.scheduled);
	/* No today: no future check. */
	struct point_raw r = good_point();
	r.opened_on = "2099-01-01";
	assert_int_equal(point_validate(&r, NULL, &pout, &errs), 0);
}

/* A saved profile is accepted again unchanged. */
static void test_point_idempotent(void **state)
{
	(void)state;
	struct point_raw r = good_point();
	r.lat = "๑๖.๔๔๑๙";
	r.lon = "102.836";
	r.phone = "๐๔๓ ๒๔๖ ๑๒๓ , 0812345678";
	r.opened_on = "1/10/2567";
	r.status = "temporarily_closed";
	r.status_since = "2024-10-02";
	r.status_note = "ปิดปรับปรุง\nชั่วคราว";
	assert_int_equal(pcheck(&r), 0);
	struct point_profile first = pout;
	struct point_raw back = {
	    .name_th = first.name_th,
	    .address = first.address,
	    .lat = first.lat,
	    .lon = first.lon,
	    .hours = first.hours,
	    .phone = first.phone,
	    .opened_on = first.opened_on,
	    .status = first.status,
	    .status_since = first.status_since,
	    .status_note = first.status_note,
	};
	assert_int_equal(pcheck(&back), 0);
	assert_memory_equal(&first, &pout, sizeof first);
}

/* The area a service serves (issue 9 item 16). */
static void test_area(void **state)
{
	(void)state;
	struct eservice_raw r = good();
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.area, "all"); /* the default */
	assert_string_equal(out.area_provinces, "");
	/* A list: Thai digits, commas or spaces, repeats dropped, written ascending. */
	r.area = " only ";
	r.area_provinces = "12, ๑๐ 11,12\n";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.area, "only");
	assert_string_equal(out.area_provinces, "10 11 12");
	r.area = "except";
	r.area_provinces = "47";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.area_provinces, "47");
	/* For the whole country a list means nothing. */
	r.area = "all";
	r.area_provinces = "10 11";
	assert_int_equal(check(&r), 0);
	assert_string_equal(out.area_provinces, "");
	FIELD_CASE(area, "everywhere",
	           "พื้นที่ให้บริการไม่ถูกต้อง (ต้องเป็น all ทั่วประเทศ, only เฉพาะจังหวัดที่ระบุ หรือ except "
	           "ทั่วประเทศยกเว้นจังหวัดที่ระบุ)");
	static const char *const bad_lists[] = {"1", "100", "0x", "10;11", "ก", "05", "10-11"};
	for (size_t i = 0; i < N(bad_lists); i++) {
		r = good();
		r.area = "only";
		r.area_provinces = bad_lists[i];
		expect(check(&r), "area_provinces", bad_lists[i],
		       "รหัสจังหวัดในพื้นที่ให้บริการต้องเป็นตัวเลข 2 หลัก เช่น 10 (กรุงเทพมหานคร) คั่นด้วย ,");
	}
	r = good();
	r.area = "except";
	r.area_provinces = " , ";
	expect(check(&r), "area_provinces", " , ", "กรุณาเลือกจังหวัดอย่างน้อยหนึ่งจังหวัดสำหรับพื้นที่ให้บริการ");
	/* Who is served. */
	assert_true(eservice_area_serves("all", "", "4701"));
	assert_true(eservice_area_serves("only", "10 11 12", "1201"));
	assert_false(eservice_area_serves("only", "10 11 12", "4701"));
	assert_false(eservice_area_serves("except", "10 11 12", "1101"));
	assert_true(eservice_area_serves("except", "10 11 12", "47"));
	assert_false(eservice_area_serves("nowhere", "", "47"));
	assert_false(eservice_area_serves(NULL, "", "47"));
	assert_string_equal(eservice_area_label("except"), "ทั่วประเทศ ยกเว้นจังหวัดที่ระบุ");
	assert_null(eservice_area_label("x"));
}

/* An entry of the search vocabulary (issue 9 item 13). */
static void test_search_text(void **state)
{
	(void)state;
	char t[ESVC_SEARCH_PHRASE_MAX + 1];
	assert_null(eservice_search_text_check("  โดน  เลิกจ้าง \t", t, sizeof t));
	assert_string_equal(t, "โดน เลิกจ้าง");
	assert_null(eservice_search_text_check("1111", t, sizeof t));
	assert_string_equal(eservice_search_text_check("", t, sizeof t), "กรุณากรอกคำ (ว่างไม่ได้)");
	assert_string_equal(eservice_search_text_check(" \t ", t, sizeof t), "กรุณากรอกคำ (ว่างไม่ได้)");
	assert_string_equal(eservice_search_text_check("!!! ...", t, sizeof t), "คำต้องมีตัวอักษรหรือตัวเลข");
	assert_string_equal(eservice_search_text_check("a\x01"
	                                               "b",
	                                               t, sizeof t),
	                    "คำมีอักขระที่อ่านไม่ได้หรืออักขระควบคุม");
	assert_string_equal(eservice_search_text_check("\xff", t, sizeof t), "คำมีอักขระที่อ่านไม่ได้หรืออักขระควบคุม");
	char longer[ESVC_SEARCH_PHRASE_MAX + 10];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_string_equal(eservice_search_text_check(longer, t, sizeof t),
	                    "คำยาวเกิน 120 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)");
	assert_string_equal(t, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_and_defaults),
	    cmocka_unit_test(test_trimming),
	    cmocka_unit_test(test_code),
	    cmocka_unit_test(test_texts),
	    cmocka_unit_test(test_choices_and_category),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_multiline),
	    cmocka_unit_test(test_sort_order),
	    cmocka_unit_test(test_all_errors),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_real_catalogue),
	    cmocka_unit_test(test_area),
	    cmocka_unit_test(test_search_text),
	    cmocka_unit_test(test_point_valid),
	    cmocka_unit_test(test_point_coords),
	    cmocka_unit_test(test_point_phone),
	    cmocka_unit_test(test_point_days),
	    cmocka_unit_test(test_point_idempotent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
