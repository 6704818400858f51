/* Printed publicity: the poster of a point and the catalogue handout (A4
 * portrait PDFs, cairo + pango, Laksaman). See print.h for the models and
 * docs/modules/print.md for the layout decisions.
 *
 * Neither is an official document (ระเบียบงานสารบรรณ): they hang on a notice
 * board or are handed out, never bound, so the margins are an even 2 cm and
 * the sizes are chosen to be read from a distance (poster) or held in the
 * hand (handout) rather than the official 16 pt everywhere.
 *
 * Every text block has a maximum number of lines (cut with "…"), so no model
 * can push the poster off its one page or make one handout block taller than
 * a page: the layouts below always terminate and never overflow. */
#include "render/print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "render/official.h"
#include "render/pdf_common.h"
#include "render/qr.h"

#define MM PDF_MM
/* The page and its margin from the one official layout (render/official.h):
 * A4, and the 2 cm of its outer margins on every side (a poster or handout is
 * not bound, so it has no 3 cm binding margin); fonts and sizes come from
 * pdf_common as for every PDF. */
#define PAGE_W    OFFICIAL_A4_SHORT
#define PAGE_H    OFFICIAL_A4_LONG
#define MARGIN    OFFICIAL_MARGIN_R
#define TEXT_W    (PAGE_W - 2 * MARGIN)
#define FOOTER_Y  (PAGE_H - MARGIN + 4) /* the footer sits in the bottom margin */
#define SIZE_FOOT 12
#define GREY      0.4
/* Laksaman's line height is 1.65 em (room for stacked marks); 0.8 of it
 * between the lines of a paragraph, as in the registry book. */
#define LINE_SPACING 0.8

struct pr {
	cairo_t *cr;
	PangoContext *ctx;
	PangoLayout *l; /* scratch: set up by text(), drawn or measured at once */
};

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* The href member of obj[key] when it can be a QR code, else NULL. */
static const char *qr_href(const json_t *obj, const char *key)
{
	const char *href = str(json_object_get(obj, key), "href");
	return *href && strlen(href) <= QR_TEXT_MAX ? href : NULL;
}

static void pr_init(struct pr *p, cairo_t *cr)
{
	p->cr = cr;
	p->ctx = pdf_pango_context(cr);
	p->l = pango_layout_new(p->ctx);
	pango_layout_set_line_spacing(p->l, LINE_SPACING);
	pango_layout_set_wrap(p->l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(p->l, PANGO_ELLIPSIZE_END);
	/* pango puts a hyphen where it breaks inside a word: wrong in Thai,
	 * which has none, and it would change a printed URL. */
	PangoAttrList *a = pango_attr_list_new();
	pango_attr_list_insert(a, pango_attr_insert_hyphens_new(FALSE));
	pango_layout_set_attributes(p->l, a);
	pango_attr_list_unref(a);
}

static void pr_cleanup(struct pr *p)
{
	g_object_unref(p->l);
	g_object_unref(p->ctx);
}

/* Sets up p->l: text at size points (bold or not) in a box `width` wide
 * (-1: one line, as wide as it takes), aligned as given, at most max_lines
 * lines (the last one cut with "…"). */
static PangoLayout *text(struct pr *p, const char *s, double size, bool bold, double width,
                         PangoAlignment align, int max_lines)
{
	PangoFontDescription *f = pdf_font(size, bold);
	pango_layout_set_font_description(p->l, f);
	pango_font_description_free(f);
	pango_layout_set_width(p->l, width < 0 ? -1 : (int)(width * PANGO_SCALE));
	pango_layout_set_height(p->l, -max_lines);
	pango_layout_set_alignment(p->l, align);
	pango_layout_set_text(p->l, s, -1);
	return p->l;
}

/* Lays out s as text() does, draws it at (x, y) when draw is set, and
 * returns its height. */
static double put(struct pr *p, bool draw, double x, double y, const char *s, double size, bool bold,
                  double width, PangoAlignment align, int max_lines)
{
	PangoLayout *l = text(p, s, size, bold, width, align, max_lines);
	if (draw)
		pdf_show(p->cr, l, x, y);
	return pdf_layout_height(l);
}

/* The largest size from size down to min_size (by halves of a point) at
 * which s fits `width` on one line; min_size when none does (it then wraps).
 * For URLs, which are better read on one line than broken. */
static double fit(struct pr *p, const char *s, double size, double min_size, bool bold, double width)
{
	for (; size > min_size; size -= 0.5)
		if (pdf_layout_width(text(p, s, size, bold, -1, PANGO_ALIGN_LEFT, 1)) <= width)
			break;
	return size > min_size ? size : min_size;
}

static void rule(struct pr *p, double y, double width, double level)
{
	cairo_save(p->cr);
	cairo_set_source_rgb(p->cr, level, level, level);
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, MARGIN, y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, y);
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
}

