/* libFuzzer target: the registry importer's path — CSV reader or (input
 * starting "PK\3\4") the XLSX reader, header mapping
 * (registry_columns_find), row mapping (registry_raw_from_record), the row
 * status, registry_validate and the report lines naming row and column, with
 * stub catalogue, name-lookup and attestation callbacks.
 * Besides memory errors it checks the contract: a row that validates holds
 * only what registry.h promises, and a refused one has well-formed errors. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "lib/csv.h"
#include "lib/xlsx_read.h"

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x))                                                                                    \
			abort();                                                                             \
	} while (0)

/* Codes containing 'x' are "not in the catalogue". */
static bool stub_service_exists(const char *code, void *ctx)
{
	CHECK(code && *code && strlen(code) < VISIT_CODE_MAX);
	return !strchr(code, 'x');
}

/* A name with "บริการ" in it is the service "svc_by_name". */
static const char *stub_by_name(const char *name, void *ctx)
{
	(void)ctx;
	CHECK(name && *name);
	return strstr(name, "บริการ") ? "svc_by_name" : NULL;
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
		CHECK(!strchr(in->services[i].code, ':'));
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

/* One data record: status, validation, the report lines, the mapping. */
static void check_record(const struct csv *c, const struct registry_columns *cols,
                         const struct registry_rules *rules, size_t row)
{
	struct visit_input in;
	struct registry_errors errs;
	enum registry_row_status st = registry_record_status(c, cols);
	CHECK(st >= REGISTRY_ROW_ACTIVE && st <= REGISTRY_ROW_BAD_STATUS);
	int v = registry_validate_record(c, cols, rules, &in, &errs);
	if (v == 0) {
		check_valid(&in, rules);
	} else {
		check_refused(v, &errs, &in);
		for (size_t i = 0; i < errs.n; i++) {
			char line[REGISTRY_REPORT_SIZE];
			int item;
			CHECK(registry_error_column(errs.e[i].field, &item) <= REGISTRY_COL__COUNT);
			registry_record_error_text(line, cols, &errs, i, &in, row);
			CHECK(!strncmp(line, "แถวที่ ", strlen("แถวที่ ")));
			CHECK(!strstr(line, "services["));
		}
	}
	/* The mapping alone, and through the form/JSON entry point
	 * (visited_at may then be empty = now). */
	struct registry_raw raw;
	char scratch[REGISTRY_SCRATCH_SIZE];
	if (registry_raw_from_record(c, cols, &raw, scratch, sizeof scratch) == 0) {
		CHECK(raw.nservices <= VISIT_MAX_SERVICES);
		v = registry_validate(&raw, rules, &in, &errs);
		if (v == 0)
			check_valid(&in, rules);
		else
			check_refused(v, &errs, &in);
	}
}

/* An XLSX: its rows as records, the first one the header. */
static void check_xlsx(const uint8_t *data, size_t size, const struct registry_rules *rules)
{
	struct xlsx_sheet sh;
	int rc = xlsx_sheet_read((const char *)data, size, 2000, &sh);
	CHECK(rc <= XLSX_OK && rc >= XLSX_ENCRYPTED);
	CHECK(xlsx_strerror(rc) != NULL);
	struct registry_columns cols;
	char err[512];
	bool header = false;
	for (size_t r = 0; rc == XLSX_OK && r < sh.nrows; r++) {
		struct csv rec = {0};
		CHECK(sh.rows[r].ncells >= 1 && sh.rows[r].ncells <= XLSX_MAX_COLS && sh.rows[r].num >= 1);
		rec.nfields = sh.rows[r].ncells;
		for (size_t i = 0; i < rec.nfields; i++) {
			CHECK(sh.rows[r].cells[i] && strlen(sh.rows[r].cells[i]) <= XLSX_CELL_MAX);
			rec.fields[i] = (char *)sh.rows[r].cells[i];
		}
		if (!header)
			header = registry_columns_find(&rec, &cols, err, sizeof err) == 0;
		else
			check_record(&rec, &cols, rules, sh.rows[r].num);
	}
	xlsx_sheet_cleanup(&sh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	/* now = 2024-02-27 10:00 Bangkok: periods 2024-02 (grace) and 2024-03
	 * are open, 2024-01 is closed. */
	bool attest = size % 2 == 1;
	struct registry_rules rules = {
	    .now = 1709002800,
	    .cutoff_day = 25,
	    .grace_days = 3,
	    .service_exists = stub_service_exists,
	    .period_attested = stub_attested,
	    .service_by_name = stub_by_name,
	    .ctx = &attest,
	};
	if (xlsx_looks_like((const char *)data, size)) {
		check_xlsx(data, size, &rules);
		return 0;
	}
	struct csv c;
	csv_init(&c, (const char *)data, size);
	struct registry_columns cols;
	char err[512];
	int rc = csv_next(&c);
	if (rc != CSV_RECORD)
		goto out;
	bool header_ok = registry_columns_find(&c, &cols, err, sizeof err) == 0;
	if (!header_ok) {
		/* Still exercise the rows: the documented column order, and the
		 * header record itself as the first row. */
		CHECK(err[0] != '\0');
		for (int k = 0; k < REGISTRY_COL__COUNT; k++)
			cols.idx[k] = k;
		rc = CSV_RECORD;
	} else {
		CHECK(err[0] == '\0');
		rc = csv_next(&c);
	}
	for (size_t rows = 0; rc == CSV_RECORD && rows < 2000; rows++, rc = csv_next(&c))
		check_record(&c, &cols, &rules, rows + 2);
out:
	csv_cleanup(&c);
	return 0;
}
