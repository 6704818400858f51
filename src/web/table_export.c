/* ?format=csv|xlsx&table=<name> on any page with tables: see table_export.h. */
#include "web/table_export.h"

#include <stdio.h>
#include <string.h>

#include "render/export.h"
#include "render/table.h"
#include "web/web.h"

#define TABLE_FILE_MAX (64u << 20)

/* s reduced to [A-Za-z0-9_.-], at most cap - 1 bytes. */
static void safe_name(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	for (; s && *s && k + 1 < cap; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("_.-", *s))
			out[k++] = *s;
	out[k] = '\0';
}

bool web_table_export(struct req *r, const json_t *model, const char *stem)
{
	const char *format = req_query(r, "format");
	if (!format)
		return false;
	bool csv = !strcmp(format, "csv");
	if (!csv && strcmp(format, "xlsx")) {
		reply_error(r, ERR_EXPORT_FORMAT, "format", NULL);
		return true;
	}
	const char *name = req_query(r, "table");
	const json_t *t = table_find(model, name);
	if (!t) {
		reply_error(r, ERR_TABLE_NOT_FOUND, "table", NULL);
		return true;
	}
	char sname[64], sstem[96];
	safe_name(sname, sizeof sname, name);
	safe_name(sstem, sizeof sstem, stem);
	struct buf out;
	buf_init(&out, TABLE_FILE_MAX);
	int rc = csv ? table_csv(&out, t, model) : table_xlsx(&out, sname, t, model);
	if (rc < 0) {
		buf_cleanup(&out);
		reply_error(r, ERR_INTERNAL, NULL, "สร้างไฟล์ส่งออกไม่ได้");
		return true;
	}
	char disp[256];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s%s%s.%s\"", sstem, *sstem ? "-" : "", sname,
	         csv ? "csv" : "xlsx");
	reply_header(r, "Content-Disposition", disp);
	size_t len;
	char *data = buf_detach(&out, &len);
	reply_bytes_owned(r, 200, csv ? EXPORT_CSV_TYPE : EXPORT_XLSX_TYPE, data, len);
	return true;
}

json_t *web_table_links(const char *base, const char *table)
{
	struct buf c, x;
	buf_init(&c, 8192);
	buf_init(&x, 8192);
	const char *sep = strchr(base, '?') ? "&" : "?";
	buf_printf(&c, "%s%sformat=csv&table=", base, sep);
	buf_printf(&x, "%s%sformat=xlsx&table=", base, sep);
	web_url_encode(&c, table);
	web_url_encode(&x, table);
	json_t *j = json_pack("{s:s, s:s}", "csv", buf_str(&c), "xlsx", buf_str(&x));
	buf_cleanup(&c);
	buf_cleanup(&x);
	return j;
}
