/* Mustache templates over jansson values.
 *
 * Implements the official spec (interpolation, dotted names, implicit
 * iterator, sections, inverted sections, comments, partials with standalone
 * indentation, set delimiters, and inheritance: {{<parent}} with {{$block}}).
 * Proven against shared/testdata/mustache-spec (tests/unit/test_mustache.c).
 *
 * Templates are parsed once (tpl_set_add / tpl_set_load_dir) into a tree; a
 * set is read-only afterwards, so any number of threads may render from it at
 * once. Partials and parents are looked up by name in the same set at render
 * time; a missing partial renders as "" (spec). */
#ifndef OSSPOINT_MUSTACHE_H
#define OSSPOINT_MUSTACHE_H

#include <jansson.h>
#include <stddef.h>

#include "lib/buf.h"

struct tpl_set;

struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *set);

/* Parses src and stores it under name (replacing a template of that name).
 * Returns 0, or -1 with a message "name:line: problem" in err. */
int tpl_set_add(struct tpl_set *set, const char *name, const char *src, size_t len, char *err,
		size_t errlen);
/* Adds every *.mustache file in dir (name = file name without the extension;
 * files in subdirectories get "sub/name"). Returns the number added or -1. */
int tpl_set_load_dir(struct tpl_set *set, const char *dir, char *err, size_t errlen);
/* 1 if a template of this name exists. */
int tpl_set_has(const struct tpl_set *set, const char *name);

/* Renders template `name` with ctx as the root context, appending to out.
 * Returns 0; -1 if the template does not exist or out hit its size cap. */
int tpl_render(const struct tpl_set *set, const char *name, json_t *ctx, struct buf *out);

/* Parses and renders a one-off template (tests, fuzzing). partials may be NULL
 * or a JSON object name -> template text. Returns 0, or -1 (err filled) on a
 * parse error. */
int tpl_render_string(const char *src, size_t len, json_t *ctx, json_t *partials, struct buf *out,
		      char *err, size_t errlen);

#endif
