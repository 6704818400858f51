/* The duty roster's rules (ทะเบียนเวร), no I/O: shifts and their times, the
 * weekly pattern turned into a month's duties (public holidays skipped), the
 * month a roster page shows, and the parser of the national holiday list's
 * import (B.E. dates, fuzzed by tests/fuzz/fuzz_holidays.c). */
#ifndef OSSPOINT_CORE_ROSTER_H
#define OSSPOINT_CORE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum roster_shift { ROSTER_MORNING, ROSTER_AFTERNOON, ROSTER_FULL, ROSTER_NSHIFTS };

/* "morning", "afternoon", "full" (the API's and the database's names). */
const char *roster_shift_name(enum roster_shift s);
/* "เวรเช้า", "เวรบ่าย", "เต็มวัน". */
const char *roster_shift_label(enum roster_shift s);
/* The shift named s, or -1. */
int roster_shift_parse(const char *s);

/* Default times of each shift (a point's own are in roster_settings). */
extern const char *const roster_default_times[ROSTER_NSHIFTS][2];
/* "HH:MM", 00:00..23:59, exactly five bytes. */
bool roster_time_valid(const char *s);
/* Both valid and start before end. */
bool roster_span_valid(const char *start, const char *end);

/* Whether a user of role (core/perm.h enum role) at user_unit may edit the
 * roster of district: its own district's admins only (a province or national
 * admin reads it; an officer reads it). */
bool roster_may_edit(int role, const char *user_unit, const char *district);

/* "YYYY-MM" (C.E., as ?month=) → y, m. Returns 0 or -1. */
int roster_month_parse(const char *s, int *y, int *m);

/* One line of the weekly pattern: weekday 0 = Sunday … 6 = Saturday. */
struct roster_pattern_line {
	int weekday;
	enum roster_shift shift;
	int64_t person;
};

/* One generated duty. */
struct roster_slot {
	char day[11]; /* ISO */
	enum roster_shift shift;
	int64_t person;
};

/* The duties month (y, m) gets from the pattern: for each day of the month
 * that is not in holidays (ISO days, any order) and not in skip (days that
 * already hold duties, kept as edited), every pattern line of its weekday.
 * Writes at most cap slots into out, in day order then pattern order;
 * returns how many there are in all (more than cap: out holds the first
 * cap), or -1 for an invalid month or pattern line. */
int roster_generate(int y, int m, const struct roster_pattern_line *pattern, size_t npattern,
                    const char *const *holidays, size_t nholidays, const char *const *skip, size_t nskip,
                    struct roster_slot *out, size_t cap);

/* ---- the holiday list's import ---- */

#define ROSTER_HOLIDAY_NAME_MAX 200 /* bytes */
#define ROSTER_HOLIDAYS_MAX     400 /* lines of one import */

struct roster_holiday {
	char day[11]; /* ISO */
	char name[ROSTER_HOLIDAY_NAME_MAX + 1];
};

struct roster_parse_error {
	int line;        /* 1-based */
	const char *why; /* static Thai message */
};

/* Parses text (len bytes, UTF-8; may hold NUL bytes, which are refused) of
 * lines "<date><TAB or ,><name>", the date as people write it with a B.E.
 * year (thai_when_parse: "5/12/2569", "5 ธันวาคม 2569"; a year-first ISO
 * date is C.E.). Blank lines and lines starting with '#' are skipped, and a
 * first line with no digit at all (a header: "วันที่,ชื่อวันหยุด"). A name
 * is trimmed, 1..ROSTER_HOLIDAY_NAME_MAX bytes, valid UTF-8, no control
 * character. A day given twice is an error. At most cap entries are
 * written; more lines than cap (or ROSTER_HOLIDAYS_MAX) is an error.
 * Returns the number of holidays (>= 0), or -1 with *err naming the first
 * bad line (out's contents then unspecified). */
int roster_holidays_parse(const char *text, size_t len, struct roster_holiday *out, size_t cap,
                          struct roster_parse_error *err);

#endif
