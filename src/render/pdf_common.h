/* What the PDF renderers (the registry book, posters and the handout) share:
 * the pango set-up for a cairo PDF surface, fonts, measuring, and a capped
 * output buffer that is left unchanged on failure.
 *
 * Thread-safe: each call owns its surface and pango context; pango's cairo
 * font map is per thread. Internal to src/render (needs cairo and pango). */
#ifndef OSSPOINT_RENDER_PDF_COMMON_H
#define OSSPOINT_RENDER_PDF_COMMON_H

#include <stdbool.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "lib/buf.h"

#define PDF_MM          (72.0 / 25.4) /* points per millimetre */
#define PDF_FONT_FAMILY "Laksaman"    /* fonts-tlwg-laksaman: TH Sarabun metrics */

/* A pango context for cr (caller unrefs) at 72 dpi, so pango's points are
 * the surface's points (pango's default 96 dpi prints "16 pt" as 21.3 pt,
 * DESIGN.md §4), with hinting and glyph-position rounding off so text is
 * measured and drawn at its true widths. */
PangoContext *pdf_pango_context(cairo_t *cr);

/* PDF_FONT_FAMILY at size points, bold or regular (caller frees). */
PangoFontDescription *pdf_font(double size, bool bold);

/* A layout's logical width and height in points. */
double pdf_layout_width(PangoLayout *l);
double pdf_layout_height(PangoLayout *l);

/* Draws l with its top-left corner at (x, y). */
void pdf_show(cairo_t *cr, PangoLayout *l, double x, double y);

/* Renders a PDF of w × h point pages into out: creates the surface (title
 * and creator "osspoint" in its metadata), calls draw(cr, arg), which draws
 * and shows its pages and returns a count >= 0 or -1, and finishes the
 * document. Pages are written to out as they are shown; draw may stop early
 * once cairo_surface_status(cairo_get_target(cr)) reports the buffer full.
 * Returns draw's count, or -1 when draw returned -1, cairo failed, or out's
 * maximum would be exceeded; on -1 out is exactly as before the call. */
int pdf_render(struct buf *out, double w, double h, const char *title, int (*draw)(cairo_t *cr, void *arg),
               void *arg);

/* Releases the calling thread's pango font map, cairo's static caches and
 * fontconfig's (FcFini). At process exit only (export_pdf_shutdown). */
void pdf_shutdown(void);

#endif
