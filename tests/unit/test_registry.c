/* Unit tests for src/core/registry.c: every field rule of registry_validate
 * (alone and several at once), the period and clock rules, running numbers
 * and the CSV importer's row mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/registry.h"
#include "lib/csv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures --------------------------------------------------------- */

/* "Now" is 2024-02-27 10:00 Bangkok with cut-off 25 and 3 grace days:
 * period 2024-03 is current, 2024-02 in its grace days (open until 02-28),
 * 2024-01 closed. */
#define NOW_ISO "2024-02-27T10:00:00"

struct ctx {
	const char *unknown; /* a code service_exists denies */
	struct period attested;
	int service_calls, attest_calls;
};

static bool svc_exists(const char *code, void *p)
{
	struct ctx *c = p;
	c->service_calls++;
	return !(c->unknown && strcmp(code, c->unknown) == 0);
}

static bool period_attested(struct period p, void *arg)
{
	struct ctx *c = arg;
	c->attest_calls++;
	return period_cmp(p, c->attested) == 0;
}

static int64_t at(const char *iso)
{
	int64_t t = 0;
	assert_int_equal(thai_datetime_parse(iso, &t), 0);
	return t;
}

static struct registry_rules rules_at(const char *now_iso, struct ctx *c)
{
	struct registry_rules r = {
	    .now = at(now_iso),
	    .cutoff_day = 25,
	    .grace_days = 3,
	    .service_exists = svc_exists,
	    .period_attested = period_attested,
	    .ctx = c,
	};
	return r;
}

/* Test-local parser of "code:outcome;code:outcome" ("code" alone: outcome
 * NULL; ":" an empty row), independent of registry_raw_from_record. */
static char svc_buf[4096];
static void set_services(struct registry_raw *raw, const char *spec)
{
	raw->nservices = 0;
	if (!spec || !*spec)
		return;
	snprintf(svc_buf, sizeof svc_buf, "%s", spec);
	for (char *item = svc_buf; item;) {
		char *semi = strchr(item, ';');
		if (semi)
			*semi = '\0';
		char *colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		raw->services[raw->nservices].code = item;
		raw->services[raw->nservices].outcome = colon ? colon + 1 : NULL;
		raw->nservices++;
		item = semi ? semi + 1 : NULL;
	}
}

static void base_raw(struct registry_raw *raw)
{
	memset(raw, 0, sizeof *raw);
	raw->visitor_name = "สมชาย ใจดี";
	raw->channel = "tangrat";
	set_services(raw, "tangrat_signup:completed");
}

/* ---- the table -------------------------------------------------------- */

/* Messages, spelled out so a changed message is a visible test change. */
#define M_TIME_FORMAT                                                                                        \
	"วันเวลาที่มารับบริการไม่ถูกต้อง (วัน/เดือน/ปี พ.ศ. และเวลา เช่น 27/11/2569 09:15 หรือ 27 พ.ย. 2569 09:15)"
#define M_TIME_NO_TIME "วันเวลาที่มารับบริการต้องมีเวลาด้วย (เช่น 27/11/2569 09:15)"
#define M_TIME_FUTURE  "วันเวลาที่มารับบริการอยู่ในอนาคต"
#define M_CLOSED       "งวดเดือนของวันที่มารับบริการปิดแล้ว (พ้นกำหนดแก้ไขหลังวันตัดยอด) แก้ไขหรือเพิ่มรายการไม่ได้"
#define M_ATTESTED     "งวดเดือนของวันที่มารับบริการปิดแล้ว (รับรองรายงานประจำเดือนหรือปิดรอบสถิติแล้ว) แก้ไขหรือเพิ่มรายการไม่ได้"
#define M_NAME_REQ     "กรุณากรอกชื่อผู้มารับบริการ"
#define M_NAME_LONG    "ชื่อผู้มารับบริการยาวเกิน 200 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)"
#define M_NAME_UTF8    "ชื่อผู้มารับบริการมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)"
#define M_NAME_CTRL    "ชื่อผู้มารับบริการมีอักขระควบคุม (เช่น ขึ้นบรรทัดใหม่หรือแท็บ)"
#define M_CID_FORMAT   "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก (เว้นวรรคหรือขีดได้)"
#define M_CID_SUM      "เลขประจำตัวประชาชนไม่ถูกต้อง (ตรวจสอบหลักสุดท้ายไม่ผ่าน)"
#define M_PHONE_CHARS  "เบอร์โทรศัพท์มีอักขระที่ไม่ใช่ตัวเลข (เว้นวรรคหรือขีดได้)"
#define M_PHONE_LEN    "เบอร์โทรศัพท์ต้องมี 9 หลัก (โทรศัพท์บ้าน) หรือ 10 หลัก (มือถือ)"
#define M_PHONE_PRE    "เบอร์โทรศัพท์ไม่ถูกต้อง: โทรศัพท์บ้าน 9 หลักขึ้นต้นด้วย 02–07 มือถือ 10 หลักขึ้นต้นด้วย 06 08 หรือ 09"
#define M_SEX          "เพศไม่ถูกต้อง (ต้องเป็น ชาย หญิง อื่น ๆ หรือ male, female, other)"
#define M_AGE                                                                                                \
	"ช่วงอายุไม่ถูกต้อง (ต้องเป็น ต่ำกว่า 20 ปี, 20–39 ปี, 40–59 ปี, 60 ปีขึ้นไป หรือ under_20, 20_39, 40_59, 60_plus)"
#define M_CHANNEL_REQ "กรุณาเลือกช่องทางที่ใช้บริการ"
#define M_CHANNEL                                                                                            \
	"ช่องทางไม่ถูกต้อง (ต้องเป็น แอปพลิเคชันทางรัฐ, เว็บไซต์ของหน่วยงาน, LINE, อื่น ๆ หรือ tangrat, web, line, other)"
#define M_REMARKS_LONG "หมายเหตุยาวเกิน 1000 ไบต์ (อักษรไทยใช้ตัวละ 3 ไบต์)"
#define M_REMARKS_UTF8 "หมายเหตุมีอักขระที่อ่านไม่ได้ (ไม่ใช่ UTF-8)"
#define M_REMARKS_CTRL "หมายเหตุมีอักขระควบคุม (ใช้ได้เฉพาะขึ้นบรรทัดใหม่และแท็บ)"
#define M_KEY_LEN      "รหัสกันส่งซ้ำ (idempotency_key) ต้องยาว 8–80 ตัวอักษร"
#define M_KEY_CHARS    "รหัสกันส่งซ้ำ (idempotency_key) ใช้ได้เฉพาะ A–Z a–z 0–9 และ _ - : ."
#define M_SVC_NONE     "ต้องเลือกบริการอย่างน้อย 1 รายการ"
#define M_SVC_MANY     "เลือกบริการได้ไม่เกิน 16 รายการต่อผู้มารับบริการ 1 คน"
#define M_SVC_CELL     "ช่องบริการยาวเกินไป (ไม่เกิน 16 รายการ คั่นด้วย ;)"
#define M_SVC_NAME     "ไม่พบบริการชื่อนี้ในรายการบริการ (หรือเลิกใช้แล้ว)"
#define M_OUTCOMES_N   "ผลการให้บริการมีมากกว่าจำนวนบริการ (ให้เรียงผลตามลำดับบริการ คั่นด้วย ;)"
#define M_CODE_REQ     "ต้องระบุรหัสบริการ"
#define M_CODE_LONG    "รหัสบริการยาวเกิน 63 ตัวอักษร"
#define M_CODE_CHARS   "รหัสบริการใช้ได้เฉพาะ A–Z a–z 0–9 และ _ - ."
#define M_CODE_DUP     "เลือกบริการนี้ซ้ำ (แต่ละบริการเลือกได้ครั้งเดียว)"
#define M_CODE_UNKNOWN "ไม่พบบริการนี้ในรายการบริการ หรือเลิกใช้แล้ว"
#define M_OUTCOME_REQ  "ต้องระบุผลการให้บริการ"
#define M_OUTCOME                                                                                                                                                                                                                                                                                                    \
	"ผลการให้บริการไม่ถูกต้อง (ต้องเป็น ดำเนินการให้แล้วเสร็จ, แนะนำ ผู้รับบริการดำเนินการเอง, ส่งต่อหน่วยงาน, " \
	"ไม่สำเร็จ หรือ completed, self_completed, referred, not_completed)"
