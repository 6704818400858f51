/* Helpers shared by the unit tests that check rendered files with Debian
 * tools (pdfinfo, pdftotext, pdftoppm, zbarimg, unzip): temporary files,
 * running a command for its output, comparing extracted text. Linked into
 * every unit test executable (CMakeLists.txt). Failures end the current test
 * through cmocka (fail_msg / assert_*). */
#ifndef OSSPOINT_TESTS_UNIT_SUPPORT_H
#define OSSPOINT_TESTS_UNIT_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

/* A fresh private empty temporary file named *.ext; returns its path (caller
 * unlinks and frees). */
char *support_temp_path(const char *ext);

/* A fresh private temporary file *.ext holding len bytes of data; returns its
 * path (caller unlinks and frees). With OSSPOINT_TEST_KEEP=<dir> the bytes
 * are also copied there as <name>.<ext> to look at. */
char *support_write_temp(const void *data, size_t len, const char *ext, const char *name);

/* Runs a shell command (fmt with our own temporary paths) and returns its
 * whole standard output (caller frees). Exit status 0 is required, or 4 too
 * when zbar_ok (zbarimg: no symbol found). */
char *support_run(bool zbar_ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Removes spaces, tabs, CR and LF from s in place (keeps \f, pdftotext's
 * page separator); returns s. */
char *support_squash(char *s);

/* How many times needle occurs in hay, not overlapping. */
int support_count(const char *hay, const char *needle);

/* For tests that use pango (through the PDF renderers): GLib's slice
 * allocator keeps blocks, freed and leaked alike, in its own magazines, which
 * hides leaked pango objects from LeakSanitizer. GLib reads G_SLICE when it
 * is loaded, before main: so this sets G_SLICE=always-malloc and runs the
 * program again (execv; returns when G_SLICE is already set, or when execv
 * fails, which is reported and otherwise ignored). Call first in main. */
void support_glib_malloc(int argc, char **argv);

#endif
