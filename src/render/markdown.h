/* Markdown to HTML and to plain text with cmark-gfm (Debian's
 * libcmark-gfm: CommonMark plus GitHub's pipe tables, strikethrough and
 * autolinks). Safe mode: raw HTML is dropped and javascript:/data: links
 * are removed, so a document a national admin uploads cannot put script or
 * markup of its own on a page (the CSP forbids inline script anyway).
 * Thread-safe. */
#ifndef OSSPOINT_RENDER_MARKDOWN_H
#define OSSPOINT_RENDER_MARKDOWN_H

#include <stddef.h>

#include "lib/buf.h"

/* Appends the HTML of md[0..len) to out. heading_shift (0..5) demotes every
 * heading by that many levels (a section's "##" under the page's h1).
 * Returns 0, or -1 (out may hold part of it). */
int markdown_html(const char *md, size_t len, int heading_shift, struct buf *out);
/* Appends the text of md[0..len) without markup (for search and
 * snippets). Returns 0 or -1. */
int markdown_text(const char *md, size_t len, struct buf *out);

#endif
