/* libFuzzer target: the Thai text parsers (ISO days and date-times with Thai
 * digits, the one date parser thai_when_parse with B.E./C.E. years and Thai
 * month names, reporting periods, Thai ID numbers, digit conversion). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/period.h"
#include "core/thai_id.h"
#include "lib/buf.h"
#include "lib/thai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	struct civil_day d;
	if (thai_day_parse(s, &d) == 0) {
		char iso[THAI_ISO_DAY_SIZE];
		if (thai_day_iso(d, iso) != 0 || !thai_day_valid(d.y, d.m, d.d))
			abort();
		struct period p;
		if (period_of_day(d.y, d.m, d.d, 25, &p) != 0)
			abort();
	}
	int64_t t;
	if (thai_datetime_parse(s, &t) == 0) {
		struct civil_time lt;
		if (thai_epoch_to_local(t, &lt) != 0)
			abort();
	}
	struct civil_time w;
	int kind = thai_when_parse(s, &w);
	if (kind != -1) {
		/* A real day and time, which reads back the same when written in
		 * every style the system writes. */
		if ((kind != THAI_WHEN_DAY && kind != THAI_WHEN_TIME) || !thai_day_valid(w.y, w.m, w.d) ||
		    w.hour < 0 || w.hour > 23 || w.min < 0 || w.min > 59 || w.sec < 0 || w.sec > 59 ||
		    (kind == THAI_WHEN_DAY && (w.hour || w.min || w.sec)))
			abort();
		int64_t e;
		struct civil_time back;
		/* The B.E. year the formatter writes reads back as B.E. for C.E.
		 * 1857 (B.E. 2400) to 9456 (B.E. 9999): lib/thai.h's year rule. */
		bool readable = w.y >= 2400 - THAI_BE_OFFSET && w.y <= 9999 - THAI_BE_OFFSET;
		struct buf b;
		buf_init(&b, 512);
		if (thai_local_to_epoch(&w, &e) != 0)
			abort();
		if (readable && (thai_epoch_format(&b, e, THAI_DATE_NUMERIC, true) != 0 ||
		                 thai_when_parse(buf_str(&b), &back) != THAI_WHEN_TIME || back.y != w.y ||
		                 back.m != w.m || back.d != w.d || back.hour != w.hour || back.min != w.min))
			abort();
		buf_cleanup(&b);
	}
	struct period p;
	if (period_parse(s, &p) == 0) {
		struct buf b;
		buf_init(&b, 256);
		period_label(&b, p, 0);
		buf_cleanup(&b);
	}
	char id[THAI_ID_SIZE];
	if (thai_id_normalize(s, id) == 0)
		(void)thai_id_valid(id);
	char *ascii = malloc(size + 1);
	if (thai_digits_to_ascii(ascii, size + 1, s) < 0)
		abort(); /* never longer than the input */
	free(ascii);
	free(s);
	return 0;
}
