#include "core/eservice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "lib/thai.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- enumerations --------------------------------------------------------- */

static const char *const agency_types[] = {"government", "state_enterprise", NULL};
static const char *const agency_type_labels[] = {"ส่วนราชการ", "รัฐวิสาหกิจ", NULL};
static const char *const channels[] = {"tangrat", "web", "line", "app", NULL};
static const char *const channel_labels[] = {"แอปพลิเคชันทางรัฐ", "เว็บไซต์ของหน่วยงาน", "บัญชีทางการ LINE (LINE OA)",
                                             "แอปพลิเคชันของหน่วยงาน", NULL};
static const char *const statuses[] = {"active", "moving", "retired", NULL};
static const char *const status_labels[] = {"ใช้งาน", "กำลังย้ายไปทางรัฐ", "ยกเลิกแล้ว", NULL};
static const char *const areas[] = {"all", "only", "except", NULL};
static const char *const area_labels[] = {"ทั่วประเทศ", "เฉพาะจังหวัดที่ระบุ", "ทั่วประเทศ ยกเว้นจังหวัดที่ระบุ", NULL};
static const char *const point_statuses[] = {"open", "temporarily_closed", "closed", "planned", NULL};
static const char *const point_status_labels[] = {"เปิดให้บริการ", "ปิดให้บริการชั่วคราว", "ปิดให้บริการแล้ว",
                                                  "เตรียมเปิดให้บริการ", NULL};