#define M_TIME_REQ "ต้องระบุวันเวลาที่มารับบริการ (ไฟล์นำเข้าต้องมีทุกแถว)"

struct want {
	const char *field, *message;
};

struct vcase {
	const char *name;
	const char *visited_at, *visitor_name, *cid, *phone, *sex, *age_band, *channel, *remarks, *key;
	const char *services; /* "code:outcome;..."; NULL = one valid service */
	struct want want[12]; /* the errors in order; none = valid */
	/* For valid cases: the normalized values expected in out (NULL: not checked). */
	const char *want_cid, *want_phone, *want_name;
};

static const struct vcase cases[] = {
    /* ---- valid entries ---- */
    {.name = "minimal"},
    {.name = "all fields",
     .visited_at = "2024-02-27T09:30",
     .visitor_name = "นางสาวสมหญิง รักไทย",
     .cid = "1103702071838",
     .phone = "0812345678",
     .sex = "female",
     .age_band = "60_plus",
     .channel = "web",
     .remarks = "ช่วยสมัคร\r\nทางรัฐ\tแล้ว",
     .key = "abcdefgh-1234:x.y_z",
     .services = "tangrat_signup:completed;nhso_rights_check:referred",
     .want_cid = "1103702071838",
     .want_phone = "0812345678",
     .want_name = "นางสาวสมหญิง รักไทย"},
    {.name = "name trimmed", .visitor_name = " \t สมชาย ใจดี \r\n", .want_name = "สมชาย ใจดี"},
    {.name = "name with zero-width space", .visitor_name = "สมชาย\xe2\x80\x8bใจดี"},
    {.name = "name Latin and accents", .visitor_name = "José Ñúñez-O'Brien"},
    {.name = "cid hyphens", .cid = "1-1037-02071-83-8", .want_cid = "1103702071838"},
    {.name = "cid spaces, trimmed", .cid = "  1 1037 02071 83 8\t", .want_cid = "1103702071838"},
    {.name = "cid Thai digits", .cid = "๑๑๐๓๗๐๒๐๗๑๘๓๘", .want_cid = "1103702071838"},
    {.name = "cid mixed digits", .cid = "๑-1037-๐๒๐๗๑-83-๘", .want_cid = "1103702071838"},
    {.name = "phone mobile", .phone = "0812345678", .want_phone = "0812345678"},
    {.name = "phone hyphens", .phone = "08-1234-5678", .want_phone = "0812345678"},
    {.name = "phone Thai digits", .phone = "๐๘๑๒๓๔๕๖๗๘", .want_phone = "0812345678"},
    {.name = "phone landline", .phone = "021234567", .want_phone = "021234567"},
    {.name = "phone landline spaced", .phone = "02 123 4567", .want_phone = "021234567"},
    {.name = "phone 06", .phone = "0612345678", .want_phone = "0612345678"},
    {.name = "phone 09", .phone = "091-234-5678", .want_phone = "0912345678"},
    {.name = "phone upcountry", .phone = "053-123-456", .want_phone = "053123456"},
    {.name = "phone 07", .phone = "073123456", .want_phone = "073123456"},
    {.name = "visited_at with seconds", .visited_at = "2024-02-27T09:30:15"},
    {.name = "visited_at Thai digits", .visited_at = "๒๐๒๔-๐๒-๒๗T๐๙:๓๐"},
    {.name = "visited_at trimmed", .visited_at = " 2024-02-27T09:30 "},
    {.name = "visited_at a minute ahead", .visited_at = "2024-02-27T10:01:00"},
    {.name = "visited_at in grace days", .visited_at = "2024-02-25T23:59"},
    {.name = "visited_at first day of period", .visited_at = "2024-02-26T00:00"},
    {.name = "sex male", .sex = "male"},
    {.name = "sex other", .sex = "other"},
    {.name = "age under_20", .age_band = "under_20"},
    {.name = "age 20_39", .age_band = "20_39"},
    {.name = "age 40_59", .age_band = "40_59"},
    {.name = "channel line", .channel = "line"},
    {.name = "channel other", .channel = " other "},
    {.name = "every outcome", .services = "a:completed;b:self_completed;c:referred;d:not_completed"},
    {.name = "blank service rows skipped", .services = ":;tangrat_signup:completed; : "},
    {.name = "code characters", .services = "A-z_0.9:completed"},
    {.name = "key 8", .key = "abcdefgh"},
    {.name = "key 80",
     .key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    {.name = "key UUID", .key = "0f8fad5b-d9cb-469f-a165-70867728950e"},
    {.name = "remarks Thai", .remarks = "ผู้สูงอายุ มากับบุตร"},

    /* ---- visited_at ---- */
    /* thai_when_parse's forms (lib/thai.h): B.E. and C.E., Thai digits */
    {.name = "time space", .visited_at = "2024-02-27 09:30"},
    {.name = "time one-digit hour", .visited_at = "2024-02-27T9:30"},
    {.name = "time B.E.", .visited_at = "27/02/2567 09:30"},
    {.name = "time B.E. 2-digit year", .visited_at = "27/2/67 9:30"},
    {.name = "time C.E. day first", .visited_at = "27/02/2024 09:30"},
    {.name = "time Thai month", .visited_at = "27 ก.พ. 2567 09:30 น."},
    {.name = "time Thai digits", .visited_at = "๒๗/๐๒/๒๕๖๗ ๐๙:๓๐"},
    {.name = "time B.E. as C.E. ISO",
     .visited_at = "2567-02-27T09:30",
     .want = {{"visited_at", M_TIME_FUTURE}}},
    {.name = "time no such day", .visited_at = "2024-02-30T09:00", .want = {{"visited_at", M_TIME_FORMAT}}},
    {.name = "time hour 24", .visited_at = "2024-02-27T24:00", .want = {{"visited_at", M_TIME_FORMAT}}},
    {.name = "time zone", .visited_at = "2024-02-27T09:30Z", .want = {{"visited_at", M_TIME_FORMAT}}},
    {.name = "time B.E. day", .visited_at = "27/02/2567", .want = {{"visited_at", M_TIME_NO_TIME}}},
    {.name = "time date only", .visited_at = "2024-02-27", .want = {{"visited_at", M_TIME_NO_TIME}}},
    {.name = "time text", .visited_at = "เมื่อวาน", .want = {{"visited_at", M_TIME_FORMAT}}},
    {.name = "time 61 s ahead", .visited_at = "2024-02-27T10:01:01", .want = {{"visited_at", M_TIME_FUTURE}}},
    {.name = "time tomorrow", .visited_at = "2024-02-28T10:00", .want = {{"visited_at", M_TIME_FUTURE}}},
    {.name = "time next year", .visited_at = "2025-01-01T00:00", .want = {{"visited_at", M_TIME_FUTURE}}},
    {.name = "time closed period", .visited_at = "2024-01-25T12:00", .want = {{"visited_at", M_CLOSED}}},
    {.name = "time last year", .visited_at = "2023-12-26T08:00", .want = {{"visited_at", M_CLOSED}}},
    {.name = "time year 1", .visited_at = "0001-01-01T00:00", .want = {{"visited_at", M_CLOSED}}},

    /* ---- visitor_name ---- */
    {.name = "name missing", .visitor_name = "", .want = {{"visitor_name", M_NAME_REQ}}},
    {.name = "name blank", .visitor_name = " \t\r\n ", .want = {{"visitor_name", M_NAME_REQ}}},
    {.name = "name newline", .visitor_name = "สม\nชาย", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name tab", .visitor_name = "สม\tชาย", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name C0", .visitor_name = "a\x01z", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name escape", .visitor_name = "a\x1b[31mz", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name DEL", .visitor_name = "a\x7fz", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name C1 NEL", .visitor_name = "a\xc2\x85z", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name bidi override", .visitor_name = "a\xe2\x80\xaez", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name bidi isolate", .visitor_name = "a\xe2\x81\xa6z", .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name line separator",
     .visitor_name = "a\xe2\x80\xa8z",
     .want = {{"visitor_name", M_NAME_CTRL}}},
    {.name = "name 0xFF", .visitor_name = "a\xffz", .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name truncated", .visitor_name = "สมชา\xe0\xb8", .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name lone continuation", .visitor_name = "a\x80z", .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name overlong slash", .visitor_name = "a\xc0\xafz", .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name overlong 3-byte",
     .visitor_name = "a\xe0\x80\xafz",
     .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name surrogate", .visitor_name = "a\xed\xa0\x80z", .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name past U+10FFFF",
     .visitor_name = "a\xf4\x90\x80\x80z",
     .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name control then bad UTF-8",
     .visitor_name = "a\x01\xff",
     .want = {{"visitor_name", M_NAME_UTF8}}},
    {.name = "name Latin-1", .visitor_name = "Jos\xe9", .want = {{"visitor_name", M_NAME_UTF8}}},

    /* ---- cid ---- */
    {.name = "cid short", .cid = "123", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid 12 digits", .cid = "110370207183", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid 14 digits", .cid = "11037020718380", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid checksum", .cid = "1103702071839", .want = {{"cid", M_CID_SUM}}},
    {.name = "cid checksum Thai digits", .cid = "๑๑๐๓๗๐๒๐๗๑๘๓๙", .want = {{"cid", M_CID_SUM}}},
    {.name = "cid checksum hyphens", .cid = "1-1037-02071-83-0", .want = {{"cid", M_CID_SUM}}},
    {.name = "cid letter", .cid = "110370207183x", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid dots", .cid = "1.1037.02071.83.8", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid inner tab", .cid = "1103702\t071838", .want = {{"cid", M_CID_FORMAT}}},
    {.name = "cid very long",
     .cid = "1103702071838110370207183811037020718381103702071838110370207183811037020718381103702071838"
            "1103702071838110370207183811037020718381103702071838",
     .want = {{"cid", M_CID_FORMAT}}},

    /* ---- phone ---- */
    {.name = "phone 5 digits", .phone = "12345", .want = {{"phone", M_PHONE_LEN}}},
    {.name = "phone starts 1", .phone = "1812345678", .want = {{"phone", M_PHONE_PRE}}},
    {.name = "phone 11 digits", .phone = "08123456789", .want = {{"phone", M_PHONE_LEN}}},
    {.name = "phone 9 digits 08", .phone = "081234567", .want = {{"phone", M_PHONE_PRE}}},
    {.name = "phone 9 digits 01", .phone = "012345678", .want = {{"phone", M_PHONE_PRE}}},
    {.name = "phone 10 digits 02", .phone = "0212345678", .want = {{"phone", M_PHONE_PRE}}},
    {.name = "phone 00", .phone = "0012345678", .want = {{"phone", M_PHONE_PRE}}},
    {.name = "phone letter", .phone = "0812a45678", .want = {{"phone", M_PHONE_CHARS}}},
    {.name = "phone +66", .phone = "+66812345678", .want = {{"phone", M_PHONE_CHARS}}},
    {.name = "phone parentheses", .phone = "(02)1234567", .want = {{"phone", M_PHONE_CHARS}}},
    {.name = "phone hyphens only", .phone = "---", .want = {{"phone", M_PHONE_LEN}}},
    {.name = "phone 30 digits", .phone = "081234567808123456780812345678", .want = {{"phone", M_PHONE_LEN}}},

    /* ---- sex, age_band, channel ---- */
    {.name = "sex letter", .sex = "M", .want = {{"sex", M_SEX}}},
    {.name = "sex case", .sex = "Male", .want = {{"sex", M_SEX}}},
    {.name = "sex Thai label", .sex = "ชาย", .want = {{"sex", M_SEX}}},
    {.name = "age hyphen", .age_band = "20-39", .want = {{"age_band", M_AGE}}},
    {.name = "age unknown", .age_band = "over_60", .want = {{"age_band", M_AGE}}},
    {.name = "channel missing", .channel = "", .want = {{"channel", M_CHANNEL_REQ}}},
    {.name = "channel blank", .channel = "  ", .want = {{"channel", M_CHANNEL_REQ}}},
    {.name = "channel unknown", .channel = "facebook", .want = {{"channel", M_CHANNEL}}},
    {.name = "channel case", .channel = "TANGRAT", .want = {{"channel", M_CHANNEL}}},
    {.name = "channel Thai label", .channel = "แอปพลิเคชันทางรัฐ", .want = {{"channel", M_CHANNEL}}},

    /* ---- remarks ---- */
    {.name = "remarks bell", .remarks = "ok\x07", .want = {{"remarks", M_REMARKS_CTRL}}},
    {.name = "remarks NUL-like C1", .remarks = "ok\xc2\x80", .want = {{"remarks", M_REMARKS_CTRL}}},
    {.name = "remarks bad UTF-8", .remarks = "ok\xfe", .want = {{"remarks", M_REMARKS_UTF8}}},

    /* ---- idempotency_key ---- */
    {.name = "key short", .key = "short", .want = {{"idempotency_key", M_KEY_LEN}}},
    {.name = "key 7", .key = "abcdefg", .want = {{"idempotency_key", M_KEY_LEN}}},
    {.name = "key 81",
     .key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     .want = {{"idempotency_key", M_KEY_LEN}}},
    {.name = "key inner space", .key = "abcd efgh", .want = {{"idempotency_key", M_KEY_CHARS}}},
    {.name = "key slash", .key = "abc/defgh", .want = {{"idempotency_key", M_KEY_CHARS}}},
    {.name = "key Thai", .key = "กขคงจฉชซ", .want = {{"idempotency_key", M_KEY_CHARS}}},

    /* ---- services ---- */
    {.name = "services none", .services = "", .want = {{"services", M_SVC_NONE}}},
    {.name = "services only blank rows", .services = ":; :", .want = {{"services", M_SVC_NONE}}},
    {.name = "service duplicate",
     .services = "tangrat_signup:completed;tangrat_signup:referred",
     .want = {{"services[1].code", M_CODE_DUP}}},
    {.name = "service duplicate after spaces",
     .services = "a:completed;b:completed; a :referred",
     .want = {{"services[2].code", M_CODE_DUP}}},
    {.name = "service unknown",
     .services = "tangrat_signup:completed;retired_svc:completed",
     .want = {{"services[1].code", M_CODE_UNKNOWN}}},
    {.name = "service outcome unknown",
     .services = "tangrat_signup:done",
     .want = {{"services[0].outcome", M_OUTCOME}}},
    {.name = "service outcome case",
     .services = "tangrat_signup:Completed",
     .want = {{"services[0].outcome", M_OUTCOME}}},
    {.name = "service outcome Thai",
     .services = "tangrat_signup:ไม่สำเร็จ",
     .want = {{"services[0].outcome", M_OUTCOME}}},
    {.name = "service outcome missing",
     .services = "tangrat_signup",
     .want = {{"services[0].outcome", M_OUTCOME_REQ}}},
    {.name = "service outcome blank",
     .services = "tangrat_signup: ",
     .want = {{"services[0].outcome", M_OUTCOME_REQ}}},
    {.name = "service code missing", .services = ":completed", .want = {{"services[0].code", M_CODE_REQ}}},
    {.name = "service code space",
     .services = "bad code:completed",
     .want = {{"services[0].code", M_CODE_CHARS}}},
    {.name = "service code slash", .services = "a/b:completed", .want = {{"services[0].code", M_CODE_CHARS}}},
    /* Thai text is a service's name, never a malformed code (issue 9). */
    {.name = "service code Thai", .services = "ทางรัฐ:completed", .want = {{"services[0].code", M_SVC_NAME}}},
    {.name = "service Thai name longer than a code",
     .services = "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ (พอร์ทัลกลางเพื่อประชาชน):completed",
     .want = {{"services[0].code", M_SVC_NAME}}},
    {.name = "service both bad",
     .services = "a:completed;x y:nope",
     .want = {{"services[1].code", M_CODE_CHARS}, {"services[1].outcome", M_OUTCOME}}},
    {.name = "service rows numbered from 0 with blanks",
     .services = ":;:;a:bad",
     .want = {{"services[2].outcome", M_OUTCOME}}},

    /* ---- several at once ---- */
    {.name = "several",
     .visitor_name = "",
     .cid = "1103702071839",
     .phone = "12345",
     .channel = "fb",
     .services = "",
     .want = {{"visitor_name", M_NAME_REQ},
              {"cid", M_CID_SUM},
              {"phone", M_PHONE_LEN},
              {"channel", M_CHANNEL},
              {"services", M_SVC_NONE}}},
    {.name = "every field",
     .visited_at = "2024-13-01T00:00",
     .visitor_name = "a\x01",
     .cid = "123",
     .phone = "08x",
     .sex = "f",
     .age_band = "old",
     .channel = "sms",
     .remarks = "\xff",
     .key = "no",
     .services = "x y:maybe",
     .want = {{"visited_at", M_TIME_FORMAT},
              {"visitor_name", M_NAME_CTRL},
              {"cid", M_CID_FORMAT},
              {"phone", M_PHONE_CHARS},
              {"sex", M_SEX},
              {"age_band", M_AGE},
              {"channel", M_CHANNEL},
              {"remarks", M_REMARKS_UTF8},
              {"idempotency_key", M_KEY_LEN},
              {"services[0].code", M_CODE_CHARS},
              {"services[0].outcome", M_OUTCOME}}},
    {.name = "future and unknown service",
     .visited_at = "2030-01-01T00:00",
     .services = "retired_svc:completed",
     .want = {{"visited_at", M_TIME_FUTURE}, {"services[0].code", M_CODE_UNKNOWN}}},
};

static void run_case(const struct vcase *c)
{
	struct ctx cx = {.unknown = "retired_svc"};
	struct registry_rules rules = rules_at(NOW_ISO, &cx);
	struct registry_raw raw;
	base_raw(&raw);
#define SET(f, v)                                                                                            \
	if (c->v)                                                                                            \
	raw.f = c->v
	SET(visited_at, visited_at);
	SET(visitor_name, visitor_name);
	SET(cid, cid);
	SET(phone, phone);
	SET(sex, sex);
	SET(age_band, age_band);
	SET(channel, channel);
	SET(remarks, remarks);
	SET(idempotency_key, key);
#undef SET
	if (c->services)
		set_services(&raw, c->services);

	struct visit_input out;
	struct registry_errors errs;
	memset(&errs, 0xA5, sizeof errs);
	int rc = registry_validate(&raw, &rules, &out, &errs);
	size_t nwant = 0;
	while (nwant < N(c->want) && c->want[nwant].field)
		nwant++;
	if ((size_t)rc != nwant || errs.n != nwant)
		print_error("case \"%s\": %d errors, want %zu\n", c->name, rc, nwant);
	for (size_t i = 0; i < errs.n; i++)
		if (i >= nwant || strcmp(errs.e[i].field, c->want[i].field) != 0 ||
		    strcmp(errs.e[i].message, c->want[i].message) != 0)
			print_error("case \"%s\": error %zu is %s: %s\n", c->name, i, errs.e[i].field,
			            errs.e[i].message);
	assert_int_equal(rc, nwant);
	assert_int_equal(errs.n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_string_equal(errs.e[i].field, c->want[i].field);
		assert_string_equal(errs.e[i].message, c->want[i].message);
	}
	if (nwant)
		return;
	if (c->want_cid)
		assert_string_equal(out.cid, c->want_cid);
	else if (!c->cid)
		assert_string_equal(out.cid, "");
	if (c->want_phone)
		assert_string_equal(out.phone, c->want_phone);
	if (c->want_name)
		assert_string_equal(out.visitor_name, c->want_name);
	assert_true(out.nservices >= 1 && out.nservices <= VISIT_MAX_SERVICES);
	assert_true(out.channel != CHANNEL_NONE);
}

static void test_table(void **state)
{
	for (size_t i = 0; i < N(cases); i++)
		run_case(&cases[i]);
}

/* ---- focused tests ------------------------------------------------------ */

static int validate(struct registry_raw *raw, const char *now_iso, struct ctx *cx, struct visit_input *out,
                    struct registry_errors *errs)
{
	struct registry_rules rules = rules_at(now_iso, cx);
	return registry_validate(raw, &rules, out, errs);
}

/* An entry's fields land in out as given (trimmed, normalized). */
static void test_output(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	base_raw(&raw);
	raw.visited_at = "2024-02-27T09:30:15";
	raw.cid = "๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘";
	raw.phone = " 08-1234-5678 ";
	raw.sex = "female";
	raw.age_band = "40_59";
	raw.channel = "line";
	raw.remarks = "  บรรทัดหนึ่ง\nบรรทัดสอง  ";
	raw.idempotency_key = " form:1234-abcd ";
	set_services(&raw, " tangrat_signup : self_completed ;nhso_rights_check:not_completed");
	struct visit_input out;
	struct registry_errors errs;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(out.visited_at, at("2024-02-27T09:30:15"));
	assert_int_equal(out.day.y, 2024);
	assert_int_equal(out.day.m, 2);
	assert_int_equal(out.day.d, 27);
	assert_int_equal(out.period.year, 2024);
	assert_int_equal(out.period.month, 3);
	assert_int_equal(out.year_be, 2567);
	assert_string_equal(out.visitor_name, "สมชาย ใจดี");
	assert_string_equal(out.cid, "1103702071838");
	assert_string_equal(out.phone, "0812345678");
	assert_string_equal(out.sex, "female");
	assert_string_equal(out.age_band, "40_59");
	assert_int_equal(out.channel, CHANNEL_LINE);
	assert_string_equal(out.remarks, "บรรทัดหนึ่ง\nบรรทัดสอง");
	assert_string_equal(out.idempotency_key, "form:1234-abcd");
	assert_int_equal(out.nservices, 2);
	assert_string_equal(out.services[0].code, "tangrat_signup");
	assert_int_equal(out.services[0].outcome, OUTCOME_SELF_COMPLETED);
	assert_string_equal(out.services[1].code, "nhso_rights_check");
	assert_int_equal(out.services[1].outcome, OUTCOME_NOT_COMPLETED);
	assert_int_equal(cx.service_calls, 2);

	/* Optional fields not given (NULL and "" alike) come out as "". */
	base_raw(&raw);
	raw.cid = "";
	raw.phone = NULL;
	raw.sex = " ";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_string_equal(out.cid, "");
	assert_string_equal(out.phone, "");
	assert_string_equal(out.sex, "");
	assert_string_equal(out.age_band, "");
	assert_string_equal(out.remarks, "");
	assert_string_equal(out.idempotency_key, "");
}

/* visited_at not given is now; a minute of skew is allowed, not more. */
static void test_clock(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	base_raw(&raw);
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(out.visited_at, at(NOW_ISO));
	raw.visited_at = "  ";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(out.visited_at, at(NOW_ISO));

	raw.visited_at = "2024-02-27T10:01:00";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	raw.visited_at = "2024-02-27T10:01:01";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_TIME_FUTURE);
}

static void fill(char *buf, size_t n, const char *unit)
{
	size_t u = strlen(unit), k = 0;
	while (k + u <= n) {
		memcpy(buf + k, unit, u);
		k += u;
	}
	buf[k] = '\0';
}

/* Byte limits, at the limit and one past, in ASCII and in Thai (3 bytes). */
static void test_lengths(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	char name[VISIT_NAME_MAX + 8], remarks[VISIT_REMARKS_MAX + 8], padded[VISIT_NAME_MAX + 16];

	base_raw(&raw);
	fill(name, VISIT_NAME_MAX, "a");
	raw.visitor_name = name;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(strlen(out.visitor_name), VISIT_NAME_MAX);
	snprintf(padded, sizeof padded, "   %s \t", name); /* trimmed before measuring */
	raw.visitor_name = padded;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	fill(name, VISIT_NAME_MAX + 1, "a");
	raw.visitor_name = name;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "visitor_name");
	assert_string_equal(errs.e[0].message, M_NAME_LONG);
	fill(name, 198, "ก"); /* 66 Thai letters = 198 bytes */
	raw.visitor_name = name;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	fill(name, 201, "ก"); /* 67 = 201 bytes */
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_NAME_LONG);

	base_raw(&raw);
	fill(remarks, VISIT_REMARKS_MAX, "x\n");
	raw.remarks = remarks;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	fill(remarks, VISIT_REMARKS_MAX, "ข"); /* 999 bytes */
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(strlen(out.remarks), 999);
	fill(remarks, VISIT_REMARKS_MAX + 1, "a");
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "remarks");
	assert_string_equal(errs.e[0].message, M_REMARKS_LONG);

	/* Codes: 63 bytes fit VISIT_CODE_MAX with the NUL, 64 do not. */
	char code[VISIT_CODE_MAX + 8];
	base_raw(&raw);
	fill(code, VISIT_CODE_MAX - 1, "c");
	raw.services[0].code = code;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_string_equal(out.services[0].code, code);
	fill(code, VISIT_CODE_MAX, "c");
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "services[0].code");
	assert_string_equal(errs.e[0].message, M_CODE_LONG);
}

