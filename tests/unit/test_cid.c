/* Unit tests for the server secret and Thai-ID protection in src/lib/crypto.c:
 * key file creation and refusal, keyed hash, seal and open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib/crypto.h"

#define ID  "1103702071838"
#define ID2 "3101000123450"

static char dir[64];

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/osspoint-cid.XXXXXX");
	if (!mkdtemp(dir) || crypto_setup() < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	crypto_secret_forget();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A missing key file is created 0600 (parents 0700); loading it again gives
 * the same keys. */
static void test_create_and_reload(void **state)
{
	char path[128], sub[128], err[512];
	path_in(path, sizeof path, "var/keys/secret.key");
	path_in(sub, sizeof sub, "var/keys");
	assert_false(crypto_secret_loaded());
	assert_int_equal(crypto_secret_load(path, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_true(crypto_secret_loaded());
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* No temporary file left behind. */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", sub);
	assert_int_equal(system(cmd), 0);

	char h1[CID_HASH_LEN], h2[CID_HASH_LEN], sealed[CID_SEALED_LEN], back[14];
	cid_hash(h1, ID);
	assert_int_equal(strlen(h1), 64);
	assert_int_equal(cid_seal(sealed, ID), 0);

	crypto_secret_forget();
	assert_false(crypto_secret_loaded());
	crypto_secret_forget(); /* twice is fine */
	assert_int_equal(crypto_secret_load(path, err, sizeof err), 0);
	cid_hash(h2, ID);
	assert_string_equal(h1, h2);
	assert_int_equal(cid_open(back, sealed), 0); /* sealed before the reload */
	assert_string_equal(back, ID);
	/* Loading again while loaded replaces the keys (same file: same keys). */
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);
	cid_hash(h2, ID);
	assert_string_equal(h1, h2);

	/* A key file name in the current directory's sense (no slash) also works. */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(crypto_secret_load("plain.key", err, sizeof err), 0);
	assert_int_equal(stat("plain.key", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(chdir(cwd), 0);
}

/* The hash is BLAKE2b-256 keyed with subkey 1 of context "osspoint": checked
 * against libsodium directly, so the stored format cannot drift. */
static void test_hash_known_answer(void **state)
{
	unsigned char master[32], sub[32], h[32];
	for (int i = 0; i < 32; i++)
		master[i] = (unsigned char)i;
	char path[128], hex[65], got[CID_HASH_LEN];
	path_in(path, sizeof path, "kat.key");
	write_file(path, master, sizeof master, 0600);
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);
	assert_int_equal(crypto_kdf_derive_from_key(sub, sizeof sub, 1, "osspoint", master), 0);
	crypto_generichash(h, sizeof h, (const unsigned char *)ID, 13, sub, sizeof sub);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	cid_hash(got, ID);
	assert_string_equal(got, hex);

	/* And the seal key is subkey 2: open a box made by hand. */
	unsigned char seal_key[32], bin[24 + 16 + 13];
	assert_int_equal(crypto_kdf_derive_from_key(seal_key, sizeof seal_key, 2, "osspoint", master), 0);
	memset(bin, 7, 24);
	crypto_secretbox_easy(bin + 24, (const unsigned char *)ID2, 13, bin, seal_key);
	char sealed[CID_SEALED_LEN], back[14];
	sodium_bin2base64(sealed, sizeof sealed, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(cid_open(back, sealed), 0);
	assert_string_equal(back, ID2);
}

/* Refused key files: wrong size (short, long, empty), group or other
 * permissions, not a regular file. Nothing is loaded or changed. */
static void test_refused_files(void **state)
{
	static const struct {
		const char *name;
		size_t size;
		mode_t mode;
		const char *needle; /* in the message */
	} t[] = {
	    {"short.key", 31, 0600, "มีขนาด 31 ไบต์"}, {"long.key", 33, 0600, "มีขนาด 33 ไบต์"},
	    {"empty.key", 0, 0600, "มีขนาด 0 ไบต์"},   {"group.key", 32, 0640, "สิทธิ์ 0640"},
	    {"other.key", 32, 0604, "สิทธิ์ 0604"},     {"groupw.key", 32, 0620, "สิทธิ์ 0620"},
	};
	unsigned char bytes[64] = {1};
	crypto_secret_forget();
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char path[128], err[512];
		path_in(path, sizeof path, t[i].name);
		write_file(path, bytes, t[i].size, t[i].mode);
		assert_int_equal(crypto_secret_load(path, err, sizeof err), -1);
		if (!strstr(err, t[i].needle))
			print_error("%s: %s\n", t[i].name, err);
		assert_non_null(strstr(err, t[i].needle));
		assert_non_null(strstr(err, path));
		assert_false(crypto_secret_loaded());
		/* The file is left alone. */
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal((size_t)st.st_size, t[i].size);
	}
	/* 0400 is fine. */
	char path[128], err[512];
	path_in(path, sizeof path, "readonly.key");
	write_file(path, bytes, 32, 0400);
	assert_int_equal(crypto_secret_load(path, err, sizeof err), 0);

	/* A refused file does not unload the keys already loaded. */
	path_in(path, sizeof path, "short.key");
	assert_int_equal(crypto_secret_load(path, err, sizeof err), -1);
	assert_true(crypto_secret_loaded());

	/* A directory. */
	path_in(path, sizeof path, "adir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(crypto_secret_load(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "ไม่ใช่ไฟล์ปกติ"));

	/* A parent that cannot be created (a file is in the way). */
	path_in(path, sizeof path, "short.key/secret.key");
	assert_int_equal(crypto_secret_load(path, err, sizeof err), -1);
	assert_true(err[0] != '\0');
}

static void test_seal_open(void **state)
{
	char path[128];
	path_in(path, sizeof path, "seal.key");
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);

	char a[CID_SEALED_LEN], b[CID_SEALED_LEN], back[14];
	assert_int_equal(cid_seal(a, ID), 0);
	assert_int_equal(cid_seal(b, ID), 0);
	assert_int_equal(strlen(a), 71);
	assert_string_not_equal(a, b); /* random nonces */
	for (const char *p = a; *p; p++)
		assert_non_null(
		    strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
	assert_int_equal(cid_open(back, a), 0);
	assert_string_equal(back, ID);
	assert_int_equal(cid_open(back, b), 0);
	assert_string_equal(back, ID);

	/* Tampering anywhere (nonce, ciphertext, tag) is refused. */
	for (size_t i = 0; i < 70; i++) {
		char t[CID_SEALED_LEN];
		memcpy(t, a, sizeof t);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		memset(back, 'z', sizeof back);
		assert_int_equal(cid_open(back, t), -1);
		assert_string_equal(back, "");
	}
	/* Malformed input. */
	char t[CID_SEALED_LEN];
	memcpy(t, a, sizeof t);
	t[70] = '\0';
	assert_int_equal(cid_open(back, t), -1); /* truncated */
	assert_int_equal(cid_open(back, ""), -1);
	assert_int_equal(cid_open(back, NULL), -1);
	memcpy(t, a, sizeof t);
	t[10] = '+'; /* standard base64, not base64url */
	assert_int_equal(cid_open(back, t), -1);
	memcpy(t, a, 71);
	memcpy(t + 71, "=", 2); /* padding is not part of the format */
	assert_int_equal(cid_open(back, t), -1);
	memset(t, 'A', 71);
	t[71] = '\0';
	assert_int_equal(cid_open(back, t), -1);

	/* Only normalized IDs are sealed. */
	assert_int_equal(cid_seal(t, "1-1037-02071-83-8"), -1);
	assert_string_equal(t, "");
	assert_int_equal(cid_seal(t, "110370207183"), -1);
	assert_int_equal(cid_seal(t, "11037020718380"), -1);
	assert_int_equal(cid_seal(t, NULL), -1);
	/* The checksum is core's business: any 13 digits seal and open. */
	assert_int_equal(cid_seal(t, "0000000000000"), 0);
	assert_int_equal(cid_open(back, t), 0);
	assert_string_equal(back, "0000000000000");

	/* Another key cannot open it. */
	path_in(path, sizeof path, "other.key2");
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);
	assert_int_equal(cid_open(back, a), -1);
}

static void test_hash(void **state)
{
	char p1[128], p2[128];
	path_in(p1, sizeof p1, "hash1.key");
	path_in(p2, sizeof p2, "hash2.key");
	char a[CID_HASH_LEN], a2[CID_HASH_LEN], b[CID_HASH_LEN], c[CID_HASH_LEN];
	assert_int_equal(crypto_secret_load(p1, NULL, 0), 0);
	cid_hash(a, ID);
	cid_hash(a2, ID);
	cid_hash(c, ID2);
	assert_string_equal(a, a2); /* stable */
	assert_string_not_equal(a, c);
	for (const char *p = a; *p; p++)
		assert_non_null(strchr("0123456789abcdef", *p));
	assert_int_equal(crypto_secret_load(p2, NULL, 0), 0);
	cid_hash(b, ID);
	assert_string_not_equal(a, b); /* differs between keys */
	/* And it is keyed: not the plain BLAKE2b of the ID. */
	char plain[TOKEN_HASH_LEN];
	token_hash(plain, ID);
	assert_string_not_equal(b, plain);

	/* Anything but 13 ASCII digits hashes to "" (matches nothing). */
	static const char *const bad[] = {
	    "",  "110370207183", "11037020718380", "1-1037-02071-83-8", "๑๑๐๓๗๐๒๐๗๑๘๓๘", "110370207183x",
	    NULL};
	for (size_t i = 0; bad[i]; i++) {
		memset(a, 'z', sizeof a);
		cid_hash(a, bad[i]);
		assert_string_equal(a, "");
	}
	cid_hash(a, NULL);
	assert_string_equal(a, "");
}

/* Survey tokens: derived from the visit id under the secret, checked back to
 * the id, refused when forged, altered, malformed or from another key. */
static void test_survey_token(void **state)
{
	char p1[128], p2[128];
	path_in(p1, sizeof p1, "survey1.key");
	path_in(p2, sizeof p2, "survey2.key");
	assert_int_equal(crypto_secret_load(p1, NULL, 0), 0);
	char t[SURVEY_TOKEN_LEN], t2[SURVEY_TOKEN_LEN], big[SURVEY_TOKEN_LEN];
	survey_token(t, 15);
	survey_token(t2, 15);
	assert_string_equal(t, t2); /* the same entry, the same token */
	assert_true(strncmp(t, "15-", 3) == 0);
	assert_int_equal(strlen(t), 3 + 22);
	assert_int_equal(survey_token_check(t), 15);
	survey_token(big, INT64_MAX);
	assert_int_equal(survey_token_check(big), INT64_MAX);
	survey_token(t2, 16);
	assert_int_equal(survey_token_check(t2), 16);
	assert_string_not_equal(t + 3, t2 + 3); /* another id, another MAC */
	/* Another id with this token's MAC, an altered MAC, junk: refused. */
	char forged[SURVEY_TOKEN_LEN + 8];
	snprintf(forged, sizeof forged, "16-%s", t + 3);
	assert_int_equal(survey_token_check(forged), 0);
	snprintf(forged, sizeof forged, "%s", t);
	forged[5] = forged[5] == 'A' ? 'B' : 'A';
	assert_int_equal(survey_token_check(forged), 0);
	snprintf(forged, sizeof forged, "015-%s", t + 3);
	assert_int_equal(survey_token_check(forged), 0);
	static const char *const bad[] = {"",
	                                  "-",
	                                  "15",
	                                  "15-",
	                                  "x-abc",
	                                  "0-AAAAAAAAAAAAAAAAAAAAAA",
	                                  "99999999999999999999-AAAAAAAAAAAAAAAAAAAAAA",
	                                  NULL};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(survey_token_check(bad[i]), 0);
	assert_int_equal(survey_token_check(NULL), 0);
	/* Under another secret the token means nothing. */
	assert_int_equal(crypto_secret_load(p2, NULL, 0), 0);
	assert_int_equal(survey_token_check(t), 0);
}

/* Identifiers derived from personal data: keyed BLAKE2b-256 with subkey 4
 * over purpose || NUL || data (checked against libsodium directly, so the
 * stored format cannot drift); deterministic under one secret, different
 * under another, separated by purpose. */
static void test_derived_id(void **state)
{
	unsigned char master[32], sub[32], h[32];
	for (int i = 0; i < 32; i++)
		master[i] = (unsigned char)(100 + i);
	char path[128], other[128], hex[65];
	path_in(path, sizeof path, "derived.key");
	path_in(other, sizeof other, "derived2.key");
	write_file(path, master, sizeof master, 0600);
	assert_int_equal(crypto_secret_load(path, NULL, 0), 0);
	assert_int_equal(crypto_kdf_derive_from_key(sub, sizeof sub, 4, "osspoint", master), 0);
	static const char msg[] = "import-row\0" ID;
	crypto_generichash(h, sizeof h, (const unsigned char *)msg, sizeof msg - 1, sub, sizeof sub);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	char a[DERIVED_ID_LEN], b[DERIVED_ID_LEN], c[DERIVED_ID_LEN];
	derived_id(a, "import-row", ID, 13);
	assert_string_equal(a, hex);
	derived_id(b, "import-row", ID, 13);
	assert_string_equal(a, b);
	/* Not the unkeyed hash, not the Thai-ID hash, not another purpose. */
	crypto_generichash(h, sizeof h, (const unsigned char *)ID, 13, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	assert_string_not_equal(a, hex);
	cid_hash(c, ID);
	assert_string_not_equal(a, c);
	derived_id(c, "import-legacy", ID, 13);
	assert_string_not_equal(a, c);
	/* The purpose ends at its NUL: "ab"+"c" is not "a"+"bc". */
	derived_id(b, "ab", "c", 1);
	derived_id(c, "a", "bc", 2);
	assert_string_not_equal(b, c);
	/* Another secret, another value. */
	assert_int_equal(crypto_secret_load(other, NULL, 0), 0);
	derived_id(b, "import-row", ID, 13);
	assert_string_not_equal(a, b);
}

/* Two processes racing to create the key end up with one key. */
static void test_create_race(void **state)
{
	char path[128];
	path_in(path, sizeof path, "race/secret.key");
	enum { KIDS = 6 };
	int fds[KIDS][2];
	pid_t pids[KIDS];
	crypto_secret_forget();
	for (int i = 0; i < KIDS; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char h[CID_HASH_LEN] = "";
			if (crypto_secret_load(path, NULL, 0) == 0)
				cid_hash(h, ID);
			ssize_t w = write(fds[i][1], h, sizeof h);
			_exit(w == (ssize_t)sizeof h ? 0 : 1);
		}
		close(fds[i][1]);
	}
	char first[CID_HASH_LEN] = "";
	for (int i = 0; i < KIDS; i++) {
		char h[CID_HASH_LEN];
		assert_int_equal(read(fds[i][0], h, sizeof h), (ssize_t)sizeof h);
		close(fds[i][0]);
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_int_equal(strlen(h), 64);
		if (i == 0)
			memcpy(first, h, sizeof h);
		assert_string_equal(h, first);
	}
}

/* Using the ID functions without a key is a wiring bug: the process aborts
 * (in a child here) rather than store an ID unprotected. */
static void test_not_loaded_aborts(void **state)
{
	crypto_secret_forget();
	for (int which = 0; which < 4; which++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* Keep the expected log line out of the test output. */
			int devnull = open("/dev/null", O_WRONLY);
			if (devnull >= 0)
				dup2(devnull, 2);
			char h[CID_HASH_LEN], s[CID_SEALED_LEN], o[14];
			if (which == 0)
				cid_hash(h, ID);
			else if (which == 1)
				(void)cid_seal(s, ID);
			else if (which == 2)
				(void)cid_open(o, "x");
			else
				derived_id(h, "test", "x", 1);
			_exit(0);
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_and_reload),
	    cmocka_unit_test(test_hash_known_answer),
	    cmocka_unit_test(test_refused_files),
	    cmocka_unit_test(test_seal_open),
	    cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_survey_token),
	    cmocka_unit_test(test_derived_id),
	    cmocka_unit_test(test_create_race),
	    cmocka_unit_test(test_not_loaded_aborts),
	};
	return cmocka_run_group_tests_name("cid", tests, setup, teardown);
}
