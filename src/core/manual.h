/* The built-in manual's sections (issue 11, step 7), no I/O.
 *
 * docs/manual-th.md is cut into sections at its level-2 headings ("## "),
 * so /help/{section} serves one of them and every staff page links to the
 * section about it. A heading may end with an id in braces:
 *   ## 5. ทะเบียนผู้มาขอรับบริการ {#registry}
 * (the id: 1 to MANUAL_ID_MAX bytes of [a-z0-9-], starting with a letter);
 * the braces are not part of the title. A heading without an id, or whose
 * id an earlier section took, gets "s" + its ordinal ("s7"), or "s7-2",
 * "s7-3", … when that is taken too. Headings inside fenced code blocks
 * (``` or ~~~) are not headings. The level-1 heading ("# ") before the
 * first section is the manual's title; the text between it and the first
 * section is the introduction. After MANUAL_SECTIONS_MAX sections the rest
 * stays in the last one. Offsets are into the text given. */
#ifndef OSSPOINT_CORE_MANUAL_H
#define OSSPOINT_CORE_MANUAL_H

#include <stdbool.h>
#include <stddef.h>

#define MANUAL_ID_MAX       32
#define MANUAL_TITLE_MAX    300 /* bytes; a longer title is cut at a character boundary */
#define MANUAL_SECTIONS_MAX 64

struct manual_section {
	char id[MANUAL_ID_MAX + 1];
	char title[MANUAL_TITLE_MAX + 1]; /* the heading's text, trimmed, without "## " and the id */
	size_t head;                      /* offset of the heading line */
	size_t body, body_len;            /* the text after the heading line, up to the next section */
};

struct manual_doc {
	char title[MANUAL_TITLE_MAX + 1]; /* the "# " heading's text, or "" */
	size_t intro, intro_len;          /* the text before the first section, without the title line */
	size_t n;
	struct manual_section s[MANUAL_SECTIONS_MAX];
};

/* Splits md[0..len) (need not be NUL-terminated; a NUL byte is an ordinary
 * byte). Never fails: text without headings is all introduction. */
void manual_split(const char *md, size_t len, struct manual_doc *out);

/* Whether id is a well-formed section id (as above). */
bool manual_id_valid(const char *id);

/* The section with this id, or NULL. */
const struct manual_section *manual_find(const struct manual_doc *d, const char *id);

#endif