/* 16 services are fine; more is one error on "services", whether the caller
 * flagged it or passed a count past the array. */
/* A Thai ID is judged the same in ASCII and in Thai digits, however many
 * separators it carries (the cap counts characters, not bytes: found by
 * fuzz_registry). */
static void test_cid_digits_alike(void **state)
{
	(void)state;
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	static const char *const pairs[][2] = {
	    {"1-1037-02071-83-8", "๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘"},
	    {"1103702071838", "๑๑๐๓๗๐๒๐๗๑๘๓๘"},
	    /* 13 digits and 27 hyphens: 40 characters, still read */
	    {"110370---------------------------2071838", "๑๑๐๓๗๐---------------------------๒๐๗๑๘๓๘"},
	    /* 114 characters: too long in both */
	    {"110370-------------------------------------------------------------------------------------"
	     "----------------2071838",
	     "๑๑๐๓๗๐-------------------------------------------------------------------------------------"
	     "----------------๒๐๗๑๘๓๘"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		base_raw(&raw);
		raw.cid = pairs[i][0];
		int a = validate(&raw, NOW_ISO, &cx, &out, &errs);
		const char *fa = a ? errs.e[0].field : "";
		char ca[THAI_ID_SIZE];
		memcpy(ca, out.cid, sizeof ca);
		raw.cid = pairs[i][1];
		int b = validate(&raw, NOW_ISO, &cx, &out, &errs);
		assert_int_equal(a, b);
		if (a)
			assert_string_equal(fa, "cid");
		else
			assert_string_equal(ca, out.cid);
		assert_int_equal(a, i == 3 ? 1 : 0);
	}
}

static void test_many_services(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	static char codes[VISIT_MAX_SERVICES][16];
	base_raw(&raw);
	for (size_t i = 0; i < VISIT_MAX_SERVICES; i++) {
		snprintf(codes[i], sizeof codes[i], "svc_%zu", i);
		raw.services[i].code = codes[i];
		raw.services[i].outcome = "completed";
	}
	raw.nservices = VISIT_MAX_SERVICES;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(out.nservices, VISIT_MAX_SERVICES);
	assert_string_equal(out.services[15].code, "svc_15");

	raw.too_many_services = true;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "services");
	assert_string_equal(errs.e[0].message, M_SVC_MANY);

	raw.too_many_services = false;
	raw.nservices = VISIT_MAX_SERVICES + 5; /* a caller's bug: never read past the array */
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_SVC_MANY);

	/* With too many, the rows present are still checked. */
	raw.too_many_services = true;
	raw.nservices = VISIT_MAX_SERVICES;
	raw.services[3].outcome = "nope";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 2);
	assert_string_equal(errs.e[1].field, "services[3].outcome");
}

