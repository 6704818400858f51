/* QR codes (libqrencode) as SVG, PNG, or drawn into a cairo context (the
 * posters). Error correction level M, 8-bit mode, 4-module quiet zone.
 * Pure: no HTTP, no SQL. Thread-safe. See docs/modules/print.md. */
#ifndef OSSPOINT_RENDER_QR_H
#define OSSPOINT_RENDER_QR_H

#include <stddef.h>

#include "lib/buf.h"

#define QR_TEXT_MAX 1024 /* bytes; longer text is refused */

/* A standalone SVG document (image/svg+xml) of the QR code of text: one
 * <path> of the dark modules (shape-rendering="crispEdges"), viewBox in
 * modules, width/height "100%" so CSS sizes it, role="img" and a <title>
 * with `title` (XML-escaped; NULL = the text itself). Returns 0, or -1 (out
 * unchanged) for empty or too long text, encoder failure, or out's cap. */
int qr_svg(const char *text, const char *title, struct buf *out);

/* A PNG of the QR code of text, `scale` pixels per module (1..32), black on
 * white, quiet zone included. Returns 0 or -1 (out unchanged). */
int qr_png(const char *text, int scale, struct buf *out);

/* Draws the QR code of text (quiet zone included) as black squares on a
 * white square of side `size` user units with its top-left corner at (x, y)
 * into cr (a cairo_t *, opaque here so this header needs no cairo).
 * Returns 0 or -1 (nothing drawn). */
int qr_cairo(void *cr, const char *text, double x, double y, double size);

#endif
