#include "core/period.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"

bool period_valid(struct period p)
{
	return p.year >= THAI_YEAR_MIN && p.year <= THAI_YEAR_MAX && p.month >= 1 && p.month <= 12;
}

bool period_cutoff_valid(int cutoff)
{
	return cutoff >= PERIOD_CUTOFF_MIN && cutoff <= PERIOD_CUTOFF_MAX;
}

struct period period_add(struct period p, int n)
{
	/* Month index counted from year 0 keeps the carry arithmetic in one
	 * place; floor division handles negative n. */
	long idx = (long)p.year * 12 + (p.month - 1) + n;
	long y = idx >= 0 ? idx / 12 : (idx - 11) / 12;
	struct period r = {(int)y, (int)(idx - y * 12) + 1};
	return r;
}

int period_cmp(struct period a, struct period b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	return 0;
}

int period_of_day(int y, int m, int d, int cutoff, struct period *out)
{
	if (!thai_day_valid(y, m, d) || !period_cutoff_valid(cutoff))
		return -1;
	struct period p = {y, m};
	if (d > cutoff)
		p = period_add(p, 1);
	if (!period_valid(p))
		return -1;
	*out = p;
	return 0;
}

int period_range(struct period p, int cutoff, struct civil_day *first, struct civil_day *last)
{
	if (!period_valid(p) || !period_cutoff_valid(cutoff))
		return -1;
	/* The previous cut-off always exists (cutoff <= 28), so the first day
	 * is "previous cut-off + 1" even when month M-1 is shorter than c+1. */
	struct period prev = period_add(p, -1);
	struct civil_day f = {prev.year, prev.month, cutoff};
	if (!period_valid(prev) || thai_day_add(&f, 1) < 0)
		return -1;
	if (first)
		*first = f;
	if (last) {
		last->y = p.year;
		last->m = p.month;
		last->d = cutoff;
	}
	return 0;
}

int period_parse(const char *s, struct period *out)
{
	size_t n = strlen(s);
	struct period r;
	int k = thai_number_scan(s, n, 4, &r.year);
	if (k < 0 || (size_t)k >= n || s[k] != '-')
		return -1;
	int j = thai_number_scan(s + k + 1, n - (size_t)k - 1, 2, &r.month);
	if (j < 0 || (size_t)(k + 1 + j) != n || !period_valid(r))
		return -1;
	*out = r;
	return 0;
}

int period_iso(struct period p, char out[PERIOD_ISO_SIZE])
{
	if (!period_valid(p)) {
		out[0] = '\0';
		return -1;
	}
	/* By hand, as thai_day_iso: the fields are range-checked already. */
	int y = p.year;
	for (int i = 3; i >= 0; i--, y /= 10)
		out[i] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + p.month / 10);
	out[6] = (char)('0' + p.month % 10);
	out[7] = '\0';
	return 0;
}

int period_label(struct buf *b, struct period p, unsigned flags)
{
	if (!period_valid(p))
		return -1;
	char tmp[64];
	const char *month =
	    flags & PERIOD_LABEL_FULL_MONTH ? thai_month_name(p.month) : thai_month_abbr(p.month);
	snprintf(tmp, sizeof tmp, "%s %d", month, thai_year_be(p.year));
	if (flags & PERIOD_LABEL_THAI_DIGITS)
		return thai_digits_from_ascii_buf(b, tmp);
	return buf_puts(b, tmp);
}

int period_fiscal_year(struct period p)
{
	if (!period_valid(p))
		return 0;
	return thai_year_be(p.month >= 10 ? p.year + 1 : p.year);
}

int period_fiscal_periods(int fy_be, struct period out[12])
{
	struct period oct = {thai_year_ce(fy_be) - 1, 10};
	struct period sep = period_add(oct, 11);
	if (!period_valid(oct) || !period_valid(sep))
		return -1;
	for (int i = 0; i < 12; i++)
		out[i] = period_add(oct, i);
	return 0;
}

int period_fiscal_range(int fy_be, int cutoff, struct civil_day *first, struct civil_day *last)
{
	struct period ps[12];
	if (period_fiscal_periods(fy_be, ps) < 0 || period_range(ps[0], cutoff, first, NULL) < 0 ||
	    period_range(ps[11], cutoff, NULL, last) < 0)
		return -1;
	return 0;
}

int period_last_open_day(struct period p, int cutoff, int grace_days, struct civil_day *out)
{
	struct civil_day last;
	if (period_range(p, cutoff, NULL, &last) < 0)
		return -1;
	if (thai_day_add(&last, grace_days > 0 ? grace_days : 0) < 0)
		return -1;
	*out = last;
	return 0;
}

enum period_state period_state(struct period p, int cutoff, struct civil_day today, int grace_days,
                               bool attested)
{
	struct civil_day first, last, open_until;
	if (!thai_day_valid(today.y, today.m, today.d) || period_range(p, cutoff, &first, &last) < 0 ||
	    period_last_open_day(p, cutoff, grace_days, &open_until) < 0)
		return PERIOD_CLOSED;
	if (attested || thai_day_cmp(today, open_until) > 0)
		return PERIOD_CLOSED;
	if (thai_day_cmp(today, first) < 0)
		return PERIOD_FUTURE;
	return thai_day_cmp(today, last) <= 0 ? PERIOD_CURRENT : PERIOD_GRACE;
}

bool period_is_open(struct period p, int cutoff, struct civil_day today, int grace_days, bool attested)
{
	enum period_state s = period_state(p, cutoff, today, grace_days, attested);
	return s == PERIOD_CURRENT || s == PERIOD_GRACE;
}

bool period_can_attest(struct period p, int cutoff, struct civil_day today, int grace_days, bool attested)
{
	struct civil_day last;
	if (!period_is_open(p, cutoff, today, grace_days, attested) ||
	    period_range(p, cutoff, NULL, &last) < 0)
		return false;
	return thai_day_cmp(today, last) >= 0;
}

int period_working_days_from(struct civil_day today, int n, struct civil_day *first)
{
	if (n < 1 || !thai_day_valid(today.y, today.m, today.d))
		return -1;
	struct civil_day d = today;
	for (int left = n;;) {
		int wd = thai_weekday(d.y, d.m, d.d);
		if (wd >= 1 && wd <= 5 && --left == 0)
			break;
		if (thai_day_add(&d, -1) != 0)
			return -1;
	}
	*first = d;
	return 0;
}
