/* Thai national ID number (เลขประจำตัวประชาชน): format, checksum, masking.
 *
 * Rules:
 *  - 13 digits d1..d13; d13 is the check digit:
 *        d13 = (11 − (Σ_{i=1..12} dᵢ·(14−i)) mod 11) mod 10
 *    e.g. 1103702071838 is valid. Only format and checksum are checked: the
 *    person-type digit and the office digits are not (DOMAIN.md).
 *  - Input is normalized first: Thai digits ๐–๙ become ASCII, ASCII spaces
 *    and hyphens are dropped anywhere; anything else (letters, dots, tabs,
 *    other dashes) makes the input invalid; exactly 13 digits must remain.
 *  - The number is never stored in clear (DESIGN.md §2); the last four digits
 *    are kept for display, always masked as
 *        X-XXXX-XXXX1-83-8
 *    i.e. the 1-4-5-2-1 grouping printed on the card, every digit but the
 *    last four replaced by 'X'.
 *
 * Normalized ids are 13 ASCII digits and NUL (THAI_ID_SIZE bytes). */
#ifndef OSSPOINT_CORE_THAI_ID_H
#define OSSPOINT_CORE_THAI_ID_H

#include <stdbool.h>

#define THAI_ID_DIGITS       13
#define THAI_ID_SIZE         14 /* 13 digits + NUL */
#define THAI_ID_LAST4_SIZE   5  /* 4 digits + NUL */
#define THAI_ID_DISPLAY_SIZE 18 /* "1-1037-02071-83-8" + NUL */
#define THAI_ID_MASK_SIZE    18 /* "X-XXXX-XXXX1-83-8" + NUL */

enum thai_id_status {
	THAI_ID_OK = 0,
	THAI_ID_BAD_FORMAT = -1,   /* not 13 digits after normalizing */
	THAI_ID_BAD_CHECKSUM = -2, /* 13 digits, wrong check digit */
};

/* Normalizes in (see the rules above) into out. Returns 0, or -1 when in is
 * NULL or does not normalize to exactly 13 digits (out then holds ""). The
 * checksum is not checked. */
int thai_id_normalize(const char *in, char out[THAI_ID_SIZE]);
/* The check digit 0..9 for the first 12 characters of first12, which must be
 * ASCII digits; -1 otherwise. */
int thai_id_check_digit(const char *first12);
/* True when s (any accepted input form, or NULL → false) normalizes to 13
 * digits with the right check digit. */
bool thai_id_valid(const char *s);
/* Normalizes and validates in one step, for form errors: returns THAI_ID_OK
 * with out = the normalized id, or THAI_ID_BAD_FORMAT / THAI_ID_BAD_CHECKSUM
 * (out then holds ""). */
enum thai_id_status thai_id_check(const char *in, char out[THAI_ID_SIZE]);

/* The last four digits of a valid id (any accepted form), e.g. "1838".
 * Returns 0, or -1 when id is not valid (out = ""). */
int thai_id_last4(const char *id, char out[THAI_ID_LAST4_SIZE]);
/* The masked display form built from the stored last four digits (exactly 4
 * ASCII digits): "1838" → "X-XXXX-XXXX1-83-8". Returns 0, or -1 (out = ""). */
int thai_id_mask(const char *last4, char out[THAI_ID_MASK_SIZE]);
/* The full display form of a valid id: "1-1037-02071-83-8". For the audited
 * reveal only. Returns 0, or -1 when id is not valid (out = ""). */
int thai_id_format(const char *id, char out[THAI_ID_DISPLAY_SIZE]);

#endif
