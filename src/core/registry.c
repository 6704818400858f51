#include "core/registry.h"

#include <stdio.h>
#include <string.h>

#include "core/perm.h"
#include "core/text.h"
#include "lib/csv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names and labels ------------------------------------------------ */

static const char *const outcome_names[] = {NULL, "completed", "self_completed", "referred", "not_completed"};
static const char *const outcome_labels[] = {NULL, "ดำเนินการให้แล้วเสร็จ", "แนะนำ ผู้รับบริการดำเนินการเอง",
                                             "ส่งต่อหน่วยงาน", "ไม่สำเร็จ"};
static const char *const channel_names[] = {NULL, "tangrat", "web", "line", "other"};
static const char *const channel_labels[] = {NULL, "แอปพลิเคชันทางรัฐ", "เว็บไซต์ของหน่วยงาน", "LINE", "อื่น ๆ"};

const char *const registry_sexes[] = {"male", "female", "other", NULL};
static const char *const sex_labels[] = {"ชาย", "หญิง", "อื่น ๆ", NULL};
const char *const registry_age_bands[] = {"under_20", "20_39", "40_59", "60_plus", NULL};
static const char *const age_band_labels[] = {"ต่ำกว่า 20 ปี", "20–39 ปี", "40–59 ปี", "60 ปีขึ้นไป", NULL};

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < N(outcome_names) ? outcome_names[o] : NULL;
}

const char *outcome_label_th(enum outcome o)
{
	return (unsigned)o < N(outcome_labels) ? outcome_labels[o] : NULL;
}

enum outcome outcome_from_name(const char *s)
{
	for (size_t i = 1; s && i < N(outcome_names); i++)
		if (strcmp(s, outcome_names[i]) == 0)
			return (enum outcome)i;
	return OUTCOME_NONE;
}

const char *channel_name(enum channel c)
{
	return (unsigned)c < N(channel_names) ? channel_names[c] : NULL;
}

const char *channel_label_th(enum channel c)
{
	return (unsigned)c < N(channel_labels) ? channel_labels[c] : NULL;
}

enum channel channel_from_name(const char *s)
{
	for (size_t i = 1; s && i < N(channel_names); i++)
		if (strcmp(s, channel_names[i]) == 0)
			return (enum channel)i;
	return CHANNEL_NONE;
}

/* The label of value s in a NULL-terminated name list: "" for "", NULL when
 * s is not in the list. */
