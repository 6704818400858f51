#include "lib/thai.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"

/* ---- Thai digits ---------------------------------------------------- */

/* UTF-8 of U+0E50..U+0E59 is E0 B9 90..99: the last byte carries the value. */
#define TD0 0xE0
#define TD1 0xB9
#define TD2 0x90

int thai_digit_scan(const char *s, size_t n, int *value)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n >= 1 && u[0] >= '0' && u[0] <= '9') {
		*value = u[0] - '0';
		return 1;
	}
	if (n >= 3 && u[0] == TD0 && u[1] == TD1 && u[2] >= TD2 && u[2] <= TD2 + 9) {
		*value = u[2] - TD2;
		return 3;
	}
	return 0;
}

int thai_number_scan(const char *s, size_t n, int count, int *value)
{
	size_t used = 0;
	int v = 0;
	if (count < 1 || count > 9)
		return -1;
	for (int i = 0; i < count; i++) {
		int dv, k = thai_digit_scan(s + used, n - used, &dv);
		if (!k)
			return -1;
		used += (size_t)k;
		v = v * 10 + dv;
	}
	*value = v;
	return (int)used;
}

/* The _buf converters append runs (bytes up to the next digit of the other
 * script, then its replacement) and roll b back to its old length on failure,
 * which is what "b unchanged" in the header promises. */

int thai_digits_to_ascii(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src), in = 0, out = 0;
	/* out never passes in, so writing dst[out] never clobbers unread src
	 * bytes when dst == src. */
	while (in < n) {
		int v, k = thai_digit_scan(src + in, n - in, &v);
		if (out + 1 >= cap)
			goto toosmall;
		if (k == 3) {
			dst[out++] = (char)('0' + v);
			in += 3;
		} else {
			dst[out++] = src[in++];
		}
	}
	if (out >= cap || out > INT_MAX)
		goto toosmall;
	dst[out] = '\0';
	return (int)out;
toosmall:
	if (cap > 0)
		dst[0] = '\0';
	return -1;
}

int thai_digits_to_ascii_buf(struct buf *b, const char *src)
{
	size_t n = strlen(src), start = 0, old = b->len;
	for (size_t i = 0; i < n;) {
		int v, k = thai_digit_scan(src + i, n - i, &v);
		if (k != 3) {
			i++;
			continue;
		}
		if (buf_append(b, src + start, i - start) < 0 || buf_putc(b, (char)('0' + v)) < 0)
			goto fail;
		i += 3;
		start = i;
	}
	if (buf_append(b, src + start, n - start) < 0)
		goto fail;
	return 0;
fail:
	b->len = old;
	if (b->data)
		b->data[old] = '\0';
	return -1;
}

int thai_digits_from_ascii(char *dst, size_t cap, const char *src)
{
	size_t out = 0;
	for (const char *p = src; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (cap < 4 || out > cap - 4)
				goto toosmall;
			dst[out++] = (char)TD0;
			dst[out++] = (char)TD1;
			dst[out++] = (char)(TD2 + (*p - '0'));
		} else {
			if (out + 1 >= cap)
				goto toosmall;
			dst[out++] = *p;
		}
	}
	if (out >= cap || out > INT_MAX)
		goto toosmall;
	dst[out] = '\0';
	return (int)out;
toosmall:
	if (cap > 0)
		dst[0] = '\0';
	return -1;
}

int thai_digits_from_ascii_buf(struct buf *b, const char *src)
{
	size_t n = strlen(src), start = 0, old = b->len;
	for (size_t i = 0; i < n; i++) {
		if (src[i] < '0' || src[i] > '9')
			continue;
		char td[3] = {(char)TD0, (char)TD1, (char)(TD2 + (src[i] - '0'))};
		if (buf_append(b, src + start, i - start) < 0 || buf_append(b, td, 3) < 0)
			goto fail;
		start = i + 1;
	}
	if (buf_append(b, src + start, n - start) < 0)
		goto fail;
	return 0;
fail:
	b->len = old;
	if (b->data)
		b->data[old] = '\0';
	return -1;
}

/* ---- names and years ------------------------------------------------ */

