/* External aggregates (issue 10): importing the national survey's figures
 * (core/external.h for the file, db/external.h for the storage) from the
 * command line (osspoint import-external) and the national admin's page
 * (/stats/external, web/external.c). */
#ifndef OSSPOINT_WEB_EXTERNAL_H
#define OSSPOINT_WEB_EXTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db/external.h"
#include "lib/err.h"

struct external_outcome {
	enum err code;     /* ERR_OK, ERR_EXTERNAL_FILE, ERR_EXTERNAL_INVALID or ERR_UNAVAILABLE */
	json_t *errors;    /* [{line, column, field, message}] (caller decrefs; never NULL) */
	char message[256]; /* Thai summary, "" on success */
	size_t rows;       /* rows stored */
	char period[8];    /* the first row's period (for the list page) */
	struct external_import_result res;
};

/* Reads, checks and stores the file: every row checked, all rows or none in
 * one transaction. source is the default source label (may be NULL),
 * file_name is kept for the list (reduced to readable text, at most 200
 * bytes), cutoff the settings' period cut-off day. Returns 0 (out->code
 * ERR_OK) or -1. */
int external_import_run(struct db *db, const char *data, size_t len, const char *source,
                        const char *file_name, int64_t user_id, int cutoff, struct external_outcome *out);

#endif
