/* libFuzzer target: the survey's parsers (core/survey.h) against the
 * header's rules. The input is split at NUL bytes into fields: the first
 * five are the form's overall, speed, courtesy, comment and an unknown
 * field; the rest are (key, label) pairs of a question set edit. Checked:
 * survey_score_parse agrees with a reference (1–2 ASCII or Thai digits,
 * white space around, value 0..10); survey_answers_check accepts exactly
 * when every field is valid, and what it accepts stays within the rules
 * (scores 0..10, only the set's keys, a comment of at most 500 characters);
 * answers_json is a JSON object of those answers; survey_qset_check keeps
 * only valid, distinct keys. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/survey.h"

#include "check.h"

static bool space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The reference score reader: 1, 0 (blank) or -1. */
static int ref_score(const char *s, int *out)
{
	if (!s)
		return 0;
	size_t n = strlen(s), a = 0;
	while (a < n && space((unsigned char)s[a]))
		a++;
	while (n > a && space((unsigned char)s[n - 1]))
		n--;
	if (a == n)
		return 0;
	int v = 0, digits = 0;
	for (size_t i = a; i < n;) {
		int d;
		if (s[i] >= '0' && s[i] <= '9') {
			d = s[i] - '0';
			i++;
		} else if (i + 2 < n + 0 && (unsigned char)s[i] == 0xE0 && (unsigned char)s[i + 1] == 0xB9 &&
		           (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99) {
			d = (unsigned char)s[i + 2] - 0x90;
			i += 3;
		} else {
			return -1;
		}
		if (++digits > 2)
			return -1;
		v = v * 10 + d;
	}
	if (v > 10)
		return -1;
	*out = v;
	return 1;
}

struct form {
	const char *f[5];
};

static const char *get(const char *name, void *ctx)
{
	struct form *fm = ctx;
	static const char *const names[] = {"overall", "speed", "courtesy", "comment", "unknown"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, names[i]))
			return fm->f[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_cstr(data, size);
	/* Fields at NUL bytes (fuzz_cstr keeps the bytes; split by hand). */
	const char *parts[64];
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= size && np < 64; i++)
		if (i == size || buf[i] == '\0') {
			buf[i < size ? i : size] = '\0';
			parts[np++] = buf + start;
			start = i + 1;
		}
	for (size_t i = 0; i < np; i++) {
		int a = -1, b = -1;
		int ra = survey_score_parse(parts[i], &a), rb = ref_score(parts[i], &b);
		CHECK(ra == rb);
		if (ra == 1)
			CHECK(a == b && a >= 0 && a <= 10);
	}

	struct survey_qset qs;
	survey_qset_default(&qs);
	struct form fm = {{np > 0 ? parts[0] : NULL, np > 1 ? parts[1] : NULL, np > 2 ? parts[2] : NULL,
	                   np > 3 ? parts[3] : NULL, np > 4 ? parts[4] : NULL}};
	struct survey_answers ans;
	struct survey_errors errs;
	int rc = survey_answers_check(&qs, get, &fm, &ans, &errs);
	int o, s, c;
	bool scores_ok =
	    ref_score(fm.f[0], &o) == 1 && ref_score(fm.f[1], &s) >= 0 && ref_score(fm.f[2], &c) >= 0;
	if (rc == 0) {
		CHECK(errs.n == 0 && scores_ok);
		CHECK(ans.overall == o);
		CHECK(ans.n <= 2);
		size_t chars = 0;
		for (const unsigned char *p = (const unsigned char *)ans.comment; *p; p++)
			chars += (*p & 0xC0) != 0x80;
		CHECK(chars <= SURVEY_COMMENT_MAX);
		char js[SURVEY_ANSWERS_JSON_MAX];
		CHECK(survey_answers_json(&ans, js, sizeof js) > 0);
		json_t *j = json_loads(js, 0, NULL);
		CHECK(json_is_object(j) && json_object_size(j) == ans.n);
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
		{
			CHECK(!strcmp(k, "speed") || !strcmp(k, "courtesy"));
			CHECK(json_is_integer(v) && json_integer_value(v) >= 0 &&
			      json_integer_value(v) <= 10);
		}
		json_decref(j);
	} else {
		CHECK(rc == -1 && errs.n > 0);
		if (scores_ok)
			CHECK(errs.n == 1 && !strcmp(errs.e[0].field, "comment"));
	}

	/* A question set edit from the remaining parts, as (key, label) pairs. */
	const char *keys[32], *labels[32];
	size_t nk = 0;
	for (size_t i = 5; i + 1 < np && nk < 32; i += 2) {
		keys[nk] = parts[i];
		labels[nk++] = parts[i + 1];
	}
	struct survey_qset edit;
	if (survey_qset_check(nk, keys, labels, &edit, &errs) == 0) {
		CHECK(edit.n <= SURVEY_ITEMS_MAX && edit.n <= nk);
		for (size_t i = 0; i < edit.n; i++) {
			CHECK(survey_key_valid(edit.items[i].key));
			CHECK(edit.items[i].label_th[0] != '\0' &&
			      strlen(edit.items[i].label_th) <= SURVEY_LABEL_MAX);
			for (size_t j = 0; j < i; j++)
				CHECK(strcmp(edit.items[i].key, edit.items[j].key));
		}
	} else {
		CHECK(errs.n > 0);
	}
	free(buf);
	return 0;
}
