/* Unit tests for src/core/survey.c (the survey's rules) and the survey
 * stamps of src/lib/crypto.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/survey.h"
#include "lib/crypto.h"

/* A form as name=value pairs (NULL-terminated). */
struct kv {
	const char *const *pairs;
};

static const char *get(const char *name, void *ctx)
{
	const struct kv *k = ctx;
	for (size_t i = 0; k->pairs[i]; i += 2)
		if (!strcmp(k->pairs[i], name))
			return k->pairs[i + 1];
	return NULL;
}

static int check(const char *const *pairs, struct survey_answers *a, struct survey_errors *e)
{
	struct survey_qset qs;
	survey_qset_default(&qs);
	struct kv k = {pairs};
	return survey_answers_check(&qs, get, &k, a, e);
}

static void test_fields_declared_once(void **state)
{
	struct survey_qset qs;
	survey_qset_default(&qs);
	struct survey_field f[SURVEY_FIELDS_MAX];
	size_t n = survey_fields(&qs, f);
	assert_int_equal(n, 7);
	const char *want[] = {"overall", "reach", "speed", "guidance", "courtesy", "outcome", "comment"};
	for (size_t i = 0; i < n; i++)
		assert_string_equal(f[i].name, want[i]);
	assert_true(f[0].required);
	assert_int_equal(f[0].kind, SURVEY_FIELD_SCORE);
	for (size_t i = 1; i < 6; i++)
		assert_false(f[i].required);
	assert_int_equal(f[6].kind, SURVEY_FIELD_TEXT);
	assert_int_equal(f[6].max, 500);
}

/* Version 1 of migration 009 is the default set, item for item. */
static void test_default_set_matches_the_migration(void **state)
{
	struct survey_qset qs;
	survey_qset_default(&qs);
	for (int d = 0; d < 2; d++) {
		char path[256];
		snprintf(path, sizeof path, "src/db/migrations/%s/009_survey.sql",
		         d ? "postgresql" : "sqlite");
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char *buf = calloc(1, 1 << 20);
		size_t len = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
		buf[len] = '\0';
		char *start = strstr(buf, "'[{\"key\"");
		assert_non_null(start);
		char *end = strstr(start + 1, "]'");
		assert_non_null(end);
		end[1] = '\0';
		json_t *items = json_loads(start + 1, 0, NULL);
		assert_non_null(items);
		assert_int_equal(json_array_size(items), qs.n);
		for (size_t i = 0; i < qs.n; i++) {
			assert_string_equal(
			    json_string_value(json_object_get(json_array_get(items, i), "key")),
			    qs.items[i].key);
			assert_string_equal(
			    json_string_value(json_object_get(json_array_get(items, i), "label_th")),
			    qs.items[i].label_th);
		}
		json_decref(items);
		free(buf);
	}
}