static const char *list_label(const char *const *names, const char *const *labels, const char *s)
{
	if (!s)
		return NULL;
	if (!*s)
		return "";
	for (size_t i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return labels[i];
	return NULL;
}

const char *registry_sex_label_th(const char *sex)
{
	return list_label(registry_sexes, sex_labels, sex);
}

const char *registry_age_band_label_th(const char *age_band)
{
	return list_label(registry_age_bands, age_band_labels, age_band);
}

/* ---- messages ------------------------------------------------------- */

/* Every message names the field in Thai and what is wrong with it, so a
 * list of errors reads on its own (an import report has no form around it). */
static const char MSG_TIME_FORMAT[] = "วันเวลาที่มารับบริการไม่ถูกต้อง (วัน/เดือน/ปี พ.ศ. และเวลา "
                                      "เช่น 27/11/2569 09:15 หรือ 27 พ.ย. 2569 09:15)";
static const char MSG_TIME_NO_TIME[] = "วันเวลาที่มารับบริการต้องมีเวลาด้วย (เช่น 27/11/2569 09:15)";
static const char MSG_TIME_FUTURE[] = "วันเวลาที่มารับบริการอยู่ในอนาคต";
static const char MSG_TIME_RANGE[] = "วันเวลาที่มารับบริการอยู่นอกช่วงที่ระบบรองรับ";
static const char MSG_TIME_REQUIRED[] = "ต้องระบุวันเวลาที่มารับบริการ (ไฟล์นำเข้าต้องมีทุกแถว)";
const char REGISTRY_MSG_PERIOD_CLOSED[] = "งวดเดือนของวันที่มารับบริการปิดแล้ว (พ้นกำหนดแก้ไขหลังวันตัดยอด) "
                                          "แก้ไขหรือเพิ่มรายการไม่ได้";
const char REGISTRY_MSG_PERIOD_ATTESTED[] =
    "งวดเดือนของวันที่มารับบริการปิดแล้ว (รับรองรายงานประจำเดือนหรือปิดรอบสถิติแล้ว) "
    "แก้ไขหรือเพิ่มรายการไม่ได้";
static const char MSG_NAME_REQUIRED[] = "กรุณากรอกชื่อผู้มารับบริการ";
static const char MSG_NAME_LONG[] = "ชื่อผู้มารับบริการยาวเกิน 200 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)";
static const char MSG_NAME_UTF8[] = "ชื่อผู้มารับบริการมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)";
static const char MSG_NAME_CONTROL[] = "ชื่อผู้มารับบริการมีอักขระควบคุม (เช่น ขึ้นบรรทัดใหม่หรือแท็บ)";
static const char MSG_CID_FORMAT[] = "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก (เว้นวรรคหรือขีดได้)";
static const char MSG_CID_CHECKSUM[] = "เลขประจำตัวประชาชนไม่ถูกต้อง (ตรวจสอบหลักสุดท้ายไม่ผ่าน)";
static const char MSG_PHONE_CHARS[] = "เบอร์โทรศัพท์มีอักขระที่ไม่ใช่ตัวเลข (เว้นวรรคหรือขีดได้)";
static const char MSG_PHONE_LENGTH[] = "เบอร์โทรศัพท์ต้องมี 9 หลัก (โทรศัพท์บ้าน) หรือ 10 หลัก (มือถือ)";
static const char MSG_PHONE_PREFIX[] = "เบอร์โทรศัพท์ไม่ถูกต้อง: โทรศัพท์บ้าน 9 หลักขึ้นต้นด้วย 02–07 "
                                       "มือถือ 10 หลักขึ้นต้นด้วย 06 08 หรือ 09";
static const char MSG_SEX[] = "เพศไม่ถูกต้อง (ต้องเป็น ชาย หญิง อื่น ๆ หรือ male, female, other)";
static const char MSG_AGE_BAND[] = "ช่วงอายุไม่ถูกต้อง (ต้องเป็น ต่ำกว่า 20 ปี, 20–39 ปี, 40–59 ปี, 60 ปีขึ้นไป "
                                   "หรือ under_20, 20_39, 40_59, 60_plus)";
static const char MSG_CHANNEL_REQUIRED[] = "กรุณาเลือกช่องทางที่ใช้บริการ";
static const char MSG_CHANNEL[] = "ช่องทางไม่ถูกต้อง (ต้องเป็น แอปพลิเคชันทางรัฐ, เว็บไซต์ของหน่วยงาน, LINE, อื่น ๆ "
                                  "หรือ tangrat, web, line, other)";
static const char MSG_REMARKS_LONG[] = "หมายเหตุยาวเกิน 1000 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)";
static const char MSG_REMARKS_UTF8[] = "หมายเหตุมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)";
static const char MSG_REMARKS_CONTROL[] = "หมายเหตุมีอักขระควบคุม (ใช้ได้เฉพาะขึ้นบรรทัดใหม่และแท็บ)";
static const char MSG_KEY_LENGTH[] = "รหัสกันส่งซ้ำ (idempotency_key) ต้องยาว 8–80 ตัวอักษร";
static const char MSG_KEY_CHARS[] = "รหัสกันส่งซ้ำ (idempotency_key) ใช้ได้เฉพาะ A–Z a–z 0–9 และ _ - : .";
static const char MSG_SERVICES_NONE[] = "ต้องเลือกบริการอย่างน้อย 1 รายการ";
static const char MSG_SERVICES_MANY[] = "เลือกบริการได้ไม่เกิน 16 รายการต่อผู้มารับบริการ 1 คน";
static const char MSG_SERVICES_CELL[] = "ช่องบริการยาวเกินไป (ไม่เกิน 16 รายการ คั่นด้วย ;)";
static const char MSG_OUTCOMES_MISMATCH[] = "ผลการให้บริการมีมากกว่าจำนวนบริการ (ให้เรียงผลตามลำดับบริการ คั่นด้วย ;)";
static const char MSG_SERVICE_NAME_UNKNOWN[] = "ไม่พบบริการชื่อนี้ในรายการบริการ (หรือเลิกใช้แล้ว)";
const char REGISTRY_MSG_STATUS[] = "สถานะไม่ถูกต้อง (ต้องเป็น ปกติ หรือ ยกเลิก)";
static const char MSG_CODE_REQUIRED[] = "ต้องระบุรหัสบริการ";
static const char MSG_CODE_LONG[] = "รหัสบริการยาวเกิน 63 ตัวอักษร";
static const char MSG_CODE_CHARS[] = "รหัสบริการใช้ได้เฉพาะ A–Z a–z 0–9 และ _ - .";
static const char MSG_CODE_DUPLICATE[] = "เลือกบริการนี้ซ้ำ (แต่ละบริการเลือกได้ครั้งเดียว)";
static const char MSG_CODE_UNKNOWN[] = "ไม่พบบริการนี้ในรายการบริการ หรือเลิกใช้แล้ว";
static const char MSG_OUTCOME_REQUIRED[] = "ต้องระบุผลการให้บริการ";
static const char MSG_OUTCOME[] =
    "ผลการให้บริการไม่ถูกต้อง (ต้องเป็น ดำเนินการให้แล้วเสร็จ, แนะนำ ผู้รับบริการดำเนินการเอง, "
    "ส่งต่อหน่วยงาน, ไม่สำเร็จ หรือ completed, self_completed, referred, not_completed)";

/* registry_error_text copies messages whole, never cutting one inside a
 * Thai letter; the longest ones are checked here. */
_Static_assert(sizeof REGISTRY_MSG_PERIOD_CLOSED <= REGISTRY_MESSAGE_SIZE, "message size");
_Static_assert(sizeof REGISTRY_MSG_PERIOD_ATTESTED <= REGISTRY_MESSAGE_SIZE, "message size");
_Static_assert(sizeof MSG_PHONE_PREFIX <= REGISTRY_MESSAGE_SIZE, "message size");
_Static_assert(sizeof MSG_OUTCOME <= REGISTRY_MESSAGE_SIZE, "message size");

static void err_add(struct registry_errors *e, const char *field, const char *msg)
{
	if (e->n >= REGISTRY_MAX_ERRORS)
		return;
	snprintf(e->e[e->n].field, sizeof e->e[e->n].field, "%s", field);
	e->e[e->n].message = msg;
	e->n++;
}

static void err_add_service(struct registry_errors *e, size_t i, const char *member, const char *msg)
{
	char field[32];
	snprintf(field, sizeof field, "services[%zu].%s", i, member);
	err_add(e, field, msg);
}

/* An outcome error: on the outcomes column when the outcome came from it. */
static void err_add_outcome(struct registry_errors *e, const struct registry_raw *raw, size_t i,
                            const char *msg)
{
	char field[32];
	if (!raw->services[i].outcome_column) {
		err_add_service(e, i, "outcome", msg);
		return;
	}
	snprintf(field, sizeof field, "outcomes[%zu]", i);
	err_add(e, field, msg);
}

const char *registry_error_text(char out[REGISTRY_MESSAGE_SIZE], const struct registry_errors *errs, size_t i,
                                const struct visit_input *in)
{
	out[0] = '\0';
	if (!errs || i >= errs->n || i >= REGISTRY_MAX_ERRORS || !errs->e[i].message)
		return out;
	const char *msg = errs->e[i].message;
	bool closed = msg == REGISTRY_MSG_PERIOD_CLOSED, attested = msg == REGISTRY_MSG_PERIOD_ATTESTED;
	if ((closed || attested) && in && period_valid(in->period)) {
		snprintf(out, REGISTRY_MESSAGE_SIZE, "งวดเดือน %s %d ปิดแล้ว (%s) แก้ไขหรือเพิ่มรายการไม่ได้",
		         thai_month_abbr(in->period.month), thai_year_be(in->period.year),
		         closed ? "พ้นกำหนดแก้ไขหลังวันตัดยอด" : "รับรองรายงานประจำเดือนหรือปิดรอบสถิติแล้ว");
		return out;
	}
	snprintf(out, REGISTRY_MESSAGE_SIZE, "%s", msg);
	return out;
}

/* ---- text helpers ----------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* s without leading and trailing ASCII white space; NULL is empty. */
static struct text_span trim(const char *s)
{
	struct text_span r = {"", 0};
	if (!s)
		return r;
	size_t n = strlen(s);
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	r.p = s;
	r.n = n;
	return r;
}

/* Copies a span into dst (capacity cap); false when it does not fit. */
static bool span_copy(char *dst, size_t cap, struct text_span s)
{
	if (s.n >= cap)
		return false;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return true;
}

/* ---- field checks ----------------------------------------------------- */

static void check_text(struct text_span s, bool multiline, char *dst, size_t max, const char *field,
                       const char *msg_utf8, const char *msg_control, const char *msg_long,
                       struct registry_errors *errs)
{
	enum text_fault f = text_check(s, multiline ? TEXT_ALLOW_TAB | TEXT_ALLOW_LF | TEXT_ALLOW_CR : 0);
	if (f == TEXT_BAD_UTF8)
		err_add(errs, field, msg_utf8);
	else if (f == TEXT_CONTROL)
		err_add(errs, field, msg_control);
	else if (s.n > max)
		err_add(errs, field, msg_long);
	else
		span_copy(dst, max + 1, s);
}

#define CID_MAX_CHARS 40

static void check_cid(struct text_span s, struct visit_input *out, struct registry_errors *errs)
{
	char tmp[CID_MAX_CHARS * 4 + 1];
	if (s.n == 0)
		return;
	/* 13 digits with their separators are far fewer than CID_MAX_CHARS
	 * characters; longer cannot be valid. Counted in characters, not bytes,
	 * so the same ID typed in Thai digits (3 bytes each) or ASCII gets the
	 * same answer (found by fuzz_registry's Thai-digits check). */
	size_t chars = 0;
	for (size_t i = 0; i < s.n; i++)
		chars += ((unsigned char)s.p[i] & 0xC0) != 0x80;
	if (chars > CID_MAX_CHARS || !span_copy(tmp, sizeof tmp, s)) {
		err_add(errs, "cid", MSG_CID_FORMAT);
		return;
	}
	switch (thai_id_check(tmp, out->cid)) {
	case THAI_ID_OK: break;
	case THAI_ID_BAD_FORMAT: err_add(errs, "cid", MSG_CID_FORMAT); break;
	case THAI_ID_BAD_CHECKSUM: err_add(errs, "cid", MSG_CID_CHECKSUM); break;
	}
}

static void check_phone(struct text_span s, struct visit_input *out, struct registry_errors *errs)
{
	char d[12];
	size_t k = 0;
	if (s.n == 0)
		return;
	for (size_t i = 0; i < s.n;) {
		int v, used = thai_digit_scan(s.p + i, s.n - i, &v);
		if (used) {
			if (k < sizeof d - 1)
				d[k] = (char)('0' + v);
			k++;
			i += (size_t)used;
		} else if (s.p[i] == ' ' || s.p[i] == '-') {
			i++;
		} else {
			err_add(errs, "phone", MSG_PHONE_CHARS);
			return;
		}
	}
	if (k != 9 && k != 10) {
		err_add(errs, "phone", MSG_PHONE_LENGTH);
		return;
	}
	d[k] = '\0';
	bool ok =
	    d[0] == '0' && (k == 9 ? d[1] >= '2' && d[1] <= '7' : d[1] == '6' || d[1] == '8' || d[1] == '9');
	if (!ok) {
		err_add(errs, "phone", MSG_PHONE_PREFIX);
		return;
	}
	memcpy(out->phone, d, k + 1);
}

/* One of a NULL-terminated list of values, or "" (not given). */
static void check_choice(struct text_span s, const char *const *values, char *dst, size_t cap,
                         const char *field, const char *msg, struct registry_errors *errs)
{
	if (s.n == 0)
		return;
	for (size_t i = 0; values[i]; i++)
		if (text_span_eq(s, values[i]) && span_copy(dst, cap, s))
			return;
	err_add(errs, field, msg);
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == ':' || c == '.';
}

static void check_key(struct text_span s, struct visit_input *out, struct registry_errors *errs)
{
	if (s.n == 0)
		return;
	for (size_t i = 0; i < s.n; i++)
		if (!key_char(s.p[i])) {
			err_add(errs, "idempotency_key", MSG_KEY_CHARS);
			return;
		}
	if (s.n < 8 || s.n > VISIT_KEY_MAX) {
		err_add(errs, "idempotency_key", MSG_KEY_LENGTH);
		return;
	}
	span_copy(out->idempotency_key, sizeof out->idempotency_key, s);
}

static bool code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

static bool span_ascii(struct text_span s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] >= 0x80)
			return false;
	return true;
}