/* 16 bad rows give 32 errors; with every other field wrong too the list stops
 * at REGISTRY_MAX_ERRORS, dropping only trailing service errors. */
static void test_error_cap(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	memset(&raw, 0, sizeof raw);
	raw.visited_at = "x";
	raw.visitor_name = "\x01";
	raw.cid = "1";
	raw.phone = "1";
	raw.sex = "x";
	raw.age_band = "x";
	raw.channel = "x";
	raw.remarks = "\x01";
	raw.idempotency_key = "x";
	for (size_t i = 0; i < VISIT_MAX_SERVICES; i++) {
		raw.services[i].code = "bad code";
		raw.services[i].outcome = "bad";
	}
	raw.nservices = VISIT_MAX_SERVICES;
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), REGISTRY_MAX_ERRORS);
	assert_int_equal(errs.n, REGISTRY_MAX_ERRORS);
	assert_string_equal(errs.e[0].field, "visited_at");
	assert_string_equal(errs.e[8].field, "idempotency_key");
	assert_string_equal(errs.e[9].field, "services[0].code");
	assert_string_equal(errs.e[39].field, "services[15].code");
	assert_int_equal(cx.service_calls, 0); /* malformed codes never reach the catalogue */
}

/* Closed periods: by grace days (the callback is not even asked) and by
 * attestation (the callback says so). */
