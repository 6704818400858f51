/* The fuzz targets' assertion: a broken contract aborts, which libFuzzer
 * reports as a crash with the input that caused it (assert() would vanish
 * under NDEBUG). */
#ifndef OSSPOINT_TESTS_FUZZ_CHECK_H
#define OSSPOINT_TESTS_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x))                                                                                    \
			abort();                                                                             \
	} while (0)

#endif
