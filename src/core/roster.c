/* The duty roster's rules (roster.h). */
#include "core/roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "lib/thai.h"

static const char *const names[ROSTER_NSHIFTS] = {"morning", "afternoon", "full"};
static const char *const labels[ROSTER_NSHIFTS] = {"เวรเช้า", "เวรบ่าย", "เต็มวัน"};
const char *const roster_default_times[ROSTER_NSHIFTS][2] = {
    {"08:30", "12:00"}, {"13:00", "16:30"}, {"08:30", "16:30"}};

const char *roster_shift_name(enum roster_shift s)
{
	return (unsigned)s < ROSTER_NSHIFTS ? names[s] : "";
}

const char *roster_shift_label(enum roster_shift s)
{
	return (unsigned)s < ROSTER_NSHIFTS ? labels[s] : "";
}

int roster_shift_parse(const char *s)
{
	for (int i = 0; s && i < ROSTER_NSHIFTS; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

bool roster_time_valid(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60;
}

bool roster_span_valid(const char *start, const char *end)
{
	return roster_time_valid(start) && roster_time_valid(end) && strcmp(start, end) < 0;
}

bool roster_may_edit(int role, const char *user_unit, const char *district)
{
	return role == ROLE_DISTRICT_ADMIN && user_unit && district && *district &&
	       !strcmp(user_unit, district);
}

int roster_month_parse(const char *s, int *y, int *m)
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return -1;
	int v[6];
	for (int i = 0, j = 0; i < 7; i++) {
		if (i == 4)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v[j++] = s[i] - '0';
	}
	int yy = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], mm = v[4] * 10 + v[5];
	if (yy < 1900 || yy > 9000 || mm < 1 || mm > 12)
		return -1;
	*y = yy;
	*m = mm;
	return 0;
}

static bool in_list(const char *day, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && !strcmp(list[i], day))
			return true;
	return false;
}

int roster_generate(int y, int m, const struct roster_pattern_line *pattern, size_t npattern,
                    const char *const *holidays, size_t nholidays, const char *const *skip, size_t nskip,
                    struct roster_slot *out, size_t cap)
{
	if (m < 1 || m > 12 || y < 1 || y > 9999)
		return -1;
	for (size_t i = 0; i < npattern; i++)
		if (pattern[i].weekday < 0 || pattern[i].weekday > 6 ||
		    (unsigned)pattern[i].shift >= ROSTER_NSHIFTS || pattern[i].person <= 0)
			return -1;
	int n = 0, days = thai_month_days(y, m);
	for (int d = 1; d <= days; d++) {
		char iso[THAI_ISO_DAY_SIZE];
		struct civil_day cd = {y, m, d};
		if (thai_day_iso(cd, iso) != 0)
			return -1;
		if (in_list(iso, holidays, nholidays) || in_list(iso, skip, nskip))
			continue;
		int wd = thai_weekday(y, m, d);
		for (size_t i = 0; i < npattern; i++) {
			if (pattern[i].weekday != wd)
				continue;
			if ((size_t)n < cap) {
				memcpy(out[n].day, iso, sizeof out[n].day);
				out[n].shift = pattern[i].shift;
				out[n].person = pattern[i].person;
			}
			n++;
		}
	}
	return n;
}

/* ---- the holiday list ---- */

static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!k || i + k > n)
			return false;
		unsigned cp = k == 1 ? c : c & (0x3F >> (k - 1));
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		if (cp < 0x20 || cp == 0x7F)
			return false;
		i += k;
	}
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

static int fail(struct roster_parse_error *err, int line, const char *why)
{
	if (err) {
		err->line = line;
		err->why = why;
	}
	return -1;
}

int roster_holidays_parse(const char *text, size_t len, struct roster_holiday *out, size_t cap,
                          struct roster_parse_error *err)
{
	if (cap > ROSTER_HOLIDAYS_MAX)
		cap = ROSTER_HOLIDAYS_MAX;
	int n = 0, line = 0;
	bool first = true;
	/* A UTF-8 byte-order mark (spreadsheets write one). */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		text += 3, len -= 3;
	for (size_t at = 0; at < len;) {
		const char *s = text + at;
		const char *nl = memchr(s, '\n', len - at);
		size_t l = nl ? (size_t)(nl - s) : len - at;
		at += l + (nl ? 1 : 0);
		line++;
		if (memchr(s, '\0', l))
			return fail(err, line, "มีอักขระที่อ่านไม่ได้");
		trim(&s, &l);
		if (!l || s[0] == '#')
			continue;
		bool was_first = first;
		first = false;
		const char *sep = NULL;
		for (size_t i = 0; i < l && !sep; i++)
			if (s[i] == ',' || s[i] == '\t')
				sep = s + i;
		bool digit = false;
		for (size_t i = 0; i < l; i++)
			if ((s[i] >= '0' && s[i] <= '9') ||
			    ((unsigned char)s[i] == 0xE0 && i + 2 < l && (unsigned char)s[i + 1] == 0xB9 &&
			     (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99))
				digit = true;
		if (was_first && !digit)
			continue; /* a header line */
		if (!sep)
			return fail(err, line, "ต้องมีวันที่และชื่อวันหยุด คั่นด้วยจุลภาคหรือแท็บ");
		size_t dl = (size_t)(sep - s);
		const char *name = sep + 1;
		size_t nlen = l - dl - 1;
		trim(&name, &nlen);
		char date[96];
		const char *ds = s;
		trim(&ds, &dl);
		if (dl == 0 || dl >= sizeof date)
			return fail(err, line, "วันที่ไม่ถูกต้อง");
		memcpy(date, ds, dl);
		date[dl] = '\0';
		struct civil_time t;
		if (thai_when_parse(date, &t) != THAI_WHEN_DAY)
			return fail(err, line, "วันที่ไม่ถูกต้อง (เช่น 5/12/2569)");
		if (!nlen)
			return fail(err, line, "ไม่มีชื่อวันหยุด");
		if (nlen > ROSTER_HOLIDAY_NAME_MAX)
			return fail(err, line, "ชื่อวันหยุดยาวเกินไป");
		if (!utf8_ok((const unsigned char *)name, nlen))
			return fail(err, line, "ชื่อวันหยุดมีอักขระที่ใช้ไม่ได้");
		char iso[THAI_ISO_DAY_SIZE];
		if (thai_day_iso((struct civil_day){t.y, t.m, t.d}, iso) != 0)
			return fail(err, line, "วันที่ไม่ถูกต้อง");
		for (int i = 0; i < n && (size_t)i < cap; i++)
			if (!strcmp(out[i].day, iso))
				return fail(err, line, "วันนี้อยู่ในรายการแล้ว");
		if ((size_t)n >= cap)
			return fail(err, line, "รายการยาวเกินไป");
		memcpy(out[n].day, iso, sizeof iso);
		memcpy(out[n].name, name, nlen);
		out[n].name[nlen] = '\0';
		n++;
	}
	return n;
}
