/* What an uploaded file really is, and making it safe to keep (issue 11).
 *
 * The type is sniffed from the bytes with libmagic, never taken from the
 * file name or the Content-Type the browser sent. PDFs are opened with
 * poppler-glib (a file that does not open is refused, and its page count
 * kept). Images are decoded and re-encoded with libvips (JPEG stays JPEG,
 * PNG stays PNG, WebP becomes JPEG), downscaled to at most
 * FILECHECK_IMAGE_SIDE pixels on the long side, with every metadata block
 * (EXIF with its GPS position, XMP, IPTC, comments) left out: what is kept
 * is only the pixels. Thread-safe. */
#ifndef OSSPOINT_LIB_FILECHECK_H
#define OSSPOINT_LIB_FILECHECK_H

#include <stddef.h>

#include "lib/buf.h"

#define FILECHECK_MIME_MAX     64
#define FILECHECK_IMAGE_SIDE   2048
#define FILECHECK_IMAGE_PIXELS (64L * 1000 * 1000) /* a larger image is refused (decompression bombs) */

/* The MIME type of data (e.g. "application/pdf", "image/png",
 * "text/plain") into mime. Returns 0, or -1 when libmagic failed. */
int filecheck_sniff(const void *data, size_t len, char mime[FILECHECK_MIME_MAX]);

/* Opens a PDF. Returns its page count (>= 1), or -1 when it does not open
 * (damaged, encrypted with a password, not a PDF). */
int filecheck_pdf_pages(const void *data, size_t len);

/* Re-encodes an image of type mime ("image/jpeg", "image/png",
 * "image/webp") into out, stripped and downscaled as above; out_mime gets
 * the type of what was written. Returns 0, -1 when it does not decode
 * (damaged, or more than FILECHECK_IMAGE_PIXELS pixels), -2 for a type not
 * handled. */
int filecheck_image_clean(const void *data, size_t len, const char *mime, struct buf *out,
                          char out_mime[FILECHECK_MIME_MAX]);

/* Whether text is valid UTF-8 with no NUL or other control character but
 * tab, CR and LF (a Markdown document). */
int filecheck_text_ok(const void *data, size_t len);

/* Releases libvips at exit (optional; keeps LeakSanitizer quiet). */
void filecheck_shutdown(void);

#endif