static const char *label_of(const char *const *names, const char *const *labels, const char *s)
{
	for (size_t i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return labels[i];
	return NULL;
}

const char *eservice_channel_label(const char *channel)
{
	return label_of(channels, channel_labels, channel);
}

const char *eservice_status_label(const char *status)
{
	return label_of(statuses, status_labels, status);
}

const char *eservice_agency_type_label(const char *agency_type)
{
	return label_of(agency_types, agency_type_labels, agency_type);
}

const char *eservice_area_label(const char *area)
{
	return label_of(areas, area_labels, area);
}

bool eservice_area_serves(const char *area, const char *area_provinces, const char *province_code)
{
	if (!area || !strcmp(area, "all"))
		return area != NULL;
	bool only = !strcmp(area, "only");
	if (!only && strcmp(area, "except"))
		return false;
	bool listed = false;
	if (province_code && strlen(province_code) >= 2 && area_provinces)
		for (const char *p = area_provinces; *p && !listed; p += strspn(p, " ")) {
			size_t n = strcspn(p, " ");
			listed = n == 2 && p[0] == province_code[0] && p[1] == province_code[1];
			p += n;
		}
	return only ? listed : !listed;
}

const char *point_status_label(const char *status)
{
	return label_of(point_statuses, point_status_labels, status);
}

/* ---- messages ------------------------------------------------------------
 *
 * Each names the field as the form labels it. Lengths are in bytes because
 * the columns are; the messages say that a Thai letter takes three. */

static const char MSG_CODE_REQUIRED[] = "กรุณากรอกรหัสบริการ";
static const char MSG_CODE_CHARS[] = "รหัสบริการใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร";
static const char MSG_CODE_LENGTH[] = "รหัสบริการต้องยาว 2–40 ตัวอักษร";
static const char MSG_CATEGORY_REQUIRED[] = "กรุณาเลือกหมวดบริการ";
static const char MSG_CATEGORY_CHARS[] = "รหัสหมวดบริการใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร (2–40 ตัวอักษร)";
static const char MSG_CATEGORY_UNKNOWN[] = "ไม่พบหมวดบริการนี้";
static const char MSG_NAME_TH_NO_THAI[] = "ชื่อบริการภาษาไทยต้องมีอักษรไทย";
static const char MSG_AGENCY_TYPE[] = "ประเภทหน่วยงานไม่ถูกต้อง (ต้องเป็น government หรือ state_enterprise)";
static const char MSG_CHANNEL_REQUIRED[] = "กรุณาเลือกช่องทางให้บริการ";
static const char MSG_CHANNEL[] = "ช่องทางให้บริการไม่ถูกต้อง (ต้องเป็น tangrat, web, line หรือ app)";
static const char MSG_STATUS[] = "สถานะบริการไม่ถูกต้อง (ต้องเป็น active, moving หรือ retired)";
static const char MSG_URL_REQUIRED[] = "กรุณากรอกที่อยู่เว็บไซต์ของบริการ (จำเป็นเมื่อช่องทางเป็นเว็บไซต์)";
static const char MSG_URL_SCHEME[] = "ที่อยู่เว็บไซต์ต้องขึ้นต้นด้วย https:// หรือ http://";
static const char MSG_URL_LONG[] = "ที่อยู่เว็บไซต์ยาวเกิน 500 ตัวอักษร";
static const char MSG_URL_CHARS[] = "ที่อยู่เว็บไซต์ต้องไม่มีช่องว่าง เครื่องหมายคำพูด < > หรืออักขระควบคุม";
static const char MSG_URL_USER[] = "ที่อยู่เว็บไซต์ต้องไม่มีชื่อผู้ใช้หรือรหัสผ่าน (เครื่องหมาย @ หน้าชื่อโดเมน)";
static const char MSG_URL_HOST[] = "ที่อยู่เว็บไซต์ต้องมีชื่อโดเมนที่ถูกต้อง เช่น https://www.example.go.th/";
static const char MSG_URL_PORT[] = "หมายเลขพอร์ตในที่อยู่เว็บไซต์ต้องเป็นตัวเลข 1–65535";
static const char MSG_STEPS_MANY[] = "ขั้นตอนการใช้บริการมีได้ไม่เกิน 20 ข้อ (ข้อละบรรทัด)";
static const char MSG_STEPS_LINE[] = "ขั้นตอนการใช้บริการแต่ละข้อยาวได้ไม่เกิน 500 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)";
static const char MSG_DOCS_MANY[] = "เอกสารที่ต้องใช้มีได้ไม่เกิน 20 รายการ (รายการละบรรทัด)";
static const char MSG_DOCS_LINE[] = "เอกสารที่ต้องใช้แต่ละรายการยาวได้ไม่เกิน 500 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)";
static const char MSG_AREA[] = "พื้นที่ให้บริการไม่ถูกต้อง (ต้องเป็น all ทั่วประเทศ, only เฉพาะจังหวัดที่ระบุ หรือ except "
                               "ทั่วประเทศยกเว้นจังหวัดที่ระบุ)";
static const char MSG_AREA_NONE[] = "กรุณาเลือกจังหวัดอย่างน้อยหนึ่งจังหวัดสำหรับพื้นที่ให้บริการ";
static const char MSG_AREA_CODE[] = "รหัสจังหวัดในพื้นที่ให้บริการต้องเป็นตัวเลข 2 หลัก เช่น 10 (กรุงเทพมหานคร) คั่นด้วย ,";
static const char MSG_AREA_MANY[] = "พื้นที่ให้บริการระบุจังหวัดได้ไม่เกิน 77 จังหวัด";
static const char MSG_SORT[] = "ลำดับการแสดงต้องเป็นจำนวนเต็ม 0–1000000 หรือเว้นว่าง (ต่อท้ายรายการ)";

static const char MSG_LAT[] = "ละติจูดต้องเป็นตัวเลขทศนิยมไม่เกิน 6 ตำแหน่ง เช่น 16.4419";
static const char MSG_LON[] = "ลองจิจูดต้องเป็นตัวเลขทศนิยมไม่เกิน 6 ตำแหน่ง เช่น 102.8360";
static const char MSG_LAT_RANGE[] = "ละติจูดต้องอยู่ระหว่าง 5 ถึง 21 (ประเทศไทย)";
static const char MSG_LON_RANGE[] = "ลองจิจูดต้องอยู่ระหว่าง 97 ถึง 106 (ประเทศไทย)";
static const char MSG_LAT_ALONE[] = "กรุณากรอกละติจูดคู่กับลองจิจูด หรือเว้นว่างทั้งสองช่อง";
static const char MSG_LON_ALONE[] = "กรุณากรอกลองจิจูดคู่กับละติจูด หรือเว้นว่างทั้งสองช่อง";
static const char MSG_PHONE_CHARS[] = "เบอร์โทรศัพท์มีอักขระที่ไม่ใช่ตัวเลข (เว้นวรรคหรือขีดได้ คั่นหลายหมายเลขด้วย ,)";
static const char MSG_PHONE_LENGTH[] = "เบอร์โทรศัพท์แต่ละหมายเลขต้องมี 9 หลัก (โทรศัพท์บ้าน) หรือ 10 หลัก (มือถือ)";
static const char MSG_PHONE_PREFIX[] = "เบอร์โทรศัพท์ไม่ถูกต้อง: โทรศัพท์บ้าน 9 หลักขึ้นต้นด้วย 02–07 "
                                       "มือถือ 10 หลักขึ้นต้นด้วย 06 08 หรือ 09";
static const char MSG_PHONE_MANY[] = "เบอร์โทรศัพท์ใส่ได้ไม่เกิน 4 หมายเลข";
static const char MSG_POINT_STATUS_REQUIRED[] = "กรุณาเลือกสถานะของจุดให้บริการ";
static const char MSG_POINT_STATUS[] = "สถานะของจุดให้บริการไม่ถูกต้อง (ต้องเป็น open, temporarily_closed, closed "
                                       "หรือ planned)";

/* The messages of a free-text field. */
struct text_msgs {
	const char *required, *long_, *utf8, *control;
};

#define REQUIRED_      "กรุณากรอก"
#define TOO_LONG_(max) "ยาวเกิน " #max " ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)"
#define NOT_UTF8_      "มีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)"
#define CONTROL_       "มีอักขระควบคุม (เช่น แท็บหรือขึ้นบรรทัดใหม่)"
#define CONTROL_LINES_ "มีอักขระควบคุมที่ใช้ไม่ได้" /* tab and line feed are fine there */
#define TEXT_MSGS(w, max)                                                                                    \
	{                                                                                                    \
		REQUIRED_ w, w TOO_LONG_(max), w NOT_UTF8_, w CONTROL_                                       \
	}
#define TEXT_MSGS_LINES(w, max)                                                                              \
	{                                                                                                    \
		REQUIRED_ w, w TOO_LONG_(max), w NOT_UTF8_, w CONTROL_LINES_                                 \
	}

static const struct text_msgs M_NAME_TH = TEXT_MSGS("ชื่อบริการภาษาไทย", 300);
static const struct text_msgs M_NAME_EN = TEXT_MSGS("ชื่อบริการภาษาอังกฤษ", 300);
static const struct text_msgs M_AGENCY_TH = TEXT_MSGS("ชื่อหน่วยงานภาษาไทย", 300);
static const struct text_msgs M_AGENCY_EN = TEXT_MSGS("ชื่อหน่วยงานภาษาอังกฤษ", 300);
static const struct text_msgs M_DESC = TEXT_MSGS_LINES("คำอธิบายบริการ", 2000);
static const struct text_msgs M_STEPS = TEXT_MSGS("ขั้นตอนการใช้บริการ", 500);
static const struct text_msgs M_DOCS = TEXT_MSGS("เอกสารที่ต้องใช้", 500);
static const struct text_msgs M_FEES = TEXT_MSGS("ค่าธรรมเนียม", 300);
static const struct text_msgs M_SOURCE = TEXT_MSGS_LINES("แหล่งที่มาของข้อมูล", 2000);
static const struct text_msgs M_NOTE = TEXT_MSGS_LINES("หมายเหตุ", 2000);
static const struct text_msgs M_POINT_NAME = TEXT_MSGS("ชื่อจุดให้บริการ", 300);
static const struct text_msgs M_ADDRESS = TEXT_MSGS("ที่อยู่ของจุดให้บริการ", 600);
static const struct text_msgs M_HOURS = TEXT_MSGS("วันและเวลาให้บริการ", 300);
static const struct text_msgs M_STATUS_NOTE = TEXT_MSGS("หมายเหตุสถานะ", 500);

/* The header's limits and the numbers written in the messages agree. */
_Static_assert(ESVC_NAME_MAX == 300 && ESVC_AGENCY_MAX == 300 && ESVC_URL_MAX == 500, "messages");
_Static_assert(ESVC_DESC_MAX == 2000 && ESVC_LINE_MAX == 500 && ESVC_LIST_MAX == 20, "messages");
_Static_assert(ESVC_FEES_MAX == 300 && ESVC_SORT_MAX == 1000000 && ESVC_CODE_MAX == 40, "messages");
_Static_assert(POINT_NAME_MAX == 300 && POINT_ADDRESS_MAX == 600 && POINT_HOURS_MAX == 300, "messages");
_Static_assert(POINT_NOTE_MAX == 500 && POINT_PHONE_MAX == 60, "messages");

static void err_add(struct eservice_errors *e, const char *field, const char *msg)
{
	if (e->n >= ESVC_MAX_ERRORS)
		return;
	e->e[e->n].field = field;
	e->e[e->n].message = msg;
	e->n++;
}

/* ---- text ------------------------------------------------------------------ */

/* Length of the white space at the start of s[0..n): ASCII white space and
 * the invisible or wide spaces that Thai text pasted from Word, LINE or web
 * pages carries: NBSP, U+2000-U+200D (en/em spaces, zero-width space and
 * joiners), U+202F, U+205F, U+2060, U+3000 and the BOM U+FEFF. 0 = none. */
static size_t space_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n >= 1 && (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r')))
		return 1;
	if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8D) || u[2] == 0xAF))
		return 3;
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x81 && (u[2] == 0x9F || u[2] == 0xA0))
		return 3;
	if (n >= 3 && ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
	               (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)))
		return 3;
	return 0;
}

