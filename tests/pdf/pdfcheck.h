/* Measuring a rendered PDF with poppler-glib (Debian libpoppler-glib-dev):
 * what the official-layout tests assert (official.h). Loaded from memory.
 *
 * For every character poppler extracts that is not white space: its box
 * (points, origin top-left), its font's name and size. */
#ifndef OSSPOINT_TESTS_PDFCHECK_H
#define OSSPOINT_TESTS_PDFCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct pdf_measure {
	int pages;
	double page_w, page_h; /* of the first page */
	bool all_same_size;    /* every page page_w × page_h */
	double min_x, max_x;   /* over every character of every page */
	double min_y, max_y;
	double min_size, max_size; /* font sizes of the characters */
	int chars;                 /* non-space characters */
	int non_laksaman;          /* characters in a font that is not Laksaman */
	int ascii_digits;          /* characters 0-9 */
	int fonts_not_embedded;    /* fonts poppler reports as not embedded */
	char *text;                /* every page's text, pages separated by \f (caller frees) */
	char **page_text;          /* each page's text with white space removed (NULL-ended) */
};

/* Returns 0, or -1 when poppler cannot read the bytes. */
int pdf_measure(const void *pdf, size_t len, struct pdf_measure *m);
/* Characters of page `page` (0-based) in size s ± 0.05 whose box's top is at
 * least y_from (points). */
int pdf_count_size(const void *pdf, size_t len, int page, double size);
/* The sizes used on page `page` (0-based), as "16.0 12.0 " (caller frees). */
char *pdf_sizes(const void *pdf, size_t len, int page);
void pdf_measure_free(struct pdf_measure *m);
/* s with white space removed, in place. */
char *pdf_squash(char *s);

#endif
