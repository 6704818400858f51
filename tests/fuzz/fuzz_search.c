/* libFuzzer target: Thai search (core/search). A small index is built once;
 * each input is a query against it and a text to cut into words. Besides
 * memory errors (and the breaker on malformed or endless Thai text) it
 * checks the contract: answers are distinct indexes into the documents, no
 * more than asked for, the same when asked again, and every word is
 * non-empty normalized text (no ASCII capitals, spaces or punctuation). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/search.h"

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x))                                                                                    \
			abort();                                                                             \
	} while (0)

static const struct search_doc docs[] = {
    {.name_th = "ชำระภาษีรถประจำปีออนไลน์",
     .name_en = "Online annual vehicle tax payment",
     .code = "dlt_vehicle_tax"},
    {.name_th = "ยื่นแบบแสดงรายการภาษีเงินได้บุคคลธรรมดาออนไลน์ (e-Filing ภ.ง.ด.90/91)",
     .code = "rd_efiling",
     .agency_th = "กรมสรรพากร กระทรวงการคลัง"},
    {.name_th = "ลงทะเบียนแอปพลิเคชัน ThaID (ไทยดี)", .code = "thaid_register", .category_th = "บัตรและทะเบียน"},
    {.name_th = "จองคิวทำหนังสือเดินทาง",
     .name_en = "Passport appointment booking",
     .code = "mfa_passport_queue",
     .description = "เลือกสำนักงานหนังสือเดินทาง วันและเวลา แล้วพิมพ์ใบนัด"},
    {.name_th = "บริการอิเล็กทรอนิกส์สำหรับผู้ประกันตน สำนักงานประกันสังคม",
     .code = "sso_eservice",
     .keywords = "ใช้สิทธิประกันสังคม\nเงินสมทบ"},
    {0},
};
#define NDOCS (sizeof docs / sizeof docs[0])

static struct search_index *ix;

static void check_word(const char *w, size_t len, void *arg)
{
	(void)arg;
	CHECK(w && len > 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];
		CHECK(c != 0 && !(c >= 'A' && c <= 'Z'));
		CHECK(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	if (!ix) {
		static const struct search_synonym syn[] = {{"พาสปอร์ต", "หนังสือเดินทาง"}, {"ต่อภาษี", "ภาษีรถ"}};
		ix = search_index_build(docs, NDOCS, syn, sizeof syn / sizeof syn[0]);
		CHECK(ix);
	}
	char *q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = '\0';

	size_t out[NDOCS + 1], again[NDOCS + 1];
	out[NDOCS] = again[NDOCS] = (size_t)-1; /* never written */
	size_t n = search_query(ix, q, out, NDOCS);
	CHECK(n <= NDOCS && out[NDOCS] == (size_t)-1);
	for (size_t i = 0; i < n; i++) {
		CHECK(out[i] < NDOCS);
		for (size_t k = 0; k < i; k++)
			CHECK(out[k] != out[i]);
	}
	CHECK(search_query(ix, q, again, NDOCS) == n && memcmp(out, again, n * sizeof *out) == 0);
	/* A smaller max gives the first answers of the full list. */
	if (n > 1) {
		CHECK(search_query(ix, q, again, 1) == 1 && again[0] == out[0]);
	}
	size_t words = search_words(q, check_word, NULL);
	if (words == 0)
		CHECK(n == 0); /* nothing to look for finds nothing */
	/* A suggestion is NUL-terminated text within the buffer, repeatable, and
	 * itself needs no further correction of the same words. */
	char fix[SEARCH_QUERY_MAX + 1], fix2[SEARCH_QUERY_MAX + 1];
	size_t fl = search_suggest(ix, q, fix, sizeof fix);
	CHECK(fl < sizeof fix && fix[fl] == '\0' && strlen(fix) == fl);
	CHECK(search_suggest(ix, q, fix2, sizeof fix2) == fl && !strcmp(fix, fix2));
	if (fl)
		search_words(fix, check_word, NULL);
	free(q);
	return 0;
}