static void grey(struct pr *p, bool on)
{
	double g = on ? GREY : 0;
	cairo_set_source_rgb(p->cr, g, g, g);
}

/* ======================================================================
 * The poster: one page, read from a few metres away.
 * ====================================================================== */

#define P_TITLE     "บริการภาครัฐออนไลน์"
#define P_SUBTITLE  "มีเจ้าหน้าที่ช่วยท่านใช้บริการได้ที่นี่"
#define P_SIZE_T    36       /* title */
#define P_SIZE_ST   20       /* subtitle */
#define P_SIZE_N    22       /* the point's name */
#define P_SIZE_I    16       /* hours, phone, address; QR captions */
#define P_SIZE_U    16       /* short URLs */
#define P_SIZE_S    15       /* the services list */
#define P_LABEL_GAP (4 * MM) /* between the labels (เวลาทำการ…) and the values */

#define P_QR       (48 * MM) /* QR side, quiet zone included: ~1.2 mm modules */
#define P_GAP      (5 * MM)  /* between sections */
#define P_SERVICES 12        /* names listed at most (print.h) */
#define P_BULLET_W (5 * MM)

struct poster {
	struct pr p;
	const json_t *model, *point;
	const char *names[P_SERVICES];
	int n_names;
	int total; /* services the point offers: names listed + those left out */
};

/* The services section for the first k names, column-major in two columns
 * (the first half on the left, so the list reads down); with "more" the
 * line saying how many were left out. Returns its height. */
static double poster_services(struct poster *ps, bool draw, double y0, int k, int more)
{
	struct pr *p = &ps->p;
	double y = y0, col_w = (TEXT_W - P_GAP) / 2;
	y += put(p, draw, MARGIN, y, "บริการที่ช่วยท่านได้ เช่น", P_SIZE_I, true, TEXT_W, PANGO_ALIGN_LEFT, 1);
	int rows = (k + 1) / 2;
	for (int r = 0; r < rows; r++) {
		double h = 0;
		for (int c = 0; c < 2; c++) {
			int i = c * rows + r;
			if (i >= k)
				continue;
			double x = MARGIN + c * (col_w + P_GAP);
			put(p, draw, x, y, "•", P_SIZE_S, false, P_BULLET_W, PANGO_ALIGN_LEFT, 1);
			double hh = put(p, draw, x + P_BULLET_W, y, ps->names[i], P_SIZE_S, false,
			                col_w - P_BULLET_W, PANGO_ALIGN_LEFT, 2);
			if (hh > h)
				h = hh;
		}
		y += h;
	}
	if (more) {
		char line[256];
		snprintf(line, sizeof line, "และบริการอื่นอีก %d รายการ สแกนคิวอาร์โค้ดเพื่อดูทั้งหมด", more);
		y += put(p, draw, MARGIN, y, line, P_SIZE_S, false, TEXT_W, PANGO_ALIGN_LEFT, 1);
	}
	return y - y0;
}

