/* QR codes (libqrencode) as SVG, PNG, or drawn into a cairo context.
 *
 * Level M (15 % of the code may be lost: a poster's smudge or a fold) in
 * 8-bit mode: the URL's UTF-8 bytes go in as they are, so a Thai domain or
 * path comes out of a phone's scanner unchanged. No ECI header: scanners
 * guess UTF-8 from the bytes, and some older ones print an ECI header as
 * garbage instead of honouring it.
 *
 * Every output draws the dark modules as horizontal runs ("M x y h3v1h-3z" in
 * SVG, one rectangle per run in cairo): a third of the path data of one
 * square per module, and one fill, so a rasteriser's anti-aliasing never
 * leaves hairline seams between neighbouring modules.
 *
 * libqrencode 4 is thread-safe (it guards its Reed-Solomon tables with a
 * mutex); everything else here is per call. */
#include "render/qr.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <qrencode.h>

#define QUIET 4 /* modules of white around the code (ISO/IEC 18004) */

/* The code of text, or NULL for empty or too long text or an encoder
 * failure. Caller frees with QRcode_free. */
static QRcode *encode(const char *text)
{
	if (!text || !*text || strlen(text) > QR_TEXT_MAX)
		return NULL;
	/* version 0: the smallest version that holds the text */
	return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
}

static int dark(const QRcode *qr, int x, int y)
{
	return qr->data[y * qr->width + x] & 1; /* bit 0: dark module */
}

/* The length of the run of dark modules starting at (x, y), 0 if (x, y) is
 * light. */
static int run_length(const QRcode *qr, int x, int y)
{
	int n = 0;
	while (x + n < qr->width && dark(qr, x + n, y))
		n++;
	return n;
}

/* Rolls out back to mark (out exactly as before the call). */
static void rollback(struct buf *out, size_t mark)
{
	out->len = mark;
	if (out->data)
		out->data[mark] = '\0';
}

int qr_svg(const char *text, const char *title, struct buf *out)
{
	QRcode *qr = encode(text);
	if (!qr)
		return -1;
	size_t mark = out->len;
	int side = qr->width + 2 * QUIET, rc = 0;
	if (!title)
		title = text;
	rc |= buf_printf(out,
	                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
	                 "height=\"100%%\" role=\"img\" shape-rendering=\"crispEdges\"><title>",
	                 side, side);
	rc |= buf_put_html(out, title, strlen(title));
	rc |= buf_printf(out,
	                 "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	                 side, side);
	for (int y = 0; y < qr->width && !rc; y++)
		for (int x = 0; x < qr->width;) {
			int n = run_length(qr, x, y);
			if (n)
				rc |= buf_printf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, n, n);
			x += n ? n : 1;
		}
	rc |= buf_puts(out, "\"/></svg>\n");
	QRcode_free(qr);
	if (rc) {
		rollback(out, mark);
		return -1;
	}
	return 0;
}

/* The white square and the dark runs of qr, `module` user units a module,
 * top-left corner at (x, y). All runs go into one path and one fill. */
static void draw(cairo_t *cr, const QRcode *qr, double x, double y, double module)
{
	double side = (qr->width + 2 * QUIET) * module;
	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, side, side);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
	cairo_new_path(cr);
	for (int r = 0; r < qr->width; r++)
		for (int c = 0; c < qr->width;) {
			int n = run_length(qr, c, r);
			if (n)
				cairo_rectangle(cr, x + (c + QUIET) * module, y + (r + QUIET) * module,
				                n * module, module);
			c += n ? n : 1;
		}
	cairo_fill(cr);
	cairo_restore(cr);
}

int qr_cairo(void *cr, const char *text, double x, double y, double size)
{
	if (!cr || !isfinite(x) || !isfinite(y) || !isfinite(size) || size <= 0 ||
	    cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return -1;
	QRcode *qr = encode(text);
	if (!qr)
		return -1;
	draw(cr, qr, x, y, size / (qr->width + 2 * QUIET));
	QRcode_free(qr);
	return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int qr_png(const char *text, int scale, struct buf *out)
{
	if (scale < 1 || scale > 32)
		return -1;
	QRcode *qr = encode(text);
	if (!qr)
		return -1;
	int side = (qr->width + 2 * QUIET) * scale;
	/* RGB24 rather than 1-bit: cairo writes A1 surfaces as alpha, i.e. an
	 * inverted image. Deflate packs the flat colours almost as tightly. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
	cairo_t *cr = cairo_create(s);
	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE); /* whole pixels: edges are exact */
	draw(cr, qr, 0, 0, scale);
	QRcode_free(qr);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	size_t mark = out->len;
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png_stream(s, write_buf, out);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		rollback(out, mark);
		return -1;
	}
	return 0;
}
