/* The registry book as PDF (cairo + pango), A4 landscape, one visitor per
 * line: about twenty entries a page, as a paper registry book holds them.
 *
 * Every cell is one line; text longer than its column ends in "…" (the CSV
 * and XLSX hold everything). So every row has the same height, computed
 * once, and the pages are known before drawing: every footer can say
 * "หน้า n / N". The pagination keeps its general form (row heights, then
 * breaks) so a taller row would still never be split.
 *
 * Units: the PDF surface's user space is in points (1/72 in), and the pango
 * context's resolution is set to 72 dpi to match; pango's default of 96 dpi
 * would print "16 pt" as 21.3 pt (DESIGN.md §4). Hinting and glyph-position
 * rounding are off, so text is measured and drawn at its true widths. */
#include "render/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/official.h"

/* The official layout's page (render/official.h): A4 landscape, margins
 * 3 cm left and 2 cm elsewhere; its footer (page numbers) in the bottom
 * margin, under the table's lowest edge. */
#define PAGE_W   OFFICIAL_A4_LONG
#define PAGE_H   OFFICIAL_A4_SHORT
#define MARGIN_L OFFICIAL_MARGIN_L
#define MARGIN_R OFFICIAL_MARGIN_R
#define MARGIN_T OFFICIAL_MARGIN_T
#define MARGIN_B OFFICIAL_MARGIN_B
#define TEXT_W   (PAGE_W - MARGIN_L - MARGIN_R)

#define SIZE_HEAD  OFFICIAL_SIZE /* heading lines: the official 16 pt (font: PDF_FONT_FAMILY) */
#define SIZE_TABLE 11            /* table cells and totals (see cols[]) */
#define SIZE_FOOT  12
#define PAD_X      3.0 /* cell padding, points */
#define PAD_TOP    1.0
#define PAD_BOTTOM 2.5 /* room under descenders (ฐ ญ ฎ) before the rule */
#define PAD_Y      (PAD_TOP + PAD_BOTTOM)
#define GAP_HEAD   4.0 /* between the heading and the table */
#define GAP_TOTALS 4.0 /* between the last row and the totals line */
#define RULE       0.5 /* grid line width */
/* A font's own glyph box (what pdftotext reports) reaches about 2 pt below
 * pango's logical line at 11 pt: the table ends that much above the bottom
 * margin, so no mark of the last line lies in the margin. */
#define INK_SLACK 2.5
#define GREY      0.45
/* Laksaman's line height is 1.65 em, room for stacked Thai marks above and
 * below; 0.8 of it still keeps the marks of adjacent lines apart (checked on
 * rendered pages: ฐ/ญ tails over tone marks on stacked vowels). */
#define LINE_SPACING 0.8

enum { NCOLS = 7, COL_SERVICES = 5, COL_REMARKS = NCOLS - 1 };

/* Widths in points; they sum to TEXT_W (700 pt), the services column taking
 * what the others leave (185 pt). One line per visitor leaves room for the
 * book's columns only: sex, age band, channel and officer are in the CSV and
 * XLSX. Tuned on Laksaman 11 pt so the usual values fit whole: "1234/2567"
 * (52 pt), "28/2/2567 09:15" (81), "X-XXXX-XXXX1-83-8" (100), "0812345678"
 * (60), each plus 2 × PAD_X; a name of about 30 letters (104). The column
 * headers are one line too (hence "เลขบัตรประชาชน"). */
static const struct {
	const char *title;
	double width;
} cols[NCOLS] = {
    {"ลำดับที่", 60},  {"วันเวลา", 87},    {"ชื่อ–สกุล", 112}, {"เลขบัตรประชาชน", 108},
    {"โทรศัพท์", 66}, {"บริการ (ผล)", 0}, {"หมายเหตุ", 82},
};

/* The outcome as a word in the services cell, by its API name (the model's
 * services carry "outcome"); the full label otherwise. */
static const char *outcome_short(const json_t *sv)
{
	static const char *const names[][2] = {{"completed", "เสร็จ"},
	                                       {"self_completed", "แนะนำให้ทำเอง"},
	                                       {"referred", "ส่งต่อ"},
	                                       {"not_completed", "ไม่สำเร็จ"}};
	const char *o = export_model_str(sv, "outcome");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(o, names[i][0]))
			return names[i][1];
	return export_model_str(sv, "outcome_label");
}

