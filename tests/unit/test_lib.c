/* lib: capped buffers, HTML escaping, settings, crypto wrappers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/err.h"

static void test_buf_cap(void **state)
{
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "1234"), 0);
	assert_int_equal(buf_printf(&b, "%d", 5678), 0);
	assert_int_equal(buf_putc(&b, 'x'), -1); /* would pass the cap */
	assert_string_equal(buf_str(&b), "12345678");
	assert_int_equal(b.len, 8);
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	buf_cleanup(&b);
}

static void test_buf_html(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	const char *s = "<a href=\"x\">Tom & 'Jerry'</a>";
	assert_int_equal(buf_put_html(&b, s, strlen(s)), 0);
	assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
	size_t n;
	char *p = buf_detach(&b, &n);
	assert_int_equal(n, strlen(p));
	free(p);
	assert_null(b.data);
}

static void test_config_layers(void **state)
{
	struct config c;
	char err[512];
	unsetenv("OSSPOINT_CONFIG");
	setenv("OSSPOINT_LISTEN", "127.0.0.1:9999", 1);
	assert_int_equal(config_load(&c, err, sizeof err), 0);
	assert_string_equal(c.db, "sqlite:var/osspoint.db");
	assert_string_equal(c.listen, "127.0.0.1:9999");
	assert_int_equal(c.cutoff_day, 25);
	char path[] = "/tmp/osspoint-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# comment\ndb = postgresql:///x\ncutoff_day=20\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(config_read_file(&c, path, err, sizeof err), 0);
	assert_string_equal(c.db, "postgresql:///x");
	assert_int_equal(c.cutoff_day, 20);
	/* Out of range and unknown keys are refused, naming the key. */
	assert_int_equal(config_set(&c, "cutoff_day", "29", err, sizeof err), -1);
	assert_non_null(strstr(err, "cutoff_day"));
	assert_int_equal(config_set(&c, "nope", "1", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "access_log", "maybe", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "access_log", "0", err, sizeof err), 0);
	assert_false(c.access_log);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	assert_int_equal(config_read_file(&c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
	unsetenv("OSSPOINT_LISTEN");
	config_cleanup(&c);
}

/* Found by fuzz_config: a line longer than the reader's old 4096-byte
 * buffer was cut in two, its first part applied as a shortened value and its
 * rest read as another line (here "threads = 7": silently applied). Such a
 * line, and one holding a NUL byte, is now refused whole, naming the line. */
static void test_config_long_line_refused_whole(void **state)
{
	struct config c;
	char err[512];
	unsetenv("OSSPOINT_CONFIG");
	assert_int_equal(config_load(&c, err, sizeof err), 0);
	char path[] = "/tmp/osspoint-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char line[4200];
	int n = snprintf(line, sizeof line, "root = /srv/%*s", 4095 - 12, "");
	memset(line + 12, 'a', (size_t)n - 12);
	n += snprintf(line + n, sizeof line - (size_t)n, "threads = 7\n");
	assert_int_equal(write(fd, "cutoff_day = 20\n", 16), 16);
	assert_int_equal(write(fd, line, (size_t)n), n);
	close(fd);
	assert_int_equal(config_read_file(&c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2:"));
	assert_int_equal(c.threads, 0); /* not 7 */
	assert_string_not_equal(c.root, line + 7);
	assert_int_equal(c.cutoff_day, 20); /* the line before stays applied */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "db = sqlite:a\0b\n", 16), 16);
	close(fd);
	assert_int_equal(config_read_file(&c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1:"));
	assert_string_equal(c.db, "sqlite:var/osspoint.db");
	unlink(path);
	config_cleanup(&c);
}

static void test_passwords_and_tokens(void **state)
{
	assert_int_equal(crypto_setup(), 0);
	char h[PASSWORD_HASH_LEN];
	assert_int_equal(password_hash(h, "correct horse"), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(password_verify(h, "correct horse"));
	assert_false(password_verify(h, "correct horsf"));
	assert_false(password_verify("plain", "plain"));
	assert_non_null(password_policy_error("short"));
	assert_null(password_policy_error("long enough"));
	char a[TOKEN_LEN], b[TOKEN_LEN], ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN];
	token_new(a);
	token_new(b);
	assert_int_equal(strlen(a), 43);
	assert_false(crypto_str_eq(a, b));
	token_hash(ha, a);
	token_hash(hb, a);
	assert_int_equal(strlen(ha), 64);
	assert_true(crypto_str_eq(ha, hb));
}

static void test_err_table(void **state)
{
	for (int e = 0; e < ERR__COUNT; e++) {
		const struct err_info *i = err_info((enum err)e);
		assert_int_equal(i->code, e);
		assert_true(i->status >= 200 && i->status < 600);
		assert_non_null(i->slug);
		/* Thai text (first byte 0xE0 of U+0E00..U+0E7F) in every title. */
		assert_non_null(strstr(i->title, "\xE0\xB8"));
	}
	assert_int_equal(err_info(ERR_TOO_LARGE)->status, 413);
	assert_int_equal(err_info((enum err)999)->status, 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_cap),
	    cmocka_unit_test(test_buf_html),
	    cmocka_unit_test(test_config_layers),
	    cmocka_unit_test(test_config_long_line_refused_whole),
	    cmocka_unit_test(test_passwords_and_tokens),
	    cmocka_unit_test(test_err_table),
	};
	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
