/* libFuzzer target: the public-holiday list's import (core roster_holidays_parse).
 * Contract from the header: on success every entry is a real ISO day, its
 * name 1..ROSTER_HOLIDAY_NAME_MAX bytes with no control byte, no day twice,
 * no more than cap entries; on failure a 1-based line within the input and
 * a message. The days read back through the same parser unchanged (each
 * entry re-parsed alone as "YYYY-MM-DD,name" gives the same day and name). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/roster.h"
#include "lib/thai.h"

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { CAP = 16 };
	struct roster_holiday *h = calloc(CAP, sizeof *h);
	struct roster_parse_error e = {0, NULL};
	int n = roster_holidays_parse((const char *)data, size, h, CAP, &e);
	if (n < 0) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		CHECK(e.line >= 1 && (size_t)e.line <= lines && e.why);
	} else {
		CHECK(n <= CAP);
		for (int i = 0; i < n; i++) {
			struct civil_day d;
			CHECK(thai_day_parse(h[i].day, &d) == 0);
			size_t l = strlen(h[i].name);
			CHECK(l >= 1 && l <= ROSTER_HOLIDAY_NAME_MAX);
			for (size_t k = 0; k < l; k++)
				CHECK((unsigned char)h[i].name[k] >= 0x20 && h[i].name[k] != 0x7F);
			for (int j = 0; j < i; j++)
				CHECK(strcmp(h[i].day, h[j].day));
			char line[300];
			snprintf(line, sizeof line, "%s,%s", h[i].day, h[i].name);
			struct roster_holiday one;
			CHECK(roster_holidays_parse(line, strlen(line), &one, 1, NULL) == 1);
			CHECK(!strcmp(one.day, h[i].day) && !strcmp(one.name, h[i].name));
		}
	}
	free(h);
	return 0;
}
