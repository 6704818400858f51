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

#include "registry_check.h"

/* A name with "บริการ" in it is the service "svc_by_name". */
static const char *stub_by_name(const char *name, void *ctx)
{
	(void)ctx;
	CHECK(name && *name);
	return strstr(name, "บริการ") ? "svc_by_name" : NULL;
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
	bool attest = size % 2 == 1;
	struct registry_rules rules = fuzz_rules(&attest);
	rules.service_by_name = stub_by_name;
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
