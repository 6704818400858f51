#include "crypto.h"

#include <sodium.h>
#include <string.h>

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
