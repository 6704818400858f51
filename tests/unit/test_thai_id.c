/* Unit tests for src/core/thai_id.c: normalizing, checksum, last four digits,
 * masking and display. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/thai_id.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Valid ids, one for each value of Σ mod 11 (so every branch of the check
 * digit formula, including 11 → 1 and 10 → 0), plus a few others. */
static const struct {
	const char *id;
	int rem;
} valid_ids[] = {
    {"1103702071901", 0},  {"1103702071200", 1},  {"1103702071609", 2},  {"1103702071218", 3},
    {"1103702071307", 4},  {"1103702071706", 5},  {"1103702071005", 6},  {"1103702071404", 7},
    {"1103702071803", 8},  {"1103702071102", 9},  {"1103702071501", 10}, {"1103702071838", -1},
    {"3101000123450", -1}, {"1234567890121", -1}, {"8470991234563", -1}, {"0000000000001", -1},
    {"5000000000001", -1},
};

static void test_check_digit(void **state)
{
	for (size_t i = 0; i < N(valid_ids); i++) {
		const char *id = valid_ids[i].id;
		int sum = 0;
		for (int k = 0; k < 12; k++)
			sum += (id[k] - '0') * (13 - k);
		if (valid_ids[i].rem >= 0)
			assert_int_equal(sum % 11, valid_ids[i].rem);
		assert_int_equal(thai_id_check_digit(id), id[12] - '0');
	}
	assert_int_equal(thai_id_check_digit("11037020718"), -1); /* 11 digits + NUL */
	assert_int_equal(thai_id_check_digit("11037020718a"), -1);
	assert_int_equal(thai_id_check_digit("๑๑๐๓๗๐๒๐๗๑๘๓"), -1); /* normalize first */
}

static void test_valid(void **state)
{
	for (size_t i = 0; i < N(valid_ids); i++) {
		char out[THAI_ID_SIZE];
		assert_true(thai_id_valid(valid_ids[i].id));
		assert_int_equal(thai_id_check(valid_ids[i].id, out), THAI_ID_OK);
		assert_string_equal(out, valid_ids[i].id);
	}
}

/* Each valid id with its check digit replaced by each of the 9 wrong ones is
 * rejected as a checksum error (not a format error). */
static void test_wrong_checksum(void **state)
{
	for (size_t i = 0; i < N(valid_ids); i++) {
		char id[THAI_ID_SIZE], out[THAI_ID_SIZE];
		memcpy(id, valid_ids[i].id, sizeof id);
		for (char c = '0'; c <= '9'; c++) {
			if (c == valid_ids[i].id[12])
				continue;
			id[12] = c;
			assert_false(thai_id_valid(id));
			memset(out, 'z', sizeof out);
			assert_int_equal(thai_id_check(id, out), THAI_ID_BAD_CHECKSUM);
			assert_string_equal(out, "");
		}
	}
	/* Exactly one check digit is right for every 12-digit prefix tried. */
	char id[THAI_ID_SIZE] = "1103702071838";
	for (int pos = 0; pos < 12; pos++)
		for (char c = '0'; c <= '9'; c++) {
			memcpy(id, "1103702071838", sizeof id);
			id[pos] = c;
			int ok = 0;
			for (char d = '0'; d <= '9'; d++) {
				id[12] = d;
				ok += thai_id_valid(id);
			}
			assert_int_equal(ok, 1);
		}
}

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *want;
	} good[] = {
	    {"1103702071838", "1103702071838"},        {"1-1037-02071-83-8", "1103702071838"},
	    {"1 1037 02071 83 8", "1103702071838"},    {"  1103702071838  ", "1103702071838"},
	    {"-1-1037--02071-83-8-", "1103702071838"}, {"๑๑๐๓๗๐๒๐๗๑๘๓๘", "1103702071838"},
	    {"๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘", "1103702071838"},    {"1-๑๐๓๗-02071-๘๓-8", "1103702071838"},
	    {"1103702071839", "1103702071839"}, /* normalizing does not check the sum */
	};
	for (size_t i = 0; i < N(good); i++) {
		char out[THAI_ID_SIZE];
		if (thai_id_normalize(good[i].in, out) != 0 || strcmp(out, good[i].want) != 0)
			fail_msg("\"%s\" → \"%s\"", good[i].in, out);
	}
	static const char *const bad[] = {
	    "",
	    "110370207183",   /* 12 digits */
	    "11037020718388", /* 14 digits */
	    "1-1037-02071-83",
	    "110370207183x",
	    "A103702071838",
	    "1103702071838a",
	    "1.1037.02071.83.8",
	    "1/1037/02071/83/8",
	    "1\t1037020718 38",
	    "1103702071838\n",
	    "1\342\200\223103702071838", /* en dash */
	    "1\302\240103702071838",     /* no-break space */
	    "\357\274\221103702071838",  /* fullwidth one */
	    "๑๑๐๓๗๐๒๐๗๑๘๓",              /* 12 Thai digits */
	    "๑๑๐๓๗๐๒๐๗๑๘๓\xE0\xB9",      /* truncated Thai digit */
	    "--------------",
	    "+1103702071838",
	    "11037020718380000000000000000000",
	};
	for (size_t i = 0; i < N(bad); i++) {
		char out[THAI_ID_SIZE];
		memset(out, 'z', sizeof out);
		if (thai_id_normalize(bad[i], out) != -1 || out[0] != '\0')
			fail_msg("accepted \"%s\"", bad[i]);
		assert_false(thai_id_valid(bad[i]));
		memset(out, 'z', sizeof out);
		assert_int_equal(thai_id_check(bad[i], out), THAI_ID_BAD_FORMAT);
		assert_string_equal(out, "");
	}
	char out[THAI_ID_SIZE];
	assert_int_equal(thai_id_normalize(NULL, out), -1);
	assert_false(thai_id_valid(NULL));
	assert_int_equal(thai_id_check(NULL, out), THAI_ID_BAD_FORMAT);
}

