/* Thai text helpers: Thai digits, month and weekday names, Buddhist-era years,
 * civil-date arithmetic and Thai date formatting/parsing.
 *
 * No I/O, no locale, no TZ: all wall-clock times are Asia/Bangkok, which is
 * UTC+7 with no daylight saving, so the offset is applied here by arithmetic
 * (THAI_UTC_OFFSET) and never depends on the process's TZ environment.
 *
 * Calendar: proleptic Gregorian, years C.E. in the supported range
 * THAI_YEAR_MIN..THAI_YEAR_MAX (0001..9999). Buddhist era (พ.ศ.) = C.E. + 543,
 * used only for display. Days are `struct civil_day`, epoch values are UTC
 * seconds (int64_t), as stored in the database.
 *
 * Thai digits are U+0E50..U+0E59 (๐..๙), three bytes each in UTF-8:
 * E0 B9 90 .. E0 B9 99. Every parser here accepts them wherever an ASCII digit
 * is expected (and mixed with ASCII digits).
 *
 * String parameters are borrowed and must not be NULL unless stated. */
#ifndef OSSPOINT_LIB_THAI_H
#define OSSPOINT_LIB_THAI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* A calendar day (C.E.). Valid when thai_day_valid(y, m, d). */
struct civil_day {
	int y; /* 1..9999 */
	int m; /* 1..12 */
	int d; /* 1..28/29/30/31 */
};

/* A Bangkok wall-clock time. */
struct civil_time {
	int y, m, d;
	int hour; /* 0..23 */
	int min;  /* 0..59 */
	int sec;  /* 0..59 (no leap seconds) */
};

#define THAI_UTC_OFFSET   (7 * 3600) /* Asia/Bangkok, no DST */
#define THAI_BE_OFFSET    543        /* พ.ศ. = ค.ศ. + 543 */
#define THAI_YEAR_MIN     1
#define THAI_YEAR_MAX     9999
#define THAI_ISO_DAY_SIZE 11 /* "YYYY-MM-DD" + NUL */

/* ---- Thai digits ---------------------------------------------------- */

/* Looks at the first n bytes of s for one digit. Returns the number of bytes
 * it takes (1 for an ASCII digit, 3 for a Thai digit) and stores its value
 * 0..9 in *value, or returns 0 (and leaves *value alone) when s does not
 * start with a digit. */
int thai_digit_scan(const char *s, size_t n, int *value);
/* Reads exactly `count` (1..9) digits, ASCII or Thai (mixed allowed), from the
 * start of the n bytes at s. Returns the number of bytes they take, with
 * *value = the decimal number they spell, or -1 (*value untouched). */
int thai_number_scan(const char *s, size_t n, int count, int *value);

/* Copies src into dst (capacity cap, NUL included) with every Thai digit
 * replaced by its ASCII digit; all other bytes are copied unchanged. The
 * output is never longer than src, so cap = strlen(src) + 1 always suffices,
 * and dst may equal src (in-place conversion). dst may be NULL when cap is 0.
 * Returns the output length (without the NUL), or -1 when it does not fit
 * (dst then holds "" if cap > 0). */
int thai_digits_to_ascii(char *dst, size_t cap, const char *src);
/* The same, appended to b. Returns 0, or -1 when b's maximum would be exceeded
 * (b unchanged). */
int thai_digits_to_ascii_buf(struct buf *b, const char *src);

/* Copies src into dst with every ASCII digit replaced by its Thai digit
 * (3 bytes each); other bytes unchanged. Returns the output length, or -1 when
 * it does not fit (dst then holds "" if cap > 0). dst must not overlap src;
 * it may be NULL when cap is 0. */
int thai_digits_from_ascii(char *dst, size_t cap, const char *src);
/* The same, appended to b. Returns 0 or -1 (b unchanged). */
int thai_digits_from_ascii_buf(struct buf *b, const char *src);

/* ---- names and years ------------------------------------------------ */

/* Full month name, m = 1..12: "มกราคม" … "ธันวาคม"; NULL otherwise.
 * Official documents use these (งานสารบรรณ). */
const char *thai_month_name(int m);
/* Abbreviated month name, m = 1..12: "ม.ค." … "ธ.ค."; NULL otherwise. */
const char *thai_month_abbr(int m);
/* Weekday name without the "วัน" prefix, wday = 0 (Sunday) .. 6 (Saturday):
 * "อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"; NULL otherwise. */
const char *thai_weekday_name(int wday);

/* C.E. → B.E. and back (no range check). */
int thai_year_be(int ce);
int thai_year_ce(int be);

/* ---- civil-date arithmetic (Howard Hinnant's algorithms) ------------- */

bool thai_year_is_leap(int y);
/* Days in month m of year y, or 0 when m is not 1..12. */
int thai_month_days(int y, int m);
/* True when y is in THAI_YEAR_MIN..THAI_YEAR_MAX and (m, d) is a real day. */
bool thai_day_valid(int y, int m, int d);
/* Days since 1970-01-01 (negative before). Defined for any y; callers pass a
 * valid day. */
int64_t thai_days_from_civil(int y, int m, int d);
/* Inverse of thai_days_from_civil. */
struct civil_day thai_civil_from_days(int64_t days);
/* Day of week of a day, 0 = Sunday .. 6 = Saturday. */
int thai_weekday(int y, int m, int d);
/* Moves *day by n days (n may be negative). Returns 0, or -1 when *day is not
 * valid or the result leaves the supported year range (*day unchanged). */
int thai_day_add(struct civil_day *day, int64_t n);
/* <0, 0, >0 as a is before, equal to, after b. */
int thai_day_cmp(struct civil_day a, struct civil_day b);