/* The code of the service named s, or NULL. A name longer than any real one
 * (the catalogue allows 300 bytes) is not looked up. */
static const char *by_name(struct text_span s, const struct registry_rules *rules)
{
	char name[512];
	if (!rules->service_by_name || !span_copy(name, sizeof name, s))
		return NULL;
	const char *code = rules->service_by_name(name, rules->ctx);
	return code && *code && strlen(code) < VISIT_CODE_MAX ? code : NULL;
}

enum validate_flags {
	VALIDATE_TIME_REQUIRED = 1 << 0,     /* import: no "now" default */
	VALIDATE_SERVICES_OVERFLOW = 1 << 1, /* import: the services cell did not fit */
};

static void check_time(struct text_span s, const struct registry_rules *rules, unsigned flags,
                       struct visit_input *out, struct registry_errors *errs)
{
	int64_t t = rules->now;
	if (s.n == 0 && (flags & VALIDATE_TIME_REQUIRED)) {
		err_add(errs, "visited_at", MSG_TIME_REQUIRED);
		return;
	}
	if (s.n > 0) {
		/* "วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569 เวลา 09:15:30 น." is 150 bytes
		 * with Thai digits: a longer cell cannot be a date-time. */
		char tmp[192];
		struct civil_time lt;
		int kind = span_copy(tmp, sizeof tmp, s) ? thai_when_parse(tmp, &lt) : -1;
		if (kind == THAI_WHEN_DAY) {
			err_add(errs, "visited_at", MSG_TIME_NO_TIME);
			return;
		}
		if (kind != THAI_WHEN_TIME || thai_local_to_epoch(&lt, &t) < 0) {
			err_add(errs, "visited_at", MSG_TIME_FORMAT);
			return;
		}
	}
	struct civil_day day, today;
	struct period p;
	if (thai_epoch_day(t, &day) < 0 || period_of_day(day.y, day.m, day.d, rules->cutoff_day, &p) < 0) {
		err_add(errs, "visited_at", MSG_TIME_RANGE);
		return;
	}
	out->visited_at = t;
	out->day = day;
	out->period = p;
	out->year_be = thai_year_be(day.y);
	if (t > rules->now && t - rules->now > REGISTRY_CLOCK_SKEW) {
		err_add(errs, "visited_at", MSG_TIME_FUTURE);
		return;
	}
	/* period_state fails closed, so a "today" we cannot compute closes. */
	if (thai_epoch_day(t > rules->now ? t : rules->now, &today) < 0)
		today.y = 0;
	if (!period_is_open(p, rules->cutoff_day, today, rules->grace_days, false)) {
		err_add(errs, "visited_at", REGISTRY_MSG_PERIOD_CLOSED);
		return;
	}
	if (rules->period_attested && rules->period_attested(p, rules->ctx))
		err_add(errs, "visited_at", REGISTRY_MSG_PERIOD_ATTESTED);
}

