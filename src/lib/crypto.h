/* Crypto wrappers over libsodium: passwords, tokens, keyed hashes.
 * crypto_setup() must be called once before any other function. */
#ifndef OSSPOINT_CRYPTO_H
#define OSSPOINT_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

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
/* Hex BLAKE2b-256 of a token, for storing session tokens hashed
 * (64 hex chars + NUL). */
#define TOKEN_HASH_LEN 65
void token_hash(char out[TOKEN_HASH_LEN], const char *token);
/* Constant-time string equality (lengths compared first). */
bool crypto_str_eq(const char *a, const char *b);

#endif
