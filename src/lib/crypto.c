#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"

#define PW_OPSLIMIT 2
#define PW_MEMLIMIT ((size_t)19 * 1024 * 1024)

int crypto_setup(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int password_hash(char out[PASSWORD_HASH_LEN], const char *password)
{
	_Static_assert(PASSWORD_HASH_LEN >= crypto_pwhash_STRBYTES, "hash buffer");
	return crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
	                             crypto_pwhash_ALG_ARGON2ID13) == 0
	           ? 0
	           : -1;
}

bool password_verify(const char *hash, const char *password)
{
	if (strncmp(hash, "$argon2id$", 10) != 0)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *password_policy_error(const char *password)
{
	size_t n = strlen(password);
	if (n < 8)
		return "รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร";
	if (n > 256)
		return "รหัสผ่านยาวเกิน 256 ตัวอักษร";
	return NULL;
}

void token_new(char out[TOKEN_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_LEN, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void random_hex(char *out, size_t bytes)
{
	unsigned char b[64];
	if (bytes > sizeof b)
		bytes = sizeof b;
	randombytes_buf(b, bytes);
	sodium_bin2hex(out, 2 * bytes + 1, b, bytes);
	sodium_memzero(b, sizeof b);
}

void token_hash(char out[TOKEN_HASH_LEN], const char *token)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, TOKEN_HASH_LEN, h, sizeof h);
}

bool crypto_str_eq(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}

/* ---- the server secret and Thai-ID protection ----------------------- */

#define SECRET_KEY_LEN  crypto_kdf_KEYBYTES
#define SUBKEY_CID_HASH 1
#define SUBKEY_CID_SEAL 2
#define SUBKEY_SURVEY   3
#define SUBKEY_DERIVED  4
#define CID_DIGITS      13
#define CID_SEALED_BIN  (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + CID_DIGITS)

_Static_assert(sizeof "osspoint" - 1 == crypto_kdf_CONTEXTBYTES, "kdf context");
_Static_assert(crypto_secretbox_KEYBYTES >= crypto_kdf_BYTES_MIN &&
                   crypto_secretbox_KEYBYTES <= crypto_kdf_BYTES_MAX,
               "seal subkey size");
_Static_assert(CID_SEALED_LEN >=
                   sodium_base64_ENCODED_LEN(CID_SEALED_BIN, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               "sealed buffer");

struct secret {
	unsigned char hash_key[crypto_generichash_KEYBYTES];
	unsigned char seal_key[crypto_secretbox_KEYBYTES];
	unsigned char survey_key[crypto_generichash_KEYBYTES];
	unsigned char derived_key[crypto_generichash_KEYBYTES];
};

static struct secret *secret;

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* mkdir -p of the directory part of path (mode 0700 for what it creates). */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof dir) {
		errf(err, errlen, "ชื่อไฟล์กุญแจยาวเกินไป: %s", path);
		return -1;
	}
	memcpy(dir, path, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			errf(err, errlen, "สร้างโฟลเดอร์ %s สำหรับไฟล์กุญแจไม่ได้: %s", dir, strerror(errno));
			return -1;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = fault_hit(FAULT_WRITE) ? (errno = EIO, -1) : write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= sizeof dir)
		return;
	if (slash == path)
		n = 1; /* the root directory */
	if (n) {
		memcpy(dir, path, n);
		dir[n] = '\0';
	} else {
		memcpy(dir, ".", 2);
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Creates the key file. Returns 0 (created), 1 (another process created it
 * first: load that one) or -1. */
static int secret_create(const char *path, char *err, size_t errlen)
{
	if (make_parents(path, err, errlen) < 0)
		return -1;
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
		errf(err, errlen, "ชื่อไฟล์กุญแจยาวเกินไป: %s", path);
		return -1;
	}
	int fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0) {
		errf(err, errlen, "สร้างไฟล์กุญแจ %s ไม่ได้: %s", path, strerror(errno));
		return -1;
	}
	unsigned char key[SECRET_KEY_LEN];
	randombytes_buf(key, sizeof key);
	int rc = -1;
	if (fchmod(fd, 0600) < 0 || write_all(fd, key, sizeof key) < 0 || fsync(fd) < 0) {
		errf(err, errlen, "เขียนไฟล์กุญแจ %s ไม่ได้: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		errf(err, errlen, "เขียนไฟล์กุญแจ %s ไม่ได้: %s", tmp, strerror(errno));
		goto out;
	}
	/* Never replace a key another process has just written: data sealed
	 * under it would become unreadable. Where the file system lacks
	 * RENAME_NOREPLACE, link() gives the same guarantee. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
		rc = 0;
	} else if (errno == EEXIST) {
		rc = 1;
	} else if ((errno == EINVAL || errno == ENOSYS) && link(tmp, path) == 0) {
		rc = 0;
	} else if (errno == EEXIST) {
		rc = 1;
	} else {
		errf(err, errlen, "ย้ายไฟล์กุญแจไปที่ %s ไม่ได้: %s", path, strerror(errno));
	}
out:
	sodium_memzero(key, sizeof key);
	unlink(tmp); /* gone already after a rename; the spare name after link */
	if (rc == 0)
		fsync_dir_of(path);
	return rc;
}

int crypto_secret_load(const char *path, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (sodium_init() < 0) {
		errf(err, errlen, "libsodium เริ่มต้นไม่ได้");
		return -1;
	}
	int fd = -1;
	for (int attempt = 0; fd < 0; attempt++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != ENOENT || attempt > 0) {
			errf(err, errlen, "เปิดไฟล์กุญแจ %s ไม่ได้: %s", path, strerror(errno));
			return -1;
		}
		if (secret_create(path, err, errlen) < 0)
			return -1;
	}
	struct secret *s = NULL;
	unsigned char *master = NULL;
	int rc = -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		errf(err, errlen, "ตรวจไฟล์กุญแจ %s ไม่ได้: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(err, errlen, "ไฟล์กุญแจ %s ไม่ใช่ไฟล์ปกติ", path);
		goto out;
	}
	if (st.st_mode & 077) {
		errf(err, errlen,
		     "ไฟล์กุญแจ %s เปิดให้กลุ่มหรือผู้อื่นเข้าถึงได้ (สิทธิ์ %04o) ต้องเป็น 0600 หรือ 0400 "
		     "(chmod 600 %s)",
		     path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size != SECRET_KEY_LEN) {
		errf(err, errlen, "ไฟล์กุญแจ %s มีขนาด %lld ไบต์ ต้องเป็น %d ไบต์พอดี", path, (long long)st.st_size,
		     SECRET_KEY_LEN);
		goto out;
	}
	s = sodium_malloc(sizeof *s);
	master = sodium_malloc(SECRET_KEY_LEN);
	if (!s || !master) {
		errf(err, errlen, "จองหน่วยความจำสำหรับกุญแจไม่ได้");
		goto out;
	}
	if (read_all(fd, master, SECRET_KEY_LEN) < 0) {
		errf(err, errlen, "อ่านไฟล์กุญแจ %s ไม่ได้", path);
		goto out;
	}
	if (crypto_kdf_derive_from_key(s->hash_key, sizeof s->hash_key, SUBKEY_CID_HASH, "osspoint", master) <
	        0 ||
	    crypto_kdf_derive_from_key(s->seal_key, sizeof s->seal_key, SUBKEY_CID_SEAL, "osspoint", master) <
	        0 ||
	    crypto_kdf_derive_from_key(s->survey_key, sizeof s->survey_key, SUBKEY_SURVEY, "osspoint",
	                               master) < 0 ||
	    crypto_kdf_derive_from_key(s->derived_key, sizeof s->derived_key, SUBKEY_DERIVED, "osspoint",
	                               master) < 0) {
		errf(err, errlen, "สร้างกุญแจย่อยจากไฟล์ %s ไม่ได้", path);
		goto out;
	}
	sodium_mprotect_readonly(s);
	crypto_secret_forget();
	secret = s;
	s = NULL;
	rc = 0;
out:
	if (master)
		sodium_free(master); /* zeroes it first */
	if (s)
		sodium_free(s);
	close(fd);
	return rc;
}

void crypto_secret_forget(void)
{
	if (!secret)
		return;
	sodium_mprotect_readwrite(secret);
	sodium_memzero(secret, sizeof *secret);
	sodium_free(secret);
	secret = NULL;
}

bool crypto_secret_loaded(void)
{
	return secret != NULL;
}

static const struct secret *secret_get(const char *caller)
{
	if (!secret) {
		log_bug(
		    "%s called before crypto_secret_load: refusing to handle personal data without the key",
		    caller);
		abort();
	}
	return secret;
}

static bool cid_ok(const char *cid)
{
	if (!cid)
		return false;
	for (int i = 0; i < CID_DIGITS; i++)
		if (cid[i] < '0' || cid[i] > '9')
			return false;
	return cid[CID_DIGITS] == '\0';
}

void cid_hash(char out[CID_HASH_LEN], const char *cid)
{
	const struct secret *s = secret_get(__func__);
	out[0] = '\0';
	if (!cid_ok(cid))
		return;
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)cid, CID_DIGITS, s->hash_key,
	                   sizeof s->hash_key);
	sodium_bin2hex(out, CID_HASH_LEN, h, sizeof h);
}

