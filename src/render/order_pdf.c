/* An official order (คำสั่ง) as PDF on the official layout (export.h):
 * emblem slot, "คำสั่ง<office>", "ที่ n/yyyy", "เรื่อง …" centred, a short
 * rule, the body's paragraphs (first lines indented), "สั่ง ณ วันที่ …",
 * the signature block (name in parentheses, position, acting lines), then
 * for a duty order the annex on a page of its own (บัญชีแนบท้ายคำสั่ง: date,
 * name, position, duty). Thai digits throughout; "- ๒ -" from page 2. */
#include <string.h>

#include "render/export.h"
#include "render/official.h"

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int draw(struct official_doc *d, void *arg)
{
	const json_t *m = arg;
	official_emblem(d, str(m, "emblem"));
	if (json_is_true(json_object_get(m, "draft")))
		official_centred(d, "(ร่าง)", false, 0);
	struct buf t;
	buf_init(&t, 0);
	buf_printf(&t, "คำสั่ง%s", str(m, "office_th"));
	official_centred(d, buf_str(&t), true, 0);
	buf_reset(&t);
	const char *num = str(m, "number");
	if (*num)
		buf_printf(&t, "ที่ %s", num);
	else
		buf_printf(&t, "ที่        /%s", str(m, "year_be"));
	official_centred(d, buf_str(&t), false, 0);
	buf_reset(&t);
	buf_printf(&t, "เรื่อง %s", str(m, "subject"));
	official_centred(d, buf_str(&t), false, 0);
	official_centred(d, "------------------------------", false, 0);
	official_gap(d, 4);
	/* Paragraphs: separated by blank lines; single line breaks kept as spaces. */
	const char *body = str(m, "body");
	while (*body) {
		const char *end = strstr(body, "\n\n");
		size_t n = end ? (size_t)(end - body) : strlen(body);
		buf_reset(&t);
		for (size_t i = 0; i < n; i++)
			buf_putc(&t, body[i] == '\n' || body[i] == '\r' ? ' ' : body[i]);
		if (t.len)
			official_paragraph(d, buf_str(&t), OFFICIAL_INDENT);
		body += n;
		while (*body == '\n' || *body == '\r')
			body++;
	}
	official_gap(d, 12);
	buf_reset(&t);
	buf_printf(&t, "สั่ง ณ วันที่ %s", *str(m, "date_th") ? str(m, "date_th") : "          ");
	official_line_at(d, buf_str(&t), 2 * OFFICIAL_INDENT, false);
	official_gap(d, 36); /* room for the signature */
	const json_t *sig = json_object_get(m, "signer");
	const char *lines[6];
	int n = 0;
	size_t i;
	const json_t *l;
	json_array_foreach(sig, i, l) if (n < 6) lines[n++] =
	    json_string_value(l) ? json_string_value(l) : "";
	official_signature(d, lines, n);
	const json_t *annex = json_object_get(m, "annex");
	if (json_is_object(annex)) {
		official_page_break(d);
		json_array_foreach(json_object_get(annex, "title"), i, l)
		    official_centred(d, json_string_value(l), i == 0, 0);
		official_gap(d, 6);
		const json_t *rows = json_object_get(annex, "rows");
		if (!json_array_size(rows)) {
			official_centred(d, "(ยังไม่มีรายชื่อผู้ปฏิบัติหน้าที่)", false, 0);
		} else {
			static const struct official_col cols[] = {{"วันที่", 92, false},
			                                           {"ชื่อ–สกุล", 0, false},
			                                           {"ตำแหน่ง", 122, false},
			                                           {"หน้าที่", 132, false}};
			official_table_begin(d, cols, 4, 14);
			json_array_foreach(rows, i, l)
			{
				const char *cells[4];
				for (size_t c = 0; c < 4; c++) {
					const char *s = json_string_value(json_array_get(l, c));
					cells[c] = s ? s : "";
				}
				official_table_row(d, cells);
			}
			official_table_end(d);
		}
	}
	buf_cleanup(&t);
	return 0;
}

int export_order_pdf(struct buf *out, const json_t *model)
{
	if (!json_is_object(model))
		return -1;
	return official_render(out, OFFICIAL_PORTRAIT, OFFICIAL_NUMBER_TOP, true, "คำสั่ง", NULL, draw,
	                       (void *)model) < 0
	           ? -1
	           : 0;
}
