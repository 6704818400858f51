/* libFuzzer target: the Thai text parsers (ISO days and date-times with Thai
 * digits, reporting periods, Thai ID numbers, digit conversion). */
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
