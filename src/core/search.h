/* Thai-aware search over the catalogue (issue 4), no I/O.
 *
 * Thai is written without spaces between words, so text is cut into words
 * with libthai's dictionary word breaker (th_brk), then normalized: Thai
 * digits become ASCII digits, ASCII letters lower case, punctuation dropped,
 * the thanthakhat (์) left out (สิทธิ์ = สิทธิ).
 * "ภาษีรถ" becomes ["ภาษี", "รถ"], which both occur in the words of
 * "ชำระภาษีรถประจำปีออนไลน์", so that service is found.
 *
 * An index is built once from the documents (the catalogue is small: tens to
 * hundreds of services) and is then read-only: any number of threads may
 * query it at once. See docs/modules/search.md. */
#ifndef OSSPOINT_CORE_SEARCH_H
#define OSSPOINT_CORE_SEARCH_H

#include <stddef.h>

/* One searchable document; the fields are weighted (name_th counts most,
 * then the everyday phrasings in keywords, name_en, ...). Any field may be
 * NULL. The index copies what it needs. */
struct search_doc {
	const char *name_th;
	const char *name_en;
	const char *code;
	const char *agency_th;
	const char *agency_en;
	const char *category_th;
	const char *description;
	/* Everyday phrasings of what the service is for ("โดนเลิกจ้าง",
	 * "ถนนพัง"), catalogue data admins edit; several separated by new lines
	 * or any punctuation. */
	const char *keywords;
};

/* An everyday word for a term of the catalogue: a document holding term (in
 * any field but the code, as normalized words) is also found by word.
 * ("พาสปอร์ต", "หนังสือเดินทาง"). */
struct search_synonym {
	const char *word, *term;
};

struct search_index;

/* Builds the index of docs[0..n) with the synonyms syn[0..nsyn) (may be
 * NULL, 0). NULL only when libthai cannot load its dictionary. The index
 * copies what it needs; after this it is read-only: any number of threads
 * may query it at once. */
struct search_index *search_index_build(const struct search_doc *docs, size_t n,
                                        const struct search_synonym *syn, size_t nsyn);
/* search_index_build without synonyms. */
struct search_index *search_index_new(const struct search_doc *docs, size_t n);
void search_index_free(struct search_index *ix);

#define SEARCH_QUERY_MAX 200 /* bytes of the query looked at; the rest is ignored */

/* Ranks the documents for q and writes the indexes (into the docs given to
 * search_index_build) of the matching ones into out, best first, at most
 * max. Returns how many. Ranking, not filtering: a document matches when it
 * holds any word of the query (a query word matches a document word it
 * equals, or begins when it has two characters or more; it may also span
 * several document words: "น้ำประปา" matches "น้ำ|ประปา"). Score: BM25F over
 * the fields (weights and length norms in search.c, idf from the catalogue),
 * times the share of the query's idf the document holds (so the document
 * with the rarer words wins: "ลงทะเบียนคนว่างงาน" is unemployment, not any
 * registration), plus a bonus when the whole query (at least 3 characters;
 * for a Latin query at a word start) occurs in name_th or name_en. Words no
 * document has count for nothing ("ดูแปลงที่ดิน": ดู). Results under 35 % of
 * the best score are dropped; equal scores keep the catalogue order. Stop
 * words (วิธี, ยังไง, ออนไลน์, ...) are dropped from a query that has other
 * words; at most 16 distinct query words count; an empty or all-punctuation
 * query matches nothing. See docs/modules/search.md. */
size_t search_query(const struct search_index *ix, const char *q, size_t *out, size_t max);

/* A corrected query for a misspelling: every query word that no document
 * has (and is not a stop word) replaced by the closest word of the
 * catalogue's names, everyday words, agencies and categories (Levenshtein
 * over characters: 1 edit up to 5 characters, 2 up to 9, 3 beyond; then the
 * word in the most documents), neighbouring unknown words first tried as
 * one ("ภาษีรด" → "ภาษีรถ"). Writes the corrected words (Thai words
 * together, Latin ones separated by a space) into out (cap bytes) and
 * returns its length, or 0 and "" when no word needed or found a
 * correction, or when more than 4 words are unknown (not a slip). */
size_t search_suggest(const struct search_index *ix, const char *q, char *out, size_t cap);

/* The normalized words of text, for tests and the index: calls fn(word, len,
 * arg) for each, in order. Returns the number of words. */
size_t search_words(const char *text, void (*fn)(const char *word, size_t len, void *arg), void *arg);

#endif
