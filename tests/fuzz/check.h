/* The fuzz targets' assertion: a broken contract aborts, which libFuzzer
 * reports as a crash with the input that caused it (assert() would vanish
 * under NDEBUG). */
#ifndef OSSPOINT_TESTS_FUZZ_CHECK_H
#define OSSPOINT_TESTS_FUZZ_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x))                                                                                    \
			abort();                                                                             \
	} while (0)

/* The input as a NUL-terminated copy (caller frees): a C parser sees it up
 * to its first NUL. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	CHECK(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
