/* libFuzzer target: the manual's section splitter (core/manual.h) and the
 * Markdown renderer it feeds (render/markdown.h), against the header's
 * contract: sections in text order, each heading at a line start beginning
 * "## " outside fenced code, bodies that tile the text after the
 * introduction (intro, then head/body of each section, up to the end),
 * every id well-formed and unique, titles valid UTF-8 when the input is;
 * the renderer never emits a <script> element or a javascript: link
 * (safe mode), whatever the input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/manual.h"
#include "lib/buf.h"
#include "lib/filecheck.h"
#include "render/markdown.h"

#include "check.h"

static struct manual_doc d;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *md = (const char *)data;
	manual_split(md, size, &d);
	CHECK(d.n <= MANUAL_SECTIONS_MAX);
	CHECK(d.intro <= size && d.intro + d.intro_len <= size);
	size_t at = d.intro + d.intro_len;
	for (size_t i = 0; i < d.n; i++) {
		const struct manual_section *s = &d.s[i];
		CHECK(s->head == at);
		CHECK(s->head + 3 <= size &&
		      (!memcmp(md + s->head, "## ", 3) || !memcmp(md + s->head, "##\t", 3)));
		CHECK(s->head == 0 || md[s->head - 1] == '\n');
		CHECK(s->body > s->head && s->body <= size && s->body + s->body_len <= size);
		CHECK(manual_id_valid(s->id));
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(d.s[k].id, s->id) != 0);
		CHECK(strlen(s->title) <= MANUAL_TITLE_MAX);
		CHECK(manual_find(&d, s->id) == s);
		at = s->body + s->body_len;
	}
	CHECK(at == size); /* the introduction and the sections tile the text to its end */
	if (filecheck_text_ok(data, size))
		for (size_t i = 0; i < d.n; i++)
			CHECK(filecheck_text_ok(d.s[i].title, strlen(d.s[i].title)));
	if (size <= 4096) {
		struct buf b;
		buf_init(&b, 1u << 24);
		if (markdown_html(md, size, 1, &b) == 0) {
			const char *h = buf_str(&b);
			CHECK(!strstr(h, "<script"));
			CHECK(!strstr(h, "href=\"javascript:"));
		}
		buf_cleanup(&b);
	}
	return 0;
}
