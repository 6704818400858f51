/* libFuzzer target: opening sealed Thai IDs (lib/crypto.h cid_open) under a
 * fixed key (FUZZ_CID_KEY below; the seeds in corpus/fuzz_cid were sealed
 * with it), two ways.
 *
 * Open: the input is a sealed ID as stored. Only a seal made with the key
 * opens, and then to 13 ASCII digits that seal and open again to the same
 * number; everything else answers -1 with out "".
 *
 * Seal (first byte 'S'): the next 13 bytes choose a number, which is sealed
 * and must open to itself; then one character of the seal (position and
 * replacement from the next two bytes) is changed, and the changed seal must
 * not open: base64url without padding decodes canonically, so any other
 * character is other bytes, which the MAC refuses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/crypto.h"

#include "check.h"

/* 32 bytes: "osspoint-fuzz-cid-key-0123456789" */
#define FUZZ_CID_KEY "osspoint-fuzz-cid-key-0123456789"
#define SEAL_CHARS   71 /* base64url of a 24-byte nonce and 13 + 16 bytes of box */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char dir[] = "/tmp/osspoint-fuzz-cid-XXXXXX";
	CHECK(mkdtemp(dir));
	char path[sizeof dir + 16];
	snprintf(path, sizeof path, "%s/secret.key", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, FUZZ_CID_KEY, 32) == 32 && close(fd) == 0);
	char err[256];
	CHECK(crypto_secret_load(path, err, sizeof err) == 0);
	unlink(path); /* the subkeys are in memory now */
	rmdir(dir);
	return 0;
}

static bool digits13(const char *s)
{
	for (int i = 0; i < 13; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[13] == '\0';
}

static void round_trip(const char *cid)
{
	char sealed[CID_SEALED_LEN], out[14];
	CHECK(cid_seal(sealed, cid) == 0 && strlen(sealed) == SEAL_CHARS);
	CHECK(strspn(sealed, b64url) == SEAL_CHARS);
	CHECK(cid_open(out, sealed) == 0 && !strcmp(out, cid));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1024)
		return 0;
	char out[14];
	if (size >= 16 && data[0] == 'S') {
		char cid[14];
		for (int i = 0; i < 13; i++)
			cid[i] = (char)('0' + data[1 + i] % 10);
		cid[13] = '\0';
		round_trip(cid);
		char sealed[CID_SEALED_LEN];
		CHECK(cid_seal(sealed, cid) == 0);
		size_t at = data[14] % SEAL_CHARS;
		char c = b64url[data[15] % 64];
		if (sealed[at] != c) {
			sealed[at] = c;
			CHECK(cid_open(out, sealed) == -1 && out[0] == '\0');
		}
		return 0;
	}
	char *s = fuzz_cstr(data, size);
	if (cid_open(out, s) == 0) {
		CHECK(strlen(s) == SEAL_CHARS && digits13(out));
		round_trip(out);
	} else {
		CHECK(out[0] == '\0');
	}
	/* Sealing takes exactly 13 ASCII digits. */
	char sealed[CID_SEALED_LEN];
	if (cid_seal(sealed, s) == 0)
		CHECK(digits13(s) && cid_open(out, sealed) == 0 && !strcmp(out, s));
	else
		CHECK(!digits13(s) && sealed[0] == '\0');
	CHECK(cid_open(out, NULL) == -1);
	free(s);
	return 0;
}
