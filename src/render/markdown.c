/* Markdown with cmark-gfm (render/markdown.h). */
#include "render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static const char *const extensions[] = {"table", "strikethrough", "autolink", NULL};

/* Parses md with the GFM extensions; *parser must be freed by the caller
 * (after rendering: the renderer needs its extension list). */
static cmark_node *parse(const char *md, size_t len, cmark_parser **parser)
{
	pthread_once(&registered, register_extensions);
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (!p)
		return NULL;
	for (size_t i = 0; extensions[i]; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(extensions[i]);
		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md, len);
	cmark_node *doc = cmark_parser_finish(p);
	if (!doc) {
		cmark_parser_free(p);
		return NULL;
	}
	*parser = p;
	return doc;
}

static void shift_headings(cmark_node *doc, int shift)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
			int l = cmark_node_get_heading_level(n) + shift;
			cmark_node_set_heading_level(n, l > 6 ? 6 : l);
		}
	}
	cmark_iter_free(it);
}

int markdown_html(const char *md, size_t len, int heading_shift, struct buf *out)
{
	cmark_parser *p = NULL;
	cmark_node *doc = parse(md, len, &p);
	if (!doc)
		return -1;
	if (heading_shift > 0)
		shift_headings(doc, heading_shift > 5 ? 5 : heading_shift);
	/* CMARK_OPT_DEFAULT is safe: raw HTML and unsafe link schemes are left out
	 * (CMARK_OPT_UNSAFE would keep them). */
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(p));
	cmark_node_free(doc);
	cmark_parser_free(p);
	if (!html)
		return -1;
	int rc = buf_append(out, html, strlen(html));
	free(html);
	return rc < 0 ? -1 : 0;
}

int markdown_text(const char *md, size_t len, struct buf *out)
{
	cmark_parser *p = NULL;
	cmark_node *doc = parse(md, len, &p);
	if (!doc)
		return -1;
	char *txt = cmark_render_plaintext(doc, CMARK_OPT_DEFAULT, 0);
	cmark_node_free(doc);
	cmark_parser_free(p);
	if (!txt)
		return -1;
	int rc = buf_append(out, txt, strlen(txt));
	free(txt);
	return rc < 0 ? -1 : 0;
}