/* Length of the white space that ends s[0..n) in one character, or 0. */
static size_t space_before(const char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (space_at(s + n - k, k) == k)
			return k;
	return 0;
}

static struct text_span trim_n(const char *s, size_t n)
{
	size_t k;
	while (n && (k = space_at(s, n)) > 0)
		s += k, n -= k;
	while (n && (k = space_before(s, n)) > 0)
		n -= k;
	return (struct text_span){s, n};
}

/* s trimmed; NULL is "". */
static struct text_span trim(const char *s)
{
	return s ? trim_n(s, strlen(s)) : (struct text_span){"", 0};
}

static void span_copy(char *dst, size_t cap, struct text_span s)
{
	size_t n = s.n < cap ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* Checks a trimmed single-line text of at most max bytes into dst (capacity
 * max + 1). Returns false after adding the error. */
static bool check_text(struct text_span s, bool required, size_t max, char *dst, const char *field,
                       const struct text_msgs *m, struct eservice_errors *errs)
{
	enum text_fault f = text_check(s, 0);
	if (s.n == 0 && required)
		err_add(errs, field, m->required);
	else if (f == TEXT_BAD_UTF8)
		err_add(errs, field, m->utf8);
	else if (f == TEXT_CONTROL)
		err_add(errs, field, m->control);
	else if (s.n > max)
		err_add(errs, field, m->long_);
	else {
		span_copy(dst, max + 1, s);
		return true;
	}
	return false;
}

/* Line breaks become "\n" (CR LF and a lone CR too) and each line loses the
 * white space at its end, into dst (capacity cap). Returns the length
 * written, or cap when it did not fit. */
static size_t lines_normalize(struct text_span s, char *dst, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < s.n;) {
		size_t e = i;
		while (e < s.n && s.p[e] != '\n' && s.p[e] != '\r')
			e++;
		struct text_span line = {s.p + i, e - i};
		size_t b;
		while (line.n && (b = space_before(line.p, line.n)) > 0)
			line.n -= b;
		if (k + line.n + 1 > cap)
			return cap;
		memcpy(dst + k, line.p, line.n);
		k += line.n;
		if (e < s.n) {
			dst[k++] = '\n';
			e += (s.p[e] == '\r' && e + 1 < s.n && s.p[e + 1] == '\n') ? 2 : 1;
		}
		i = e;
	}
	dst[k] = '\0';
	return k;
}

