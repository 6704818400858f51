/* libFuzzer target: the registry importer's path — CSV reader, header
 * mapping (registry_columns_find), row mapping (registry_raw_from_record)
 * and registry_validate, with stub catalogue and attestation callbacks.
 * Besides memory errors it checks the contract: a row that validates holds
 * only what registry.h promises, and a refused one has well-formed errors. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "lib/csv.h"

#include "registry_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	bool attest = size % 2 == 1;
	struct registry_rules rules = fuzz_rules(&attest);
	struct csv c;
	csv_init(&c, (const char *)data, size);
	struct registry_columns cols;
	char err[512];
	struct visit_input in;
	struct registry_errors errs;
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
	for (size_t rows = 0; rc == CSV_RECORD && rows < 2000; rows++, rc = csv_next(&c)) {
		int v = registry_validate_record(&c, &cols, &rules, &in, &errs);
		if (v == 0)
			check_valid(&in, &rules);
		else
			check_refused(v, &errs, &in);
		/* The mapping alone, and through the form/JSON entry point
		 * (visited_at may then be empty = now). */
		struct registry_raw raw;
		char scratch[REGISTRY_SCRATCH_SIZE];
		if (registry_raw_from_record(&c, &cols, &raw, scratch, sizeof scratch) == 0) {
			CHECK(raw.nservices <= VISIT_MAX_SERVICES);
			v = registry_validate(&raw, &rules, &in, &errs);
			if (v == 0)
				check_valid(&in, &rules);
			else
				check_refused(v, &errs, &in);
		}
	}
out:
	csv_cleanup(&c);
	return 0;
}
