/* Mustache templates over jansson values.
 *
 * Implements the official spec (interpolation, dotted names, implicit
 * iterator, sections, inverted sections, comments, partials with standalone
 * indentation, set delimiters, and inheritance: {{<parent}} with {{$block}}).
 * Proven against shared/testdata/mustache-spec (tests/unit/test_mustache.c);
 * lambdas are not supported. See docs/modules/mustache.md.
 *
 * Templates are parsed once (tpl_set_add / tpl_set_load_dir) into a tree; a
 * set is read-only afterwards, so any number of threads may render from it at
 * once. Partials and parents are looked up by name in the same set at render
 * time; a missing partial renders as "" (spec).
 *
 * Values: strings verbatim ({{x}} escapes & < > " '), integers in decimal,
 * reals in the shortest form that reads back exactly (1.21), true/false as
 * words, null, objects and arrays as "". A section is skipped for a missing
 * name, false, null and []; everything else ("" and 0 included) is truthy,
 * an array is iterated, any other value is pushed as the context once. */
#ifndef OSSPOINT_MUSTACHE_H
#define OSSPOINT_MUSTACHE_H

#include <jansson.h>
#include <stddef.h>

#include "lib/buf.h"

struct tpl_set;

struct tpl_set *tpl_set_new(void);
/* Frees the set and its templates; NULL is a no-op. */
void tpl_set_free(struct tpl_set *set);

/* Parses src and stores it under name (replacing a template of that name);
 * name and src are copied. Call only while no thread renders from the set.
 * Returns 0, or -1 with a message "name:line: problem" in err (err may be
 * NULL; the message is truncated to errlen). Errors: unclosed tag, empty tag
 * name, bad set-delimiter tag, a close tag that matches no open one, an
 * unclosed section/parent/block, nesting deeper than 64, source over 16 MiB. */
int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len, char *err, size_t errlen);
/* Adds every *.mustache file in dir (name = file name without the extension;
 * files in subdirectories get "sub/name"; names starting with '.' are
 * skipped). Returns the number added, or -1 with "path: reason" or
 * "name:line: problem" in err (templates added before the failure stay).
 * When it returns 0, err says that no template was found. */
int tpl_set_load_dir(struct tpl_set *set, const char *dir, char *err, size_t errlen);
/* 1 if a template of this name exists. */
int tpl_set_has(const struct tpl_set *set, const char *name);

/* Renders template `name` with ctx (borrowed; NULL is an empty context) as the
 * root context, appending to out. Returns 0; -1 if the template does not
 * exist, out hit its size cap, sections/partials/parents/blocks nest deeper
 * than 64 while rendering (a self-recursive partial), or the render passes
 * 4M section iterations and expansions (runaway recursion). On -1, out is
 * left as it was before the call. Never writes to the set. */
int tpl_render(const struct tpl_set *set, const char *name, json_t *ctx, struct buf *out);

/* Parses and renders a one-off template (tests, fuzzing). partials may be NULL
 * or a JSON object name -> template text. Returns 0, or -1 with err filled on
 * a parse error (in src: "template:line: ..."; in a partial: "name:line: ...")
 * or on any tpl_render failure ("template: ..."). */
int tpl_render_string(const char *src, size_t len, json_t *ctx, json_t *partials, struct buf *out, char *err,
                      size_t errlen);

#endif