/* A text of several lines (description, source, note): line ends
 * normalized, tab and line feed allowed, at most max bytes after that. */
static void check_multiline(struct text_span s, size_t max, char *dst, const char *field,
                            const struct text_msgs *m, struct eservice_errors *errs)
{
	char tmp[ESVC_DESC_MAX * 2 + 1];
	if (s.n >= sizeof tmp) {
		err_add(errs, field, m->long_);
		return;
	}
	size_t n = lines_normalize(s, tmp, sizeof tmp); /* never longer than s */
	enum text_fault f = text_check((struct text_span){tmp, n}, TEXT_ALLOW_TAB | TEXT_ALLOW_LF);
	if (f == TEXT_BAD_UTF8)
		err_add(errs, field, m->utf8);
	else if (f == TEXT_CONTROL)
		err_add(errs, field, m->control);
	else if (n > max)
		err_add(errs, field, m->long_);
	else
		memcpy(dst, tmp, n + 1);
}

/* A list, one item per line (steps, documents): every line trimmed, blank
 * lines dropped, at most ESVC_LIST_MAX items of at most ESVC_LINE_MAX bytes,
 * joined with "\n" into dst (capacity ESVC_TEXT_MAX + 1). */
static void check_list(struct text_span s, char *dst, const char *field, const struct text_msgs *m,
                       const char *msg_many, const char *msg_line, struct eservice_errors *errs)
{
	size_t k = 0, items = 0;
	const char *bad = NULL;
	for (size_t i = 0; i < s.n && !bad;) {
		size_t e = i;
		while (e < s.n && s.p[e] != '\n' && s.p[e] != '\r')
			e++;
		struct text_span line = trim_n(s.p + i, e - i);
		i = e + 1;
		if (!line.n)
			continue;
		enum text_fault f = text_check(line, 0);
		if (f == TEXT_BAD_UTF8)
			bad = m->utf8;
		else if (f == TEXT_CONTROL)
			bad = m->control;
		else if (line.n > ESVC_LINE_MAX)
			bad = msg_line;
		else if (++items > ESVC_LIST_MAX)
			bad = msg_many;
		else {
			if (k)
				dst[k++] = '\n';
			memcpy(dst + k, line.p, line.n);
			k += line.n;
		}
	}
	dst[k] = '\0';
	if (bad) {
		dst[0] = '\0';
		err_add(errs, field, bad);
	}
}

/* One of a NULL-terminated list, or dflt when empty (dflt NULL: required). */
static void check_choice(struct text_span s, const char *const *values, const char *dflt, char *dst,
                         size_t cap, const char *field, const char *msg_required, const char *msg,
                         struct eservice_errors *errs)
{
	if (s.n == 0) {
		if (dflt)
			snprintf(dst, cap, "%s", dflt);
		else
			err_add(errs, field, msg_required);
		return;
	}
	for (size_t i = 0; values[i]; i++)
		if (text_span_eq(s, values[i])) {
			span_copy(dst, cap, s);
			return;
		}
	err_add(errs, field, msg);
}

/* ^[a-z][a-z0-9_]{1,39}$ */
static const char *code_fault(struct text_span s, const char *msg_chars, const char *msg_length)
{
	if (s.p[0] < 'a' || s.p[0] > 'z')
		return msg_chars;
	for (size_t i = 1; i < s.n; i++) {
		char c = s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return msg_chars;
	}
	if (s.n < 2 || s.n > ESVC_CODE_MAX)
		return msg_length;
	return NULL;
}

/* True when s holds a Thai consonant (ก..ฮ, U+0E01-U+0E2E). */
static bool has_thai_letter(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; u[0]; u++)
		if (u[0] == 0xE0 && u[1] == 0xB8 && u[2] >= 0x81 && u[2] <= 0xAE)
			return true;
	return false;
}

/* ---- URL ------------------------------------------------------------------ */

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c >= 0x80;
}

/* The URL rules of eservice.h. The scheme is written in lower case in dst;
 * the rest is kept as typed. '@' before the host is refused: in
 * "https://www.gov.th@evil.example/" the host is evil.example, a trick that
 * has no place in a public catalogue. */