static const char *const month_full[12] = {
    "มกราคม",  "กุมภาพันธ์", "มีนาคม",  "เมษายน", "พฤษภาคม",  "มิถุนายน",
    "กรกฎาคม", "สิงหาคม",  "กันยายน", "ตุลาคม",  "พฤศจิกายน", "ธันวาคม",
};

static const char *const month_abbr[12] = {
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
};

static const char *const weekday_names[7] = {
    "อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์",
};

const char *thai_month_name(int m)
{
	return m >= 1 && m <= 12 ? month_full[m - 1] : NULL;
}

const char *thai_month_abbr(int m)
{
	return m >= 1 && m <= 12 ? month_abbr[m - 1] : NULL;
}

const char *thai_weekday_name(int wday)
{
	return wday >= 0 && wday <= 6 ? weekday_names[wday] : NULL;
}

int thai_year_be(int ce)
{
	return ce + THAI_BE_OFFSET;
}

int thai_year_ce(int be)
{
	return be - THAI_BE_OFFSET;
}

/* ---- civil-date arithmetic ------------------------------------------- */

bool thai_year_is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int thai_month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && thai_year_is_leap(y) ? 29 : days[m - 1];
}

bool thai_day_valid(int y, int m, int d)
{
	return y >= THAI_YEAR_MIN && y <= THAI_YEAR_MAX && m >= 1 && m <= 12 && d >= 1 &&
	       d <= thai_month_days(y, m);
}

/* http://howardhinnant.github.io/date_algorithms.html — eras of 400 years
 * starting on March 1st, so the leap day is the last day of the era-year. */
int64_t thai_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct civil_day thai_civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct civil_day r;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

