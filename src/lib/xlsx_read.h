/* Reading the first worksheet of an .xlsx workbook into rows of text cells,
 * for the registry import (a district re-imports its own XLSX export, or a
 * sheet kept in Excel). libzip opens the archive in memory, expat reads the
 * XML parts as they are inflated; nothing here parses zip or XML by hand.
 *
 * What a cell becomes (always UTF-8 text, "" when empty):
 *   - a shared or inline string: its text (rich-text runs joined, phonetic
 *     runs left out);
 *   - a number whose cell style has a date or time number format (built-in
 *     formats 14–22, 27–36, 45–47, 50–58, or a custom format with d m y h s or
 *     b outside quotes and brackets, so "[$-107041E]d/m/yyyy" counts): the
 *     Bangkok wall-clock day it stands for as ISO C.E. text, "YYYY-MM-DD", or
 *     "YYYY-MM-DDTHH:MM:SS" when it has a time of day or the format shows
 *     one (1900 date system with its phantom 29 Feb 1900, or the 1904 system
 *     when the workbook says so; rounded to the second);
 *   - any other number: the text of the stored value ("812345678");
 *   - a boolean: "TRUE" or "FALSE"; a formula's cached result as above; an
 *     error value its text ("#N/A").
 * Rows keep the row number the sheet gives them (1-based, as Excel shows
 * them); rows with no non-empty cell are left out; a row's cells run from
 * column A to its last non-empty cell, missing ones "".
 *
 * Untrusted input: a document type declaration is refused (no entities, so
 * no entity expansion), each XML part is read at most XLSX_PART_MAX bytes
 * inflated whatever the zip claims, a cell holds at most XLSX_CELL_MAX bytes,
 * and the caller bounds the rows. */
#ifndef OSSPOINT_LIB_XLSX_READ_H
#define OSSPOINT_LIB_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>

#define XLSX_MAX_COLS 64                   /* as CSV_MAX_FIELDS */
#define XLSX_CELL_MAX (64 * 1024)          /* as CSV_MAX_FIELD */
#define XLSX_PART_MAX (256u * 1024 * 1024) /* inflated bytes of one XML part */

struct xlsx_row {
	size_t num;         /* the sheet's row number (1-based) */
	size_t ncells;      /* 1..XLSX_MAX_COLS */
	const char **cells; /* ncells strings, owned by the sheet */
};

struct xlsx_sheet {
	size_t nrows;
	struct xlsx_row *rows;
	/* private */
	char *text;
	const char **cells;
};

enum xlsx_rc {
	XLSX_OK = 0,
	XLSX_NOT_XLSX = -1,  /* not a zip, or no workbook with a worksheet in it */
	XLSX_MALFORMED = -2, /* a part is not well-formed XML, or has a DTD */
	XLSX_TOO_BIG = -3,   /* a part, a cell or the whole text past its limit */
	XLSX_TOO_MANY = -4,  /* more rows than asked for, or a value past column 64 */
	XLSX_ENCRYPTED = -5, /* a password-protected workbook */
};

/* True when data starts like a zip archive ("PK\3\4"): how an upload is told
 * to be XLSX rather than CSV. */
bool xlsx_looks_like(const char *data, size_t len);

/* Reads the workbook's first sheet (in workbook order) from the len bytes at
 * data (borrowed; not kept) into out, at most max_rows non-empty rows.
 * Returns XLSX_OK, or a negative enum xlsx_rc with out empty. Always call
 * xlsx_sheet_cleanup afterwards. */
int xlsx_sheet_read(const char *data, size_t len, size_t max_rows, struct xlsx_sheet *out);
void xlsx_sheet_cleanup(struct xlsx_sheet *s);

/* Thai text for an enum xlsx_rc ("ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx)", ...). */
const char *xlsx_strerror(int rc);

#endif