static void test_periods(void **state)
{
	struct ctx cx = {.attested = {2024, 2}};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	base_raw(&raw);

	raw.visited_at = "2024-02-26T08:00"; /* period 2024-03: open */
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);
	assert_int_equal(cx.attest_calls, 1);

	raw.visited_at = "2024-02-20T08:00"; /* period 2024-02: in grace, but attested */
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "visited_at");
	assert_string_equal(errs.e[0].message, M_ATTESTED);
	assert_int_equal(out.period.year, 2024);
	assert_int_equal(out.period.month, 2);
	char text[REGISTRY_MESSAGE_SIZE];
	assert_string_equal(
	    registry_error_text(text, &errs, 0, &out),
	    "งวดเดือน ก.พ. 2567 ปิดแล้ว (รับรองรายงานประจำเดือนหรือปิดรอบสถิติแล้ว) แก้ไขหรือเพิ่มรายการไม่ได้");

	cx.attested = (struct period){2000, 1};
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 0);

	/* 2024-02 is open through 02-28 (cut-off 25 + 3 days), closed on 02-29. */
	cx.attest_calls = 0;
	assert_int_equal(validate(&raw, "2024-02-28T23:59:59", &cx, &out, &errs), 0);
	assert_int_equal(validate(&raw, "2024-02-29T00:00:00", &cx, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_CLOSED);
	assert_int_equal(cx.attest_calls, 1); /* not asked once closed by date */
	assert_string_equal(registry_error_text(text, &errs, 0, &out),
	                    "งวดเดือน ก.พ. 2567 ปิดแล้ว (พ้นกำหนดแก้ไขหลังวันตัดยอด) แก้ไขหรือเพิ่มรายการไม่ได้");
	/* Without the entry, the static message. */
	assert_string_equal(registry_error_text(text, &errs, 0, NULL), M_CLOSED);

	/* Grace days 0: closed the day after the cut-off. */
	struct registry_rules rules = rules_at("2024-02-26T00:00:00", &cx);
	rules.grace_days = 0;
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_CLOSED);
	rules.now = at("2024-02-25T23:59:59");
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 0);

	/* Another cut-off moves the period: with 20, 02-20 is in 2024-02, and
	 * 02-21 in 2024-03. */
	rules = rules_at(NOW_ISO, &cx);
	rules.cutoff_day = 20;
	raw.visited_at = "2024-02-21T08:00";
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 0);
	assert_int_equal(out.period.month, 3);
	raw.visited_at = "2024-02-20T08:00"; /* open until 02-23 */
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_CLOSED);

	/* Skew across midnight of the cut-off: now is 23:59:30 on the 25th and
	 * the visit 00:00:20 on the 26th, in a period that starts "tomorrow". */
	raw.visited_at = "2024-02-26T00:00:20";
	assert_int_equal(validate(&raw, "2024-02-25T23:59:30", &cx, &out, &errs), 0);
	assert_int_equal(out.period.month, 3);
}

/* NULL callbacks: every well-formed code exists, no period is attested. */
static void test_null_callbacks(void **state)
{
	struct registry_rules rules = {.now = at(NOW_ISO), .cutoff_day = 25, .grace_days = 3};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	base_raw(&raw);
	set_services(&raw, "anything:completed;retired_svc:referred");
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 0);
	assert_int_equal(out.nservices, 2);
	set_services(&raw, "any thing:completed");
	assert_int_equal(registry_validate(&raw, &rules, &out, &errs), 1);
	assert_string_equal(errs.e[0].message, M_CODE_CHARS);
}

/* The catalogue is asked once per distinct well-formed code, never for a
 * duplicate or a malformed one. */
