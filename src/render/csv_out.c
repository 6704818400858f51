/* CSV writer (RFC 4180) and the registry CSV export; also the model accessors
 * the three registry renderers share (export.h). */
#include "render/export.h"

#include <string.h>

/* ---- model access ---- */

const char *export_model_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

bool export_entry_is_void(const json_t *e)
{
	return !strcmp(export_model_str(e, "status"), "void") || json_is_true(json_object_get(e, "void"));
}

bool export_entry_serial(const json_t *e, double *serial)
{
	const json_t *t = json_object_get(e, "visited_at");
	if (!json_is_integer(t))
		return false;
	/* Bangkok wall clock (UTC+7, no DST); serial 25569 is 1970-01-01. */
	json_int_t local = json_integer_value(t) + 7 * 3600;
	json_int_t days = local / 86400, secs = local % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	if (days + 25569 < 61) /* before 1 March 1900: Excel's calendar is off there */
		return false;
	*serial = (double)(days + 25569) + (double)secs / 86400.0;
	return true;
}

void export_registry_totals(const json_t *model, struct export_totals *t)
{
	memset(t, 0, sizeof *t);
	const json_t *tot = json_object_get(model, "totals");
	if (json_is_object(tot)) {
		t->entries = json_integer_value(json_object_get(tot, "entries"));
		t->services = json_integer_value(json_object_get(tot, "services"));
		t->voided = json_integer_value(json_object_get(tot, "void"));
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(model, "entries"), i, e)
	{
		if (export_entry_is_void(e)) {
			t->voided++;
		} else {
			t->entries++;
			t->services += (json_int_t)json_array_size(json_object_get(e, "services"));
		}
	}
}

/* ---- CSV ---- */

/* Appends one field; see csv_write_row for the rules. */
static int put_field(struct buf *b, const char *s)
{
	if (!s)
		return 0;
	/* A spreadsheet evaluates a cell that starts with one of these as a
	 * formula (=HYPERLINK(...), +cmd|...), even from a quoted CSV field. */
	bool guard = s[0] && strchr("=+-@\t\r", s[0]);
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (!quote)
		return (guard && buf_putc(b, '\'') < 0) ? -1 : buf_puts(b, s);
	if (buf_putc(b, '"') < 0 || (guard && buf_putc(b, '\'') < 0))
		return -1;
	for (const char *q; (q = strchr(s, '"')); s = q + 1)
		if (buf_append(b, s, (size_t)(q - s) + 1) < 0 || buf_putc(b, '"') < 0)
			return -1;
	return buf_puts(b, s) < 0 ? -1 : buf_putc(b, '"');
}

int csv_write_row(struct buf *b, const char *const *fields, size_t n)
{
	size_t mark = b->len;
	for (size_t i = 0; i < n; i++)
		if ((i && buf_putc(b, ',') < 0) || put_field(b, fields[i]) < 0)
			goto fail;
	if (buf_append(b, "\r\n", 2) < 0)
		goto fail;
	return 0;
fail:
	b->len = mark;
	if (b->data)
		b->data[mark] = '\0';
	return -1;
}

const char *const export_registry_columns[EXPORT_REGISTRY_NCOLS] = {
    "ลำดับที่", "วันเวลา",       "ชื่อ–สกุล", "เลขประจำตัวประชาชน", "โทรศัพท์",  "เพศ",   "ช่วงอายุ",
    "บริการ", "ผลการให้บริการ", "ช่องทาง", "เจ้าหน้าที่",           "หมายเหตุ", "สถานะ",
};

/* Appends the entry's services' `key` members to b, joined by "; ". */
static int join_services(struct buf *b, const json_t *e, const char *key)
{
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(e, "services"), i, s)
	{
		if ((i && buf_puts(b, "; ") < 0) || buf_puts(b, export_model_str(s, key)) < 0)
			return -1;
	}
	return 0;
}

int export_registry_row(const json_t *e, struct buf scratch[3], const char *row[EXPORT_REGISTRY_NCOLS])
{
	for (int k = 0; k < 3; k++)
		buf_reset(&scratch[k]);
	const char *reason = export_model_str(e, "void_reason");
	bool v = export_entry_is_void(e);
	if (join_services(&scratch[0], e, "name_th") < 0 ||
	    join_services(&scratch[1], e, "outcome_label") < 0 ||
	    buf_printf(&scratch[2], "%s%s%s", v ? "ยกเลิก" : "ปกติ", v && *reason ? ": " : "",
	               v ? reason : "") < 0)
		return -1;
	const char *r[EXPORT_REGISTRY_NCOLS] = {
	    export_model_str(e, "number"),
	    export_model_str(e, "visited_th"),
	    export_model_str(e, "visitor_name"),
	    export_model_str(e, "cid_masked"),
	    export_model_str(e, "phone"),
	    export_model_str(e, "sex_label"),
	    export_model_str(e, "age_band_label"),
	    buf_str(&scratch[0]),
	    buf_str(&scratch[1]),
	    export_model_str(e, "channel_label"),
	    export_model_str(e, "officer_name"),
	    export_model_str(e, "remarks"),
	    buf_str(&scratch[2]),
	};
	memcpy(row, r, sizeof r);
	return 0;
}

int export_registry_csv(struct buf *out, const json_t *model)
{
	const json_t *entries = json_object_get(model, "entries");
	if (!json_is_object(model) || (entries && !json_is_array(entries)))
		return -1;
	size_t mark = out->len;
	struct buf scratch[3];
	for (int k = 0; k < 3; k++)
		buf_init(&scratch[k], out->max);
	int rc = -1;
	if (buf_puts(out, CSV_UTF8_BOM) < 0 ||
	    csv_write_row(out, export_registry_columns, EXPORT_REGISTRY_NCOLS) < 0)
		goto out;
	size_t i;
	const json_t *e;
	json_array_foreach(entries, i, e)
	{
		const char *row[EXPORT_REGISTRY_NCOLS];
		if (export_registry_row(e, scratch, row) < 0 ||
		    csv_write_row(out, row, EXPORT_REGISTRY_NCOLS) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	for (int k = 0; k < 3; k++)
		buf_cleanup(&scratch[k]);
	return rc;
}
