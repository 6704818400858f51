/* Catalogue and point-profile rules (issue 4), no I/O: turns the raw text of
 * a service (form fields or JSON members) or a point profile into a checked
 * struct, or a list of Thai field errors. Thai digits are accepted wherever
 * digits are. See docs/modules/catalogue.md and docs/modules/eservice-rules.md. */
#ifndef OSSPOINT_CORE_ESERVICE_H
#define OSSPOINT_CORE_ESERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESVC_CODE_MAX          40  /* ^[a-z][a-z0-9_]{1,39}$ */
#define ESVC_NAME_MAX          300 /* bytes of UTF-8, name_th and name_en */
#define ESVC_AGENCY_MAX        300
#define ESVC_URL_MAX           500
#define ESVC_DESC_MAX          2000
#define ESVC_LIST_MAX          20  /* steps, documents: lines */
#define ESVC_LINE_MAX          500 /* bytes per step / document line */
#define ESVC_FEES_MAX          300
#define ESVC_SORT_MAX          1000000
#define ESVC_TEXT_MAX          (ESVC_LIST_MAX * (ESVC_LINE_MAX + 1))
#define ESVC_AREA_MAX          77   /* provinces in an area list */
#define ESVC_SEARCH_PHRASE_MAX 120  /* bytes of an everyday word or phrasing (search vocabulary) */
#define ESVC_SEARCH_TERMS_MAX  5000 /* entries of each kind in the search vocabulary */
#define ESVC_AREA_TEXT         (ESVC_AREA_MAX * 3)

/* The raw text of a service as typed (NULL = absent, same as ""). steps and
 * documents are one item per line ("\n" or "\r\n"); blank lines are dropped.
 * sort_order empty means "at the end" (ESVC_SORT_AUTO). */
struct eservice_raw {
	const char *code, *name_th, *name_en, *agency_th, *agency_en, *agency_type, *category, *channel, *url,
	    *description, *steps, *documents, *fees, *status, *sort_order, *source, *note;
	const char *area;           /* "all" (default), "only" or "except" */
	const char *area_provinces; /* province codes separated by ',' or white space */
};

#define ESVC_SORT_AUTO (-1)

/* A checked service: every string trimmed (ASCII and Thai-safe white space at
 * both ends, inner runs of spaces kept), valid UTF-8 without control
 * characters (steps/documents keep "\n" between items; description, source
 * and note may hold several lines: "\n" (CR LF and CR become "\n") and tab,
 * white space at the end of each line dropped). */
struct eservice {
	char code[ESVC_CODE_MAX + 1];
	char name_th[ESVC_NAME_MAX + 1], name_en[ESVC_NAME_MAX + 1];
	char agency_th[ESVC_AGENCY_MAX + 1], agency_en[ESVC_AGENCY_MAX + 1];
	char agency_type[24]; /* "government" | "state_enterprise" */
	char category[ESVC_CODE_MAX + 1];
	char channel[16]; /* "tangrat" | "web" | "line" | "app" */
	char url[ESVC_URL_MAX + 1];
	char description[ESVC_DESC_MAX + 1];
	char steps[ESVC_TEXT_MAX + 1], documents[ESVC_TEXT_MAX + 1]; /* items joined by "\n" */
	char fees[ESVC_FEES_MAX + 1];                                /* "ไม่มี" when given empty */
	char status[16];    /* "active" | "moving" | "retired"; "active" when empty */
	int64_t sort_order; /* 0..ESVC_SORT_MAX, or ESVC_SORT_AUTO */
	char source[ESVC_DESC_MAX + 1], note[ESVC_DESC_MAX + 1]; /* provenance, shown to admins */
	char area[8];                                            /* "all" | "only" | "except" */
	/* Two-digit province codes, ascending, one space between, no repeats;
	 * "" for "all". */
	char area_provinces[ESVC_AREA_TEXT + 1];
};

#define ESVC_MAX_ERRORS 24
struct eservice_errors {
	size_t n;
	struct {
		const char *field;   /* the raw member name: "name_th", "url", ... */
		const char *message; /* Thai, static */
	} e[ESVC_MAX_ERRORS];
};

/* Checks raw into out. category_exists is called with the trimmed category
 * code (may be NULL: any non-empty code of the right form is taken).
 * for_update: the code is not taken from raw (the caller fills out->code).
 * Returns the number of errors (0 = out is valid). Rules:
 * - code: required (create), ^[a-z][a-z0-9_]{1,39}$;
 * - name_th: required, at most ESVC_NAME_MAX bytes, must contain a Thai letter;
 * - name_en, agency_en: optional, printable;  agency_th: required;
 * - agency_type, channel, status: one of the listed values (agency_type
 *   defaults to "government", status to "active"; channel required);
 * - category: required, known;
 * - url: required when channel is "web" (an app or LINE account may have
 *   none), http:// or https:// (any case; written in lower case), a host
 *   with a dot (labels of letters, digits, '-' or non-ASCII for Thai domain
 *   names, none empty or starting/ending with '-'), no user info ('@'
 *   before the host), optional :port 1..65535, no white space, quotes,
 *   '<', '>', '`' or control characters, at most ESVC_URL_MAX;
 * - description, fees: optional, bounded; steps, documents: at most
 *   ESVC_LIST_MAX non-blank lines of at most ESVC_LINE_MAX bytes;
 * - sort_order: empty, or an integer 0..ESVC_SORT_MAX (Thai digits too);
 * - area: "all" (default: the whole country), "only" (the listed provinces)
 *   or "except" (every province but the listed ones); area_provinces: for
 *   "only" and "except" at least one and at most ESVC_AREA_MAX two-digit
 *   codes (Thai digits too; ',' or white space between, repeats dropped,
 *   written ascending); ignored for "all". Whether the codes name provinces
 *   that exist is the caller's to check (it knows the org tree). */
