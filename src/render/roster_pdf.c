/* The month's duty roster as an official A4 PDF (export.h), on the official
 * layout: centred title lines, a table of date, shift, name, position and
 * phone with its header on every page, "หน้า n / N", Thai digits. */
#include "render/export.h"
#include "render/official.h"

static int draw(struct official_doc *d, void *arg)
{
	const json_t *m = arg, *t, *row;
	size_t i;
	json_array_foreach(json_object_get(m, "title"), i, t)
	    official_centred(d, json_string_value(t), i == 0, 0);
	official_gap(d, 6);
	static const struct official_col cols[] = {{"วันที่", 95, false},
	                                           {"เวร", 100, false},
	                                           {"ชื่อ–สกุล", 0, false},
	                                           {"ตำแหน่ง", 110, false},
	                                           {"โทรศัพท์", 70, false}};
	const json_t *rows = json_object_get(m, "rows");
	if (!json_array_size(rows)) {
		official_centred(d, "ยังไม่มีผู้ปฏิบัติหน้าที่ในเดือนนี้", false, 0);
		return 0;
	}
	official_table_begin(d, cols, 5, 14);
	json_array_foreach(rows, i, row)
	{
		const char *cells[5];
		for (int c = 0; c < 5; c++) {
			const char *s = json_string_value(json_array_get(row, (size_t)c));
			cells[c] = s ? s : "";
		}
		official_table_row(d, cells);
	}
	official_table_end(d);
	return 0;
}

int export_roster_pdf(struct buf *out, const json_t *model)
{
	if (!json_is_object(model))
		return -1;
	const char *footer = json_string_value(json_object_get(model, "footer"));
	return official_render(out, OFFICIAL_PORTRAIT, OFFICIAL_NUMBER_FOOT, true, "ตารางการปฏิบัติหน้าที่", footer,
	                       draw, (void *)model) < 0
	           ? -1
	           : 0;
}
