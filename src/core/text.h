/* Free-text checks shared by the core rules (core/registry for the visit
 * register, core/eservice for the catalogue and point profiles), no I/O.
 * Each caller keeps its own trimming and messages; what is shared is the one
 * definition of "readable text": strict UTF-8 and no control characters. */
#ifndef OSSPOINT_CORE_TEXT_H
#define OSSPOINT_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A piece of a longer string: p[0..n), not NUL-terminated. */
struct text_span {
	const char *p;
	size_t n;
};

enum text_fault { TEXT_OK, TEXT_BAD_UTF8, TEXT_CONTROL };

/* Controls that text_check lets through (an or of these; 0 = none). */
#define TEXT_ALLOW_TAB 1u /* U+0009 */
#define TEXT_ALLOW_LF  2u /* U+000A */
#define TEXT_ALLOW_CR  4u /* U+000D */

/* Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF), then no control characters: C0 (but those in allow), DEL, C1,
 * the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
 * and U+2028/U+2029. The text ends up in HTML, PDFs, CSV files opened by
 * Excel and JSON read by other systems, where such characters garble or
 * disguise it. Returns TEXT_OK, TEXT_BAD_UTF8 (reported over a control
 * anywhere: the worse fault) or TEXT_CONTROL. */
enum text_fault text_check(struct text_span s, unsigned allow);

/* Whether s is exactly the NUL-terminated lit. */
bool text_span_eq(struct text_span s, const char *lit);

#endif
