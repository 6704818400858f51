/* Crypto wrappers over libsodium: passwords, tokens, keyed hashes.
 * crypto_setup() must be called once before any other function. */
#ifndef OSSPOINT_CRYPTO_H
#define OSSPOINT_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns 0, or -1 if libsodium cannot initialise. */
int crypto_setup(void);

/* argon2id with OWASP's interactive parameters (t=2, m=19 MiB, p=1): the
 * memory cost stays well inside the server's 64 MB budget.
 * PASSWORD_HASH_LEN includes the NUL. Returns 0 or -1. */
#define PASSWORD_HASH_LEN 128
int password_hash(char out[PASSWORD_HASH_LEN], const char *password);
/* Constant-time verify; false for a malformed hash. */
bool password_verify(const char *hash, const char *password);
/* Checks the password policy; returns NULL when acceptable, else a Thai message. */
const char *password_policy_error(const char *password);

/* A fresh random token: 32 random bytes in base64url without padding (43
 * chars + NUL). */
#define TOKEN_LEN 44
void token_new(char out[TOKEN_LEN]);
/* bytes random bytes as lowercase hex into out (2 * bytes + 1 chars, NUL
 * included): random keys that reveal nothing, e.g. a survey response's. */
void random_hex(char *out, size_t bytes);
/* Hex BLAKE2b-256 of a token, for storing session tokens hashed
 * (64 hex chars + NUL). Unkeyed: only for high-entropy random tokens, never
 * for anything derived from personal data (use derived_id). */
#define TOKEN_HASH_LEN 65
void token_hash(char out[TOKEN_HASH_LEN], const char *token);
/* Constant-time string equality (lengths compared first). */
bool crypto_str_eq(const char *a, const char *b);

/* ---- the server secret and Thai-ID protection (DESIGN.md §2) ----------
 *
 * One 32-byte master key in a file (setting secret_file, default
 * var/secret.key) never leaves the machine; back it up with the database:
 * without it no sealed Thai ID can be opened and no returning visitor is
 * found again. Subkeys are derived from it with crypto_kdf_derive_from_key,
 * context "osspoint": subkey 1 keys the Thai-ID hash, subkey 2 seals Thai
 * IDs, subkey 3 keys survey tokens, subkey 4 keys identifiers derived from
 * personal data (derived_id). These numbers are part of the stored data's
 * format and never change. The subkeys live in
 * sodium_malloc'd memory (locked, guarded, read-only once derived); the
 * master key is wiped as soon as they are derived.
 *
 * Threads: load at start-up before any thread uses the cid_* functions, and
 * forget only after they have stopped. */

/* Loads the key file at path, or creates it when it does not exist: 32
 * random bytes, mode 0600, parent directories created (mode 0700) when
 * missing, written to a temporary file in the same directory, fsynced and
 * moved into place without replacing a file another process created
 * meanwhile (that one is then loaded). Refuses (-1, Thai message in err,
 * nothing loaded or changed) a file that is not a regular file, is not
 * exactly 32 bytes, or can be read or written by group or others. Loading
 * again replaces the keys. Calls sodium_init itself. err may be NULL when
 * errlen is 0. Returns 0 or -1. */
int crypto_secret_load(const char *path, char *err, size_t errlen);
/* Wipes and frees the keys; a no-op when none are loaded. */
void crypto_secret_forget(void);
/* True between a successful crypto_secret_load and crypto_secret_forget. */
bool crypto_secret_loaded(void);

/* The cid_* functions take a normalized Thai ID: exactly 13 ASCII digits
 * (what core/thai_id's thai_id_check writes); they do not check the
 * checksum. Calling them before crypto_secret_load is a wiring bug: they log
 * it (file:line) and abort(), rather than store an ID unprotected. */

/* Hex keyed BLAKE2b-256 of the ID (64 hex characters + NUL), for finding a
 * returning visitor: equal IDs give equal hashes under one key. out is ""
 * when cid is not 13 ASCII digits (a lookup with "" matches nothing). */
#define CID_HASH_LEN 65
void cid_hash(char out[CID_HASH_LEN], const char *cid);

/* Seals the ID for the audited reveal: crypto_secretbox_easy with a fresh
 * random nonce, written as base64url without padding of nonce || ciphertext
 * (71 characters + NUL); two seals of one ID differ. Returns 0, or -1 (out
 * = "") when cid is not 13 ASCII digits. */
#define CID_SEALED_LEN 128
int cid_seal(char out[CID_SEALED_LEN], const char *cid);
/* Opens a sealed ID into out (13 digits + NUL). Returns 0, or -1 (out = "")
 * when sealed is NULL, malformed, tampered with, or sealed under another
 * key. */
int cid_open(char out[14], const char *sealed);

/* ---- survey tokens ----
 *
 * Each registry entry's one-time survey link carries a token derived from
 * the entry's id: "<id>-<MAC>", the MAC being 16 bytes of keyed BLAKE2b
 * (subkey 3 of the secret) in base64url (22 characters). Nothing is stored
 * to issue one, so issuing costs the registry no index write, and the same
 * token can be printed again on a slip; the survey itself makes it one-time
 * by refusing a second answer for the entry. Needs the secret loaded, like
 * the cid_* functions. */
#define SURVEY_TOKEN_LEN 48
void survey_token(char out[SURVEY_TOKEN_LEN], int64_t visit_id);
/* The visit id the token was issued for, or 0 when it is malformed or was
 * not made with this secret (constant-time MAC comparison). */
int64_t survey_token_check(const char *token);

/* ---- the point survey's form stamp ----
 *
 * The public form of a point's QR carries a stamp "<issued_at>.<MAC>" that
 * the server issued with the form: the MAC (16 bytes of keyed BLAKE2b under
 * subkey 3, like the survey tokens, over a distinct label, the unit, the
 * device cookie and the time; base64url, 22 characters) proves when the form
 * was handed out and to which device, so the minimum time to answer cannot
 * be faked by a client that never asked for the form. Needs the secret
 * loaded. unit and device are borrowed; NULL counts as "". */
#define SURVEY_STAMP_LEN 48
void survey_stamp(char out[SURVEY_STAMP_LEN], const char *unit, const char *device, int64_t issued_at);
/* The issued_at of a stamp made by survey_stamp for this unit and device
 * with this secret, or 0 when it is malformed or not (constant-time MAC
 * comparison). */
int64_t survey_stamp_check(const char *stamp, const char *unit, const char *device);

/* ---- identifiers derived from personal data (docs/ARCHITECTURE.md,
 * "What may be derived from personal data, and how") ----
 *
 * Any value computed from personal data that is stored, logged, shown or
 * used as a key (an imported row's idempotency key, ...) is this keyed MAC,
 * never an unkeyed hash: a Thai ID has ~10^12 valid values and a name or a
 * phone number fewer guesses still, so an unkeyed hash is reversed by trying
 * them all. Hex keyed BLAKE2b-256 (subkey 4 of the secret) of purpose, a NUL
 * byte, then len bytes of data: purpose (a fixed ASCII label such as
 * "import-row") keeps the uses apart, so one use's value never equals
 * another's. Deterministic under one secret; another secret gives another
 * value. Needs the secret loaded, like the cid_* functions (else logged and
 * abort()). */
#define DERIVED_ID_LEN 65
void derived_id(char out[DERIVED_ID_LEN], const char *purpose, const void *data, size_t len);

#endif
