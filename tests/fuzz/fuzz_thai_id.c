/* libFuzzer target: Thai ID parsing (core/thai_id.h) against a reference
 * written here from the header's rules: ASCII digits and Thai digits
 * U+0E50..U+0E59 count, ASCII spaces and hyphens are dropped, anything else
 * makes the input invalid, exactly 13 digits must remain and
 * d13 = (11 − Σ dᵢ·(14−i) mod 11) mod 10. Every entry point must agree with
 * it, and the display forms must give the same number back. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/thai_id.h"

#include "check.h"

/* The reference normalizer: 0 and the 13 digits in out, or -1. */
static int ref_normalize(const unsigned char *s, size_t n, char out[THAI_ID_SIZE])
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		int digit = -1;
		if (s[i] >= '0' && s[i] <= '9') {
			digit = s[i] - '0';
			i++;
		} else if (i + 2 < n && s[i] == 0xE0 && s[i + 1] == 0xB9 && s[i + 2] >= 0x90 &&
		           s[i + 2] <= 0x99) {
			digit = s[i + 2] - 0x90; /* ๐..๙ */
			i += 3;
		} else if (s[i] == ' ' || s[i] == '-') {
			i++;
			continue;
		} else {
			return -1;
		}
		if (k == THAI_ID_DIGITS)
			return -1;
		out[k++] = (char)('0' + digit);
	}
	if (k != THAI_ID_DIGITS)
		return -1;
	out[k] = '\0';
	return 0;
}

static int ref_check_digit(const char *d)
{
	int sum = 0;
	for (int i = 1; i <= 12; i++)
		sum += (d[i - 1] - '0') * (14 - i);
	return (11 - sum % 11) % 10;
}

static void check_display(const char *norm)
{
	char last4[THAI_ID_LAST4_SIZE], mask[THAI_ID_MASK_SIZE], shown[THAI_ID_DISPLAY_SIZE],
	    back[THAI_ID_SIZE];
	CHECK(thai_id_last4(norm, last4) == 0 && !strcmp(last4, norm + 9));
	CHECK(thai_id_mask(last4, mask) == 0);
	/* X-XXXX-XXXX#-##-# with the last four digits */
	CHECK(strlen(mask) == 17 && !strncmp(mask, "X-XXXX-XXXX", 11));
	CHECK(mask[11] == last4[0] && mask[12] == '-' && mask[13] == last4[1] && mask[14] == last4[2] &&
	      mask[15] == '-' && mask[16] == last4[3]);
	CHECK(thai_id_format(norm, shown) == 0 && strlen(shown) == 17);
	CHECK(thai_id_normalize(shown, back) == 0 && !strcmp(back, norm));
	CHECK(thai_id_valid(shown));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstr(data, size);
	size_t n = strlen(s); /* a C string ends at the first NUL */

	char ref[THAI_ID_SIZE], norm[THAI_ID_SIZE], checked[THAI_ID_SIZE];
	int want = ref_normalize((const unsigned char *)s, n, ref);
	int got = thai_id_normalize(s, norm);
	CHECK(got == want);
	enum thai_id_status st = thai_id_check(s, checked);
	if (want < 0) {
		CHECK(norm[0] == '\0' && st == THAI_ID_BAD_FORMAT && checked[0] == '\0' && !thai_id_valid(s));
	} else {
		CHECK(!strcmp(norm, ref));
		/* normalizing is idempotent */
		char again[THAI_ID_SIZE];
		CHECK(thai_id_normalize(norm, again) == 0 && !strcmp(again, norm));
		bool good = ref_check_digit(ref) == ref[12] - '0';
		CHECK(thai_id_check_digit(norm) == ref_check_digit(ref));
		CHECK(st == (good ? THAI_ID_OK : THAI_ID_BAD_CHECKSUM));
		CHECK(thai_id_valid(s) == good);
		if (good) {
			CHECK(!strcmp(checked, ref));
			check_display(norm);
		} else {
			char l4[THAI_ID_LAST4_SIZE], shown[THAI_ID_DISPLAY_SIZE];
			CHECK(checked[0] == '\0');
			CHECK(thai_id_last4(s, l4) == -1 && l4[0] == '\0');
			CHECK(thai_id_format(s, shown) == -1 && shown[0] == '\0');
		}
	}
	/* The check digit of the first 12 characters, whatever they are. */
	if (n >= 12) {
		bool digits = true;
		for (int i = 0; i < 12; i++)
			digits = digits && s[i] >= '0' && s[i] <= '9';
		CHECK(thai_id_check_digit(s) == (digits ? ref_check_digit(s) : -1));
	}
	/* The masked form accepts exactly four ASCII digits. */
	char mask[THAI_ID_MASK_SIZE];
	bool four = n == 4;
	for (size_t i = 0; four && i < 4; i++)
		four = s[i] >= '0' && s[i] <= '9';
	CHECK((thai_id_mask(s, mask) == 0) == four && (four || mask[0] == '\0'));
	free(s);
	return 0;
}
