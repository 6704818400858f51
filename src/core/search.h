/* Thai-aware search over the catalogue (issue 4), no I/O.
 *
 * Thai is written without spaces between words, so text is cut into words
 * with libthai's dictionary word breaker (th_brk), then normalized: Thai
 * digits become ASCII digits, ASCII letters lower case, punctuation dropped.
 * "ภาษีรถ" becomes ["ภาษี", "รถ"], which both occur in the words of
 * "ชำระภาษีรถประจำปีออนไลน์", so that service is found.
 *
 * An index is built once from the documents (the catalogue is small: tens to
 * hundreds of services) and is then read-only: any number of threads may
 * query it at once. See docs/modules/search.md. */
#ifndef OSSPOINT_CORE_SEARCH_H
#define OSSPOINT_CORE_SEARCH_H

#include <stddef.h>

/* One searchable document; the fields are weighted in this order (name_th
 * counts most). Any field may be NULL. The index copies what it needs. */
struct search_doc {
	const char *name_th;
	const char *name_en;
	const char *code;
	const char *agency_th;
	const char *agency_en;
	const char *category_th;
	const char *description;
};

struct search_index;

/* NULL only when memory runs out or libthai cannot load its dictionary. */
struct search_index *search_index_new(const struct search_doc *docs, size_t n);
void search_index_free(struct search_index *ix);

#define SEARCH_QUERY_MAX 200 /* bytes of the query looked at; the rest is ignored */

/* Matches q against the index and writes the indexes (into the docs given to
 * search_index_new) of the matching documents into out, best first, at most
 * max. Returns how many. A document matches when every word of the query
 * matches one of its words (a query word matches a document word it equals
 * or begins; the last query word may be a prefix being typed), or when the
 * whole query, without spaces, occurs in its name_th or name_en. Ranking:
 * more weight (field weights, exact word over prefix, name_th substring
 * over word matches), then the document's position (catalogue order). An
 * empty or all-punctuation query matches nothing.
 * Details (docs/modules/search.md): a query word may also span several
 * document words (it matches at a word start of the field's words written
 * together: "น้ำประปา" matches "น้ำ|ประปา"); the whole-query substring
 * needs at least 3 characters and, for a Latin query, a word start ("line"
 * is not in "online"); when nothing else matches, the whole query at a word
 * start of any field matches; a few everyday words are added to documents
 * holding the official term (พาสปอร์ต → หนังสือเดินทาง, ใบขับขี่ →
 * ใบอนุญาตขับรถ, ...); filler words (วิธี, ยังไง, ออนไลน์, ...) are dropped
 * from a query that has other words; at most 16 query words count. */
size_t search_query(const struct search_index *ix, const char *q, size_t *out, size_t max);

/* The normalized words of text, for tests and the index: calls fn(word, len,
 * arg) for each, in order. Returns the number of words. */
size_t search_words(const char *text, void (*fn)(const char *word, size_t len, void *arg), void *arg);

#endif
