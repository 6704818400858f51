/* External aggregates: the figures DOPA receives from the national survey
 * (ก.พ.ร.) per unit and period, read from a CSV or XLSX file (issue 10).
 * Rules only: reading the file's bytes (lib/csv, lib/xlsx_read) and checking
 * every row; no I/O. db/external.h stores a checked batch, web/external.c and
 * `osspoint import-external` drive it. See docs/external.md.
 *
 * The file (the format is told by its bytes: a zip archive is XLSX, its first
 * sheet; anything else CSV, UTF-8 with or without BOM): a header row, the
 * first of the first 10 rows that names the unit column, then one row per
 * unit and period. Headers, Thai or the API name, a trailing "(…)" ignored
 * ("ผู้มารับบริการ (ราย)" is "ผู้มารับบริการ"):
 *
 *   รหัสหน่วยงาน   unit_code    required: "0" national, 2-digit province,
 *                               4-digit district (DOPA geocodes)
 *   งวด            period       required, the reporting month (closing on the
 *                               25th), as "ก.พ. 2567", "กุมภาพันธ์ 2567",
 *                               "ก.พ. 67", "2567-02" (B.E.: a year of 2400 or
 *                               more) or "2024-02" (C.E.), or a date cell of an
 *                               XLSX sheet (its month); Thai digits allowed;
 *                               not after the current period
 *   ผู้มารับบริการ  users        whole number >= 0
 *   ผู้ตอบแบบสำรวจ  respondents  whole number >= 0
 *   คะแนนรวม       score_sum    decimal >= 0, at most 10 × respondents
 *   คะแนนเฉลี่ย     score_mean   decimal 0–10
 *   ร้อยละ         percent      decimal 0–100
 *   อันดับ          rank         whole number >= 1
 *   จากทั้งหมด      rank_of      whole number >= rank (how many were ranked)
 *   แหล่งข้อมูล     source       text, 1–200 characters; when the file has no
 *                               such column (or the cell is empty) the
 *                               default source given with the upload
 *   ชื่อหน่วยงาน, ลำดับที่, หมายเหตุ (name_th, remarks): read by people, ignored
 * Any other header is an error (a misspelt header must not drop a figure
 * silently). Numbers take ASCII or Thai digits and thousands commas;
 * decimals at most 4 places (a spreadsheet's binary artefact such as
 * "91.730000000000004" is rounded to 4 places and trailing zeros dropped).
 * Every row needs at least one figure. A unit, period and source twice in
 * the file is an error on the second row. Whether the unit exists is checked
 * by the database, in the import's transaction.
 *
 * Errors: [{line, column, field, message}], line the row as a spreadsheet
 * numbers it (a CSV's text line), column the header as the file writes it,
 * field the API name, message Thai naming row and column
 * ("แถวที่ 4 คอลัมน์ \"คะแนนเฉลี่ย\": ต้องเป็นตัวเลข 0–10"). */
#ifndef OSSPOINT_CORE_EXTERNAL_H
#define OSSPOINT_CORE_EXTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/period.h"

#define EXTERNAL_MAX_ROWS   20000 /* far above 1 + 77 + 928 units × a year */
#define EXTERNAL_MAX_ERRORS 200
#define EXTERNAL_SOURCE_MAX 200 /* characters */
#define EXTERNAL_DEC_SIZE   24  /* a normalised decimal: "1234567890.1234" */

struct external_row {
	size_t line;  /* the file's row number */
	char unit[8]; /* "0", "47", "4701" */
	char period[PERIOD_ISO_SIZE];
	char *source;                                  /* owned by the batch */
	int64_t users, respondents, rank_pos, rank_of; /* -1: not given */
	char score_sum[EXTERNAL_DEC_SIZE], score_mean[EXTERNAL_DEC_SIZE],
	    percent[EXTERNAL_DEC_SIZE]; /* "": not given */
};

struct external_batch {
	struct external_row *rows;
	size_t n;
	json_t *errors;        /* [{line, column, field, message}], owned */
	char message[256];     /* Thai summary when the file cannot be read at all */
	char unit_header[128]; /* the unit column's header as the file writes it */
};

enum external_rc {
	EXTERNAL_OK = 0,
	EXTERNAL_BAD_FILE = -1, /* not readable, no header row, too many rows: message */
	EXTERNAL_BAD_ROWS = -2, /* rows with errors: errors (and message) */
};

/* Reads and checks the len bytes at data. current is today's period (none
 * after it is accepted); default_source may be NULL or "". Returns an enum
 * external_rc; out is filled either way (rows only on EXTERNAL_OK). Always
 * call external_batch_cleanup. */
int external_parse(const char *data, size_t len, const char *default_source, struct period current,
                   struct external_batch *out);
void external_batch_cleanup(struct external_batch *b);

/* Parses a period as the file's งวด column takes it (see above) into out.
 * Returns 0 or -1. */
int external_period_parse(const char *s, struct period *out);

/* The mean of sum over n to two decimals, rounded half up from the exact
 * quotient ("9173" over 1000 → "9.17"), and the percent (sum × 10 / n →
 * "91.73"), from a decimal sum as stored (at most 4 places). Returns 0, or -1
 * when n <= 0 or sum is not a decimal. */
int external_mean_percent(const char *sum, int64_t n, char mean[EXTERNAL_DEC_SIZE],
                          char percent[EXTERNAL_DEC_SIZE]);

/* The percent of a mean as stored (mean × 10, two decimals, rounded half up:
 * "9.173" → "91.73", "9.17" → "91.70"). Returns 0 or -1. */
int external_mean_to_percent(const char *mean, char percent[EXTERNAL_DEC_SIZE]);

#endif
