/* libFuzzer target: the CSV reader (seed data, registry import). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv c;
	csv_init(&c, (const char *)data, size);
	int rc;
	size_t records = 0;
	while ((rc = csv_next(&c)) == CSV_RECORD) {
		/* Every field is NUL-terminated inside the scratch space. */
		for (size_t i = 0; i < c.nfields; i++)
			(void)strlen(c.fields[i]);
		if (++records > 100000)
			break;
	}
	csv_cleanup(&c);
	return 0;
}
