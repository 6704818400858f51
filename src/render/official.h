/* The one layout of official papers (ระเบียบงานสารบรรณ, DOMAIN.md): A4, the
 * TH Sarabun-compatible Laksaman at 16 pt, margins left 3 cm and right 2 cm,
 * the emblem slot (3 cm high, an image from a setting; none is shipped), Thai
 * digits, centred title lines, dates with the full month name, page numbers.
 * Orders, the duty roster and the registry book are drawn with it, so those
 * decisions are made here once.
 *
 * A document is drawn by a function given to official_render, which calls it
 * twice: first on a recording surface to count the pages, then on the PDF
 * surface with the count known (d->pages), so "หน้า n / N" is possible. The
 * drawing functions flow downwards from d->y and open a new page when what
 * they draw does not fit (a paragraph line by line, a table row by row with
 * its header repeated).
 *
 * Thread-safe as pdf_common.h. Internal to src/render (needs cairo/pango). */
#ifndef OSSPOINT_RENDER_OFFICIAL_H
#define OSSPOINT_RENDER_OFFICIAL_H

#include <stdbool.h>

#include "lib/buf.h"
#include "render/pdf_common.h"

/* A4 in points, both orientations. */
#define OFFICIAL_A4_SHORT (210 * PDF_MM)
#define OFFICIAL_A4_LONG  (297 * PDF_MM)
/* Margins: 3 cm on the binding side, 2 cm elsewhere. */
#define OFFICIAL_MARGIN_L (30 * PDF_MM)
#define OFFICIAL_MARGIN_R (20 * PDF_MM)
#define OFFICIAL_MARGIN_T (20 * PDF_MM)
#define OFFICIAL_MARGIN_B (20 * PDF_MM)
#define OFFICIAL_SIZE     16.0          /* the body's font size, points */
#define OFFICIAL_EMBLEM_H (30 * PDF_MM) /* the emblem (ตราครุฑ): 3 cm high */
#define OFFICIAL_INDENT   (25 * PDF_MM) /* a paragraph's first line */

enum official_orientation { OFFICIAL_PORTRAIT, OFFICIAL_LANDSCAPE };

/* Where and how pages are numbered. */
enum official_numbering {
	OFFICIAL_NUMBER_NONE,
	/* "- ๒ -" centred in the top margin from the second page (orders). */
	OFFICIAL_NUMBER_TOP,
	/* "หน้า ๑ / ๓" at the bottom right of every page (tables, books). */
	OFFICIAL_NUMBER_FOOT,
};

/* Page geometry in points. */
struct official_geometry {
	double w, h;        /* page */
	double left, right; /* text area's x edges */
	double top, bottom; /* text area's y edges */
};
void official_geometry(enum official_orientation o, struct official_geometry *g);

struct official_doc;

/* What a table column is: its title, width in points (0: what the others
 * leave, at most one such column), and alignment. */
struct official_col {
	const char *title;
	double width;
	bool centre;
};

#define OFFICIAL_COLS_MAX 8

struct official_doc {
	cairo_t *cr;
	PangoContext *ctx;
	PangoLayout *l;
	PangoFontDescription *f, *fb; /* body size: regular, bold */
	struct official_geometry g;
	double y;         /* where the next block starts */
	int page;         /* 1-based, the page being drawn (0 before the first) */
	int pages;        /* the total, 0 in the counting pass */
	bool thai_digits; /* ASCII digits of every text become ๐–๙ */
	enum official_numbering numbering;
	double size;        /* current body size */
	const char *footer; /* left of the footer line on every page, or NULL */
	struct buf tmp;
	/* The table being drawn (repeated header on a new page). */
	const struct official_col *cols;
	int ncols;
	double col_x[OFFICIAL_COLS_MAX + 1];
	double table_size;
	bool in_table;
	void *user; /* the caller's */
};

/* Text (digits converted when d->thai_digits) into d->tmp; returns it. */
const char *official_text(struct official_doc *d, const char *s);

/* A centred line (wrapping inside the text area when long), bold or not,
 * at size points (0: the body size). Advances d->y. */
void official_centred(struct official_doc *d, const char *text, bool bold, double size);
/* A paragraph, left-aligned (not justified, see official.c), its first line indented by indent points (0:
 * none), broken across pages line by line. */
void official_paragraph(struct official_doc *d, const char *text, double indent);
/* A line starting at x offset indent from the left margin, no wrap beyond
 * the text area (wraps there). */
void official_line_at(struct official_doc *d, const char *text, double indent, bool bold);
/* Vertical space of pts points (not carried over a page break). */
void official_gap(struct official_doc *d, double pts);
/* Opens a new page when less than h points remain. */
void official_need(struct official_doc *d, double h);
/* Ends the current page and opens the next. */
void official_page_break(struct official_doc *d);
/* The emblem slot, centred at the top of the page: the PNG at path scaled
 * to 3 cm high, or the empty slot when path is NULL, "" or unreadable. */
void official_emblem(struct official_doc *d, const char *png_path);
/* The signature block: lines centred in the right half of the text area
 * (typed name in parentheses, position, acting lines), each line its own. */
void official_signature(struct official_doc *d, const char *const *lines, int n);

/* A table: begin draws the column header; row draws one row whose cells
 * wrap (the row as tall as its tallest cell), on a new page (header again)
 * when it does not fit; end finishes it. size: the table's font size. */
void official_table_begin(struct official_doc *d, const struct official_col *cols, int ncols, double size);
void official_table_row(struct official_doc *d, const char *const *cells);
void official_table_end(struct official_doc *d);

/* Draws the page number (d->numbering) and the footer of page `page` of
 * `pages` (pages 0: "หน้า n" without the total). Used by official_render's
 * page ends and by documents that lay out their own pages (the registry
 * book): f is the footer font, l a layout to draw with. */
void official_page_furniture(cairo_t *cr, PangoLayout *l, const PangoFontDescription *f,
                             const struct official_geometry *g, enum official_numbering numbering,
                             bool thai_digits, const char *footer, int page, int pages);

/* "๒ ธันวาคม พ.ศ. ๒๕๖๙": a document's date, the full month name, appended
 * to b (thai digits or not). Returns 0 or -1 (invalid day). */
int official_date(struct buf *b, int y, int m, int d, bool thai_digits);

/* Renders one document: sets up d (geometry, fonts, numbering, digits) and
 * calls draw(d, arg) twice as described above; draw starts with
 * official_page_break-free state (page 1 open, d->y at the top margin).
 * Returns the page count, or -1 when draw returned -1, cairo failed or out's
 * maximum would be exceeded (out unchanged then). */
int official_render(struct buf *out, enum official_orientation o, enum official_numbering numbering,
                    bool thai_digits, const char *title, const char *footer,
                    int (*draw)(struct official_doc *d, void *arg), void *arg);

#endif
