/* PDF measurements with poppler-glib (pdfcheck.h). */
#include "pdfcheck.h"

#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pdf_squash(char *s)
{
	char *o = s;
	for (char *i = s; *i; i++)
		if (*i != ' ' && *i != '\t' && *i != '\n' && *i != '\r' && *i != '\f')
			*o++ = *i;
	*o = '\0';
	return s;
}

static PopplerDocument *open_doc(const void *pdf, size_t len, GBytes **bytes)
{
	*bytes = g_bytes_new(pdf, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(*bytes, NULL, &err);
	if (!doc) {
		fprintf(stderr, "poppler: %s\n", err ? err->message : "?");
		g_clear_error(&err);
		g_bytes_unref(*bytes);
	}
	return doc;
}

/* Calls fn for each non-space character of page p with its box and attributes. */
static void each_char(PopplerPage *p,
                      void (*fn)(void *arg, gunichar c, const PopplerRectangle *r,
                                 const PopplerTextAttributes *a),
                      void *arg)
{
	char *text = poppler_page_get_text(p);
	PopplerRectangle *rects = NULL;
	guint n = 0;
	if (!text || !poppler_page_get_text_layout(p, &rects, &n)) {
		g_free(text);
		return;
	}
	GList *attrs = poppler_page_get_text_attributes(p);
	const char *s = text;
	for (guint i = 0; i < n && *s; i++, s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);
		if (g_unichar_isspace(c) || c == '\n')
			continue;
		const PopplerTextAttributes *a = NULL;
		for (GList *l = attrs; l; l = l->next) {
			PopplerTextAttributes *t = l->data;
			if ((guint)t->start_index <= i && i <= (guint)t->end_index) {
				a = t;
				break;
			}
		}
		fn(arg, c, &rects[i], a);
	}
	poppler_page_free_text_attributes(attrs);
	g_free(rects);
	g_free(text);
}

static void measure_char(void *arg, gunichar c, const PopplerRectangle *r, const PopplerTextAttributes *a)
{
	struct pdf_measure *m = arg;
	if (!m->chars || r->x1 < m->min_x)
		m->min_x = r->x1;
	if (!m->chars || r->x2 > m->max_x)
		m->max_x = r->x2;
	if (!m->chars || r->y1 < m->min_y)
		m->min_y = r->y1;
	if (!m->chars || r->y2 > m->max_y)
		m->max_y = r->y2;
	double size = a ? a->font_size : 0;
	if (!m->chars || size < m->min_size)
		m->min_size = size;
	if (!m->chars || size > m->max_size)
		m->max_size = size;
	if (!a || !a->font_name || !strstr(a->font_name, "Laksaman"))
		m->non_laksaman++;
	if (c >= '0' && c <= '9')
		m->ascii_digits++;
	m->chars++;
}

int pdf_measure(const void *pdf, size_t len, struct pdf_measure *m)
{
	memset(m, 0, sizeof *m);
	GBytes *bytes;
	PopplerDocument *doc = open_doc(pdf, len, &bytes);
	if (!doc)
		return -1;
	m->pages = poppler_document_get_n_pages(doc);
	m->all_same_size = true;
	m->page_text = calloc((size_t)m->pages + 1, sizeof *m->page_text);
	GString *all = g_string_new("");
	for (int i = 0; i < m->pages; i++) {
		PopplerPage *p = poppler_document_get_page(doc, i);
		double w, h;
		poppler_page_get_size(p, &w, &h);
		if (i == 0) {
			m->page_w = w;
			m->page_h = h;
		} else if (w != m->page_w || h != m->page_h) {
			m->all_same_size = false;
		}
		each_char(p, measure_char, m);
		char *t = poppler_page_get_text(p);
		if (i)
			g_string_append_c(all, '\f');
		g_string_append(all, t ? t : "");
		m->page_text[i] = pdf_squash(strdup(t ? t : ""));
		g_free(t);
		g_object_unref(p);
	}
	PopplerFontInfo *fi = poppler_font_info_new(doc);
	PopplerFontsIter *it = NULL;
	while (poppler_font_info_scan(fi, 20, &it)) {
		if (!it)
			continue;
		do {
			if (!poppler_fonts_iter_is_embedded(it))
				m->fonts_not_embedded++;
		} while (poppler_fonts_iter_next(it));
		poppler_fonts_iter_free(it);
		it = NULL;
	}
	poppler_font_info_free(fi);
	m->text = g_string_free(all, FALSE);
	g_object_unref(doc);
	g_bytes_unref(bytes);
	return 0;
}

struct count {
	double size;
	int n;
	GString *sizes;
};

static void count_char(void *arg, gunichar c, const PopplerRectangle *r, const PopplerTextAttributes *a)
{
	struct count *k = arg;
	double s = a ? a->font_size : 0;
	if (k->sizes) {
		char one[32];
		snprintf(one, sizeof one, "%.1f ", s);
		if (!strstr(k->sizes->str, one))
			g_string_append(k->sizes, one);
	} else if (s > k->size - 0.05 && s < k->size + 0.05) {
		k->n++;
	}
}

int pdf_count_size(const void *pdf, size_t len, int page, double size)
{
	GBytes *bytes;
	PopplerDocument *doc = open_doc(pdf, len, &bytes);
	if (!doc)
		return -1;
	struct count k = {size, 0, NULL};
	PopplerPage *p = poppler_document_get_page(doc, page);
	if (p) {
		each_char(p, count_char, &k);
		g_object_unref(p);
	}
	g_object_unref(doc);
	g_bytes_unref(bytes);
	return k.n;
}

char *pdf_sizes(const void *pdf, size_t len, int page)
{
	GBytes *bytes;
	PopplerDocument *doc = open_doc(pdf, len, &bytes);
	if (!doc)
		return strdup("");
	struct count k = {0, 0, g_string_new("")};
	PopplerPage *p = poppler_document_get_page(doc, page);
	if (p) {
		each_char(p, count_char, &k);
		g_object_unref(p);
	}
	g_object_unref(doc);
	g_bytes_unref(bytes);
	char *s = strdup(k.sizes->str);
	g_string_free(k.sizes, TRUE);
	return s;
}

void pdf_measure_free(struct pdf_measure *m)
{
	g_free(m->text);
	if (m->page_text)
		for (int i = 0; m->page_text[i]; i++)
			free(m->page_text[i]);
	free(m->page_text);
	memset(m, 0, sizeof *m);
}