struct doc {
	cairo_t *cr;
	PangoContext *ctx;
	PangoFontDescription *f_head, *f_head_bold, *f_table, *f_table_bold, *f_foot;
	PangoLayout *cell[NCOLS]; /* one per column, width set once */
	PangoLayout *line;        /* free-width text: heading, footer, totals */
	PangoAttrList *struck;    /* a voided row's cells: struck through */
	double col_x[NCOLS + 1];  /* column edges, col_x[NCOLS] = right edge */
	double row_h;             /* a row: one line of text and the padding */
	double line_h;            /* pango's height of one table line */
	double head_h;            /* heading block height, gap included */
	double colhead_h;         /* column-header row height */
	double body_top, body_bottom;
	const json_t *model;
	struct buf scratch[NCOLS]; /* a row's cell texts */
};

/* Sets up d->line with text in font f, on one line. */
static PangoLayout *line_text(struct doc *d, const PangoFontDescription *f, const char *text)
{
	pango_layout_set_font_description(d->line, f);
	pango_layout_set_width(d->line, -1);
	pango_layout_set_alignment(d->line, PANGO_ALIGN_LEFT);
	pango_layout_set_text(d->line, text, -1);
	return d->line;
}

/* The same, centred across the text width, wrapping when too long. */
static PangoLayout *centred_text(struct doc *d, const PangoFontDescription *f, const char *text)
{
	line_text(d, f, text);
	pango_layout_set_width(d->line, (int)(TEXT_W * PANGO_SCALE));
	pango_layout_set_alignment(d->line, PANGO_ALIGN_CENTER);
	return d->line;
}

/* ---- the model as cell texts ---- */

static void heading_lines(const struct doc *d, struct buf *l2, struct buf *l3)
{
	const json_t *unit = json_object_get(d->model, "unit"), *period = json_object_get(d->model, "period");
	const char *level = export_model_str(unit, "level_label"), *name = export_model_str(unit, "name_th");
	const char *province = export_model_str(unit, "province_th");
	buf_printf(l2, "ศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ ศูนย์ดำรงธรรม%s%s", *level ? level : "อำเภอ", name);
	/* Bangkok is not a จังหวัด; a province's own registry names it once. */
	if (*province && strcmp(province, name))
		buf_printf(l2, strcmp(province, "กรุงเทพมหานคร") ? " จังหวัด%s" : " %s", province);
	buf_printf(l3, "ประจำงวด %s (%s – %s)", export_model_str(period, "label"),
	           export_model_str(period, "first_day_th"), export_model_str(period, "last_day_th"));
}

