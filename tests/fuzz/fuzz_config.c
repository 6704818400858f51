/* libFuzzer target: the settings parser (lib/config.h).
 *
 * The input is a config file (read through a memfd by config_read_file).
 * A reference reader written here from the header's rules (lines of at most
 * 4096 bytes without NUL; blank, '#' comment or key = value, trimmed; each
 * applied with config_set in order) must reach the same verdict, the same
 * failing line and the same settings; and any settings accepted must lie in
 * their documented ranges. The first line is also given to config_set
 * directly as "key=value". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/config.h"

#include "check.h"

extern char **environ;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* config_load reads OSSPOINT_* (make exports some): start from the
	 * built-in defaults only. */
	for (;;) {
		char **e = environ;
		while (*e && strncmp(*e, "OSSPOINT_", 9))
			e++;
		if (!*e)
			break;
		char name[128];
		size_t n = strcspn(*e, "=");
		snprintf(name, sizeof name, "%.*s", (int)n, *e);
		unsetenv(name);
	}
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same(const struct config *a, const struct config *b)
{
	return str_eq(a->db, b->db) && str_eq(a->listen, b->listen) && str_eq(a->root, b->root) &&
	       str_eq(a->secret_file, b->secret_file) && str_eq(a->public_url, b->public_url) &&
	       a->threads == b->threads && a->db_pool == b->db_pool && a->session_ttl == b->session_ttl &&
	       a->session_idle == b->session_idle && a->login_max_fails == b->login_max_fails &&
	       a->login_window == b->login_window && a->cutoff_day == b->cutoff_day &&
	       a->grace_days == b->grace_days && a->retention_days == b->retention_days &&
	       a->bangkok_in_programme == b->bangkok_in_programme && a->secure_cookies == b->secure_cookies &&
	       a->access_log == b->access_log && a->max_body == b->max_body && a->max_upload == b->max_upload;
}

/* The documented ranges (README § Configuration, config.c's table). */
static void check_ranges(const struct config *c)
{
	CHECK(c->db && *c->db && c->listen && *c->listen && c->root && *c->root && c->secret_file &&
	      *c->secret_file);
	CHECK(c->threads <= 256 && c->db_pool <= 256);
	CHECK(c->session_ttl >= 60 && c->session_ttl <= 31L * 86400);
	CHECK(c->session_idle >= 60 && c->session_idle <= 31L * 86400);
	CHECK(c->login_max_fails >= 1 && c->login_max_fails <= 1000);
	CHECK(c->login_window >= 10 && c->login_window <= 86400);
	CHECK(c->cutoff_day >= 1 && c->cutoff_day <= 28);
	CHECK(c->grace_days >= 0 && c->grace_days <= 31);
	CHECK(c->retention_days >= 30 && c->retention_days <= 36500);
	CHECK(c->max_body >= 1024 && c->max_body <= (1UL << 30));
	CHECK(c->max_upload >= 1024 && c->max_upload <= (1UL << 30));
	if (c->public_url) {
		const char *u = c->public_url;
		size_t n = strlen(u);
		size_t skip = !strncmp(u, "https://", 8) ? 8 : !strncmp(u, "http://", 7) ? 7 : 0;
		CHECK(skip && n > skip && u[skip] != '/' && n <= 200 && u[n - 1] != '/');
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)u[i] > 0x20 && u[i] != 0x7F && !strchr("\"'<>\\^`{|}#?", u[i]));
	}
}

/* The header's trimming: spaces and tabs in front; spaces, tabs, CR and LF
 * behind. */
static char *trim(char *s)
{
	s += strspn(s, " \t");
	char *end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

/* The reference reader. Returns 0, or the number of the failing line. */
static int ref_read(struct config *cfg, const uint8_t *data, size_t size)
{
	int lineno = 0;
	for (size_t at = 0; at < size;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		lineno++;
		if (len > 4096 || memchr(data + at, '\0', len))
			return lineno;
		char *line = strndup((const char *)data + at, len);
		at += len;
		char *s = trim(line), *eq;
		int bad = 0;
		if (*s && *s != '#') {
			char err[512];
			if (!(eq = strchr(s, '=')))
				bad = 1;
			else {
				*eq = '\0';
				bad = config_set(cfg, trim(s), trim(eq + 1), err, sizeof err) < 0;
				CHECK(!bad || err[0]);
			}
		}
		free(line);
		if (bad)
			return lineno;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char err[1024];
	struct config real, ref;
	CHECK(config_load(&real, err, sizeof err) == 0 && config_load(&ref, err, sizeof err) == 0);

	int fd = memfd_create("osspoint-fuzz-config", MFD_CLOEXEC);
	CHECK(fd >= 0 && write(fd, data, size) == (ssize_t)size);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err[0] = '\0';
	int rc = config_read_file(&real, path, err, sizeof err);
	close(fd);
	int bad_line = ref_read(&ref, data, size);
	if (bad_line == 0) {
		CHECK(rc == 0);
		check_ranges(&real);
	} else {
		char prefix[96];
		snprintf(prefix, sizeof prefix, "%s:%d: ", path, bad_line);
		CHECK(rc == -1 && !strncmp(err, prefix, strlen(prefix)) && err[strlen(prefix)] != '\0');
	}
	/* Both applied the same lines (up to the failing one). */
	CHECK(same(&real, &ref));
	config_cleanup(&real);
	config_cleanup(&ref);

	/* The first line as one "key=value" for config_set. */
	const uint8_t *end = memchr(data, '\n', size);
	size_t n = end ? (size_t)(end - data) : size;
	char *kv = strndup((const char *)data, n);
	char *eq = strchr(kv, '=');
	if (eq) {
		*eq = '\0';
		struct config c;
		CHECK(config_load(&c, err, sizeof err) == 0);
		err[0] = '\0';
		if (config_set(&c, kv, eq + 1, err, sizeof err) == 0)
			check_ranges(&c);
		else
			CHECK(err[0] != '\0');
		config_cleanup(&c);
	}
	free(kv);
	return 0;
}