static void test_catalogue_calls(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	base_raw(&raw);
	set_services(&raw, "a:completed;a:referred;bad code:completed;b:completed;:completed");
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 3);
	assert_int_equal(cx.service_calls, 2);
	assert_string_equal(errs.e[0].field, "services[1].code");
	assert_string_equal(errs.e[1].field, "services[2].code");
	assert_string_equal(errs.e[2].field, "services[4].code");
}

/* Period and running-number year: the period follows the 25th cut-off, the
 * year is the B.E. calendar year of the Bangkok day. */
static void test_period_and_year(void **state)
{
	static const struct {
		const char *now, *visited;
		int y, m, d, py, pm, year_be;
	} t[] = {
	    {"2024-12-27T10:00", "2024-12-26T09:00", 2024, 12, 26, 2025, 1, 2567},
	    {"2024-12-27T10:00", "2024-12-25T23:59", 2024, 12, 25, 2024, 12, 2567},
	    {"2024-12-27T10:00", "2024-12-26T00:00", 2024, 12, 26, 2025, 1, 2567},
	    {"2025-01-02T10:00", "2025-01-01T00:00", 2025, 1, 1, 2025, 1, 2568},
	    {"2025-01-02T10:00", "2024-12-31T23:59:59", 2024, 12, 31, 2025, 1, 2567},
	    /* 03:00 Bangkok is still 20:00 UTC of the day before: the Bangkok
	     * day counts. */
	    {"2024-12-27T10:00", "2024-12-26T03:00", 2024, 12, 26, 2025, 1, 2567},
	    {"2024-12-27T10:00", "2024-12-26T06:59:59", 2024, 12, 26, 2025, 1, 2567},
	    /* Leap day, and a fiscal-year boundary (no effect on the number). */
	    {"2024-02-29T12:00", "2024-02-29T08:00", 2024, 2, 29, 2024, 3, 2567},
	    {"2024-09-27T12:00", "2024-09-26T08:00", 2024, 9, 26, 2024, 10, 2567},
	};
	for (size_t i = 0; i < N(t); i++) {
		struct ctx cx = {0};
		struct registry_raw raw;
		struct visit_input out;
		struct registry_errors errs;
		base_raw(&raw);
		raw.visited_at = t[i].visited;
		assert_int_equal(validate(&raw, t[i].now, &cx, &out, &errs), 0);
		assert_int_equal(out.visited_at, at(t[i].visited));
		assert_int_equal(out.day.y, t[i].y);
		assert_int_equal(out.day.m, t[i].m);
		assert_int_equal(out.day.d, t[i].d);
		assert_int_equal(out.period.year, t[i].py);
		assert_int_equal(out.period.month, t[i].pm);
		assert_int_equal(out.year_be, t[i].year_be);
	}
	/* The UTC instant: 2024-12-26T03:00 Bangkok = 2024-12-25T20:00Z. */
	assert_int_equal(at("2024-12-26T03:00"), 1735156800);
}

/* out's time fields are kept when other fields fail, so a page can name
 * the period; they stay zero when visited_at itself is malformed. */
static void test_out_on_error(void **state)
{
	struct ctx cx = {0};
	struct registry_raw raw;
	struct visit_input out;
	struct registry_errors errs;
	base_raw(&raw);
	raw.visited_at = "2024-01-10T08:00";
	raw.visitor_name = "";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 2);
	assert_int_equal(out.period.year, 2024);
	assert_int_equal(out.period.month, 1);
	assert_int_equal(out.year_be, 2567);
	char text[REGISTRY_MESSAGE_SIZE];
	assert_string_equal(registry_error_text(text, &errs, 0, &out),
	                    "งวดเดือน ม.ค. 2567 ปิดแล้ว (พ้นกำหนดแก้ไขหลังวันตัดยอด) แก้ไขหรือเพิ่มรายการไม่ได้");
	assert_string_equal(registry_error_text(text, &errs, 1, &out), M_NAME_REQ);
	assert_string_equal(registry_error_text(text, &errs, 2, &out), "");

	raw.visited_at = "bad";
	assert_int_equal(validate(&raw, NOW_ISO, &cx, &out, &errs), 2);
	assert_int_equal(out.visited_at, 0);
	assert_int_equal(out.period.year, 0);
}

static void test_number_format(void **state)
{
	char out[32];
	registry_number_format(out, 15, 2567, false);
	assert_string_equal(out, "15/2567");
	registry_number_format(out, 15, 2567, true);
	assert_string_equal(out, "๑๕/๒๕๖๗");
	registry_number_format(out, 1, 2568, false);
	assert_string_equal(out, "1/2568");
	registry_number_format(out, 1, 2568, true);
	assert_string_equal(out, "๑/๒๕๖๘");
	registry_number_format(out, 100, 2567, true);
	assert_string_equal(out, "๑๐๐/๒๕๖๗");
	/* 6 Thai digits + "/" + 4 Thai digits = 31 bytes: the largest that fits. */
	registry_number_format(out, 999999, 2567, true);
	assert_string_equal(out, "๙๙๙๙๙๙/๒๕๖๗");
	assert_int_equal(strlen(out), 31);
	/* Past that, ASCII rather than a cut number. */
	registry_number_format(out, 1000000, 2567, true);
	assert_string_equal(out, "1000000/2567");
	registry_number_format(out, INT64_MAX, 2567, false);
	assert_string_equal(out, "9223372036854775807/2567");
}

static void test_names_and_labels(void **state)
{
	for (int o = OUTCOME_COMPLETED; o <= OUTCOME_NOT_COMPLETED; o++) {
		assert_non_null(outcome_name((enum outcome)o));
		assert_non_null(strstr(outcome_label_th((enum outcome)o), "\xE0\xB8"));
		assert_int_equal(outcome_from_name(outcome_name((enum outcome)o)), o);
	}
	assert_null(outcome_name(OUTCOME_NONE));
	assert_null(outcome_label_th(OUTCOME_NONE));
	assert_null(outcome_name((enum outcome)99));
	assert_int_equal(outcome_from_name("nope"), OUTCOME_NONE);
	assert_int_equal(outcome_from_name(NULL), OUTCOME_NONE);
	assert_string_equal(outcome_name(OUTCOME_SELF_COMPLETED), "self_completed");

	for (int c = CHANNEL_TANGRAT; c <= CHANNEL_OTHER; c++) {
		assert_non_null(channel_label_th((enum channel)c));
		assert_int_equal(channel_from_name(channel_name((enum channel)c)), c);
	}
	assert_null(channel_name(CHANNEL_NONE));
	assert_null(channel_name((enum channel) - 1));
	assert_int_equal(channel_from_name(""), CHANNEL_NONE);
	assert_string_equal(channel_label_th(CHANNEL_TANGRAT), "แอปพลิเคชันทางรัฐ");

	assert_string_equal(registry_sexes[0], "male");
	assert_null(registry_sexes[3]);
	assert_null(registry_age_bands[4]);
	assert_string_equal(registry_sex_label_th("female"), "หญิง");
	assert_string_equal(registry_sex_label_th(""), "");
	assert_null(registry_sex_label_th("f"));
	assert_string_equal(registry_age_band_label_th("60_plus"), "60 ปีขึ้นไป");
	assert_string_equal(registry_age_band_label_th(""), "");
	assert_null(registry_age_band_label_th("60+"));
	for (size_t i = 0; registry_age_bands[i]; i++)
		assert_non_null(registry_age_band_label_th(registry_age_bands[i]));
}

/* ---- import ------------------------------------------------------------- */