/* Appends s to b on one line: line breaks and tabs become spaces. */
static void put_line(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

/* Fills d->scratch[0..NCOLS) with entry e's cell texts, each one line. The
 * buffers have no practical cap (the model is already in memory). */
static void row_texts(struct doc *d, const json_t *e)
{
	struct buf *s = d->scratch;
	for (int c = 0; c < NCOLS; c++)
		buf_reset(&s[c]);
	buf_puts(&s[0], export_model_str(e, "number"));
	/* "28/2/2567 09:15" from visited_at: shorter than visited_th. */
	const json_t *at = json_object_get(e, "visited_at");
	if (!json_is_integer(at) ||
	    thai_epoch_format(&s[1], (int64_t)json_integer_value(at), THAI_DATE_NUMERIC, false) < 0)
		put_line(&s[1], export_model_str(e, "visited_th"));
	put_line(&s[2], export_model_str(e, "visitor_name"));
	buf_puts(&s[3], export_model_str(e, "cid_masked"));
	put_line(&s[4], export_model_str(e, "phone"));
	const json_t *services = json_object_get(e, "services"), *sv;
	size_t i;
	json_array_foreach(services, i, sv)
	{
		if (i)
			buf_puts(&s[COL_SERVICES], "; ");
		put_line(&s[COL_SERVICES], export_model_str(sv, "name_th"));
		const char *outcome = outcome_short(sv);
		if (*outcome)
			buf_printf(&s[COL_SERVICES], " (%s)", outcome);
	}
	const char *remarks = export_model_str(e, "remarks");
	if (export_entry_is_void(e)) {
		const char *reason = export_model_str(e, "void_reason");
		buf_printf(&s[COL_REMARKS], "ยกเลิก%s", *reason ? ": " : "");
		put_line(&s[COL_REMARKS], reason);
		if (*remarks) {
			buf_puts(&s[COL_REMARKS], " · ");
			put_line(&s[COL_REMARKS], remarks);
		}
	} else {
		put_line(&s[COL_REMARKS], remarks);
	}
}

/* Loads entry e's cells into d->cell[]. */
static void row_layout(struct doc *d, const json_t *e)
{
	row_texts(d, e);
	bool voided = export_entry_is_void(e);
	for (int c = 0; c < NCOLS; c++) {
		PangoLayout *l = d->cell[c];
		pango_layout_set_text(l, buf_str(&d->scratch[c]), (int)d->scratch[c].len);
		if (!voided) {
			pango_layout_set_attributes(l, NULL);
		} else if (c != COL_REMARKS) {
			pango_layout_set_attributes(l, d->struck);
		} else {
			/* The remarks cell: "ยกเลิก: …" in bold black, the rest grey. */
			PangoAttrList *a = pango_attr_list_new();
			const char *nl = strstr(buf_str(&d->scratch[c]), " · ");
			PangoAttribute *b = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
			b->end_index = nl ? (guint)(nl - buf_str(&d->scratch[c])) : G_MAXUINT;
			pango_attr_list_insert(a, b);
			if (nl) {
				PangoAttribute *g = pango_attr_foreground_new(0x7300, 0x7300, 0x7300);
				g->start_index = b->end_index;
				pango_attr_list_insert(a, g);
			}
			pango_layout_set_attributes(l, a);
			pango_attr_list_unref(a);
		}
	}
}

/* ---- drawing ---- */

static void draw_layout(struct doc *d, PangoLayout *l, double x, double y)
{
	pdf_show(d->cr, l, x, y);
}

/* The heading block, the same on every page: title, service point, period.
 * Returns its height (gap included); draws it only when draw is set. */
static double heading(struct doc *d, bool draw)
{
	struct buf l2, l3;
	buf_init(&l2, 0);
	buf_init(&l3, 0);
	heading_lines(d, &l2, &l3);
	const char *text[3] = {"ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์ (e-Service)", buf_str(&l2), buf_str(&l3)};
	double y = MARGIN_T;
	for (int i = 0; i < 3; i++) {
		PangoLayout *l = centred_text(d, i ? d->f_head : d->f_head_bold, text[i]);
		if (draw)
			draw_layout(d, l, MARGIN_L, y);
		/* The lines as one paragraph: the same spacing as inside a cell. */
		double h = pdf_layout_height(l);
		y += i < 2 ? h - (1 - LINE_SPACING) * h / pango_layout_get_line_count(l) : h;
	}
	buf_cleanup(&l2);
	buf_cleanup(&l3);
	return y - MARGIN_T + GAP_HEAD;
}

static void draw_grid_row(struct doc *d, double y, double h)
{
	cairo_set_line_width(d->cr, RULE);
	for (int c = 0; c < NCOLS; c++)
		cairo_rectangle(d->cr, d->col_x[c], y, d->col_x[c + 1] - d->col_x[c], h);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	cairo_stroke(d->cr);
}

/* Column headers: bold, centred, on light grey. Also measures: returns the
 * row height, drawing only when draw is set. */
static double column_headers(struct doc *d, double y, bool draw)
{
	double h = 0;
	for (int pass = 0; pass < 1 + draw; pass++) {
		if (pass) {
			cairo_set_source_rgb(d->cr, 0.88, 0.88, 0.88);
			cairo_rectangle(d->cr, d->col_x[0], y, d->col_x[NCOLS] - d->col_x[0], h);
			cairo_fill(d->cr);
			cairo_set_source_rgb(d->cr, 0, 0, 0);
		}
		for (int c = 0; c < NCOLS; c++) {
			PangoLayout *l = d->cell[c];
			pango_layout_set_font_description(l, d->f_table_bold);
			pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
			pango_layout_set_attributes(l, NULL);
			pango_layout_set_text(l, cols[c].title, -1);
			double ch = pdf_layout_height(l);
			if (!pass && ch + PAD_Y > h)
				h = ch + PAD_Y;
			if (pass)
				draw_layout(d, l, d->col_x[c] + PAD_X, y + (h - ch) / 2);
			pango_layout_set_font_description(l, d->f_table);
			pango_layout_set_alignment(l, PANGO_ALIGN_LEFT);
		}
		if (pass)
			draw_grid_row(d, y, h);
	}
	return h;
}

static void draw_row(struct doc *d, const json_t *e, double y, double h)
{
	bool voided = export_entry_is_void(e);
	row_layout(d, e);
	for (int c = 0; c < NCOLS; c++) {
		double g = voided && c != COL_REMARKS ? GREY : 0;
		cairo_set_source_rgb(d->cr, g, g, g);
		/* The line's box is taller than the row allows (LINE_SPACING):
		 * centred, its empty top and bottom overlap the padding. */
		draw_layout(d, d->cell[c], d->col_x[c] + PAD_X,
		            y + PAD_TOP - (1 - LINE_SPACING) * d->line_h / 2);
	}
	draw_grid_row(d, y, h);
}

/* n with thousands separators: 1234567 → "1,234,567". */
static void fmt_count(char out[32], json_int_t n)
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)n);
	int lead = digits[0] == '-', o = 0;
	for (int i = 0; i < len; i++) {
		if (i > lead && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static PangoLayout *totals_layout(struct doc *d)
{
	struct export_totals t;
	export_registry_totals(d->model, &t);
	char a[32], b[32], c[32], text[512];
	fmt_count(a, t.entries);
	fmt_count(b, t.services);
	fmt_count(c, t.voided);
	snprintf(text, sizeof text, "รวมผู้มาขอรับบริการ %s ราย   รายการบริการ %s รายการ   ยกเลิก %s รายการ", a, b,
	         c);
	return line_text(d, d->f_table_bold, text);
}

static void draw_footer(struct doc *d, int page, int pages)
{
	struct buf left;
	buf_init(&left, 0);
	buf_printf(&left, "พิมพ์เมื่อ %s", export_model_str(d->model, "generated_th"));
	const char *by = export_model_str(d->model, "generated_by");
	if (*by)
		buf_printf(&left, " โดย %s", by);
	struct official_geometry g;
	official_geometry(OFFICIAL_LANDSCAPE, &g);
	official_page_furniture(d->cr, d->line, d->f_foot, &g, OFFICIAL_NUMBER_FOOT, false, buf_str(&left),
	                        page, pages);
	buf_cleanup(&left);
}

static void draw_page_top(struct doc *d)
{
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	heading(d, true);
	column_headers(d, MARGIN_T + d->head_h, true);
}

/* ---- the document ---- */

static void doc_init(struct doc *d, cairo_t *cr, const json_t *model)
{
	memset(d, 0, sizeof *d);
	d->cr = cr;
	d->model = model;
	d->ctx = pdf_pango_context(cr);
	d->f_head = pdf_font(SIZE_HEAD, false);
	d->f_head_bold = pdf_font(SIZE_HEAD, true);
	d->f_table = pdf_font(SIZE_TABLE, false);
	d->f_table_bold = pdf_font(SIZE_TABLE, true);
	d->f_foot = pdf_font(SIZE_FOOT, false);
	d->line = pango_layout_new(d->ctx);
	pango_layout_set_line_spacing(d->line, LINE_SPACING);
	/* The services column takes what the others leave. */
	double fixed = 0;
	for (int c = 0; c < NCOLS; c++)
		fixed += cols[c].width;
	d->col_x[0] = MARGIN_L;
	for (int c = 0; c < NCOLS; c++)
		d->col_x[c + 1] = d->col_x[c] + (c == COL_SERVICES ? TEXT_W - fixed : cols[c].width);
	d->head_h = heading(d, false);
	d->body_top = MARGIN_T + d->head_h;
	d->body_bottom = PAGE_H - MARGIN_B - INK_SLACK;
	d->struck = pango_attr_list_new();
	pango_attr_list_insert(d->struck, pango_attr_strikethrough_new(TRUE));
	for (int c = 0; c < NCOLS; c++) {
		PangoLayout *l = d->cell[c] = pango_layout_new(d->ctx);
		pango_layout_set_font_description(l, d->f_table);
		pango_layout_set_width(l, (int)((d->col_x[c + 1] - d->col_x[c] - 2 * PAD_X) * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_line_spacing(l, LINE_SPACING);
		buf_init(&d->scratch[c], 0);
	}
	/* One line a cell, "…" where the text is longer than its column. */
	for (int c = 0; c < NCOLS; c++) {
		pango_layout_set_height(d->cell[c], -1);
		pango_layout_set_ellipsize(d->cell[c], PANGO_ELLIPSIZE_END);
	}
	d->colhead_h = column_headers(d, 0, false);
	pango_layout_set_text(d->cell[0], "ลำดับที่ 1", -1);
	d->line_h = pdf_layout_height(d->cell[0]);
	/* Rows sit LINE_SPACING of a line apart, as lines do inside a cell. */
	d->row_h = LINE_SPACING * d->line_h + PAD_Y;
}

static void doc_cleanup(struct doc *d)
{
	for (int c = 0; c < NCOLS; c++) {
		if (d->cell[c])
			g_object_unref(d->cell[c]);
		buf_cleanup(&d->scratch[c]);
	}
	if (d->line)
		g_object_unref(d->line);
	if (d->struck)
		pango_attr_list_unref(d->struck);
	pango_font_description_free(d->f_head);
	pango_font_description_free(d->f_head_bold);
	pango_font_description_free(d->f_table);
	pango_font_description_free(d->f_table_bold);
	pango_font_description_free(d->f_foot);
	if (d->ctx)
		g_object_unref(d->ctx);
}

/* Pass 1: row heights and page breaks. first[p] is the index of page p's
 * first entry (first[pages] = n). Returns the number of pages. */
static int paginate(struct doc *d, const json_t *entries, double *heights, size_t *first, double totals_h)
{
	size_t n = json_array_size(entries);
	int pages = 0;
	double y = d->body_bottom; /* "page full": the first row opens page 1 */
	for (size_t i = 0; i < n; i++) {
		heights[i] = d->row_h; /* every row is one line */
		if (y + heights[i] > d->body_bottom) {
			first[pages++] = i;
			y = d->body_top + d->colhead_h;
		}
		y += heights[i];
	}
	if (!pages) /* no entries: one page with the notice */
		first[pages++] = 0;
	else if (y + GAP_TOTALS + totals_h > d->body_bottom)
		first[pages++] = n; /* the totals line alone on a last page */
	first[pages] = n;
	return pages;
}

/* Both passes: paginates, then draws the pages. Returns the number of pages. */
static int render(struct doc *d, const json_t *entries)
{
	size_t n = json_array_size(entries);
	double *heights = xcalloc(n ? n : 1, sizeof *heights);
	size_t *first = xcalloc(n + 3, sizeof *first);
	double totals_h = pdf_layout_height(totals_layout(d));
	int pages = paginate(d, entries, heights, first, totals_h);
	for (int p = 0; p < pages; p++) {
		draw_page_top(d);
		double y = d->body_top + d->colhead_h;
		for (size_t i = first[p]; i < first[p + 1]; i++) {
			draw_row(d, json_array_get(entries, i), y, heights[i]);
			y += heights[i];
		}
		if (!n) {
			PangoLayout *l = centred_text(d, d->f_table, "ไม่มีรายการในงวดนี้");
			double h = pdf_layout_height(l) + 2 * PAD_Y;
			draw_layout(d, l, MARGIN_L, y + PAD_Y);
			cairo_rectangle(d->cr, d->col_x[0], y, d->col_x[NCOLS] - d->col_x[0], h);
			cairo_stroke(d->cr);
		} else if (p == pages - 1) {
			cairo_set_source_rgb(d->cr, 0, 0, 0);
			draw_layout(d, totals_layout(d), MARGIN_L, y + GAP_TOTALS);
		}
		draw_footer(d, p + 1, pages);
		cairo_show_page(d->cr);
		/* Pages are written as they are shown: stop once the buffer is full. */
		if (cairo_surface_status(cairo_get_target(d->cr)) != CAIRO_STATUS_SUCCESS)
			break;
	}
	free(heights);
	free(first);
	return pages;
}

struct job {
	const json_t *model, *entries;
};

static int draw_book(cairo_t *cr, void *arg)
{
	const struct job *j = arg;
	struct doc d;
	doc_init(&d, cr, j->model);
	int n = render(&d, j->entries);
	doc_cleanup(&d);
	return n;
}

int export_registry_pdf_pages(struct buf *out, const json_t *model, int *pages)
{
	const json_t *entries = json_object_get(model, "entries");
	if (!json_is_object(model) || (entries && !json_is_array(entries)))
		return -1;
	struct job j = {model, entries};
	int n = pdf_render(out, PAGE_W, PAGE_H, "ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์", draw_book, &j);
	if (n < 0)
		return -1;
	*pages = n;
	return 0;
}

int export_registry_pdf(struct buf *out, const json_t *model)
{
	int pages;
	return export_registry_pdf_pages(out, model, &pages);
}

void export_pdf_shutdown(void)
{
	pdf_shutdown();
}
