#include "core/thai_id.h"

#include <stddef.h>
#include <string.h>

#include "lib/thai.h"

int thai_id_normalize(const char *in, char out[THAI_ID_SIZE])
{
	size_t n, i = 0, k = 0;
	if (!in)
		goto bad;
	n = strlen(in);
	while (i < n) {
		int v, used = thai_digit_scan(in + i, n - i, &v);
		if (used) {
			/* Stop at the 14th digit rather than scanning the rest. */
			if (k == THAI_ID_DIGITS)
				goto bad;
			out[k++] = (char)('0' + v);
			i += (size_t)used;
		} else if (in[i] == ' ' || in[i] == '-') {
			i++;
		} else {
			goto bad;
		}
	}
	if (k != THAI_ID_DIGITS)
		goto bad;
	out[k] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

int thai_id_check_digit(const char *first12)
{
	int sum = 0;
	for (int i = 0; i < 12; i++) {
		if (first12[i] < '0' || first12[i] > '9')
			return -1;
		sum += (first12[i] - '0') * (13 - i); /* weight 14−i for 1-based i */
	}
	return (11 - sum % 11) % 10;
}

enum thai_id_status thai_id_check(const char *in, char out[THAI_ID_SIZE])
{
	if (thai_id_normalize(in, out) < 0)
		return THAI_ID_BAD_FORMAT;
	if (thai_id_check_digit(out) != out[12] - '0') {
		out[0] = '\0';
		return THAI_ID_BAD_CHECKSUM;
	}
	return THAI_ID_OK;
}

bool thai_id_valid(const char *s)
{
	char id[THAI_ID_SIZE];
	return thai_id_check(s, id) == THAI_ID_OK;
}

int thai_id_last4(const char *id, char out[THAI_ID_LAST4_SIZE])
{
	char norm[THAI_ID_SIZE];
	if (thai_id_check(id, norm) != THAI_ID_OK) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, norm + 9, 5); /* d10..d13 and the NUL */
	return 0;
}

/* Writes the 1-4-5-2-1 grouping of 13 characters. */
static void group(const char *digits, char out[THAI_ID_DISPLAY_SIZE])
{
	static const int sizes[5] = {1, 4, 5, 2, 1};
	size_t k = 0;
	for (int g = 0, at = 0; g < 5; g++) {
		if (g)
			out[k++] = '-';
		for (int j = 0; j < sizes[g]; j++)
			out[k++] = digits[at++];
	}
	out[k] = '\0';
}

int thai_id_mask(const char *last4, char out[THAI_ID_MASK_SIZE])
{
	char digits[THAI_ID_SIZE] = "XXXXXXXXX";
	if (!last4 || strlen(last4) != 4) {
		out[0] = '\0';
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		if (last4[i] < '0' || last4[i] > '9') {
			out[0] = '\0';
			return -1;
		}
		digits[9 + i] = last4[i];
	}
	digits[13] = '\0';
	group(digits, out);
	return 0;
}

int thai_id_format(const char *id, char out[THAI_ID_DISPLAY_SIZE])
{
	char norm[THAI_ID_SIZE];
	if (thai_id_check(id, norm) != THAI_ID_OK) {
		out[0] = '\0';
		return -1;
	}
	group(norm, out);
	return 0;
}
