#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"

/* mkstemps: a name no other test run can hold, created 0600. */
static int temp_open(const char *ext, char **path)
{
	const char *tmp = getenv("TMPDIR");
	*path = NULL;
	if (asprintf(path, "%s/osspoint-test-XXXXXX.%s", tmp && *tmp ? tmp : "/tmp", ext) < 0)
		fail();
	int fd = mkstemps(*path, (int)strlen(ext) + 1);
	assert_true(fd >= 0);
	return fd;
}

char *support_temp_path(const char *ext)
{
	char *path;
	close(temp_open(ext, &path));
	return path;
}

char *support_write_temp(const void *data, size_t len, const char *ext, const char *name)
{
	char *path;
	int fd = temp_open(ext, &path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	const char *keep = getenv("OSSPOINT_TEST_KEEP");
	if (keep && *keep) {
		char *copy = NULL;
		if (asprintf(&copy, "%s/%s.%s", keep, name, ext) < 0)
			fail();
		FILE *f = fopen(copy, "wb");
		if (f) {
			fwrite(data, 1, len, f);
			fclose(f);
		}
		free(copy);
	}
	return path;
}

char *support_run(bool zbar_ok, const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		fail();
	va_end(ap);
	FILE *p = popen(cmd, "r");
	if (!p)
		fail_msg("popen %s", cmd);
	struct buf out;
	buf_init(&out, 0);
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
		assert_int_equal(buf_append(&out, chunk, got), 0);
	int status = pclose(p);
	if (status != 0 && !(zbar_ok && WIFEXITED(status) && WEXITSTATUS(status) == 4))
		fail_msg("'%s' exited with %d", cmd, status);
	free(cmd);
	return buf_detach(&out, NULL);
}

char *support_squash(char *s)
{
	char *o = s;
	for (const char *p = s; *p; p++)
		if (!strchr(" \t\r\n", *p))
			*o++ = *p;
	*o = '\0';
	return s;
}

int support_count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

void support_glib_malloc(int argc, char **argv)
{
	if (!getenv("G_SLICE") && argc > 0) {
		setenv("G_SLICE", "always-malloc", 1);
		execv("/proc/self/exe", argv);
		perror("execv /proc/self/exe"); /* go on without it */
	}
}