static void check_services(const struct registry_raw *raw, const struct registry_rules *rules, unsigned flags,
                           struct visit_input *out, struct registry_errors *errs)
{
	size_t count = raw->nservices, given = 0;
	bool too_many = raw->too_many_services || count > VISIT_MAX_SERVICES;
	if (flags & VALIDATE_SERVICES_OVERFLOW) {
		err_add(errs, "services", MSG_SERVICES_CELL);
		return;
	}
	if (count > VISIT_MAX_SERVICES)
		count = VISIT_MAX_SERVICES;
	if (too_many)
		err_add(errs, "services", MSG_SERVICES_MANY);
	/* Well-formed codes seen so far, for the duplicate rule. */
	char seen[VISIT_MAX_SERVICES][VISIT_CODE_MAX];
	size_t nseen = 0;
	for (size_t i = 0; i < count; i++) {
		struct text_span code = trim(raw->services[i].code), oc = trim(raw->services[i].outcome);
		if (code.n == 0 && oc.n == 0)
			continue; /* an empty row of the form */
		given++;
		bool ok = true;
		const char *code_err = NULL;
		if (code.n == 0) {
			code_err = MSG_CODE_REQUIRED;
		} else if (code.n >= VISIT_CODE_MAX) {
			code_err = MSG_CODE_LONG;
		} else {
			for (size_t k = 0; k < code.n && !code_err; k++)
				if (!code_char(code.p[k]))
					code_err = MSG_CODE_CHARS;
		}
		if (code_err && code.n) {
			/* Not a code: a service's Thai name (an import, a pasted name). */
			const char *found = by_name(code, rules);
			if (found) {
				code = (struct text_span){found, strlen(found)};
				code_err = NULL;
			} else if (!span_ascii(code) || rules->service_by_name) {
				code_err = MSG_SERVICE_NAME_UNKNOWN;
			}
		}
		if (!code_err) {
			for (size_t k = 0; k < nseen && !code_err; k++)
				if (text_span_eq(code, seen[k]))
					code_err = MSG_CODE_DUPLICATE;
			if (!code_err) {
				span_copy(seen[nseen++], VISIT_CODE_MAX, code);
				if (rules->service_exists &&
				    !rules->service_exists(seen[nseen - 1], rules->ctx))
					code_err = MSG_CODE_UNKNOWN;
			}
		}
		if (code_err) {
			err_add_service(errs, i, "code", code_err);
			ok = false;
		}
		enum outcome o = OUTCOME_NONE;
		char name[16];
		if (oc.n == 0) {
			err_add_outcome(errs, raw, i, MSG_OUTCOME_REQUIRED);
			ok = false;
		} else if (!span_copy(name, sizeof name, oc) ||
		           (o = outcome_from_name(name)) == OUTCOME_NONE) {
			err_add_outcome(errs, raw, i, MSG_OUTCOME);
			ok = false;
		}
		if (!ok)
			continue;
		struct visit_service *vs = &out->services[out->nservices++];
		span_copy(vs->code, sizeof vs->code, code);
		vs->outcome = o;
	}
	if (given == 0 && !too_many)
		err_add(errs, "services", MSG_SERVICES_NONE);
	if (raw->outcomes_mismatch)
		err_add(errs, "outcomes", MSG_OUTCOMES_MISMATCH);
}