static void test_columns(void **state)
{
	static const struct {
		const char *header;
		int rc;
		const char *err; /* expected message (rc -1) */
		int services_idx, cid_idx;
	} t[] = {
	    {"visited_at,visitor_name,cid,phone,sex,age_band,channel,services,remarks", 0, NULL, 7, 2},
	    {"services,channel,visitor_name,visited_at", 0, NULL, 0, -1},
	    {" Visited_At ,VISITOR_NAME,Channel,Services,number,officer", 0, NULL, 3, -1},
	    {"วันเวลาที่มารับบริการ,ชื่อผู้มารับบริการ,เลขประจำตัวประชาชน,ช่องทาง,บริการ", 0, NULL, 4, 2},
	    {"visited_at,channel,services", -1, "ไม่พบคอลัมน์ visitor_name (ชื่อผู้มารับบริการ) ในแถวหัวตาราง", 0, 0},
	    {"visited_at,visitor_name,channel", -1, "ไม่พบคอลัมน์ services (บริการ) ในแถวหัวตาราง", 0, 0},
	    {"name,date", -1, "ไม่พบคอลัมน์ visited_at (วันเวลาที่มารับบริการ) ในแถวหัวตาราง", 0, 0},
	    {"visited_at,visitor_name,channel,services,ชื่อผู้มารับบริการ", -1,
	     "คอลัมน์ visitor_name (ชื่อผู้มารับบริการ) ซ้ำกันในแถวหัวตาราง (คอลัมน์ที่ 2 \"visitor_name\" และ 5 "
	     "\"ชื่อผู้มารับบริการ\")",
	     0, 0},
	    /* our own export's header (export_registry_columns) */
	    {"ลำดับที่,วันเวลา,ชื่อ–สกุล,เลขประจำตัวประชาชน,โทรศัพท์,เพศ,ช่วงอายุ,บริการ,ผลการให้บริการ,ช่องทาง,"
	     "เจ้าหน้าที่,หมายเหตุ,สถานะ",
	     0, NULL, 7, 3},
	    /* spaces and dashes folded */
	    {" วัน เวลา ,ชื่อ - สกุล,ช่อง ทาง,บริการ E-Service", 0, NULL, 3, -1},
	    {"วันเวลา,ชื่อ—สกุล,ช่องทาง,บริการ,วันที่และเวลา", -1,
	     "คอลัมน์ visited_at (วันเวลาที่มารับบริการ) ซ้ำกันในแถวหัวตาราง (คอลัมน์ที่ 1 \"วันเวลา\" และ 5 "
	     "\"วันที่และเวลา\")",
	     0, 0},
	};
	for (size_t i = 0; i < N(t); i++) {
		struct csv c;
		csv_init(&c, t[i].header, strlen(t[i].header));
		assert_int_equal(csv_next(&c), CSV_RECORD);
		struct registry_columns cols;
		char err[512];
		assert_int_equal(registry_columns_find(&c, &cols, err, sizeof err), t[i].rc);
		if (t[i].rc == 0) {
			assert_string_equal(err, "");
			assert_int_equal(cols.idx[REGISTRY_COL_SERVICES], t[i].services_idx);
			assert_int_equal(cols.idx[REGISTRY_COL_CID], t[i].cid_idx);
		} else {
			assert_string_equal(err, t[i].err);
		}
		assert_int_equal(registry_columns_find(&c, &cols, NULL, 0), t[i].rc);
		csv_cleanup(&c);
	}
	for (int k = 0; k < REGISTRY_COL__COUNT; k++) {
		assert_non_null(registry_column_names[k]);
		assert_non_null(registry_column_labels_th[k]);
	}
}

/* Reads a header and the next record of a CSV text. */
struct sheet {
	struct csv header, row;
	struct registry_columns cols;
};

static void sheet_open(struct sheet *s, const char *text)
{
	csv_init(&s->header, text, strlen(text));
	assert_int_equal(csv_next(&s->header), CSV_RECORD);
	char err[256];
	assert_int_equal(registry_columns_find(&s->header, &s->cols, err, sizeof err), 0);
	/* A second reader positioned after the header: the first one's fields
	 * must stay valid for the test. */
	csv_init(&s->row, text, strlen(text));
	assert_int_equal(csv_next(&s->row), CSV_RECORD);
}

static void sheet_close(struct sheet *s)
{
	csv_cleanup(&s->header);
	csv_cleanup(&s->row);
}

static void test_raw_from_record(void **state)
{
	struct sheet s;
	sheet_open(&s, "\xEF\xBB\xBF"
	               "number,visited_at,visitor_name,cid,phone,sex,age_band,channel,services,remarks,"
	               "idempotency_key\r\n"
	               "1,2024-02-27 09:30,สมชาย,1-1037-02071-83-8,081-234-5678,ชาย,60 ปีขึ้นไป,แอปพลิเคชันทางรัฐ,"
	               "\"tangrat_signup:completed; nhso_rights_check : "
	               "ส่งต่อหน่วยงาน\n;sso_eservice\",\"a,b\",imp-0001\r\n"
	               "2,2024-02-27T09:31,สมหญิง\r\n");
	struct registry_raw raw;
	char scratch[REGISTRY_SCRATCH_SIZE];
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_raw_from_record(&s.row, &s.cols, &raw, scratch, sizeof scratch), 0);
	assert_string_equal(raw.visited_at, "2024-02-27 09:30");
	assert_string_equal(raw.visitor_name, "สมชาย");
	assert_string_equal(raw.cid, "1-1037-02071-83-8");
	assert_string_equal(raw.phone, "081-234-5678");
	assert_string_equal(raw.sex, "male");
	assert_string_equal(raw.age_band, "60_plus");
	assert_string_equal(raw.channel, "tangrat");
	assert_string_equal(raw.remarks, "a,b");
	assert_string_equal(raw.idempotency_key, "imp-0001");
	assert_int_equal(raw.nservices, 3);
	assert_false(raw.too_many_services);
	assert_string_equal(raw.services[0].code, "tangrat_signup");
	assert_string_equal(raw.services[0].outcome, "completed");
	assert_string_equal(raw.services[1].code, " nhso_rights_check ");
	assert_string_equal(raw.services[1].outcome, "referred");
	assert_string_equal(raw.services[2].code, "sso_eservice");
	assert_null(raw.services[2].outcome);

	/* A short record: the missing cells are not given. */
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_raw_from_record(&s.row, &s.cols, &raw, scratch, sizeof scratch), 0);
	assert_string_equal(raw.visitor_name, "สมหญิง");
	assert_null(raw.channel);
	assert_null(raw.cid);
	assert_int_equal(raw.nservices, 0);
	sheet_close(&s);
}

static void test_raw_services_limits(void **state)
{
	char text[2048] = "visited_at,visitor_name,channel,services\n2024-02-27T09:00,ก,web,\"";
	for (int i = 0; i < VISIT_MAX_SERVICES + 1; i++) {
		char item[32];
		snprintf(item, sizeof item, "s%d:completed;", i);
		strncat(text, item, sizeof text - strlen(text) - 1);
	}
	strncat(text, "\"\n", sizeof text - strlen(text) - 1);
	struct sheet s;
	sheet_open(&s, text);
	struct registry_raw raw;
	char scratch[REGISTRY_SCRATCH_SIZE];
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_raw_from_record(&s.row, &s.cols, &raw, scratch, sizeof scratch), 0);
	assert_true(raw.too_many_services);
	assert_int_equal(raw.nservices, VISIT_MAX_SERVICES);
	assert_string_equal(raw.services[15].code, "s15");

	/* A scratch too small for the services cell. */
	assert_int_equal(registry_raw_from_record(&s.row, &s.cols, &raw, scratch, 16), -1);
	assert_int_equal(raw.nservices, 0);
	sheet_close(&s);
}

static void test_validate_record(void **state)
{
	struct ctx cx = {.unknown = "retired_svc"};
	struct registry_rules rules = rules_at(NOW_ISO, &cx);
	struct visit_input out;
	struct registry_errors errs;
	struct sheet s;
	sheet_open(&s,
	           "visitor_name,visited_at,channel,services,cid\n"
	           "สมชาย,2024-02-27 09:30,web,tangrat_signup:completed,\n"
	           "สมหญิง,,line,tangrat_signup:completed,\n"
	           "สมศรี,2024-02-27T09:30,line,tangrat_signup:completed;retired_svc:done,1103702071839\n"
	           "สมปอง,2024-02-27T09:30,อื่น ๆ,tangrat_signup:แนะนำ ผู้รับบริการดำเนินการเอง,๑๑๐๓๗๐๒๐๗๑๘๓๘\n");
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 0);
	assert_int_equal(out.visited_at, at("2024-02-27T09:30"));
	assert_int_equal(out.channel, CHANNEL_WEB);

	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "visited_at");
	assert_string_equal(errs.e[0].message, M_TIME_REQ);

	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 3);
	assert_string_equal(errs.e[0].field, "cid");
	assert_string_equal(errs.e[1].field, "services[1].code");
	assert_string_equal(errs.e[2].field, "services[1].outcome");

	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 0);
	assert_int_equal(out.channel, CHANNEL_OTHER);
	assert_int_equal(out.services[0].outcome, OUTCOME_SELF_COMPLETED);
	assert_string_equal(out.cid, "1103702071838");
	assert_int_equal(csv_next(&s.row), CSV_EOF);
	sheet_close(&s);

	/* A services cell longer than the scratch space. */
	static char big[REGISTRY_SCRATCH_SIZE + 256];
	int n =
	    snprintf(big, sizeof big, "visited_at,visitor_name,channel,services\n2024-02-27T09:00,ก,web,");
	memset(big + n, 'a', REGISTRY_SCRATCH_SIZE + 10);
	big[n + REGISTRY_SCRATCH_SIZE + 10] = '\0';
	sheet_open(&s, big);
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 1);
	assert_string_equal(errs.e[0].field, "services");
	assert_string_equal(errs.e[0].message, M_SVC_CELL);
	sheet_close(&s);
}