/* One QR code centred in the column [x, x + col_w), its caption above and
 * its short URL under it. Returns the height. */
static double poster_qr(struct poster *ps, bool draw, double x, double y0, double col_w, const char *caption,
                        const char *key)
{
	struct pr *p = &ps->p;
	double y = y0;
	y += put(p, draw, x, y, caption, P_SIZE_I, true, col_w, PANGO_ALIGN_CENTER, 2);
	if (draw)
		qr_cairo(p->cr, qr_href(ps->model, key), x + (col_w - P_QR) / 2, y, P_QR);
	y += P_QR;
	const char *shorter = str(json_object_get(ps->model, key), "short");
	double size = fit(p, shorter, P_SIZE_U, 11, true, col_w);
	y += put(p, draw, x, y, shorter, size, true, col_w, PANGO_ALIGN_CENTER, 2);
	return y - y0;
}

static int draw_poster(cairo_t *cr, void *arg)
{
	struct poster *ps = arg;
	struct pr *p = &ps->p;
	pr_init(p, cr);
	const json_t *pt = ps->point;
	double y = MARGIN;
	cairo_set_source_rgb(cr, 0, 0, 0);
	y += put(p, true, MARGIN, y, P_TITLE, P_SIZE_T, true, TEXT_W, PANGO_ALIGN_CENTER, 1);
	y += put(p, true, MARGIN, y, P_SUBTITLE, P_SIZE_ST, false, TEXT_W, PANGO_ALIGN_CENTER, 1);

	y += put(p, true, MARGIN, y, str(pt, "name_th"), P_SIZE_N, true, TEXT_W, PANGO_ALIGN_CENTER, 3);
	y += P_GAP / 2;
	rule(p, y, 1.5, 0);
	y += P_GAP / 2;

	const struct {
		const char *label, *key;
		int lines;
	} info[] = {{"เวลาทำการ", "hours", 2}, {"โทรศัพท์", "phone", 1}, {"ที่ตั้ง", "address", 3}};
	enum { NINFO = sizeof info / sizeof info[0] };
	double label_w = 0;
	for (size_t i = 0; i < NINFO; i++) {
		double w = pdf_layout_width(text(p, info[i].label, P_SIZE_I, true, -1, PANGO_ALIGN_LEFT, 1));
		label_w = w > label_w ? w : label_w;
	}
	label_w += P_LABEL_GAP;
	for (size_t i = 0; i < NINFO; i++) {
		const char *v = str(pt, info[i].key);
		if (!*v)
			continue; /* no phone: no empty row */
		put(p, true, MARGIN, y, info[i].label, P_SIZE_I, true, label_w, PANGO_ALIGN_LEFT, 1);
		y += put(p, true, MARGIN + label_w, y, v, P_SIZE_I, false, TEXT_W - label_w, PANGO_ALIGN_LEFT,
		         info[i].lines);
	}
	y += P_GAP;

	/* The point's page, its satisfaction survey (issue 10: people who got
	 * no slip answer through the poster) and the whole catalogue. */
	const struct {
		const char *caption, *key;
	} qrs[] = {{"สแกนดูข้อมูลจุดให้บริการนี้", "point_url"},
	           {"สแกนประเมินความพึงพอใจ", "survey_url"},
	           {"สแกนดูรายการบริการทั้งหมด", "catalogue_url"}};
	int ncols = qr_href(ps->model, "survey_url") ? 3 : 2;
	double col_w = (TEXT_W - (ncols - 1) * P_GAP) / ncols, tallest = 0;
	for (int i = 0, col = 0; i < 3; i++) {
		if (!qr_href(ps->model, qrs[i].key))
			continue;
		double h =
		    poster_qr(ps, true, MARGIN + col * (col_w + P_GAP), y, col_w, qrs[i].caption, qrs[i].key);
		tallest = h > tallest ? h : tallest;
		col++;
	}
	y += tallest + P_GAP;

	/* The services list takes what room is left above the footer: as many
	 * names as fit, then a line saying how many more there are. */
	double room = FOOTER_Y - P_GAP / 2 - y;
	int k = ps->n_names;
	while (k > 0 && poster_services(ps, false, y, k, ps->total - k) > room)
		k--;
	if (k > 0)
		poster_services(ps, true, y, k, ps->total - k);

	const char *when = str(ps->model, "generated_th");
	if (*when) {
		char foot[256];
		snprintf(foot, sizeof foot, "ข้อมูล ณ วันที่ %s", when);
		grey(p, true);
		put(p, true, MARGIN, FOOTER_Y, foot, SIZE_FOOT, false, TEXT_W, PANGO_ALIGN_LEFT, 1);
		grey(p, false);
	}
	cairo_show_page(cr);
	pr_cleanup(p);
	return 1;
}

