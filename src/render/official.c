/* The official-document layout (official.h).
 *
 * Lines are drawn one by one (pango_cairo_show_layout_line at their
 * baselines) so that a paragraph breaks across pages between lines and no
 * line is ever cut. Lines sit LINE_SPACING of pango's logical line height
 * apart: Laksaman's line is 1.65 em, room for stacked marks above and below,
 * and 0.8 of it still keeps the marks of adjacent lines apart (measured on the
 * registry book's rendered pages, render/pdf_registry.c). */
#include "render/official.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/thai.h"

#define LINE_SPACING 0.8
#define PAD_X        3.0 /* table cell padding, points */
#define PAD_TOP      1.0
#define PAD_BOTTOM   2.5
#define RULE         0.5
#define SIZE_FOOT    12.0

void official_geometry(enum official_orientation o, struct official_geometry *g)
{
	g->w = o == OFFICIAL_LANDSCAPE ? OFFICIAL_A4_LONG : OFFICIAL_A4_SHORT;
	g->h = o == OFFICIAL_LANDSCAPE ? OFFICIAL_A4_SHORT : OFFICIAL_A4_LONG;
	g->left = OFFICIAL_MARGIN_L;
	g->right = g->w - OFFICIAL_MARGIN_R;
	g->top = OFFICIAL_MARGIN_T;
	g->bottom = g->h - OFFICIAL_MARGIN_B;
}

const char *official_text(struct official_doc *d, const char *s)
{
	buf_reset(&d->tmp);
	if (!s)
		s = "";
	if (!d->thai_digits || thai_digits_from_ascii_buf(&d->tmp, s) < 0)
		buf_puts(&d->tmp, s);
	return buf_str(&d->tmp);
}

int official_date(struct buf *b, int y, int m, int d, bool thai_digits)
{
	if (!thai_day_valid(y, m, d))
		return -1;
	char s[128];
	snprintf(s, sizeof s, "%d %s พ.ศ. %d", d, thai_month_name(m), thai_year_be(y));
	if (thai_digits)
		return thai_digits_from_ascii_buf(b, s);
	buf_puts(b, s);
	return 0;
}

void official_page_furniture(cairo_t *cr, PangoLayout *l, const PangoFontDescription *f,
                             const struct official_geometry *g, enum official_numbering numbering,
                             bool thai_digits, const char *footer, int page, int pages)
{
	char num[64];
	struct buf t;
	buf_init(&t, 0);
	pango_layout_set_font_description(l, f);
	pango_layout_set_width(l, -1);
	pango_layout_set_indent(l, 0);
	pango_layout_set_justify(l, FALSE);
	pango_layout_set_alignment(l, PANGO_ALIGN_LEFT);
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (numbering == OFFICIAL_NUMBER_TOP && page >= 2) {
		snprintf(num, sizeof num, "- %d -", page);
		if (!thai_digits || thai_digits_from_ascii_buf(&t, num) < 0)
			buf_puts(&t, num);
		pango_layout_set_text(l, buf_str(&t), -1);
		pdf_show(cr, l, (g->left + g->right - pdf_layout_width(l)) / 2, g->top - 10 * PDF_MM);
	} else if (numbering == OFFICIAL_NUMBER_FOOT) {
		if (pages > 0)
			snprintf(num, sizeof num, "หน้า %d / %d", page, pages);
		else
			snprintf(num, sizeof num, "หน้า %d", page);
		if (!thai_digits || thai_digits_from_ascii_buf(&t, num) < 0)
			buf_puts(&t, num);
		pango_layout_set_text(l, buf_str(&t), -1);
		pdf_show(cr, l, g->right - pdf_layout_width(l), g->bottom + 4);
	}
	if (footer && *footer) {
		buf_reset(&t);
		if (!thai_digits || thai_digits_from_ascii_buf(&t, footer) < 0)
			buf_puts(&t, footer);
		pango_layout_set_text(l, buf_str(&t), -1);
		pdf_show(cr, l, g->left, g->bottom + 4);
	}
	buf_cleanup(&t);
}

/* ---- the flow ---- */

struct pass {
	bool counting; /* the first pass: nothing is shown */
	PangoFontDescription *f_foot;
	PangoLayout *foot;
};

