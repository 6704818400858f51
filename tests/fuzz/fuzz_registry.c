/* libFuzzer target: registry validation (core/registry.h registry_validate)
 * as the form and JSON handlers call it, on raw fields.
 *
 * The input is the fields, one per line, in the form's order: visited_at,
 * visitor_name, cid, phone, sex, age_band, channel, remarks,
 * idempotency_key, then code and outcome of each service row; a missing line
 * is a field not given (NULL), more than 16 rows set too_many_services.
 * Besides the contract of each outcome (registry_check.h) it checks the
 * header's promises as metamorphic relations: the same input validates the
 * same way again; ASCII white space around every field changes nothing (all
 * text is trimmed first); Thai digits in place of the ASCII digits of
 * visited_at, cid and phone change nothing ("Thai digits are accepted
 * wherever digits are"); and NULL and "" are the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "lib/buf.h"

#include "registry_check.h"

#define NFIXED 9 /* visited_at .. idempotency_key */
#define MAXF   (NFIXED + 2 * (VISIT_MAX_SERVICES + 1))

struct fields {
	size_t n;
	char *f[MAXF];
};

static void raw_from(const struct fields *fs, struct registry_raw *raw)
{
	memset(raw, 0, sizeof *raw);
	const char **fixed[NFIXED] = {&raw->visited_at, &raw->visitor_name, &raw->cid,
	                              &raw->phone,      &raw->sex,          &raw->age_band,
	                              &raw->channel,    &raw->remarks,      &raw->idempotency_key};
	for (size_t i = 0; i < NFIXED && i < fs->n; i++)
		*fixed[i] = fs->f[i];
	for (size_t i = NFIXED; i < fs->n; i += 2) {
		if (raw->nservices == VISIT_MAX_SERVICES) {
			raw->too_many_services = true;
			break;
		}
		raw->services[raw->nservices].code = fs->f[i];
		raw->services[raw->nservices].outcome = i + 1 < fs->n ? fs->f[i + 1] : NULL;
		raw->nservices++;
	}
}

/* Each field rewritten by fn (new strings; caller frees with fields_free). */
static void fields_map(const struct fields *in, struct fields *out, char *(*fn)(size_t i, const char *s))
{
	out->n = in->n;
	for (size_t i = 0; i < in->n; i++)
		out->f[i] = fn(i, in->f[i]);
}

static void fields_free(struct fields *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i]);
	fs->n = 0;
}

static char *padded(size_t i, const char *s)
{
	(void)i;
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, " \t%s\r\n ", s);
	return buf_detach(&b, NULL);
}

/* visited_at (0), cid (2) and phone (3) with ๐..๙ for 0..9 */
static char *thai_digits(size_t i, const char *s)
{
	if (i != 0 && i != 2 && i != 3)
		return strdup(s);
	struct buf b;
	buf_init(&b, 0);
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			buf_printf(&b, "\xE0\xB9%c", (char)(0x90 + (*s - '0')));
		else
			buf_putc(&b, *s);
	return buf_detach(&b, NULL);
}

struct verdict {
	int rc;
	struct visit_input in;
	struct registry_errors errs;
};

static void validate(const struct fields *fs, const struct registry_rules *rules, struct verdict *v)
{
	struct registry_raw raw;
	raw_from(fs, &raw);
	v->rc = registry_validate(&raw, rules, &v->in, &v->errs);
	if (v->rc == 0)
		check_valid(&v->in, rules);
	else
		check_refused(v->rc, &v->errs, &v->in);
}

/* Same outcome: the same checked entry, or errors on the same fields with
 * the same messages. */
static void check_same(const struct verdict *a, const struct verdict *b)
{
	CHECK(a->rc == b->rc);
	if (a->rc == 0) {
		CHECK(!memcmp(&a->in, &b->in, sizeof a->in));
		return;
	}
	CHECK(a->errs.n == b->errs.n);
	for (size_t i = 0; i < a->errs.n; i++)
		CHECK(!strcmp(a->errs.e[i].field, b->errs.e[i].field) &&
		      a->errs.e[i].message == b->errs.e[i].message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	struct fields fs = {0};
	for (size_t at = 0; at <= size && fs.n < MAXF;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
		fs.f[fs.n++] = strndup((const char *)data + at, len); /* up to a NUL, as a C string */
		at += len + 1;
	}
	bool attest = size % 2 == 1;
	struct registry_rules rules = fuzz_rules(&attest);
	static struct verdict base, again, other; /* large: not on the stack */
	validate(&fs, &rules, &base);
	validate(&fs, &rules, &again);
	check_same(&base, &again);

	struct fields var;
	fields_map(&fs, &var, padded);
	validate(&var, &rules, &other);
	check_same(&base, &other);
	fields_free(&var);

	fields_map(&fs, &var, thai_digits);
	validate(&var, &rules, &other);
	check_same(&base, &other);
	fields_free(&var);

	/* "" and NULL: every empty field left out instead */
	struct registry_raw raw;
	raw_from(&fs, &raw);
	const char **fixed[NFIXED] = {&raw.visited_at, &raw.visitor_name, &raw.cid,
	                              &raw.phone,      &raw.sex,          &raw.age_band,
	                              &raw.channel,    &raw.remarks,      &raw.idempotency_key};
	for (size_t i = 0; i < NFIXED; i++)
		if (*fixed[i] && !**fixed[i])
			*fixed[i] = NULL;
	other.rc = registry_validate(&raw, &rules, &other.in, &other.errs);
	check_same(&base, &other);
	fields_free(&fs);
	return 0;
}