/* Parses exactly "YYYY-MM-DD" (C.E., 4-2-2 digits, ASCII or Thai digits, no
 * sign, no white space, nothing after) into a valid day, leap years included.
 * Returns 0, or -1 (out untouched). */
int thai_day_parse(const char *s, struct civil_day *out);
/* Writes "YYYY-MM-DD" (ASCII). Returns 0, or -1 when the day is not valid
 * (out then holds ""). */
int thai_day_iso(struct civil_day day, char out[THAI_ISO_DAY_SIZE]);

/* ---- epoch seconds <-> Bangkok wall clock ----------------------------- */

/* Bangkok wall-clock time of UTC epoch seconds t. Returns 0, or -1 when the
 * local year would leave the supported range. */
int thai_epoch_to_local(int64_t t, struct civil_time *out);
/* The Bangkok calendar day of t (e.g. "today" for period rules). 0 or -1. */
int thai_epoch_day(int64_t t, struct civil_day *out);
/* UTC epoch seconds of a Bangkok wall-clock time. Returns 0, or -1 when lt is
 * not a valid day and time (*out untouched). */
int thai_local_to_epoch(const struct civil_time *lt, int64_t *out);
/* Parses ISO 8601 local date-time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS"
 * (what an HTML datetime-local field sends), taken as Bangkok time, strictly:
 * capital 'T', two-digit fields, hour 00..23, minute and second 00..59, no
 * fraction, no zone designator, nothing after. ASCII or Thai digits.
 * Returns 0 with *out = UTC epoch seconds, or -1 (*out untouched). */
int thai_datetime_parse(const char *s, int64_t *out);

/* ---- the one date parser for what people type and files hold ---------- */

/* Parses a day, or a day and a time (Bangkok wall clock), as people write
 * them and as spreadsheets and our own exports hold them. Every form and the
 * importer use this one function; the JSON API's ISO form is one of the
 * accepted shapes. Forms:
 *
 *   ISO 8601, year first, always C.E.:  2026-11-27   2026-11-27T09:15[:30]
 *                                       2026-11-27 09:15 (a space for the T)
 *   day first, separator / - or . :     27/11/2569   27/11/69   27-11-2026
 *   day, Thai month name, year:         27 พ.ย. 2569   27 พฤศจิกายน 2569
 *                                       27 พ.ย. 69   27 พย 2569
 *                                       27 พฤศจิกายน พ.ศ. 2569   27 พ.ย. ค.ศ. 2026
 *   an optional weekday first:          วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569
 *   then optionally a time:             … 09:15   … 9.15 น.   … เวลา 09:15:30 น.
 *                                       (after a space, ", " or "T")
 *
 * The year rule (one rule, everywhere):
 *   - a year-first ISO date is C.E. (the API's and date pickers' form);
 *   - a year after "พ.ศ." is B.E., after "ค.ศ." C.E.;
 *   - otherwise a 4-digit year of 2400 or more is B.E. (2569 → 2026), one
 *     below 2400 is C.E. (2026): no date this system holds is before
 *     B.E. 2400 (C.E. 1857), so the two never overlap;
 *   - a 2-digit year is the last two digits of a B.E. year 25xx (69 → 2569),
 *     as Thai offices abbreviate it; a 2-digit C.E. year is not accepted.
 * Digits may be ASCII or Thai (๐–๙), mixed. Day and month take 1 or 2 digits,
 * hour 1 or 2, minutes and seconds exactly 2; hour 0..23, minute and second
 * 0..59. ASCII white space around the text and runs of spaces inside are
 * allowed; nothing else may follow. The day must be real (29/2/2568 is not:
 * C.E. 2025 is no leap year) and its C.E. year within 1..9999.
 *
 * Returns THAI_WHEN_DAY (a day only: out's time fields are 0) or
 * THAI_WHEN_TIME (a day and a time), or -1 (out untouched). */
#define THAI_WHEN_DAY  1
#define THAI_WHEN_TIME 2
int thai_when_parse(const char *s, struct civil_time *out);

/* ---- formatting ----------------------------------------------------- */

enum thai_date_style {
	THAI_DATE_FULL,  /* "25 กุมภาพันธ์ 2567" — documents: full month name */
	THAI_DATE_SHORT, /* "25 ก.พ. 2567" — tables, lists */
	THAI_DATE_LONG, /* "วันอาทิตย์ที่ 25 กุมภาพันธ์ พ.ศ. 2567" — weekday and พ.ศ. */
	THAI_DATE_NUMERIC, /* "25/2/2567" — what a form shows and takes back */
};

/* Appends day (y, m, d) to b in the given style, years in B.E., no leading
 * zero on the day. With thai_digits every digit is ๐–๙.
 * Returns 0, or -1 when the day or style is not valid or b's maximum would be
 * exceeded (b unchanged either way). */
int thai_date_format(struct buf *b, int y, int m, int d, enum thai_date_style style, bool thai_digits);
/* Appends the Bangkok calendar day of epoch seconds t, as thai_date_format. */
int thai_epoch_format_date(struct buf *b, int64_t t, enum thai_date_style style, bool thai_digits);
/* Appends the Bangkok date and time of t: the date as thai_date_format, then
 * " HH:MM น." ("25 ก.พ. 2567 14:05 น."); the long style puts "เวลา" before the
 * time ("วันอาทิตย์ที่ 25 กุมภาพันธ์ พ.ศ. 2567 เวลา 14:05 น."), the numeric style
 * has no "น." ("25/2/2567 14:05", a form's value). Every style reads back
 * through thai_when_parse (to the minute) for C.E. years 1857..9456, whose
 * B.E. years 2400..9999 the year rule reads as B.E. 0 or -1 (b unchanged). */
int thai_epoch_format(struct buf *b, int64_t t, enum thai_date_style style, bool thai_digits);

#endif