static void test_valid_forms(void **state)
{
	static const char *const forms[] = {"1-1037-02071-83-8", "๑๑๐๓๗๐๒๐๗๑๘๓๘", " 1 1037 02071 83 8 ",
	                                    "๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘"};
	for (size_t i = 0; i < N(forms); i++) {
		char out[THAI_ID_SIZE];
		assert_true(thai_id_valid(forms[i]));
		assert_int_equal(thai_id_check(forms[i], out), THAI_ID_OK);
		assert_string_equal(out, "1103702071838");
	}
	assert_false(thai_id_valid("๑๑๐๓๗๐๒๐๗๑๘๓๙"));
}

static void test_last4(void **state)
{
	char out[THAI_ID_LAST4_SIZE];
	assert_int_equal(thai_id_last4("1103702071838", out), 0);
	assert_string_equal(out, "1838");
	assert_int_equal(thai_id_last4("๑-๑๐๓๗-๐๒๐๗๑-๘๓-๘", out), 0);
	assert_string_equal(out, "1838");
	assert_int_equal(thai_id_last4("0000000000001", out), 0);
	assert_string_equal(out, "0001");
	assert_int_equal(thai_id_last4("1103702071839", out), -1); /* bad checksum */
	assert_string_equal(out, "");
	assert_int_equal(thai_id_last4("110370207183", out), -1);
	assert_int_equal(thai_id_last4(NULL, out), -1);
}

static void test_mask(void **state)
{
	static const struct {
		const char *last4, *want;
	} good[] = {
	    {"1838", "X-XXXX-XXXX1-83-8"},
	    {"0000", "X-XXXX-XXXX0-00-0"},
	    {"9999", "X-XXXX-XXXX9-99-9"},
	    {"0001", "X-XXXX-XXXX0-00-1"},
	};
	for (size_t i = 0; i < N(good); i++) {
		char out[THAI_ID_MASK_SIZE];
		assert_int_equal(thai_id_mask(good[i].last4, out), 0);
		assert_string_equal(out, good[i].want);
		assert_int_equal(strlen(out), THAI_ID_MASK_SIZE - 1);
	}
	static const char *const bad[] = {"",      "183",   "18388", "18a8", "๑๘๓๘",
	                                  " 1838", "1838 ", "1-838", NULL};
	for (size_t i = 0; i < N(bad); i++) {
		char out[THAI_ID_MASK_SIZE];
		memset(out, 'z', sizeof out);
		assert_int_equal(thai_id_mask(bad[i], out), -1);
		assert_string_equal(out, "");
	}
	/* last4 then mask: the masked form never shows more than four digits. */
	for (size_t i = 0; i < N(valid_ids); i++) {
		char l4[THAI_ID_LAST4_SIZE], out[THAI_ID_MASK_SIZE];
		assert_int_equal(thai_id_last4(valid_ids[i].id, l4), 0);
		assert_int_equal(thai_id_mask(l4, out), 0);
		int digits = 0;
		for (const char *p = out; *p; p++)
			digits += *p >= '0' && *p <= '9';
		assert_int_equal(digits, 4);
		assert_memory_equal(out, "X-XXXX-XXXX", 11);
	}
}

static void test_format(void **state)
{
	char out[THAI_ID_DISPLAY_SIZE];
	assert_int_equal(thai_id_format("1103702071838", out), 0);
	assert_string_equal(out, "1-1037-02071-83-8");
	assert_int_equal(thai_id_format("๑๑๐๓๗๐๒๐๗๑๘๓๘", out), 0);
	assert_string_equal(out, "1-1037-02071-83-8");
	assert_int_equal(thai_id_format("3101000123450", out), 0);
	assert_string_equal(out, "3-1010-00123-45-0");
	assert_int_equal(thai_id_format("1103702071830", out), -1);
	assert_string_equal(out, "");
	assert_int_equal(thai_id_format("abc", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_digit),    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_wrong_checksum), cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_valid_forms),    cmocka_unit_test(test_last4),
	    cmocka_unit_test(test_mask),           cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
