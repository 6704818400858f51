/* The PDF set-up the renderers share (pdf_common.h). */
#include "render/pdf_common.h"

#include <dlfcn.h>

#include <cairo-pdf.h>

PangoContext *pdf_pango_context(cairo_t *cr)
{
	PangoContext *ctx = pango_cairo_create_context(cr);
	pango_cairo_context_set_resolution(ctx, 72);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(ctx, FALSE);
	return ctx;
}

PangoFontDescription *pdf_font(double size, bool bold)
{
	PangoFontDescription *f = pango_font_description_new();
	pango_font_description_set_family_static(f, PDF_FONT_FAMILY);
	pango_font_description_set_size(f, (gint)(size * PANGO_SCALE));
	if (bold)
		pango_font_description_set_weight(f, PANGO_WEIGHT_BOLD);
	return f;
}

double pdf_layout_width(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)w / PANGO_SCALE;
}

double pdf_layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

void pdf_show(cairo_t *cr, PangoLayout *l, double x, double y)
{
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
}

/* The stream's destination. cairo 1.16 does not always report a failed
 * write: when the paginated PDF surface's target is still referenced at
 * cairo_surface_finish (the fonts are written then), the target's error is
 * not copied to the surface we hold, which then says "success" for a
 * truncated file. So failures are also remembered here. */
struct sink {
	struct buf *out;
	bool failed;
};

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *k = closure;
	if (k->failed || buf_append(k->out, data, len) < 0) {
		k->failed = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

int pdf_render(struct buf *out, double w, double h, const char *title, int (*draw)(cairo_t *cr, void *arg),
               void *arg)
{
	size_t mark = out->len;
	struct sink k = {out, false};
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, &k, w, h);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "osspoint");
	cairo_t *cr = cairo_create(s);
	int n = draw(cr, arg);
	bool drawn = n >= 0 && cairo_status(cr) == CAIRO_STATUS_SUCCESS;
	cairo_destroy(cr);
	cairo_surface_finish(s);
	int rc = drawn && !k.failed && cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? n : -1;
	cairo_surface_destroy(s);
	if (rc < 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}

void pdf_shutdown(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	/* fontconfig keeps its configuration and caches until FcFini. We do not
	 * link fontconfig ourselves (cairo and pango load it), so it is looked
	 * up in the process rather than named at link time. */
	void (*fc_fini)(void);
	*(void **)&fc_fini = dlsym(RTLD_DEFAULT, "FcFini");
	if (fc_fini)
		fc_fini();
}