static struct pass *pass_of(struct official_doc *d);

static void page_end(struct official_doc *d)
{
	struct pass *p = pass_of(d);
	if (p->counting)
		return;
	official_page_furniture(d->cr, p->foot, p->f_foot, &d->g, d->numbering, d->thai_digits, d->footer,
	                        d->page, d->pages);
	cairo_show_page(d->cr);
}

static void table_header(struct official_doc *d);

void official_page_break(struct official_doc *d)
{
	page_end(d);
	d->page++;
	d->y = d->g.top;
	if (d->in_table)
		table_header(d);
}

void official_need(struct official_doc *d, double h)
{
	if (d->y + h > d->g.bottom && d->y > d->g.top)
		official_page_break(d);
}

void official_gap(struct official_doc *d, double pts)
{
	d->y += pts;
	if (d->y > d->g.bottom)
		official_page_break(d);
}

/* Draws every line of l (already set up, its x at x0), each on the page
 * where it fits, advancing d->y. */
static void flow_lines(struct official_doc *d, PangoLayout *l, double x0)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	do {
		PangoRectangle logical;
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		double h = (double)logical.height / PANGO_SCALE;
		double base = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
		if (d->y + h * LINE_SPACING > d->g.bottom && d->y > d->g.top)
			official_page_break(d);
		if (!pass_of(d)->counting) {
			cairo_set_source_rgb(d->cr, 0, 0, 0);
			/* The line's box is taller than the advance: centred in it. */
			cairo_move_to(d->cr, x0 + (double)logical.x / PANGO_SCALE,
			              d->y + base - h * (1 - LINE_SPACING) / 2);
			pango_cairo_show_layout_line(d->cr, pango_layout_iter_get_line_readonly(it));
		}
		d->y += h * LINE_SPACING;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static void layout_reset(struct official_doc *d, const PangoFontDescription *f, double width)
{
	pango_layout_set_font_description(d->l, f);
	pango_layout_set_width(d->l, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_wrap(d->l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_indent(d->l, 0);
	pango_layout_set_justify(d->l, FALSE);
	pango_layout_set_alignment(d->l, PANGO_ALIGN_LEFT);
	pango_layout_set_attributes(d->l, NULL);
	pango_layout_set_line_spacing(d->l, 0);
}

void official_centred(struct official_doc *d, const char *text, bool bold, double size)
{
	PangoFontDescription *own = NULL;
	const PangoFontDescription *f = bold ? d->fb : d->f;
	if (size > 0 && size != d->size)
		f = own = pdf_font(size, bold);
	layout_reset(d, f, d->g.right - d->g.left);
	pango_layout_set_alignment(d->l, PANGO_ALIGN_CENTER);
	pango_layout_set_text(d->l, official_text(d, text), -1);
	flow_lines(d, d->l, d->g.left);
	if (own)
		pango_font_description_free(own);
}

void official_paragraph(struct official_doc *d, const char *text, double indent)
{
	layout_reset(d, d->f, d->g.right - d->g.left);
	pango_layout_set_indent(d->l, (int)(indent * PANGO_SCALE));
	/* Not justified: pango stretches lines only at spaces, and Thai text
	 * has few (between phrases), so justified Thai lines gape. */
	pango_layout_set_text(d->l, official_text(d, text), -1);
	flow_lines(d, d->l, d->g.left);
}

void official_line_at(struct official_doc *d, const char *text, double indent, bool bold)
{
	layout_reset(d, bold ? d->fb : d->f, d->g.right - d->g.left - indent);
	pango_layout_set_text(d->l, official_text(d, text), -1);
	flow_lines(d, d->l, d->g.left + indent);
}

void official_signature(struct official_doc *d, const char *const *lines, int n)
{
	double mid = (d->g.left + d->g.right) / 2;
	/* The block stays together: its height is n lines. */
	layout_reset(d, d->f, d->g.right - mid);
	pango_layout_set_text(d->l, "ก", -1);
	official_need(d, n * pdf_layout_height(d->l) * LINE_SPACING);
	for (int i = 0; i < n; i++) {
		layout_reset(d, d->f, d->g.right - mid);
		pango_layout_set_alignment(d->l, PANGO_ALIGN_CENTER);
		pango_layout_set_text(d->l, official_text(d, lines[i]), -1);
		flow_lines(d, d->l, mid);
	}
}

void official_emblem(struct official_doc *d, const char *png_path)
{
	official_need(d, OFFICIAL_EMBLEM_H);
	cairo_surface_t *img = png_path && *png_path ? cairo_image_surface_create_from_png(png_path) : NULL;
	if (img && cairo_surface_status(img) == CAIRO_STATUS_SUCCESS &&
	    cairo_image_surface_get_height(img) > 0 && !pass_of(d)->counting) {
		double s = OFFICIAL_EMBLEM_H / cairo_image_surface_get_height(img);
		double w = cairo_image_surface_get_width(img) * s;
		cairo_save(d->cr);
		cairo_translate(d->cr, (d->g.left + d->g.right - w) / 2, d->y);
		cairo_scale(d->cr, s, s);
		cairo_set_source_surface(d->cr, img, 0, 0);
		cairo_paint(d->cr);
		cairo_restore(d->cr);
	}
	if (img)
		cairo_surface_destroy(img);
	d->y += OFFICIAL_EMBLEM_H;
}

/* ---- tables ---- */

static PangoLayout *cell_layout(struct official_doc *d, int c, const PangoFontDescription *f,
                                const char *text)
{
	layout_reset(d, f, d->col_x[c + 1] - d->col_x[c] - 2 * PAD_X);
	if (d->cols[c].centre)
		pango_layout_set_alignment(d->l, PANGO_ALIGN_CENTER);
	pango_layout_set_line_spacing(d->l, LINE_SPACING);
	pango_layout_set_text(d->l, official_text(d, text), -1);
	return d->l;
}

/* Height of a row of cells (titles when cells is NULL). */
static double row_height(struct official_doc *d, const PangoFontDescription *f, const char *const *cells)
{
	double h = 0;
	for (int c = 0; c < d->ncols; c++) {
		PangoLayout *l = cell_layout(d, c, f, cells ? cells[c] : d->cols[c].title);
		/* Lines sit LINE_SPACING of a line apart; the last one's box is
		 * taller than its advance: count advances only. */
		int n = pango_layout_get_line_count(l);
		double lh = pdf_layout_height(l) / (1 + (n - 1) * LINE_SPACING);
		double ch = n * LINE_SPACING * lh;
		if (ch > h)
			h = ch;
	}
	return h + PAD_TOP + PAD_BOTTOM;
}

static void draw_row(struct official_doc *d, const PangoFontDescription *f, const char *const *cells,
                     double h, bool shaded)
{
	if (pass_of(d)->counting)
		return;
	cairo_t *cr = d->cr;
	if (shaded) {
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_rectangle(cr, d->col_x[0], d->y, d->col_x[d->ncols] - d->col_x[0], h);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int c = 0; c < d->ncols; c++) {
		PangoLayout *l = cell_layout(d, c, f, cells ? cells[c] : d->cols[c].title);
		double lh = pdf_layout_height(l) / (1 + (pango_layout_get_line_count(l) - 1) * LINE_SPACING);
		pdf_show(cr, l, d->col_x[c] + PAD_X, d->y + PAD_TOP - (1 - LINE_SPACING) * lh / 2);
	}
	cairo_set_line_width(cr, RULE);
	for (int c = 0; c < d->ncols; c++)
		cairo_rectangle(cr, d->col_x[c], d->y, d->col_x[c + 1] - d->col_x[c], h);
	cairo_stroke(cr);
}

static PangoFontDescription *table_font(struct official_doc *d, bool bold)
{
	return pdf_font(d->table_size, bold);
}

static void table_header(struct official_doc *d)
{
	PangoFontDescription *fb = table_font(d, true);
	double h = row_height(d, fb, NULL);
	draw_row(d, fb, NULL, h, true);
	d->y += h;
	pango_font_description_free(fb);
}

void official_table_begin(struct official_doc *d, const struct official_col *cols, int ncols, double size)
{
	if (ncols > OFFICIAL_COLS_MAX)
		ncols = OFFICIAL_COLS_MAX;
	d->cols = cols;
	d->ncols = ncols;
	d->table_size = size > 0 ? size : d->size;
	double fixed = 0;
	for (int c = 0; c < ncols; c++)
		fixed += cols[c].width;
	double rest = d->g.right - d->g.left - fixed;
	d->col_x[0] = d->g.left;
	for (int c = 0; c < ncols; c++)
		d->col_x[c + 1] = d->col_x[c] + (cols[c].width > 0 ? cols[c].width : (rest > 20 ? rest : 20));
	PangoFontDescription *fb = table_font(d, true), *f = table_font(d, false);
	/* The header never ends a page alone: it and one row fit. */
	official_need(d,
	              row_height(d, fb, NULL) + row_height(d, f, (const char *const[OFFICIAL_COLS_MAX]){""}));
	pango_font_description_free(fb);
	pango_font_description_free(f);
	d->in_table = true;
	table_header(d);
}

void official_table_row(struct official_doc *d, const char *const *cells)
{
	PangoFontDescription *f = table_font(d, false);
	double h = row_height(d, f, cells);
	if (d->y + h > d->g.bottom && d->y > d->g.top)
		official_page_break(d); /* the header is drawn again */
	draw_row(d, f, cells, h, false);
	d->y += h;
	pango_font_description_free(f);
}

void official_table_end(struct official_doc *d)
{
	d->in_table = false;
	d->cols = NULL;
	d->ncols = 0;
}

/* ---- rendering ---- */

struct run {
	struct official_doc d;
	struct pass p;
	enum official_numbering numbering;
	bool thai_digits;
	const char *footer;
	int pages; /* from the counting pass */
	int (*draw)(struct official_doc *d, void *arg);
	void *arg;
};

static struct pass *pass_of(struct official_doc *d)
{
	return &((struct run *)((char *)d - offsetof(struct run, d)))->p;
}

static int run_once(struct run *r, cairo_t *cr, enum official_orientation o, bool counting)
{
	struct official_doc *d = &r->d;
	memset(d, 0, sizeof *d);
	memset(&r->p, 0, sizeof r->p);
	r->p.counting = counting;
	d->cr = cr;
	d->ctx = pdf_pango_context(cr);
	d->l = pango_layout_new(d->ctx);
	d->size = OFFICIAL_SIZE;
	d->f = pdf_font(OFFICIAL_SIZE, false);
	d->fb = pdf_font(OFFICIAL_SIZE, true);
	r->p.f_foot = pdf_font(SIZE_FOOT, false);
	r->p.foot = pango_layout_new(d->ctx);
	official_geometry(o, &d->g);
	d->numbering = r->numbering;
	d->thai_digits = r->thai_digits;
	d->footer = r->footer;
	d->pages = counting ? 0 : r->pages;
	d->page = 1;
	d->y = d->g.top;
	buf_init(&d->tmp, 0);
	int rc = r->draw(d, r->arg);
	if (rc >= 0) {
		page_end(d);
		rc = d->page;
	}
	buf_cleanup(&d->tmp);
	g_object_unref(r->p.foot);
	pango_font_description_free(r->p.f_foot);
	pango_font_description_free(d->f);
	pango_font_description_free(d->fb);
	g_object_unref(d->l);
	g_object_unref(d->ctx);
	return rc;
}

struct pdf_pass {
	struct run *r;
	enum official_orientation o;
};

static int draw_pdf(cairo_t *cr, void *arg)
{
	struct pdf_pass *pp = arg;
	return run_once(pp->r, cr, pp->o, false);
}

int official_render(struct buf *out, enum official_orientation o, enum official_numbering numbering,
                    bool thai_digits, const char *title, const char *footer,
                    int (*draw)(struct official_doc *d, void *arg), void *arg)
{
	struct run r = {
	    .numbering = numbering, .thai_digits = thai_digits, .footer = footer, .draw = draw, .arg = arg};
	/* Pass 1: count the pages on a recording surface (nothing is kept). */
	cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
	cairo_t *cr = cairo_create(rec);
	int n = run_once(&r, cr, o, true);
	cairo_destroy(cr);
	cairo_surface_destroy(rec);
	if (n < 0)
		return -1;
	r.pages = n;
	struct official_geometry g;
	official_geometry(o, &g);
	struct pdf_pass pp = {&r, o};
	return pdf_render(out, g.w, g.h, title, draw_pdf, &pp);
}