static const char *url_fault(struct text_span s, char *dst)
{
	static const char *const schemes[] = {"https://", "http://"};
	size_t skip = 0;
	for (size_t i = 0; i < N(schemes) && !skip; i++) {
		size_t n = strlen(schemes[i]);
		if (s.n >= n && strncasecmp(s.p, schemes[i], n) == 0)
			skip = n;
	}
	if (!skip)
		return MSG_URL_SCHEME;
	if (text_check(s, 0) != TEXT_OK)
		return MSG_URL_CHARS;
	for (size_t i = 0; i < s.n;) {
		size_t k = space_at(s.p + i, s.n - i);
		char c = s.p[i];
		if (k || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`')
			return MSG_URL_CHARS;
		i++;
	}
	if (s.n > ESVC_URL_MAX)
		return MSG_URL_LONG;
	const char *a = s.p + skip, *end = s.p + s.n;
	const char *ae = a;
	while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
		ae++;
	if (memchr(a, '@', (size_t)(ae - a)))
		return MSG_URL_USER;
	const char *colon = memchr(a, ':', (size_t)(ae - a));
	const char *he = colon ? colon : ae;
	if (colon) {
		long port = 0;
		size_t digits = (size_t)(ae - colon - 1);
		if (digits < 1 || digits > 5)
			return MSG_URL_PORT;
		for (const char *p = colon + 1; p < ae; p++) {
			if (*p < '0' || *p > '9')
				return MSG_URL_PORT;
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return MSG_URL_PORT;
	}
	/* Labels of letters, digits, '-' or non-ASCII (Thai domain names), not
	 * empty, not starting or ending with '-'; at least two of them. */
	size_t labels = 0;
	const char *lab = a;
	for (const char *p = a; p <= he; p++) {
		if (p < he && *p != '.') {
			if (!host_char((unsigned char)*p))
				return MSG_URL_HOST;
			continue;
		}
		if (p == lab || lab[0] == '-' || p[-1] == '-')
			return MSG_URL_HOST;
		labels++;
		lab = p + 1;
	}
	if (labels < 2)
		return MSG_URL_HOST;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	for (size_t i = 0; i < skip; i++)
		if (dst[i] >= 'A' && dst[i] <= 'Z')
			dst[i] = (char)(dst[i] - 'A' + 'a');
	return NULL;
}

/* ---- numbers -------------------------------------------------------------- */

/* Converts s (ASCII or Thai digits, anything else kept) into ASCII in dst.
 * Returns false when it does not fit. */
static bool ascii_digits(struct text_span s, char *dst, size_t cap)
{
	char tmp[128];
	if (s.n >= sizeof tmp)
		return false;
	memcpy(tmp, s.p, s.n);
	tmp[s.n] = '\0';
	return thai_digits_to_ascii(dst, cap, tmp) >= 0;
}

static void check_sort(struct text_span s, int64_t *out, struct eservice_errors *errs)
{
	char d[32];
	*out = ESVC_SORT_AUTO;
	if (s.n == 0)
		return;
	if (!ascii_digits(s, d, sizeof d) || !d[0]) {
		err_add(errs, "sort_order", MSG_SORT);
		return;
	}
	int64_t v = 0;
	for (const char *p = d; *p; p++) {
		if (*p < '0' || *p > '9' || v > ESVC_SORT_MAX) {
			err_add(errs, "sort_order", MSG_SORT);
			return;
		}
		v = v * 10 + (*p - '0');
	}
	if (v > ESVC_SORT_MAX) {
		err_add(errs, "sort_order", MSG_SORT);
		return;
	}
	*out = v;
}

/* ---- eservice_validate ------------------------------------------------------ */

static int code2_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 2);
}

/* The area and its provinces: "10 11 12", ascending, no repeats. */
static void check_area(struct text_span area, struct text_span list, struct eservice *out,
                       struct eservice_errors *errs)
{
	check_choice(area, areas, "all", out->area, sizeof out->area, "area", NULL, MSG_AREA, errs);
	out->area_provinces[0] = '\0';
	if (!out->area[0] || !strcmp(out->area, "all"))
		return; /* the whole country: a list given with it means nothing */
	char codes[ESVC_AREA_MAX][2];
	size_t n = 0;
	for (size_t i = 0; i < list.n;) {
		size_t sp = space_at(list.p + i, list.n - i);
		if (sp || list.p[i] == ',') {
			i += sp ? sp : 1;
			continue;
		}
		char d[3];
		size_t k = 0;
		while (i < list.n && list.p[i] != ',' && !space_at(list.p + i, list.n - i)) {
			int v, used = thai_digit_scan(list.p + i, list.n - i, &v);
			if (!used || k == 2) {
				err_add(errs, "area_provinces", MSG_AREA_CODE);
				return;
			}
			d[k++] = (char)('0' + v);
			i += (size_t)used;
		}
		if (k != 2 || d[0] == '0') {
			err_add(errs, "area_provinces", MSG_AREA_CODE);
			return;
		}
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = codes[j][0] == d[0] && codes[j][1] == d[1];
		if (seen)
			continue;
		if (n == ESVC_AREA_MAX) {
			err_add(errs, "area_provinces", MSG_AREA_MANY);
			return;
		}
		codes[n][0] = d[0];
		codes[n][1] = d[1];
		n++;
	}
	if (!n) {
		err_add(errs, "area_provinces", MSG_AREA_NONE);
		return;
	}
	qsort(codes, n, sizeof codes[0], code2_cmp);
	size_t w = 0;
	for (size_t j = 0; j < n; j++) {
		if (j)
			out->area_provinces[w++] = ' ';
		out->area_provinces[w++] = codes[j][0];
		out->area_provinces[w++] = codes[j][1];
	}
	out->area_provinces[w] = '\0';
}

size_t eservice_validate(const struct eservice_raw *raw, bool for_update,
                         bool (*category_exists)(const char *code, void *ctx), void *ctx,
                         struct eservice *out, struct eservice_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;

	if (!for_update) {
		struct text_span code = trim(raw->code);
		const char *f =
		    code.n ? code_fault(code, MSG_CODE_CHARS, MSG_CODE_LENGTH) : MSG_CODE_REQUIRED;
		if (f)
			err_add(errs, "code", f);
		else
			span_copy(out->code, sizeof out->code, code);
	}

	if (check_text(trim(raw->name_th), true, ESVC_NAME_MAX, out->name_th, "name_th", &M_NAME_TH, errs) &&
	    !has_thai_letter(out->name_th)) {
		out->name_th[0] = '\0';
		err_add(errs, "name_th", MSG_NAME_TH_NO_THAI);
	}
	check_text(trim(raw->name_en), false, ESVC_NAME_MAX, out->name_en, "name_en", &M_NAME_EN, errs);
	check_text(trim(raw->agency_th), true, ESVC_AGENCY_MAX, out->agency_th, "agency_th", &M_AGENCY_TH,
	           errs);
	check_text(trim(raw->agency_en), false, ESVC_AGENCY_MAX, out->agency_en, "agency_en", &M_AGENCY_EN,
	           errs);
	check_choice(trim(raw->agency_type), agency_types, "government", out->agency_type,
	             sizeof out->agency_type, "agency_type", NULL, MSG_AGENCY_TYPE, errs);

	struct text_span cat = trim(raw->category);
	const char *cf =
	    cat.n ? code_fault(cat, MSG_CATEGORY_CHARS, MSG_CATEGORY_CHARS) : MSG_CATEGORY_REQUIRED;
	if (!cf) {
		span_copy(out->category, sizeof out->category, cat);
		if (category_exists && !category_exists(out->category, ctx)) {
			out->category[0] = '\0';
			cf = MSG_CATEGORY_UNKNOWN;
		}
	}
	if (cf)
		err_add(errs, "category", cf);

	check_choice(trim(raw->channel), channels, NULL, out->channel, sizeof out->channel, "channel",
	             MSG_CHANNEL_REQUIRED, MSG_CHANNEL, errs);

	/* A web service is its URL; an app or a LINE account may have none
	 * (the citizen finds it in the store or by its LINE id). */
	struct text_span url = trim(raw->url);
	if (url.n == 0) {
		if (strcmp(out->channel, "web") == 0)
			err_add(errs, "url", MSG_URL_REQUIRED);
	} else {
		const char *uf = url_fault(url, out->url);
		if (uf) {
			out->url[0] = '\0';
			err_add(errs, "url", uf);
		}
	}

	check_multiline(trim(raw->description), ESVC_DESC_MAX, out->description, "description", &M_DESC,
	                errs);
	check_list(trim(raw->steps), out->steps, "steps", &M_STEPS, MSG_STEPS_MANY, MSG_STEPS_LINE, errs);
	check_list(trim(raw->documents), out->documents, "documents", &M_DOCS, MSG_DOCS_MANY, MSG_DOCS_LINE,
	           errs);
	struct text_span fees = trim(raw->fees);
	if (fees.n == 0)
		snprintf(out->fees, sizeof out->fees, "ไม่มี");
	else
		check_text(fees, false, ESVC_FEES_MAX, out->fees, "fees", &M_FEES, errs);
	check_choice(trim(raw->status), statuses, "active", out->status, sizeof out->status, "status", NULL,
	             MSG_STATUS, errs);
	check_sort(trim(raw->sort_order), &out->sort_order, errs);
	check_multiline(trim(raw->source), ESVC_DESC_MAX, out->source, "source", &M_SOURCE, errs);
	check_multiline(trim(raw->note), ESVC_DESC_MAX, out->note, "note", &M_NOTE, errs);
	check_area(trim(raw->area), trim(raw->area_provinces), out, errs);
	return errs->n;
}

/* ---- the search vocabulary ---- */

const char *eservice_search_text_check(const char *in, char *out, size_t cap)
{
	struct text_span s = trim(in);
	out[0] = '\0';
	if (s.n == 0)
		return "กรุณากรอกคำ (ว่างไม่ได้)";
	if (text_check(s, 0) != TEXT_OK)
		return "คำมีอักขระที่อ่านไม่ได้หรืออักขระควบคุม";
	size_t w = 0;
	bool alnum = false;
	for (size_t i = 0; i < s.n;) {
		size_t sp = space_at(s.p + i, s.n - i);
		if (sp) {
			i += sp;
			if (w && out[w - 1] != ' ' && w + 1 < cap)
				out[w++] = ' ';
			continue;
		}
		unsigned char c = (unsigned char)s.p[i];
		alnum |= c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
		if (w + 1 >= cap || w >= ESVC_SEARCH_PHRASE_MAX) {
			out[0] = '\0';
			return "คำยาวเกิน 120 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)";
		}
		out[w++] = s.p[i++];
	}
	out[w] = '\0';
	if (!alnum) {
		out[0] = '\0';
		return "คำต้องมีตัวอักษรหรือตัวเลข";
	}
	return NULL;
}

/* ---- point profiles ------------------------------------------------------------ */

/* A single-line text that may arrive from a textarea (address, hours, a
 * status note): line breaks become one space each, so "ที่ว่าการอำเภอเมือง
 * <Enter> จังหวัดขอนแก่น" is stored as one line, as posters print it. */
static void check_folded(struct text_span s, bool required, size_t max, char *dst, const char *field,
                         const struct text_msgs *m, struct eservice_errors *errs)
{
	char tmp[POINT_ADDRESS_MAX * 2 + 2];
	if (s.n >= sizeof tmp) {
		err_add(errs, field, m->long_);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (c == '\r' || c == '\n') {
			while (k && tmp[k - 1] == ' ')
				k--;
			tmp[k++] = ' ';
			while (i + 1 < s.n && (s.p[i + 1] == '\r' || s.p[i + 1] == '\n' || s.p[i + 1] == ' '))
				i++;
		} else {
			tmp[k++] = c;
		}
	}
	check_text((struct text_span){tmp, k}, required, max, dst, field, m, errs);
}

/* A decimal with up to 6 decimals, ASCII or Thai digits, in [lo, hi] whole
 * degrees. dst gets the canonical ASCII form ("16.4419": no sign, no leading
 * zeros, decimals as typed). */
static const char *coord_fault(struct text_span s, int lo, int hi, char *dst, size_t cap,
                               const char *msg_format, const char *msg_range)
{
	char d[64];
	if (!ascii_digits(s, d, sizeof d))
		return msg_format;
	const char *p = d;
	if (*p == '+')
		p++;
	const char *ip = p;
	while (*p >= '0' && *p <= '9')
		p++;
	size_t nint = (size_t)(p - ip), nfrac = 0;
	const char *fp = NULL;
	if (*p == '.') {
		fp = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		nfrac = (size_t)(p - fp);
		if (nfrac == 0)
			return msg_format;
	}
	if (*p || nint == 0 || nfrac > 6)
		return msg_format;
	while (nint > 1 && *ip == '0')
		ip++, nint--;
	if (nint > 3)
		return msg_range;
	long micro = 0;
	for (size_t i = 0; i < nint; i++)
		micro = micro * 10 + (ip[i] - '0');
	for (size_t i = 0; i < 6; i++)
		micro = micro * 10 + (i < nfrac ? fp[i] - '0' : 0);
	if (micro < (long)lo * 1000000 || micro > (long)hi * 1000000)
		return msg_range;
	snprintf(dst, cap, "%.*s%s%.*s", (int)nint, ip, nfrac ? "." : "", (int)nfrac, fp ? fp : "");
	return NULL;
}

static void check_coords(struct text_span lat, struct text_span lon, struct point_profile *out,
                         struct eservice_errors *errs)
{
	/* A pair copied from a map app ("16.4419, 102.8360") pasted into the
	 * latitude box is split in two. */
	const char *comma = lat.n ? memchr(lat.p, ',', lat.n) : NULL;
	if (comma && lon.n == 0) {
		lon = trim_n(comma + 1, (size_t)(lat.p + lat.n - comma - 1));
		lat = trim_n(lat.p, (size_t)(comma - lat.p));
	}
	if (lat.n == 0 && lon.n == 0)
		return;
	if (lat.n == 0 || lon.n == 0) {
		err_add(errs, lat.n ? "lon" : "lat", lat.n ? MSG_LON_ALONE : MSG_LAT_ALONE);
		return;
	}
	const char *f = coord_fault(lat, 5, 21, out->lat, sizeof out->lat, MSG_LAT, MSG_LAT_RANGE);
	if (f) {
		out->lat[0] = '\0';
		err_add(errs, "lat", f);
	}
	f = coord_fault(lon, 97, 106, out->lon, sizeof out->lon, MSG_LON, MSG_LON_RANGE);
	if (f) {
		out->lon[0] = '\0';
		err_add(errs, "lon", f);
	}
	if (!out->lat[0] || !out->lon[0])
		out->lat[0] = out->lon[0] = '\0';
}

/* Thai numbers separated by ','; each written 02-123-4567 (Bangkok),
 * 043-123-456 (other landlines) or 081-234-5678 (mobile). */
static void check_phones(struct text_span s, char *dst, size_t cap, struct eservice_errors *errs)
{
	size_t w = 0, count = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < s.n;) {
		char d[12];
		size_t k = 0;
		while (i < s.n && s.p[i] != ',') {
			int v, used = thai_digit_scan(s.p + i, s.n - i, &v);
			if (used) {
				if (k < sizeof d - 1)
					d[k] = (char)('0' + v);
				k++;
				i += (size_t)used;
				continue;
			}
			size_t sp = space_at(s.p + i, s.n - i);
			if (s.p[i] == '-')
				sp = 1;
			if (!sp) {
				err_add(errs, "phone", MSG_PHONE_CHARS);
				dst[0] = '\0';
				return;
			}
			i += sp;
		}
		i++; /* the ',' */
		if (k != 9 && k != 10) {
			err_add(errs, "phone", MSG_PHONE_LENGTH);
			dst[0] = '\0';
			return;
		}
		d[k] = '\0';
		if (d[0] != '0' ||
		    !(k == 9 ? d[1] >= '2' && d[1] <= '7' : d[1] == '6' || d[1] == '8' || d[1] == '9')) {
			err_add(errs, "phone", MSG_PHONE_PREFIX);
			dst[0] = '\0';
			return;
		}
		if (++count > 4) {
			err_add(errs, "phone", MSG_PHONE_MANY);
			dst[0] = '\0';
			return;
		}
		int n;
		if (k == 9 && d[1] == '2')
			n = snprintf(dst + w, cap - w, "%s%.2s-%.3s-%.4s", w ? ", " : "", d, d + 2, d + 5);
		else if (k == 9)
			n = snprintf(dst + w, cap - w, "%s%.3s-%.3s-%.3s", w ? ", " : "", d, d + 3, d + 6);
		else
			n = snprintf(dst + w, cap - w, "%s%.3s-%.3s-%.4s", w ? ", " : "", d, d + 3, d + 6);
		w += (size_t)n; /* 4 numbers of at most 14 bytes fit in 60 */
	}
}

/* A day as thai_when_parse reads it (lib/thai.h: B.E. or C.E., "1/10/2567",
 * "1 ต.ค. 2567", "2024-10-01", Thai digits), not before B.E. 2500 (no point
 * opened earlier), and no later than today (opened_on) or than
 * POINT_SCHEDULE_DAYS after it (status_since: a change announced ahead). */
static void check_day(struct text_span s, const char *today_iso, char out[THAI_ISO_DAY_SIZE],
                      const char *field, struct eservice_errors *errs)
{
	static const char *const bad_msgs[] = {"วันที่เปิดให้บริการไม่ถูกต้อง (เช่น 1/10/2567 หรือ 2024-10-01)",
	                                       "วันที่เริ่มสถานะไม่ถูกต้อง (เช่น 1/10/2567 หรือ 2024-10-01)"};
	static const char *const future_msgs[] = {"วันที่เปิดให้บริการต้องไม่เป็นวันในอนาคต",
	                                          "วันที่เริ่มสถานะตั้งล่วงหน้าได้ไม่เกิน 1 ปี"};
	int which = strcmp(field, "opened_on") == 0 ? 0 : 1;
	char d[192];
	struct civil_time lt;
	out[0] = '\0';
	if (s.n == 0)
		return;
	int kind = -1;
	if (s.n < sizeof d) {
		memcpy(d, s.p, s.n);
		d[s.n] = '\0';
		kind = thai_when_parse(d, &lt);
	}
	if (kind != THAI_WHEN_DAY || lt.y < 2500 - THAI_BE_OFFSET) {
		err_add(errs, field, bad_msgs[which]);
		return;
	}
	struct civil_day day = {lt.y, lt.m, lt.d}, today;
	/* A status change may be announced ahead (POINT_SCHEDULE_DAYS); the
	 * opening day is a fact, never in the future. */
	if (today_iso && thai_day_parse(today_iso, &today) == 0) {
		struct civil_day limit = today;
		if (which == 1)
			thai_day_add(&limit, POINT_SCHEDULE_DAYS);
		if (thai_day_cmp(day, limit) > 0) {
			err_add(errs, field, future_msgs[which]);
			return;
		}
	}
	thai_day_iso(day, out);
}

size_t point_validate(const struct point_raw *raw, const char *today_iso, struct point_profile *out,
                      struct eservice_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;
	check_text(trim(raw->name_th), true, POINT_NAME_MAX, out->name_th, "name_th", &M_POINT_NAME, errs);
	check_folded(trim(raw->address), true, POINT_ADDRESS_MAX, out->address, "address", &M_ADDRESS, errs);
	check_coords(trim(raw->lat), trim(raw->lon), out, errs);
	check_folded(trim(raw->hours), true, POINT_HOURS_MAX, out->hours, "hours", &M_HOURS, errs);
	check_phones(trim(raw->phone), out->phone, sizeof out->phone, errs);
	check_day(trim(raw->opened_on), today_iso, out->opened_on, "opened_on", errs);
	check_choice(trim(raw->status), point_statuses, NULL, out->status, sizeof out->status, "status",
	             MSG_POINT_STATUS_REQUIRED, MSG_POINT_STATUS, errs);
	check_day(trim(raw->status_since), today_iso, out->status_since, "status_since", errs);
	out->scheduled = today_iso && out->status_since[0] && strcmp(out->status_since, today_iso) > 0;
	check_folded(trim(raw->status_note), false, POINT_NOTE_MAX, out->status_note, "status_note",
	             &M_STATUS_NOTE, errs);
	return errs->n;
}