int cid_seal(char out[CID_SEALED_LEN], const char *cid)
{
	const struct secret *s = secret_get(__func__);
	out[0] = '\0';
	if (!cid_ok(cid))
		return -1;
	unsigned char bin[CID_SEALED_BIN];
	randombytes_buf(bin, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(bin + crypto_secretbox_NONCEBYTES, (const unsigned char *)cid, CID_DIGITS, bin,
	                      s->seal_key);
	sodium_bin2base64(out, CID_SEALED_LEN, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int cid_open(char out[14], const char *sealed)
{
	const struct secret *s = secret_get(__func__);
	out[0] = '\0';
	if (!sealed)
		return -1;
	size_t n = strlen(sealed), binlen = 0;
	const char *end = NULL;
	unsigned char bin[CID_SEALED_BIN];
	if (n != sodium_base64_ENCODED_LEN(CID_SEALED_BIN, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 ||
	    sodium_base642bin(bin, sizeof bin, sealed, n, NULL, &binlen, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) < 0 ||
	    binlen != sizeof bin || end != sealed + n)
		return -1;
	unsigned char plain[CID_DIGITS + 1];
	int rc = -1;
	if (crypto_secretbox_open_easy(plain, bin + crypto_secretbox_NONCEBYTES,
	                               sizeof bin - crypto_secretbox_NONCEBYTES, bin, s->seal_key) == 0) {
		plain[CID_DIGITS] = '\0';
		if (cid_ok((const char *)plain)) {
			memcpy(out, plain, sizeof plain);
			rc = 0;
		}
	}
	sodium_memzero(plain, sizeof plain);
	return rc;
}

/* ---- survey tokens ---- */

#define SURVEY_MAC_BYTES 16
#define SURVEY_MAC_LEN   sodium_base64_ENCODED_LEN(SURVEY_MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
_Static_assert(20 + 1 + SURVEY_MAC_LEN <= SURVEY_TOKEN_LEN, "survey token buffer");

/* The MAC of a visit id, as base64url without padding (22 characters). */
static void survey_mac(char out[SURVEY_MAC_LEN], int64_t visit_id)
{
	const struct secret *s = secret_get(__func__);
	char msg[32];
	int n = snprintf(msg, sizeof msg, "survey:%lld", (long long)visit_id);
	unsigned char mac[SURVEY_MAC_BYTES];
	crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, (size_t)n, s->survey_key,
	                   sizeof s->survey_key);
	sodium_bin2base64(out, SURVEY_MAC_LEN, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void survey_token(char out[SURVEY_TOKEN_LEN], int64_t visit_id)
{
	char mac[SURVEY_MAC_LEN];
	survey_mac(mac, visit_id);
	snprintf(out, SURVEY_TOKEN_LEN, "%lld-%s", (long long)visit_id, mac);
}

int64_t survey_token_check(const char *token)
{
	if (!token)
		return 0;
	int64_t id = 0;
	const char *p = token;
	for (; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';
		if (id > (INT64_MAX - d) / 10)
			return 0;
		id = id * 10 + d;
	}
	if (p == token || *p != '-' || token[0] == '0' || id <= 0)
		return 0;
	char mac[SURVEY_MAC_LEN];
	survey_mac(mac, id);
	return crypto_str_eq(p + 1, mac) ? id : 0;
}

/* ---- the point survey's form stamp ---- */

static void stamp_mac(char out[SURVEY_MAC_LEN], const char *unit, const char *device, int64_t issued_at)
{
	const struct secret *s = secret_get(__func__);
	char t[24];
	int n = snprintf(t, sizeof t, "%lld", (long long)issued_at);
	crypto_generichash_state st;
	unsigned char mac[SURVEY_MAC_BYTES];
	crypto_generichash_init(&st, s->survey_key, sizeof s->survey_key, sizeof mac);
	/* Each part is followed by its NUL, so no two inputs run together. */
	static const char label[] = "survey-point-form";
	crypto_generichash_update(&st, (const unsigned char *)label, sizeof label);
	crypto_generichash_update(&st, (const unsigned char *)(unit ? unit : ""),
	                          strlen(unit ? unit : "") + 1);
	crypto_generichash_update(&st, (const unsigned char *)(device ? device : ""),
	                          strlen(device ? device : "") + 1);
	crypto_generichash_update(&st, (const unsigned char *)t, (size_t)n);
	crypto_generichash_final(&st, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
	sodium_bin2base64(out, SURVEY_MAC_LEN, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

_Static_assert(20 + 1 + SURVEY_MAC_LEN <= SURVEY_STAMP_LEN, "survey stamp buffer");

void survey_stamp(char out[SURVEY_STAMP_LEN], const char *unit, const char *device, int64_t issued_at)
{
	char mac[SURVEY_MAC_LEN];
	stamp_mac(mac, unit, device, issued_at);
	snprintf(out, SURVEY_STAMP_LEN, "%lld.%s", (long long)issued_at, mac);
}

int64_t survey_stamp_check(const char *stamp, const char *unit, const char *device)
{
	if (!stamp)
		return 0;
	int64_t t = 0;
	const char *p = stamp;
	for (; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';
		if (t > (INT64_MAX - d) / 10)
			return 0;
		t = t * 10 + d;
	}
	if (p == stamp || *p != '.' || stamp[0] == '0' || t <= 0)
		return 0;
	char mac[SURVEY_MAC_LEN];
	stamp_mac(mac, unit, device, t);
	return crypto_str_eq(p + 1, mac) ? t : 0;
}

/* ---- identifiers derived from personal data ---- */

void derived_id(char out[DERIVED_ID_LEN], const char *purpose, const void *data, size_t len)
{
	const struct secret *s = secret_get(__func__);
	crypto_generichash_state st;
	unsigned char h[32];
	crypto_generichash_init(&st, s->derived_key, sizeof s->derived_key, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_memzero(&st, sizeof st);
	sodium_bin2hex(out, DERIVED_ID_LEN, h, sizeof h);
}