int print_poster_pdf(const json_t *model, struct buf *out)
{
	const json_t *pt = json_object_get(model, "point"), *names = json_object_get(model, "services");
	if (!json_is_object(model) || !json_is_object(pt) || (names && !json_is_array(names)) ||
	    !qr_href(model, "point_url") || !qr_href(model, "catalogue_url"))
		return -1;
	struct poster ps = {.model = model, .point = pt};
	size_t i;
	const json_t *v;
	json_array_foreach(names, i, v)
	{
		const char *s = json_string_value(v);
		if (s && *s && ps.n_names < P_SERVICES)
			ps.names[ps.n_names++] = s;
	}
	/* "และบริการอื่นอีก N รายการ" counts from the whole list, not the names given. */
	json_int_t total = json_integer_value(json_object_get(model, "services_total"));
	ps.total = total > ps.n_names && total < 100000 ? (int)total : ps.n_names;
	char *title = xasprintf("โปสเตอร์%s", str(pt, "name_th"));
	int n = pdf_render(out, PAGE_W, PAGE_H, title, draw_poster, &ps);
	free(title);
	return n < 0 ? -1 : 0;
}

/* ======================================================================
 * The catalogue handout: one block per service, held in the hand.
 * ====================================================================== */

#define C_SIZE_T   18        /* title (every page) */
#define C_SIZE_D   14        /* date line */
#define C_SIZE_N   16        /* service name */
#define C_SIZE_B   14        /* agency, category and channel */
#define C_SIZE_U   12        /* official URL */
#define C_SIZE_Q   11        /* short URL under the QR code */
#define C_QR       (25 * MM) /* ~0.7 mm modules for a 40-character URL */
#define C_QR_COL   (50 * MM) /* the QR code and its short URL, right */
#define C_GAP      (4 * MM)  /* between the text and the QR column */
#define C_TEXT_W   (TEXT_W - C_QR_COL - C_GAP)
#define C_PAD      (3 * MM) /* above and below a block's contents */
#define C_HEAD_GAP (2 * MM)

struct catalogue {
	struct pr p;
	const json_t *model, *services;
};

/* The header of every page (a handout page may be copied on its own): the
 * title, the date, a rule. Returns its height. */
static double cat_header(struct catalogue *c, bool draw)
{
	struct pr *p = &c->p;
	double y = MARGIN;
	y += put(p, draw, MARGIN, y, str(c->model, "title"), C_SIZE_T, true, TEXT_W, PANGO_ALIGN_CENTER, 2);
	const char *when = str(c->model, "generated_th");
	if (*when) {
		char line[256];
		snprintf(line, sizeof line, "ข้อมูล ณ วันที่ %s", when);
		y += put(p, draw, MARGIN, y, line, C_SIZE_D, false, TEXT_W, PANGO_ALIGN_CENTER, 1);
	}
	y += C_HEAD_GAP;
	if (draw)
		rule(p, y, 1, 0);
	return y + C_HEAD_GAP - MARGIN;
}