/* The catalogue of the name lookup: two services and their Thai names. */
static const char *svc_by_name(const char *name, void *p)
{
	(void)p;
	if (!strcmp(name, "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ (พอร์ทัลกลางเพื่อประชาชน)"))
		return "tangrat_signup";
	if (!strcmp(name, "ตรวจสอบสิทธิหลักประกันสุขภาพ / สิทธิรักษาพยาบาล"))
		return "nhso_rights_check";
	return NULL;
}

/* A row of our own CSV export imports as it stands: Thai headers, B.E. date
 * as the export writes it, services by Thai name with outcomes in their own
 * column, labels for sex, age band and channel, a masked ID (not an ID). */
static void test_export_row(void **state)
{
	struct ctx cx = {0};
	struct registry_rules rules = rules_at(NOW_ISO, &cx);
	rules.service_by_name = svc_by_name;
	struct visit_input out;
	struct registry_errors errs;
	struct sheet s;
	sheet_open(&s,
	           "\xEF\xBB\xBF"
	           "ลำดับที่,วันเวลา,ชื่อ–สกุล,เลขประจำตัวประชาชน,โทรศัพท์,เพศ,ช่วงอายุ,บริการ,ผลการให้บริการ,ช่องทาง,"
	           "เจ้าหน้าที่,หมายเหตุ,สถานะ\r\n"
	           "15/2567,27 ก.พ. 2567 09:15 น.,นางสาวสมศรี มีสุข,X-XXXX-XXXX1-83-8,0812345678,หญิง,40–59 ปี,"
	           "ลงทะเบียนใช้งานแอปพลิเคชันทางรัฐ (พอร์ทัลกลางเพื่อประชาชน); ตรวจสอบสิทธิหลักประกันสุขภาพ / "
	           "สิทธิรักษาพยาบาล,ดำเนินการให้แล้วเสร็จ; ส่งต่อหน่วยงาน,แอปพลิเคชันทางรัฐ,สมชาย ใจดี,\"a, b\",ปกติ\r\n"
	           "16/2567,๒๗/๐๒/๖๗ ๐๙:๒๐,นายสมชาย ทดสอบ,,,,,tangrat_signup,completed,LINE,สมชาย ใจดี,,"
	           "ยกเลิก: บันทึกซ้ำ\r\n"
	           "17/2567,27/02/2024 09:30,นายสาม,,,,,ลงทะเบียนที่ไม่มีจริงและชื่อยาวกว่าหกสิบสามไบต์แน่นอน,"
	           "ดำเนินการให้แล้วเสร็จ; ไม่สำเร็จ,web,,,อื่น\r\n");
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_record_status(&s.row, &s.cols), REGISTRY_ROW_ACTIVE);
	if (registry_validate_record(&s.row, &s.cols, &rules, &out, &errs) != 0)
		fail_msg("export row: %s %s", errs.e[0].field, errs.e[0].message);
	assert_int_equal(out.visited_at, at("2024-02-27T09:15"));
	assert_string_equal(out.visitor_name, "นางสาวสมศรี มีสุข");
	assert_string_equal(out.cid, "");
	assert_string_equal(out.phone, "0812345678");
	assert_string_equal(out.sex, "female");
	assert_string_equal(out.age_band, "40_59");
	assert_int_equal(out.channel, CHANNEL_TANGRAT);
	assert_int_equal(out.nservices, 2);
	assert_string_equal(out.services[0].code, "tangrat_signup");
	assert_int_equal(out.services[0].outcome, OUTCOME_COMPLETED);
	assert_string_equal(out.services[1].code, "nhso_rights_check");
	assert_int_equal(out.services[1].outcome, OUTCOME_REFERRED);
	assert_string_equal(out.remarks, "a, b");

	/* A voided entry of the export is not imported. */
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_record_status(&s.row, &s.cols), REGISTRY_ROW_VOID);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 0);
	assert_int_equal(out.visited_at, at("2024-02-27T09:20"));

	/* Errors name the row and the column as the file writes it. */
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_record_status(&s.row, &s.cols), REGISTRY_ROW_BAD_STATUS);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 2);
	assert_string_equal(errs.e[0].field, "services[0].code");
	assert_string_equal(errs.e[0].message, M_SVC_NAME);
	assert_string_equal(errs.e[1].field, "outcomes");
	assert_string_equal(errs.e[1].message, M_OUTCOMES_N);
	char text[REGISTRY_REPORT_SIZE];
	int item;
	assert_int_equal(registry_error_column(errs.e[0].field, &item), REGISTRY_COL_SERVICES);
	assert_int_equal(item, 0);
	assert_string_equal(registry_record_error_text(text, &s.cols, &errs, 0, &out, 4),
	                    "แถวที่ 4 คอลัมน์ \"บริการ\" รายการที่ 1: " M_SVC_NAME);
	assert_string_equal(registry_record_error_text(text, &s.cols, &errs, 1, &out, 4),
	                    "แถวที่ 4 คอลัมน์ \"ผลการให้บริการ\": " M_OUTCOMES_N);
	assert_null(strstr(text, "services"));
	sheet_close(&s);
}

/* An outcome from the outcomes column is reported there; one written after
 * the service (code:outcome) on the services column. */
static void test_outcome_column_errors(void **state)
{
	struct ctx cx = {0};
	struct registry_rules rules = rules_at(NOW_ISO, &cx);
	struct visit_input out;
	struct registry_errors errs;
	struct sheet s;
	sheet_open(&s, "visited_at,visitor_name,channel,services,ผลการให้บริการ\n"
	               "27/2/2567 09:00,ก,web,a;b:maybe,เสร็จ\n");
	assert_int_equal(csv_next(&s.row), CSV_RECORD);
	assert_int_equal(registry_validate_record(&s.row, &s.cols, &rules, &out, &errs), 2);
	assert_string_equal(errs.e[0].field, "outcomes[0]");
	assert_string_equal(errs.e[0].message, M_OUTCOME);
	assert_string_equal(errs.e[1].field, "services[1].outcome");
	char text[REGISTRY_REPORT_SIZE];
	assert_string_equal(registry_record_error_text(text, &s.cols, &errs, 0, &out, 2),
	                    "แถวที่ 2 คอลัมน์ \"ผลการให้บริการ\" รายการที่ 1: " M_OUTCOME);
	assert_string_equal(registry_record_error_text(text, &s.cols, &errs, 1, &out, 2),
	                    "แถวที่ 2 คอลัมน์ \"services\" รายการที่ 2: " M_OUTCOME);
	sheet_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_output),
	    cmocka_unit_test(test_clock),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_many_services),
	    cmocka_unit_test(test_cid_digits_alike),
	    cmocka_unit_test(test_error_cap),
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_null_callbacks),
	    cmocka_unit_test(test_catalogue_calls),
	    cmocka_unit_test(test_period_and_year),
	    cmocka_unit_test(test_out_on_error),
	    cmocka_unit_test(test_number_format),
	    cmocka_unit_test(test_names_and_labels),
	    cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_raw_from_record),
	    cmocka_unit_test(test_raw_services_limits),
	    cmocka_unit_test(test_validate_record),
	    cmocka_unit_test(test_export_row),
	    cmocka_unit_test(test_outcome_column_errors),
	};
	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
