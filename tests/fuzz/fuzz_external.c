/* libFuzzer target: the external aggregates' import file (core/external.h),
 * CSV or XLSX by its bytes. The contract checked, whatever the input:
 *   - EXTERNAL_OK: at least one row, no errors, and every row as the header
 *     promises (a valid unit code, a valid period not after the current one,
 *     a source of readable text, at least one figure, decimals in range and
 *     re-readable, no unit/period/source twice);
 *   - EXTERNAL_BAD_ROWS: no rows, at least one error, each a row number >= 1
 *     and a Thai message starting "แถวที่ <line>";
 *   - EXTERNAL_BAD_FILE: no rows and a Thai message.
 * Also: external_period_parse of the whole input gives a valid period or
 * -1, and external_mean_percent agrees with integer arithmetic done here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/external.h"
#include "core/perm.h"
#include "core/text.h"

static int64_t dec_e4(const char *s)
{
	/* The normalised form is digits with at most one '.' and 4 places. */
	int64_t w = 0, f = 0;
	int places = -1;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			CHECK(places < 0);
			places = 0;
			continue;
		}
		CHECK(*p >= '0' && *p <= '9');
		if (places < 0)
			w = w * 10 + (*p - '0');
		else
			f = f * 10 + (*p - '0'), places++;
	}
	CHECK(places != 0 && places <= 4);
	for (int k = places < 0 ? 0 : places; k < 4; k++)
		f *= 10;
	return w * 10000 + f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct period current = {2026, 12};
	struct external_batch b;
	int rc = external_parse((const char *)data, size, size % 3 ? "ก.พ.ร." : NULL, current, &b);
	CHECK(rc == EXTERNAL_OK || rc == EXTERNAL_BAD_ROWS || rc == EXTERNAL_BAD_FILE);
	if (rc == EXTERNAL_OK) {
		CHECK(b.n >= 1 && json_array_size(b.errors) == 0);
		for (size_t i = 0; i < b.n; i++) {
			const struct external_row *r = &b.rows[i];
			CHECK(unit_code_valid(r->unit));
			struct period p;
			CHECK(period_parse(r->period, &p) == 0 && period_cmp(p, current) <= 0);
			CHECK(r->source && r->source[0] &&
			      text_check((struct text_span){r->source, strlen(r->source)}, 0) == TEXT_OK);
			int figures = (r->users >= 0) + (r->respondents >= 0) + (r->rank_pos >= 1) +
			              (r->rank_of >= 1) + !!r->score_sum[0] + !!r->score_mean[0] +
			              !!r->percent[0];
			CHECK(figures >= 1);
			if (r->score_mean[0])
				CHECK(dec_e4(r->score_mean) <= 100000);
			if (r->percent[0])
				CHECK(dec_e4(r->percent) <= 1000000);
			if (r->score_sum[0]) {
				int64_t s = dec_e4(r->score_sum);
				if (r->respondents >= 0)
					CHECK(s <= r->respondents * 100000);
			}
			if (r->rank_pos >= 1 && r->rank_of >= 1)
				CHECK(r->rank_of >= r->rank_pos);
			for (size_t j = 0; j < i && b.n <= 500; j++)
				CHECK(strcmp(b.rows[j].unit, r->unit) ||
				      strcmp(b.rows[j].period, r->period) ||
				      strcmp(b.rows[j].source, r->source));
		}
	} else {
		CHECK(b.n == 0 && b.message[0]);
		if (rc == EXTERNAL_BAD_ROWS) {
			CHECK(json_array_size(b.errors) >= 1 &&
			      json_array_size(b.errors) <= EXTERNAL_MAX_ERRORS);
			size_t i;
			json_t *e;
			json_array_foreach(b.errors, i, e)
			{
				json_int_t line = json_integer_value(json_object_get(e, "line"));
				CHECK(line >= 1);
				char want[64];
				snprintf(want, sizeof want, "แถวที่ %lld", (long long)line);
				const char *m = json_string_value(json_object_get(e, "message"));
				CHECK(m && !strncmp(m, want, strlen(want)));
			}
		}
	}
	external_batch_cleanup(&b);

	char *s = fuzz_cstr(data, size < 200 ? size : 200);
	struct period p;
	if (external_period_parse(s, &p) == 0)
		CHECK(period_valid(p));
	free(s);

	/* Exact mean and percent against integer arithmetic. */
	if (size >= 8) {
		uint32_t a, n;
		memcpy(&a, data, 4);
		memcpy(&n, data + 4, 4);
		n = n % 100000 + 1;
		a %= 10 * n + 1;
		char sum[32], mean[EXTERNAL_DEC_SIZE], pct[EXTERNAL_DEC_SIZE], want[64];
		snprintf(sum, sizeof sum, "%u", a);
		CHECK(external_mean_percent(sum, n, mean, pct) == 0);
		uint64_t m100 = ((uint64_t)a * 200 + n) / (2 * (uint64_t)n); /* round half up of a*100/n */
		snprintf(want, sizeof want, "%llu.%02llu", (unsigned long long)(m100 / 100),
		         (unsigned long long)(m100 % 100));
		CHECK(!strcmp(mean, want));
		uint64_t p100 = ((uint64_t)a * 2000 + n) / (2 * (uint64_t)n);
		snprintf(want, sizeof want, "%llu.%02llu", (unsigned long long)(p100 / 100),
		         (unsigned long long)(p100 % 100));
		CHECK(!strcmp(pct, want));
	}
	return 0;
}
