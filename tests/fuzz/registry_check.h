/* Shared by the registry fuzz targets (fuzz_import.c, fuzz_registry.c):
 * the stub catalogue and attestation callbacks, and the contract checks of
 * registry_validate's two outcomes (core/registry.h). Static functions: each
 * target is one translation unit. */
#ifndef OSSPOINT_TESTS_FUZZ_REGISTRY_CHECK_H
#define OSSPOINT_TESTS_FUZZ_REGISTRY_CHECK_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"

#include "check.h"

/* Codes containing 'x' are "not in the catalogue". */
static bool stub_service_exists(const char *code, void *ctx)
{
	CHECK(code && *code && strlen(code) < VISIT_CODE_MAX);
	return !strchr(code, 'x');
}

/* Period 2024-02 (in its grace days at "now") is attested when ctx says so. */
static bool stub_attested(struct period p, void *ctx)
{
	CHECK(period_valid(p));
	return *(const bool *)ctx && p.year == 2024 && p.month == 2;
}

static bool utf8_ok(const char *s)
{
	/* registry.c checks this strictly; here only the cheap invariant: no
	 * byte that can never occur in UTF-8. */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == 0xC0 || *p == 0xC1 || *p >= 0xF5)
			return false;
	return true;
}

static void check_valid(const struct visit_input *in, const struct registry_rules *rules)
{
	CHECK(in->visited_at <= rules->now + REGISTRY_CLOCK_SKEW);
	struct civil_day today;
	CHECK(thai_epoch_day(in->visited_at > rules->now ? in->visited_at : rules->now, &today) == 0);
	CHECK(period_is_open(in->period, rules->cutoff_day, today, rules->grace_days, false));
	CHECK(in->year_be == thai_year_be(in->day.y));
	size_t n = strlen(in->visitor_name);
	CHECK(n > 0 && n <= VISIT_NAME_MAX && utf8_ok(in->visitor_name));
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)in->visitor_name[i] >= 0x20 && in->visitor_name[i] != 0x7F);
	CHECK(in->cid[0] == '\0' || thai_id_valid(in->cid));
	size_t np = strlen(in->phone);
	CHECK(np == 0 || np == 9 || np == 10);
	for (size_t i = 0; i < np; i++)
		CHECK(in->phone[i] >= '0' && in->phone[i] <= '9');
	CHECK(channel_name(in->channel) != NULL);
	CHECK(registry_sex_label_th(in->sex) != NULL);
	CHECK(registry_age_band_label_th(in->age_band) != NULL);
	CHECK(strlen(in->remarks) <= VISIT_REMARKS_MAX && utf8_ok(in->remarks));
	size_t nk = strlen(in->idempotency_key);
	CHECK(nk == 0 || (nk >= 8 && nk <= VISIT_KEY_MAX));
	CHECK(in->nservices >= 1 && in->nservices <= VISIT_MAX_SERVICES);
	for (size_t i = 0; i < in->nservices; i++) {
		CHECK(in->services[i].code[0] && !strchr(in->services[i].code, 'x'));
		CHECK(!strchr(in->services[i].code, ':')); /* "code:outcome" was split */
		CHECK(outcome_name(in->services[i].outcome) != NULL);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(in->services[i].code, in->services[j].code) != 0);
	}
}

static void check_refused(int rc, const struct registry_errors *errs, const struct visit_input *in)
{
	CHECK(rc > 0 && (size_t)rc == errs->n && errs->n <= REGISTRY_MAX_ERRORS);
	for (size_t i = 0; i < errs->n; i++) {
		CHECK(errs->e[i].field[0] != '\0' && errs->e[i].message != NULL);
		char text[REGISTRY_MESSAGE_SIZE];
		CHECK(registry_error_text(text, errs, i, in)[0] != '\0');
	}
}

/* The rules both targets use: now = 2024-02-27 10:00 Bangkok, so periods
 * 2024-02 (in its grace days) and 2024-03 are open and 2024-01 is closed;
 * *attest makes 2024-02 attested. */
static struct registry_rules fuzz_rules(bool *attest)
{
	struct registry_rules rules = {
	    .now = 1709002800,
	    .cutoff_day = 25,
	    .grace_days = 3,
	    .service_exists = stub_service_exists,
	    .period_attested = stub_attested,
	    .ctx = attest,
	};
	return rules;
}

#endif