/* Service number i (from 0) as a block whose top edge is y0. Returns its
 * height (padding included); draws it when draw is set. */
static double cat_block(struct catalogue *c, bool draw, size_t i, double y0)
{
	struct pr *p = &c->p;
	const json_t *s = json_array_get(c->services, i);
	struct buf line;
	buf_init(&line, 0);
	double y = y0 + C_PAD;
	buf_printf(&line, "%zu. %s", i + 1, str(s, "name_th"));
	y += put(p, draw, MARGIN, y, buf_str(&line), C_SIZE_N, true, C_TEXT_W, PANGO_ALIGN_LEFT, 3);
	const char *agency = str(s, "agency_th");
	if (*agency) {
		buf_reset(&line);
		buf_printf(&line, "หน่วยงาน: %s", agency);
		y += put(p, draw, MARGIN, y, buf_str(&line), C_SIZE_B, false, C_TEXT_W, PANGO_ALIGN_LEFT, 2);
	}
	const char *cat = str(s, "category_th"), *channel = str(s, "channel_label");
	buf_reset(&line);
	if (*cat)
		buf_printf(&line, "หมวด: %s", cat);
	if (*channel)
		buf_printf(&line, "%sช่องทาง: %s", *cat ? "   " : "", channel);
	if (line.len)
		y += put(p, draw, MARGIN, y, buf_str(&line), C_SIZE_B, false, C_TEXT_W, PANGO_ALIGN_LEFT, 2);
	const char *url = str(s, "url");
	if (*url) {
		buf_reset(&line);
		buf_printf(&line, "เว็บไซต์: %s", url);
		y += put(p, draw, MARGIN, y, buf_str(&line), C_SIZE_U, false, C_TEXT_W, PANGO_ALIGN_LEFT, 3);
	}
	buf_cleanup(&line);
	double text_h = y - y0 - C_PAD;

	double qx = PAGE_W - MARGIN - C_QR_COL;
	if (draw)
		qr_cairo(p->cr, qr_href(s, "page_url"), qx + (C_QR_COL - C_QR) / 2, y0 + C_PAD, C_QR);
	const char *shorter = str(json_object_get(s, "page_url"), "short");
	double size = fit(p, shorter, C_SIZE_Q, 9, false, C_QR_COL);
	double qr_h =
	    C_QR + put(p, draw, qx, y0 + C_PAD + C_QR, shorter, size, false, C_QR_COL, PANGO_ALIGN_CENTER, 2);
	return (text_h > qr_h ? text_h : qr_h) + 2 * C_PAD;
}

static void cat_footer(struct catalogue *c, int page, int pages)
{
	char num[64];
	snprintf(num, sizeof num, "หน้า %d/%d", page, pages);
	grey(&c->p, true);
	put(&c->p, true, MARGIN, FOOTER_Y, num, SIZE_FOOT, false, TEXT_W, PANGO_ALIGN_CENTER, 1);
	grey(&c->p, false);
}

