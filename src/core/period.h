/* Reporting periods: the one place for period math (DESIGN.md §2).
 *
 * Rules:
 *  - A period is named by the C.E. (year, month) in which it ends: "2024-02".
 *  - With cut-off day c (a setting, 1..28, default 25), period (Y, M) covers
 *    the day after (M-1, c) through (M, c): 2024-02 = 2024-01-26 … 2024-02-25.
 *    The day after the previous cut-off is computed by day arithmetic, so with
 *    c = 28 period 2023-03 starts on 2023-03-01 (there is no 2023-02-29) and
 *    2024-03 on 2024-02-29. Periods tile the calendar: every day belongs to
 *    exactly one period; a day d of month M is in (Y, M) when d <= c, else in
 *    the next month's period (December 26 → next year's January with c = 25).
 *  - Fiscal year (ปีงบประมาณ) พ.ศ. N = the 12 periods October (N-1) …
 *    September (N), i.e. C.E. periods (N-544)-10 … (N-543)-09. With c = 25,
 *    FY2567 runs 2023-09-26 … 2024-09-25.
 *  - A period is open for entries and edits from its first day until
 *    grace_days (a setting, default 3) after its cut-off day, inclusive, or
 *    until its monthly report is attested, whichever comes first. A period
 *    whose first day has not come yet is not open (nothing can be entered in
 *    it). Once closed it stays closed and its numbers are frozen.
 *  - "today" is the Bangkok calendar day (thai_epoch_day).
 *
 * Periods are valid for years 1..9999; functions given an invalid period,
 * day or cut-off fail (or, for the open/closed rule, answer "closed"). */
#ifndef OSSPOINT_CORE_PERIOD_H
#define OSSPOINT_CORE_PERIOD_H

#include <stdbool.h>

#include "lib/thai.h"

struct buf;

struct period {
	int year;  /* C.E., 1..9999 */
	int month; /* 1..12 */
};

#define PERIOD_CUTOFF_MIN     1
#define PERIOD_CUTOFF_MAX     28
#define PERIOD_CUTOFF_DEFAULT 25
#define PERIOD_GRACE_DEFAULT  3
#define PERIOD_ISO_SIZE       8 /* "YYYY-MM" + NUL */

bool period_valid(struct period p);
/* True for 1..28. */
bool period_cutoff_valid(int cutoff);

/* The period containing day (y, m, d). Returns 0, or -1 when the day or the
 * cut-off is not valid or the period would leave the supported years (out
 * untouched). */
int period_of_day(int y, int m, int d, int cutoff, struct period *out);
/* First and last day of p (both inclusive; last is (p.year, p.month, cutoff)).
 * Returns 0, or -1 for an invalid period or cut-off or when the first day
 * leaves the supported years (only 0001-01). Either pointer may be NULL. */
int period_range(struct period p, int cutoff, struct civil_day *first, struct civil_day *last);

/* Parses exactly "YYYY-MM" (4 + 2 digits, ASCII or Thai, month 01..12, year
 * 0001..9999, nothing else). Returns 0, or -1 (out untouched). */
int period_parse(const char *s, struct period *out);
/* Writes "YYYY-MM" (ASCII). Returns 0, or -1 for an invalid period (out = ""). */
int period_iso(struct period p, char out[PERIOD_ISO_SIZE]);

enum period_label_flags {
	PERIOD_LABEL_THAI_DIGITS = 1 << 0, /* "ก.พ. ๒๕๖๗" rather than "ก.พ. 2567" */
	PERIOD_LABEL_FULL_MONTH = 1 << 1, /* "กุมภาพันธ์ 2567" rather than "ก.พ. 2567" */
};
/* Appends the Thai label of p: month name, a space, B.E. year, e.g.
 * "ก.พ. ๒๕๖๗" with PERIOD_LABEL_THAI_DIGITS. flags is a set of
 * enum period_label_flags. Returns 0, or -1 for an invalid period or when b's
 * maximum would be exceeded (b unchanged). */
int period_label(struct buf *b, struct period p, unsigned flags);

/* Ordering: <0, 0, >0. */
int period_cmp(struct period a, struct period b);
/* The period n months after p (n may be negative). The result may be invalid
 * when it leaves the supported years; check with period_valid. */
struct period period_add(struct period p, int n);

/* The fiscal year (B.E.) of p: periods October..December count to the next
 * year: 2023-10 → 2567, 2024-09 → 2567. Returns 0 for an invalid period. */
int period_fiscal_year(struct period p);
/* The 12 periods of fiscal year fy_be in order (October first). Returns 0, or
 * -1 when any of them would be invalid. */
int period_fiscal_periods(int fy_be, struct period out[12]);
/* First and last day of fiscal year fy_be with the given cut-off: the first
 * day of its October period and the last of its September period. 0 or -1.
 * Either pointer may be NULL. */
int period_fiscal_range(int fy_be, int cutoff, struct civil_day *first, struct civil_day *last);

enum period_state {
	PERIOD_FUTURE,  /* today is before the first day: not open */
	PERIOD_CURRENT, /* first day <= today <= cut-off day: open */
	PERIOD_GRACE,   /* after the cut-off, within grace_days: open */
	PERIOD_CLOSED,  /* past the grace days, or attested: frozen */
};

/* Where p stands on `today` (Bangkok day). grace_days < 0 counts as 0.
 * attested: its monthly report is attested (closes it at once).
 * Fails closed: an invalid period, cut-off or today gives PERIOD_CLOSED. */
enum period_state period_state(struct period p, int cutoff, struct civil_day today, int grace_days,
                               bool attested);
/* True for PERIOD_CURRENT and PERIOD_GRACE. */
bool period_is_open(struct period p, int cutoff, struct civil_day today, int grace_days, bool attested);
/* The last day p is open if nobody attests it: cut-off day + grace_days.
 * Returns 0 or -1 (invalid input). */
int period_last_open_day(struct period p, int cutoff, int grace_days, struct civil_day *out);
/* A unit may attest p's report from its cut-off day on, while p is not closed
 * (the statistics are collected on the cut-off day). */
bool period_can_attest(struct period p, int cutoff, struct civil_day today, int grace_days, bool attested);

/* The first day of the window of the last n working days (Monday to Friday)
 * up to and including today (today counts when it is a working day): on
 * Wednesday with n = 3, Monday; on Saturday or Sunday, the Wednesday before.
 * Public holidays are not known and count as working days. Returns 0, or -1
 * for an invalid day or n < 1. */
int period_working_days_from(struct civil_day today, int n, struct civil_day *first);

#endif