static int validate(const struct registry_raw *raw, const struct registry_rules *rules, unsigned flags,
                    struct visit_input *out, struct registry_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;

	check_time(trim(raw->visited_at), rules, flags, out, errs);

	struct text_span name = trim(raw->visitor_name);
	if (name.n == 0)
		err_add(errs, "visitor_name", MSG_NAME_REQUIRED);
	else
		check_text(name, false, out->visitor_name, VISIT_NAME_MAX, "visitor_name", MSG_NAME_UTF8,
		           MSG_NAME_CONTROL, MSG_NAME_LONG, errs);

	check_cid(trim(raw->cid), out, errs);
	check_phone(trim(raw->phone), out, errs);
	check_choice(trim(raw->sex), registry_sexes, out->sex, sizeof out->sex, "sex", MSG_SEX, errs);
	check_choice(trim(raw->age_band), registry_age_bands, out->age_band, sizeof out->age_band, "age_band",
	             MSG_AGE_BAND, errs);

	struct text_span ch = trim(raw->channel);
	char chname[16];
	if (ch.n == 0)
		err_add(errs, "channel", MSG_CHANNEL_REQUIRED);
	else if (!span_copy(chname, sizeof chname, ch) ||
	         (out->channel = channel_from_name(chname)) == CHANNEL_NONE)
		err_add(errs, "channel", MSG_CHANNEL);

	struct text_span remarks = trim(raw->remarks);
	if (remarks.n)
		check_text(remarks, true, out->remarks, VISIT_REMARKS_MAX, "remarks", MSG_REMARKS_UTF8,
		           MSG_REMARKS_CONTROL, MSG_REMARKS_LONG, errs);

	check_key(trim(raw->idempotency_key), out, errs);
	check_services(raw, rules, flags, out, errs);
	return (int)errs->n;
}

int registry_validate(const struct registry_raw *raw, const struct registry_rules *rules,
                      struct visit_input *out, struct registry_errors *errs)
{
	return validate(raw, rules, 0, out, errs);
}

void registry_number_format(char out[32], int64_t seq, int year_be, bool thai_digits)
{
	char ascii[48];
	snprintf(ascii, sizeof ascii, "%lld/%d", (long long)seq, year_be);
	/* Thai digits take 3 bytes each: a sequence past 6 digits does not fit
	 * in 32 bytes, and then the ASCII form is written instead. */
	if (thai_digits && thai_digits_from_ascii(out, 32, ascii) >= 0)
		return;
	size_t n = strlen(ascii);
	if (n > 31)
		n = 31;
	memcpy(out, ascii, n);
	out[n] = '\0';
}

/* ---- import ----------------------------------------------------------- */

