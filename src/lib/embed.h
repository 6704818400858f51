/* Files compiled into the binary (cmake/embed.cmake). Arrays end with a
 * zeroed entry; entries are sorted by name. data is NUL-terminated. */
#ifndef OSSPOINT_EMBED_H
#define OSSPOINT_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data;
	size_t len;
};

extern const struct embedded_file migrations_sqlite[];
extern const struct embedded_file migrations_postgresql[];
extern const struct embedded_file manual_files[]; /* docs/manual-th.md */

#endif