int thai_weekday(int y, int m, int d)
{
	int64_t z = thai_days_from_civil(y, m, d);
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (z + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/* Day numbers of the supported range, so additions can be checked before
 * they are converted back. */
#define DAYS_MIN (-719162) /* 0001-01-01 */
#define DAYS_MAX (2932896) /* 9999-12-31 */

int thai_day_add(struct civil_day *day, int64_t n)
{
	if (!thai_day_valid(day->y, day->m, day->d))
		return -1;
	int64_t z = thai_days_from_civil(day->y, day->m, day->d);
	if (n < DAYS_MIN - z || n > DAYS_MAX - z)
		return -1;
	*day = thai_civil_from_days(z + n);
	return 0;
}

int thai_day_cmp(struct civil_day a, struct civil_day b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

static int read_digits(const char **p, const char *end, int count, int *value)
{
	int k = thai_number_scan(*p, (size_t)(end - *p), count, value);
	if (k < 0)
		return -1;
	*p += k;
	return 0;
}

static int read_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* "YYYY-MM-DD" at *p, advancing it; the day is checked for validity. */
static int read_day(const char **p, const char *end, struct civil_day *day)
{
	int y, m, d;
	if (read_digits(p, end, 4, &y) < 0 || read_char(p, end, '-') < 0 || read_digits(p, end, 2, &m) < 0 ||
	    read_char(p, end, '-') < 0 || read_digits(p, end, 2, &d) < 0)
		return -1;
	if (!thai_day_valid(y, m, d))
		return -1;
	day->y = y;
	day->m = m;
	day->d = d;
	return 0;
}

int thai_day_parse(const char *s, struct civil_day *out)
{
	const char *p = s, *end = s + strlen(s);
	struct civil_day day;
	if (read_day(&p, end, &day) < 0 || p != end)
		return -1;
	*out = day;
	return 0;
}

/* Writes v (>= 0, < 10^width) as exactly `width` digits, zero-padded. */
static void put_fixed(char *out, int v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

int thai_day_iso(struct civil_day day, char out[THAI_ISO_DAY_SIZE])
{
	if (!thai_day_valid(day.y, day.m, day.d)) {
		out[0] = '\0';
		return -1;
	}
	/* By hand: the fields are range-checked, and snprintf's %04d would make
	 * gcc -O2 warn about truncation it cannot rule out. */
	put_fixed(out, day.y, 4);
	out[4] = '-';
	put_fixed(out + 5, day.m, 2);
	out[7] = '-';
	put_fixed(out + 8, day.d, 2);
	out[10] = '\0';
	return 0;
}

/* ---- epoch seconds <-> Bangkok wall clock ----------------------------- */

/* Epoch seconds of 0001-01-01 00:00:00 and 9999-12-31 23:59:59 Bangkok: the
 * bounds also keep every intermediate below far from int64 overflow. */
#define EPOCH_MIN ((int64_t)DAYS_MIN * 86400 - THAI_UTC_OFFSET)
#define EPOCH_MAX ((int64_t)DAYS_MAX * 86400 + 86399 - THAI_UTC_OFFSET)

int thai_epoch_to_local(int64_t t, struct civil_time *out)
{
	if (t < EPOCH_MIN || t > EPOCH_MAX)
		return -1;
	int64_t local = t + THAI_UTC_OFFSET;
	int64_t days = local / 86400, secs = local % 86400;
	if (secs < 0) { /* floor division for times before 1970 */
		secs += 86400;
		days--;
	}
	struct civil_day day = thai_civil_from_days(days);
	out->y = day.y;
	out->m = day.m;
	out->d = day.d;
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	return 0;
}

int thai_epoch_day(int64_t t, struct civil_day *out)
{
	struct civil_time lt;
	if (thai_epoch_to_local(t, &lt) < 0)
		return -1;
	out->y = lt.y;
	out->m = lt.m;
	out->d = lt.d;
	return 0;
}

int thai_local_to_epoch(const struct civil_time *lt, int64_t *out)
{
	if (!thai_day_valid(lt->y, lt->m, lt->d) || lt->hour < 0 || lt->hour > 23 || lt->min < 0 ||
	    lt->min > 59 || lt->sec < 0 || lt->sec > 59)
		return -1;
	*out = thai_days_from_civil(lt->y, lt->m, lt->d) * 86400 + lt->hour * 3600 + lt->min * 60 + lt->sec -
	       THAI_UTC_OFFSET;
	return 0;
}

int thai_datetime_parse(const char *s, int64_t *out)
{
	const char *p = s, *end = s + strlen(s);
	struct civil_day day;
	struct civil_time lt = {0};
	if (read_day(&p, end, &day) < 0 || read_char(&p, end, 'T') < 0 ||
	    read_digits(&p, end, 2, &lt.hour) < 0 || read_char(&p, end, ':') < 0 ||
	    read_digits(&p, end, 2, &lt.min) < 0)
		return -1;
	if (p != end && (read_char(&p, end, ':') < 0 || read_digits(&p, end, 2, &lt.sec) < 0))
		return -1;
	if (p != end)
		return -1;
	lt.y = day.y;
	lt.m = day.m;
	lt.d = day.d;
	return thai_local_to_epoch(&lt, out);
}

/* ---- the one date parser (thai_when_parse) ---------------------------- */

struct scan {
	const char *p, *end;
};

static bool scan_lit(struct scan *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

/* Skips ASCII blanks and U+00A0 (spreadsheets put no-break spaces in dates);
 * returns how many were skipped. */
static int scan_spaces(struct scan *c)
{
	int n = 0;
	for (;;) {
		if (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
			c->p++;
		} else if (!scan_lit(c, "\xC2\xA0")) {
			return n;
		}
		n++;
	}
}

/* Up to max digits (at least 1); *count gets how many. */
static bool scan_number(struct scan *c, int max, int *value, int *count)
{
	int v = 0, k = 0;
	while (k < max) {
		int d, used = thai_digit_scan(c->p, (size_t)(c->end - c->p), &d);
		if (!used)
			break;
		c->p += used;
		v = v * 10 + d;
		k++;
	}
	/* One digit more than allowed is a different number, not this one. */
	int d;
	if (k == 0 || thai_digit_scan(c->p, (size_t)(c->end - c->p), &d))
		return false;
	*value = v;
	*count = k;
	return true;
}

static bool scan_digits(struct scan *c, int min, int max, int *value)
{
	int count;
	return scan_number(c, max, value, &count) && count >= min;
}

/* The month name at c (full, abbreviated, or abbreviated without dots): the
 * longest that matches, so "มี.ค." is never read as "มค" + rest. 1..12 or 0. */
static int scan_month(struct scan *c)
{
	static const char *const bare[12] = {"มค", "กพ", "มีค", "เมย", "พค", "มิย",
	                                     "กค", "สค", "กย", "ตค",  "พย", "ธค"};
	int best = 0;
	size_t best_len = 0;
	for (int m = 1; m <= 12; m++) {
		const char *names[3] = {thai_month_name(m), thai_month_abbr(m), bare[m - 1]};
		for (int k = 0; k < 3; k++) {
			size_t n = strlen(names[k]);
			if (n > best_len && (size_t)(c->end - c->p) >= n && !memcmp(c->p, names[k], n)) {
				best = m;
				best_len = n;
			}
		}
	}
	c->p += best_len;
	return best;
}

enum era { ERA_NONE, ERA_BE, ERA_CE };

static enum era scan_era(struct scan *c)
{
	static const char *const be[] = {"พ.ศ.", "พ.ศ", "พศ."}, *const ce[] = {"ค.ศ.", "ค.ศ", "คศ."};
	for (size_t i = 0; i < 3; i++) {
		if (scan_lit(c, be[i]))
			return ERA_BE;
		if (scan_lit(c, ce[i]))
			return ERA_CE;
	}
	if (scan_lit(c, "พศ"))
		return ERA_BE;
	if (scan_lit(c, "คศ"))
		return ERA_CE;
	return ERA_NONE;
}

/* A day-first year: 4 digits by the rule in thai.h, or 2 digits of B.E. 25xx.
 * Returns the C.E. year, or 0. */
static int scan_year(struct scan *c, enum era era)
{
	int y, count;
	if (!scan_number(c, 4, &y, &count))
		return 0;
	if (count == 2 && era != ERA_CE)
		return 2500 + y - THAI_BE_OFFSET;
	if (count != 4)
		return 0;
	if (era == ERA_BE || (era == ERA_NONE && y >= 2400))
		y -= THAI_BE_OFFSET;
	return y;
}

/* "วันศุกร์ที่ " before a date, as THAI_DATE_LONG writes it. */
static void scan_weekday(struct scan *c)
{
	struct scan at = *c;
	if (!scan_lit(&at, "วัน"))
		return;
	for (int w = 0; w < 7; w++)
		if (scan_lit(&at, thai_weekday_name(w))) {
			scan_lit(&at, "ที่");
			scan_spaces(&at);
			*c = at;
			return;
		}
}

static bool scan_date(struct scan *c, struct civil_day *day)
{
	int y = 0, m = 0, d = 0, count;
	scan_weekday(c);
	struct scan iso = *c;
	if (scan_number(&iso, 4, &y, &count) && count == 4 && scan_lit(&iso, "-")) {
		/* Year first: ISO 8601, C.E. */
		if (!scan_digits(&iso, 1, 2, &m) || !scan_lit(&iso, "-") || !scan_digits(&iso, 1, 2, &d))
			return false;
		*c = iso;
	} else {
		if (!scan_digits(c, 1, 2, &d))
			return false;
		char sep = c->p < c->end ? *c->p : '\0';
		if (sep == '/' || sep == '-' || sep == '.') {
			c->p++;
			if (!scan_digits(c, 1, 2, &m) || c->p >= c->end || *c->p != sep)
				return false;
			c->p++;
			y = scan_year(c, ERA_NONE);
		} else {
			scan_spaces(c);
			if (!(m = scan_month(c)))
				return false;
			scan_spaces(c);
			enum era era = scan_era(c);
			scan_spaces(c);
			y = scan_year(c, era);
		}
	}
	if (!thai_day_valid(y, m, d))
		return false;
	*day = (struct civil_day){y, m, d};
	return true;
}

/* "09:15", "9.15", "09:15:30", then an optional "น." */
static bool scan_time(struct scan *c, struct civil_time *t)
{
	if (!scan_digits(c, 1, 2, &t->hour) || c->p >= c->end || (*c->p != ':' && *c->p != '.'))
		return false;
	char sep = *c->p++;
	if (!scan_digits(c, 2, 2, &t->min))
		return false;
	t->sec = 0;
	if (c->p < c->end && *c->p == sep) {
		c->p++;
		if (!scan_digits(c, 2, 2, &t->sec))
			return false;
	}
	scan_spaces(c);
	if (!scan_lit(c, "น."))
		scan_lit(c, "น");
	return t->hour <= 23 && t->min <= 59 && t->sec <= 59;
}

int thai_when_parse(const char *s, struct civil_time *out)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		n--;
	while (n && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
		s++;
		n--;
	}
	struct scan c = {s, s + n};
	struct civil_day day;
	struct civil_time t = {0};
	if (!scan_date(&c, &day))
		return -1;
	t.y = day.y;
	t.m = day.m;
	t.d = day.d;
	int kind = THAI_WHEN_DAY;
	if (c.p < c.end) {
		/* Between the day and the time: "T", a space, ", ", " เวลา ". */
		if (!scan_lit(&c, "T")) {
			bool comma = scan_lit(&c, ",");
			if (!scan_spaces(&c) && !comma)
				return -1;
			if (scan_lit(&c, "เวลา"))
				scan_spaces(&c);
		}
		if (!scan_time(&c, &t))
			return -1;
		scan_spaces(&c);
		kind = THAI_WHEN_TIME;
	}
	if (c.p != c.end)
		return -1;
	*out = t;
	return kind;
}

/* ---- formatting ----------------------------------------------------- */

/* Longest output: "วัน" + weekday + "ที่ 31 " + month + " พ.ศ. 9999" + " เวลา 23:59 น."
 * is about 140 bytes before Thai digits (×3 for digits): 512 is ample. */
#define FMT_MAX 512

static int format_day(char *out, size_t cap, int y, int m, int d, enum thai_date_style style)
{
	if (!thai_day_valid(y, m, d))
		return -1;
	int be = thai_year_be(y);
	switch (style) {
	case THAI_DATE_FULL: return snprintf(out, cap, "%d %s %d", d, thai_month_name(m), be);
	case THAI_DATE_SHORT: return snprintf(out, cap, "%d %s %d", d, thai_month_abbr(m), be);
	case THAI_DATE_LONG:
		return snprintf(out, cap, "วัน%sที่ %d %s พ.ศ. %d", thai_weekday_name(thai_weekday(y, m, d)), d,
		                thai_month_name(m), be);
	case THAI_DATE_NUMERIC: return snprintf(out, cap, "%d/%d/%d", d, m, be);
	}
	return -1;
}

/* Appends ASCII text s, with its digits converted when asked; b is unchanged
 * on failure (the _buf converters guarantee it). */
static int put_digits(struct buf *b, const char *s, bool thai_digits)
{
	return thai_digits ? thai_digits_from_ascii_buf(b, s) : buf_puts(b, s);
}

int thai_date_format(struct buf *b, int y, int m, int d, enum thai_date_style style, bool thai_digits)
{
	char tmp[FMT_MAX];
	int n = format_day(tmp, sizeof tmp, y, m, d, style);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	return put_digits(b, tmp, thai_digits);
}

int thai_epoch_format_date(struct buf *b, int64_t t, enum thai_date_style style, bool thai_digits)
{
	struct civil_day day;
	if (thai_epoch_day(t, &day) < 0)
		return -1;
	return thai_date_format(b, day.y, day.m, day.d, style, thai_digits);
}

int thai_epoch_format(struct buf *b, int64_t t, enum thai_date_style style, bool thai_digits)
{
	struct civil_time lt;
	char tmp[FMT_MAX];
	if (thai_epoch_to_local(t, &lt) < 0)
		return -1;
	int n = format_day(tmp, sizeof tmp, lt.y, lt.m, lt.d, style);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	int k = snprintf(tmp + n, sizeof tmp - (size_t)n, "%s%02d:%02d%s",
	                 style == THAI_DATE_LONG ? " เวลา " : " ", lt.hour, lt.min,
	                 style == THAI_DATE_NUMERIC ? "" : " น.");
	if (k < 0 || (size_t)k >= sizeof tmp - (size_t)n)
		return -1;
	return put_digits(b, tmp, thai_digits);
}