static int draw_catalogue(cairo_t *cr, void *arg)
{
	struct catalogue *c = arg;
	struct pr *p = &c->p;
	pr_init(p, cr);
	size_t n = json_array_size(c->services);
	double top = MARGIN + cat_header(c, false), bottom = PAGE_H - MARGIN;
	/* Pass 1: block heights and page breaks (first[k] = page k's first
	 * block), so every footer can say "หน้า n/N". No block is taller than a
	 * page: every paragraph in it has a line limit. */
	double *h = xcalloc(n ? n : 1, sizeof *h);
	size_t *first = xcalloc(n + 2, sizeof *first);
	int pages = 0;
	double y = bottom; /* "page full": the first block opens page 1 */
	for (size_t i = 0; i < n; i++) {
		h[i] = cat_block(c, false, i, 0);
		if (y + h[i] > bottom) {
			first[pages++] = i;
			y = top;
		}
		y += h[i];
	}
	if (!pages)
		first[pages++] = 0; /* no services: one page that says so */
	first[pages] = n;

	for (int k = 0; k < pages; k++) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		cat_header(c, true);
		y = top;
		for (size_t i = first[k]; i < first[k + 1]; i++) {
			if (i > first[k])
				rule(p, y, 0.5, 0.6);
			cat_block(c, true, i, y);
			y += h[i];
		}
		if (!n)
			put(p, true, MARGIN, y + C_PAD, "ยังไม่มีบริการในรายการ", C_SIZE_N, false, TEXT_W,
			    PANGO_ALIGN_CENTER, 1);
		cat_footer(c, k + 1, pages);
		cairo_show_page(cr);
		/* Pages are written as they are shown: stop once out is full. */
		if (cairo_surface_status(cairo_get_target(cr)) != CAIRO_STATUS_SUCCESS)
			break;
	}
	free(h);
	free(first);
	pr_cleanup(p);
	return pages;
}

int print_catalogue_pdf(const json_t *model, struct buf *out)
{
	const json_t *services = json_object_get(model, "services");
	if (!json_is_object(model) || (services && !json_is_array(services)))
		return -1;
	size_t i;
	const json_t *s;
	json_array_foreach(services, i, s)
	{
		if (!json_is_object(s) || !qr_href(s, "page_url"))
			return -1;
	}
	struct catalogue c = {.model = model, .services = services};
	const char *title = str(model, "title");
	int n = pdf_render(out, PAGE_W, PAGE_H, *title ? title : "รายการบริการ", draw_catalogue, &c);
	return n < 0 ? -1 : 0;
}

/* ======================================================================
 * The survey slip: a receipt (80 mm) or an A6 card, handed over with a
 * saved entry. Laid out once to measure (the receipt is as tall as its
 * content), then drawn.
 * ====================================================================== */

#define S_SIZE_T 14 /* title */
#define S_SIZE_N 11 /* the point's name */
#define S_SIZE_I 10 /* captions */
#define S_SIZE_S 9  /* small print */
#define S_GAP    (2.5 * MM)

struct slip {
	struct pr p;
	const json_t *model;
	bool a6;
	double w, h, margin, y_end;
};

/* One QR block in the column [x, x + col_w): caption, code, URL. Returns its
 * height. */
static double slip_qr(struct slip *sl, bool draw, double x, double y0, double col_w, double side,
                      const char *caption, const json_t *url)
{
	struct pr *p = &sl->p;
	double y = y0;
	y += put(p, draw, x, y, caption, S_SIZE_I, true, col_w, PANGO_ALIGN_CENTER, 3);
	const char *href = str(url, "href");
	if (draw && *href && strlen(href) <= QR_TEXT_MAX)
		qr_cairo(p->cr, href, x + (col_w - side) / 2, y, side);
	y += side;
	const char *shorter = str(url, "short");
	double size = fit(p, shorter, S_SIZE_S, 6, false, col_w);
	y += put(p, draw, x, y, shorter, size, false, col_w, PANGO_ALIGN_CENTER, 4);
	return y - y0;
}