const char *const registry_column_names[REGISTRY_COL__COUNT] = {
    "visited_at", "visitor_name",    "cid",      "phone",  "sex",    "age_band", "channel", "services",
    "remarks",    "idempotency_key", "outcomes", "status", "number",
};
const char *const registry_column_labels_th[REGISTRY_COL__COUNT] = {
    "วันเวลาที่มารับบริการ",
    "ชื่อผู้มารับบริการ",
    "เลขประจำตัวประชาชน",
    "เบอร์โทรศัพท์",
    "เพศ",
    "ช่วงอายุ",
    "ช่องทาง",
    "บริการ",
    "หมายเหตุ",
    "รหัสกันส่งซ้ำ",
    "ผลการให้บริการ",
    "สถานะ",
    "ลำดับที่",
};
/* More header names: our own export's (export_registry_columns in
 * render/export.h) and the usual variants. Compared folded (header_fold). */
static const char *const column_aliases[REGISTRY_COL__COUNT][4] = {
    [REGISTRY_COL_VISITED_AT] = {"วันเวลา", "วันที่และเวลา", "วันที่มารับบริการ", NULL},
    [REGISTRY_COL_VISITOR_NAME] = {"ชื่อ-สกุล", "ชื่อ-นามสกุล", "ชื่อผู้รับบริการ", NULL},
    [REGISTRY_COL_CID] = {"เลขบัตรประชาชน", "เลขประจำตัวประชาชน13หลัก", NULL},
    [REGISTRY_COL_PHONE] = {"โทรศัพท์", "หมายเลขโทรศัพท์", "เบอร์โทร", NULL},
    [REGISTRY_COL_CHANNEL] = {"ช่องทางที่ใช้", "ช่องทางที่ใช้บริการ", NULL},
    [REGISTRY_COL_SERVICES] = {"บริการe-service", "บริการที่ให้", NULL},
};
static const bool column_required[REGISTRY_COL__COUNT] = {
    [REGISTRY_COL_VISITED_AT] = true,
    [REGISTRY_COL_VISITOR_NAME] = true,
    [REGISTRY_COL_CHANNEL] = true,
    [REGISTRY_COL_SERVICES] = true,
};

/* A header cell folded for matching: ASCII lower case, no white space (nor
 * U+00A0, U+200B), every dash (- U+2013 U+2014 U+2212) as '-'. false when it
 * does not fit (no header name is that long). */
static bool header_fold(struct text_span h, char *out, size_t cap)
{
	static const char *const dashes[] = {"\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x88\x92"};
	static const char *const blanks[] = {"\xC2\xA0", "\xE2\x80\x8B"};
	size_t o = 0;
	for (size_t i = 0; i < h.n;) {
		char c = h.p[i];
		size_t skip = 0;
		for (size_t k = 0; k < N(blanks) && !skip; k++)
			if (h.n - i >= strlen(blanks[k]) && !memcmp(h.p + i, blanks[k], strlen(blanks[k])))
				skip = strlen(blanks[k]);
		if (is_space(c) || skip) {
			i += skip ? skip : 1;
			continue;
		}
		for (size_t k = 0; k < N(dashes); k++)
			if (h.n - i >= 3 && !memcmp(h.p + i, dashes[k], 3)) {
				c = '-';
				i += 2;
			}
		if (o + 1 >= cap)
			return false;
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		i++;
	}
	out[o] = '\0';
	return true;
}

static bool header_is(const char *folded, enum registry_column k)
{
	char want[128];
	if (!strcmp(folded, registry_column_names[k]) ||
	    (header_fold(trim(registry_column_labels_th[k]), want, sizeof want) && !strcmp(folded, want)))
		return true;
	for (size_t a = 0; a < N(column_aliases[k]) && column_aliases[k][a]; a++)
		if (header_fold(trim(column_aliases[k][a]), want, sizeof want) && !strcmp(folded, want))
			return true;
	return false;
}