static void test_scores(void **state)
{
	int v = -1;
	assert_int_equal(survey_score_parse("0", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(survey_score_parse(" 10 ", &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(survey_score_parse("๙", &v), 1);
	assert_int_equal(v, 9);
	assert_int_equal(survey_score_parse("๑๐", &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(survey_score_parse("", &v), 0);
	assert_int_equal(survey_score_parse("  ", &v), 0);
	assert_int_equal(survey_score_parse(NULL, &v), 0);
	const char *bad[] = {"11", "-1", "9.5", "1e1", "x", "010", "100", "+5", "5 5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(survey_score_parse(bad[i], &v), -1);
}

static void test_answers(void **state)
{
	struct survey_answers a;
	struct survey_errors e;
	const char *ok[] = {"overall", "9", "speed",   "๘",         "outcome", "10",
	                    "reach",   "",  "comment", "  ดีมาก\n ", NULL};
	assert_int_equal(check(ok, &a, &e), 0);
	assert_int_equal(a.overall, 9);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.items[0].key, "speed");
	assert_string_equal(a.items[1].key, "outcome");
	assert_string_equal(a.comment, "ดีมาก");
	char json[SURVEY_ANSWERS_JSON_MAX];
	assert_true(survey_answers_json(&a, json, sizeof json) > 0);
	assert_string_equal(json, "{\"speed\":8,\"outcome\":10}");
	assert_int_equal(survey_answers_json(&a, json, 8), -1);
	/* Every error at once, in the form's order; unknown fields ignored. */
	const char *bad[] = {"overall", "", "courtesy", "11", "reach", "x", "unknown", "5", NULL};
	assert_int_equal(check(bad, &a, &e), -1);
	assert_int_equal(e.n, 3);
	assert_string_equal(e.e[0].field, "overall");
	assert_string_equal(e.e[1].field, "reach");
	assert_string_equal(e.e[2].field, "courtesy");
	/* The comment: 500 characters (Thai: 3 bytes each) fit, 501 do not; controls refused. */
	char *long_ok = calloc(1, 501 * 3 + 1), *too_long = calloc(1, 502 * 3 + 1);
	for (int i = 0; i < 500; i++)
		memcpy(long_ok + 3 * i, "ก", 3);
	memcpy(too_long, long_ok, 1500);
	memcpy(too_long + 1500, "ก", 3);
	const char *c1[] = {"overall", "5", "comment", long_ok, NULL};
	assert_int_equal(check(c1, &a, &e), 0);
	const char *c2[] = {"overall", "5", "comment", too_long, NULL};
	assert_int_equal(check(c2, &a, &e), -1);
	assert_string_equal(e.e[0].field, "comment");
	const char *c3[] = {"overall", "5", "comment", "a\x01z", NULL};
	assert_int_equal(check(c3, &a, &e), -1);
	const char *c4[] = {"overall", "5", "comment", "bad \xff utf8", NULL};
	assert_int_equal(check(c4, &a, &e), -1);
	free(long_ok);
	free(too_long);
}

static void test_qset_check(void **state)
{
	struct survey_qset qs;
	struct survey_errors e;
	const char *keys[] = {"speed", "", "clean_2", "Speed", "overall", "speed", "ok"};
	const char *labels[] = {"ความรวดเร็ว", "", "ความสะอาด", "x", "y", "ซ้ำ", ""};
	assert_int_equal(survey_qset_check(7, keys, labels, &qs, &e), -1);
	assert_int_equal(e.n, 4);
	assert_string_equal(e.e[0].field, "items[3].key");
	assert_string_equal(e.e[1].field, "items[4].key");
	assert_string_equal(e.e[2].field, "items[5].key");
	assert_string_equal(e.e[3].field, "items[6].label_th");
	const char *k2[] = {"speed", "", "clean_2"};
	const char *l2[] = {" ความรวดเร็ว ", NULL, "ความสะอาด"};
	assert_int_equal(survey_qset_check(3, k2, l2, &qs, &e), 0);
	assert_int_equal(qs.n, 2);
	assert_string_equal(qs.items[0].label_th, "ความรวดเร็ว");
	assert_int_equal(survey_qset_check(0, NULL, NULL, &qs, &e), 0);
	assert_int_equal(qs.n, 0);
	const char *k3[13], *l3[13];
	char names[13][8];
	for (int i = 0; i < 13; i++) {
		snprintf(names[i], sizeof names[i], "k%d", i);
		k3[i] = names[i];
		l3[i] = "ข้อ";
	}
	assert_int_equal(survey_qset_check(13, k3, l3, &qs, &e), -1);
	assert_string_equal(e.e[0].field, "items[12].key");
	assert_false(survey_key_valid("a_very_long_key_of_more_than_32_b"));
	assert_true(survey_key_valid("a_key_of_exactly_32_bytes_long_x"));
	assert_false(survey_key_valid("csrf"));
	assert_false(survey_key_valid("website"));
	assert_false(survey_key_valid("9lives"));
}

static void test_timing_and_throttle(void **state)
{
	int64_t now = 1800000000;
	assert_int_equal(survey_point_timing(now - 10, now, 5, 3600), SURVEY_TIMING_OK);
	assert_int_equal(survey_point_timing(now - 5, now, 5, 3600), SURVEY_TIMING_OK);
	assert_int_equal(survey_point_timing(now - 4, now, 5, 3600), SURVEY_TIMING_TOO_FAST);
	assert_int_equal(survey_point_timing(now + 30, now, 5, 3600), SURVEY_TIMING_TOO_FAST);
	assert_int_equal(survey_point_timing(now + 61, now, 5, 3600), SURVEY_TIMING_STALE);
	assert_int_equal(survey_point_timing(now - 3601, now, 5, 3600), SURVEY_TIMING_STALE);
	assert_int_equal(survey_point_timing(0, now, 5, 3600), SURVEY_TIMING_STALE);
	int64_t ra = 0;
	assert_true(survey_throttle_allow(0, 0, now, 3600, 3, &ra));
	assert_true(survey_throttle_allow(now - 100, 2, now, 3600, 3, &ra));
	assert_false(survey_throttle_allow(now - 100, 3, now, 3600, 3, &ra));
	assert_int_equal(ra, 3500);
	assert_true(
	    survey_throttle_allow(now - 3600, 99, now, 3600, 3, &ra)); /* an ended window starts afresh */
	assert_false(survey_throttle_allow(0, 0, now, 3600, 0, &ra));
}

static void test_token_validity_and_offer(void **state)
{
	int64_t at = 1800000000;
	assert_true(survey_token_valid(at, at, 7));
	assert_true(survey_token_valid(at, at + 7 * 86400, 7));
	assert_false(survey_token_valid(at, at + 7 * 86400 + 1, 7));
	assert_false(survey_token_valid(at, at, 0));
	assert_int_equal(survey_token_oldest(at + 7 * 86400, 7), at);
	assert_true(survey_token_oldest(at, 0) == INT64_MAX);
	bool off, own;
	survey_offer_resolve(SURVEY_OFFER_BOTH, true, &off, &own);
	assert_true(off && own);
	survey_offer_resolve(SURVEY_OFFER_OFFICIAL, true, &off, &own);
	assert_true(off && !own);
	survey_offer_resolve(SURVEY_OFFER_OFFICIAL, false, &off, &own);
	assert_true(!off && own);
	survey_offer_resolve(SURVEY_OFFER_OSSPOINT, true, &off, &own);
	assert_true(!off && own);
	assert_int_equal(survey_offer_from_name("both"), SURVEY_OFFER_BOTH);
	assert_int_equal(survey_offer_from_name("x"), -1);
	assert_true(survey_official_url_valid("https://survey.example.go.th/a?b=1"));
	assert_false(survey_official_url_valid("javascript:alert(1)"));
	assert_false(survey_official_url_valid("https://a b"));
	assert_false(survey_official_url_valid("https://"));
	assert_false(survey_official_url_valid("https:///x"));
	assert_false(survey_official_url_valid("https://a\"b"));
}

static void test_stamp(void **state)
{
	char dir[] = "/tmp/osspoint-survey-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/secret.key", dir);
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);
	char s[SURVEY_STAMP_LEN];
	survey_stamp(s, "4701", "device-a", 1800000000);
	assert_int_equal(survey_stamp_check(s, "4701", "device-a"), 1800000000);
	assert_int_equal(survey_stamp_check(s, "4702", "device-a"), 0);
	assert_int_equal(survey_stamp_check(s, "4701", "device-b"), 0);
	assert_int_equal(survey_stamp_check(s, "4701", NULL), 0);
	char t[SURVEY_STAMP_LEN];
	memcpy(t, s, sizeof t);
	t[0] = t[0] == '1' ? '2' : '1'; /* another time, same MAC */
	assert_int_equal(survey_stamp_check(t, "4701", "device-a"), 0);
	const char *bad[] = {"", ".", "0.x", "abc", "1800000000", "99999999999999999999999.x", NULL};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(survey_stamp_check(bad[i], "4701", "device-a"), 0);
	assert_int_equal(survey_stamp_check(NULL, "4701", "device-a"), 0);
	/* A stamp and a survey token of one secret never pass for each other. */
	char tok[SURVEY_TOKEN_LEN];
	survey_token(tok, 1800000000);
	assert_int_equal(survey_stamp_check(tok, "4701", "device-a"), 0);
	char hex[SURVEY_STAMP_LEN];
	random_hex(hex, 16);
	assert_int_equal(strlen(hex), 32);
	crypto_secret_forget();
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields_declared_once),
	    cmocka_unit_test(test_default_set_matches_the_migration),
	    cmocka_unit_test(test_scores),
	    cmocka_unit_test(test_answers),
	    cmocka_unit_test(test_qset_check),
	    cmocka_unit_test(test_timing_and_throttle),
	    cmocka_unit_test(test_token_validity_and_offer),
	    cmocka_unit_test(test_stamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