size_t eservice_validate(const struct eservice_raw *raw, bool for_update,
                         bool (*category_exists)(const char *code, void *ctx), void *ctx,
                         struct eservice *out, struct eservice_errors *errs);

/* One entry of the search vocabulary (an everyday word, the catalogue term
 * it stands for, or a phrasing) as typed: trimmed, runs of white space made
 * one space, valid UTF-8 without control characters, 1..
 * ESVC_SEARCH_PHRASE_MAX bytes, holding a letter or a digit. Returns NULL
 * (out, cap > ESVC_SEARCH_PHRASE_MAX, holds it) or a Thai message. */
const char *eservice_search_text_check(const char *in, char *out, size_t cap);

/* Whether a service with this area serves province_code (two digits; a
 * district code's first two are its province): "all" everywhere, "only" the
 * listed provinces, "except" the others. An unknown area serves nowhere. */
bool eservice_area_serves(const char *area, const char *area_provinces, const char *province_code);

/* Thai labels of the enumerations, NULL for an unknown value. */
const char *eservice_area_label(const char *area); /* "ทั่วประเทศ", "เฉพาะจังหวัดที่ระบุ", ... */
const char *eservice_channel_label(const char *channel); /* "แอปพลิเคชันทางรัฐ", ... */
const char *eservice_status_label(const char *status); /* "ใช้งาน", "กำลังย้ายไปทางรัฐ", "ยกเลิกแล้ว" */
const char *eservice_agency_type_label(const char *agency_type); /* "ส่วนราชการ", "รัฐวิสาหกิจ" */

/* ---- point profiles ---- */

#define POINT_NAME_MAX    300
#define POINT_ADDRESS_MAX 600
#define POINT_HOURS_MAX   300
#define POINT_PHONE_MAX   60
#define POINT_NOTE_MAX    500

struct point_raw {
	const char *name_th, *address, *lat, *lon, *hours, *phone, *opened_on, *status, *status_since,
	    *status_note;
};

struct point_profile {
	char name_th[POINT_NAME_MAX + 1];
	char address[POINT_ADDRESS_MAX + 1];
	char lat[16], lon[16]; /* "" or a decimal with up to 6 decimals, ASCII digits */
	char hours[POINT_HOURS_MAX + 1];
	char phone[POINT_PHONE_MAX + 1]; /* normalized: ASCII digits, "-" and ", " between numbers */
	char opened_on[11];              /* "" or ISO YYYY-MM-DD */
	char status[24];                 /* "open" | "temporarily_closed" | "closed" | "planned" */
	char status_since[11];           /* "" or ISO day */
	char status_note[POINT_NOTE_MAX + 1];
	/* status_since is after today: the status change is announced now and
	 * takes effect on that day (the point keeps its status until then). */
	bool scheduled;
};

/* How far ahead a status change may be announced (days after today). */
#define POINT_SCHEDULE_DAYS 366

/* Checks a point profile. today_iso bounds the dates (opened_on may not be
 * in the future; status_since at most POINT_SCHEDULE_DAYS after today, and
 * a later day than today sets out->scheduled; NULL: not checked, never
 * scheduled). Rules: name_th,
 * address, hours required (address, hours and status_note may come from a
 * textarea: line breaks become one space); lat in 5..21 and lon in 97..106
 * (Thailand), both or neither ("lat, lon" typed into lat alone is split);
 * phone optional, at most 4 Thai numbers of 9 or 10 digits separated by ','
 * (spaces and '-' inside a number allowed, Thai digits accepted), written
 * 02-123-4567 / 043-123-456 / 081-234-5678 joined by ", "; opened_on /
 * status_since: a day as thai_when_parse reads it (lib/thai.h: "1/10/2567",
 * "1/10/67", "1 ต.ค. 2567", C.E. years, ISO), not before B.E. 2500;
 * status required (no default: an omitted status must not reopen a closed
 * point), one of the four values. Returns the number of errors (fields
 * named as in struct point_raw). */
size_t point_validate(const struct point_raw *raw, const char *today_iso, struct point_profile *out,
                      struct eservice_errors *errs);
const char *point_status_label(const char *status); /* "เปิดให้บริการ", "ปิดให้บริการชั่วคราว", ... */

#endif