/* Copies span s into dst (cap bytes), cut at a UTF-8 character boundary. */
static void copy_cut(char *dst, size_t cap, struct text_span s)
{
	size_t n = s.n < cap ? s.n : cap - 1;
	while (n < s.n && n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

int registry_columns_find(const struct csv *header, struct registry_columns *out, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	memset(out, 0, sizeof *out);
	for (int k = 0; k < REGISTRY_COL__COUNT; k++)
		out->idx[k] = -1;
	for (size_t i = 0; i < header->nfields; i++) {
		struct text_span h = trim(header->fields[i]);
		char folded[256];
		if (!h.n || !header_fold(h, folded, sizeof folded))
			continue;
		for (int k = 0; k < REGISTRY_COL__COUNT; k++) {
			if (!header_is(folded, (enum registry_column)k))
				continue;
			if (out->idx[k] >= 0) {
				if (errlen)
					snprintf(err, errlen,
					         "คอลัมน์ %s (%s) ซ้ำกันในแถวหัวตาราง (คอลัมน์ที่ %d \"%s\" และ %zu "
					         "\"%s\")",
					         registry_column_names[k], registry_column_labels_th[k],
					         out->idx[k] + 1, out->header[k], i + 1, header->fields[i]);
				return -1;
			}
			out->idx[k] = (int)i;
			copy_cut(out->header[k], sizeof out->header[k], h);
		}
	}
	for (int k = 0; k < REGISTRY_COL__COUNT; k++)
		if (column_required[k] && out->idx[k] < 0) {
			if (errlen)
				snprintf(err, errlen, "ไม่พบคอลัมน์ %s (%s) ในแถวหัวตาราง",
				         registry_column_names[k], registry_column_labels_th[k]);
			return -1;
		}
	return 0;
}

/* Record rec's cell of column k, or NULL. Our CSV export guards a cell that
 * starts with = + - @ TAB or CR with a leading apostrophe (formula
 * injection, render/export.h); the apostrophe is taken off again here, so
 * "'=1+1" reads back as "=1+1". */
static const char *cell(const struct csv *rec, const struct registry_columns *cols, enum registry_column k)
{
	int i = cols->idx[k];
	const char *s = i >= 0 && (size_t)i < rec->nfields ? rec->fields[i] : NULL;
	if (s && s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
		s++;
	return s;
}

/* A cell holding a Thai label becomes the API name (static); anything else
 * is returned as is, for registry_validate to judge. */
static const char *from_label(const char *s, const char *const *names, const char *const *labels, size_t n)
{
	struct text_span t = trim(s);
	for (size_t i = 0; i < n; i++)
		if (names[i] && labels[i] && text_span_eq(t, labels[i]))
			return names[i];
	return s;
}

/* Appends span s and a NUL to scratch; NULL when it does not fit. */
static char *scratch_put(char *scratch, size_t cap, size_t *used, const char *s, size_t n)
{
	if (n + 1 > cap - *used)
		return NULL;
	char *r = scratch + *used;
	memcpy(r, s, n);
	r[n] = '\0';
	*used += n + 1;
	return r;
}

/* Splits a copy of cell s (in scratch) into its items at ';' and line breaks,
 * skipping empty ones. Returns the number of items (at most max; *more set
 * when there were more), or -1 when the cell does not fit. */
static int split_items(const char *s, char *scratch, size_t cap, size_t *used, char **items, size_t max,
                       bool *more)
{
	char *copy = scratch_put(scratch, cap, used, s, strlen(s));
	if (!copy)
		return -1;
	size_t n = 0;
	for (char *item = copy; item;) {
		char *next = item + strcspn(item, ";\r\n");
		char *rest = *next ? next + 1 : NULL;
		*next = '\0';
		if (trim(item).n > 0) {
			if (n == max) {
				*more = true;
				break;
			}
			items[n++] = item;
		}
		item = rest;
	}
	return (int)n;
}

/* An ID as our exports mask it: digits, separators and X, x or * only, with at
 * least one mask letter ("X-XXXX-XXXX1-83-8"). */
static bool cid_masked(const char *s)
{
	struct text_span t = trim(s);
	bool mask = false;
	for (size_t i = 0; i < t.n; i++) {
		char c = t.p[i];
		if (c == 'X' || c == 'x' || c == '*')
			mask = true;
		else if (!(c >= '0' && c <= '9') && c != '-' && c != ' ')
			return false;
	}
	return mask;
}

int registry_raw_from_record(const struct csv *rec, const struct registry_columns *cols,
                             struct registry_raw *raw, char *scratch, size_t scratch_len)
{
	memset(raw, 0, sizeof *raw);
	raw->visited_at = cell(rec, cols, REGISTRY_COL_VISITED_AT);
	raw->visitor_name = cell(rec, cols, REGISTRY_COL_VISITOR_NAME);
	raw->cid = cell(rec, cols, REGISTRY_COL_CID);
	if (raw->cid && cid_masked(raw->cid))
		raw->cid = NULL; /* the export holds no ID, only its mask */
	raw->phone = cell(rec, cols, REGISTRY_COL_PHONE);
	raw->remarks = cell(rec, cols, REGISTRY_COL_REMARKS);
	raw->idempotency_key = cell(rec, cols, REGISTRY_COL_IDEMPOTENCY_KEY);
	raw->channel = from_label(cell(rec, cols, REGISTRY_COL_CHANNEL), channel_names, channel_labels,
	                          N(channel_names));
	raw->sex =
	    from_label(cell(rec, cols, REGISTRY_COL_SEX), registry_sexes, sex_labels, N(sex_labels) - 1);
	raw->age_band = from_label(cell(rec, cols, REGISTRY_COL_AGE_BAND), registry_age_bands,
	                           age_band_labels, N(age_band_labels) - 1);

	size_t used = 0;
	const char *svc = cell(rec, cols, REGISTRY_COL_SERVICES),
	           *oc = cell(rec, cols, REGISTRY_COL_OUTCOMES);
	char *items[VISIT_MAX_SERVICES], *outcomes[VISIT_MAX_SERVICES + 1];
	int n = 0, no = 0;
	bool more_outcomes = false;
	if (svc && (n = split_items(svc, scratch, scratch_len, &used, items, VISIT_MAX_SERVICES,
	                            &raw->too_many_services)) < 0)
		return -1;
	if (oc && (no = split_items(oc, scratch, scratch_len, &used, outcomes, VISIT_MAX_SERVICES + 1,
	                            &more_outcomes)) < 0) {
		raw->too_many_services = false;
		return -1;
	}
	raw->outcomes_mismatch = no > n && !raw->too_many_services;
	for (int i = 0; i < n; i++) {
		char *colon = strrchr(items[i], ':');
		const char *outcome = NULL;
		if (colon) {
			*colon = '\0';
			outcome = colon + 1;
		} else if (i < no) {
			outcome = outcomes[i];
			raw->services[i].outcome_column = true;
		}
		raw->services[i].code = items[i];
		raw->services[i].outcome =
		    outcome ? from_label(outcome, outcome_names, outcome_labels, N(outcome_names)) : NULL;
	}
	raw->nservices = (size_t)n;
	return 0;
}

int registry_validate_record(const struct csv *rec, const struct registry_columns *cols,
                             const struct registry_rules *rules, struct visit_input *out,
                             struct registry_errors *errs)
{
	struct registry_raw raw;
	char scratch[REGISTRY_SCRATCH_SIZE];
	unsigned flags = VALIDATE_TIME_REQUIRED;
	if (registry_raw_from_record(rec, cols, &raw, scratch, sizeof scratch) < 0)
		flags |= VALIDATE_SERVICES_OVERFLOW;
	return validate(&raw, rules, flags, out, errs);
}

static bool span_eq_nocase(struct text_span s, const char *lit)
{
	if (strlen(lit) != s.n)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char a = s.p[i], b = lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

enum registry_row_status registry_record_status(const struct csv *rec, const struct registry_columns *cols)
{
	if (text_span_eq(trim(cell(rec, cols, REGISTRY_COL_NUMBER)), "รวม"))
		return REGISTRY_ROW_TOTALS;
	struct text_span t = trim(cell(rec, cols, REGISTRY_COL_STATUS));
	static const char void_th[] = "ยกเลิก";
	if (!t.n || text_span_eq(t, "ปกติ") || span_eq_nocase(t, "active"))
		return REGISTRY_ROW_ACTIVE;
	if ((t.n >= sizeof void_th - 1 && !memcmp(t.p, void_th, sizeof void_th - 1)) ||
	    span_eq_nocase(t, "void"))
		return REGISTRY_ROW_VOID;
	return REGISTRY_ROW_BAD_STATUS;
}

enum registry_column registry_error_column(const char *field, int *item)
{
	unsigned i;
	char member[16];
	*item = -1;
	if (sscanf(field, "services[%u].%15s", &i, member) == 2) {
		*item = (int)i;
		return REGISTRY_COL_SERVICES;
	}
	if (sscanf(field, "outcomes[%u]", &i) == 1) {
		*item = (int)i;
		return REGISTRY_COL_OUTCOMES;
	}
	for (int k = 0; k < REGISTRY_COL__COUNT; k++)
		if (!strcmp(field, registry_column_names[k]))
			return (enum registry_column)k;
	return REGISTRY_COL__COUNT;
}

const char *registry_record_error_text(char out[REGISTRY_REPORT_SIZE], const struct registry_columns *cols,
                                       const struct registry_errors *errs, size_t i,
                                       const struct visit_input *in, size_t row)
{
	char msg[REGISTRY_MESSAGE_SIZE];
	registry_error_text(msg, errs, i, in);
	out[0] = '\0';
	if (!errs || i >= errs->n)
		return out;
	int item;
	enum registry_column k = registry_error_column(errs->e[i].field, &item);
	const char *header = k < REGISTRY_COL__COUNT && cols->idx[k] >= 0 ? cols->header[k] : NULL;
	/* No such column in the file: the outcome of an item that has none. */
	if (!header && k == REGISTRY_COL_OUTCOMES && cols->idx[REGISTRY_COL_SERVICES] >= 0)
		header = cols->header[REGISTRY_COL_SERVICES];
	/* The message is whole (the size holds the longest one); snprintf
	 * only guards the bounds. */
	int n;
	if (!header)
		n = snprintf(out, REGISTRY_REPORT_SIZE, "แถวที่ %zu: ", row);
	else if (item >= 0)
		n = snprintf(out, REGISTRY_REPORT_SIZE, "แถวที่ %zu คอลัมน์ \"%s\" รายการที่ %d: ", row, header,
		             item + 1);
	else
		n = snprintf(out, REGISTRY_REPORT_SIZE, "แถวที่ %zu คอลัมน์ \"%s\": ", row, header);
	if (n > 0 && (size_t)n < REGISTRY_REPORT_SIZE && strlen(msg) < REGISTRY_REPORT_SIZE - (size_t)n)
		memcpy(out + n, msg, strlen(msg) + 1);
	return out;
}

enum err registry_may(enum registry_action a, const struct registry_entry_facts *f)
{
	switch (a) {
	case REGISTRY_EDIT:
	case REGISTRY_VOID:
		if (!f->own_district)
			return ERR_NOT_OWN_DISTRICT;
		if (!f->active)
			return ERR_ALREADY_VOID;
		if (a == REGISTRY_EDIT && f->purged)
			return ERR_PURGED;
		return f->period_open ? ERR_OK : ERR_PERIOD_CLOSED;
	case REGISTRY_REVEAL:
		if (f->role < ROLE_DISTRICT_ADMIN)
			return ERR_FORBIDDEN;
		if (!f->active)
			return ERR_ALREADY_VOID;
		return f->has_cid && !f->purged ? ERR_OK : ERR_NO_CID;
	}
	return ERR_FORBIDDEN;
}