static double slip_layout(struct slip *sl, bool draw)
{
	struct pr *p = &sl->p;
	const json_t *m = sl->model;
	double x = sl->margin, tw = sl->w - 2 * sl->margin, y = sl->margin;
	const json_t *official = json_object_get(m, "official_url");
	bool own = json_is_true(json_object_get(m, "show_osspoint")) || !json_is_object(official);
	bool off = json_is_object(official) && *str(official, "href");
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	y += put(p, draw, x, y, "แบบสำรวจความพึงพอใจ", S_SIZE_T, true, tw, PANGO_ALIGN_CENTER, 1);
	y += put(p, draw, x, y, str(json_object_get(m, "point"), "name_th"), S_SIZE_N, false, tw,
	         PANGO_ALIGN_CENTER, 3);
	char line[256];
	snprintf(line, sizeof line, "ลำดับที่ %s · %s", str(m, "number"), str(m, "generated_th"));
	grey(p, true);
	y += put(p, draw, x, y, line, S_SIZE_S, false, tw, PANGO_ALIGN_CENTER, 1);
	grey(p, false);
	y += S_GAP;
	const char *own_caption = "สแกนเพื่อตอบแบบสำรวจของจุดให้บริการ (ไม่ถึง 1 นาที)";
	const char *off_caption = "แบบสำรวจของสำนักงาน ก.พ.ร.";
	if (sl->a6 && own && off) {
		double gap = 4 * MM, col = (tw - gap) / 2, side = col - 4 * MM;
		double a = slip_qr(sl, draw, x, y, col, side, own_caption, json_object_get(m, "survey_url"));
		double b = slip_qr(sl, draw, x + col + gap, y, col, side, off_caption, official);
		y += (a > b ? a : b) + S_GAP;
	} else {
		double side = sl->a6 ? 55 * MM : 46 * MM;
		if (own)
			y +=
			    slip_qr(sl, draw, x, y, tw, side, own_caption, json_object_get(m, "survey_url")) +
			    S_GAP;
		if (off)
			y += slip_qr(sl, draw, x, y, tw, own ? side * 0.8 : side, off_caption, official) +
			     S_GAP;
	}
	if (own) {
		snprintf(line, sizeof line, "ลิงก์นี้ใช้ได้ถึง %s และตอบได้ครั้งเดียว", str(m, "valid_until_th"));
		y += put(p, draw, x, y, line, S_SIZE_S, false, tw, PANGO_ALIGN_CENTER, 2);
		y += put(p, draw, x, y, "ไม่ต้องกรอกชื่อหรือเลขประจำตัวประชาชน", S_SIZE_S, false, tw,
		         PANGO_ALIGN_CENTER, 2);
	}
	y += put(p, draw, x, y, "ขอบคุณที่มาใช้บริการ", S_SIZE_I, true, tw, PANGO_ALIGN_CENTER, 1);
	return y + sl->margin;
}

static int draw_slip(cairo_t *cr, void *arg)
{
	struct slip *sl = arg;
	pr_init(&sl->p, cr);
	sl->y_end = slip_layout(sl, true);
	cairo_show_page(cr);
	pr_cleanup(&sl->p);
	return 1;
}

static int measure_slip(cairo_t *cr, void *arg)
{
	struct slip *sl = arg;
	pr_init(&sl->p, cr);
	sl->y_end = slip_layout(sl, false);
	cairo_show_page(cr);
	pr_cleanup(&sl->p);
	return 1;
}

int print_survey_slip_pdf(const json_t *model, struct buf *out)
{
	const char *size = str(model, "size");
	if (!json_is_object(model) || (strcmp(size, "80mm") && strcmp(size, "a6")) ||
	    !qr_href(model, "survey_url"))
		return -1;
	struct slip sl = {.model = model, .a6 = !strcmp(size, "a6")};
	sl.w = sl.a6 ? 105 * MM : 80 * MM;
	sl.margin = sl.a6 ? 8 * MM : 4 * MM;
	sl.h = 148 * MM;
	if (!sl.a6) {
		/* The receipt is as tall as what it holds: measure first. */
		struct buf scratch;
		buf_init(&scratch, 4u << 20);
		int n = pdf_render(&scratch, sl.w, 400 * MM, "slip", measure_slip, &sl);
		buf_cleanup(&scratch);
		if (n < 0)
			return -1;
		sl.h = sl.y_end;
	}
	int n = pdf_render(out, sl.w, sl.h, "แบบสำรวจความพึงพอใจ", draw_slip, &sl);
	return n < 0 ? -1 : 0;
}
