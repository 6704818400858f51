#include "core/search.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <thai/thbrk.h>

#include "lib/xalloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the word breakers -------------------------------------------------
 *
 * A ThBrk holds its own copy of the dictionary trie (about 1.5 MB) and takes
 * about 5 ms to load, so one per call is too slow and one per thread too
 * big. It is not thread-safe, so a small pool lends them out: at most
 * BRK_MAX exist (two cores: more would only cost memory), a thread that
 * finds none free waits for one. Segmenting a query takes microseconds, so
 * the wait is short. The breakers live as long as the process. */

#define BRK_MAX 2

static pthread_mutex_t brk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t brk_cond = PTHREAD_COND_INITIALIZER;
static ThBrk *brk_idle[BRK_MAX];
static size_t brk_nidle, brk_made;
static bool brk_broken; /* th_brk_new failed once: no dictionary, do not retry */

/* A breaker for the caller's exclusive use, or NULL when the dictionary
 * cannot be loaded. Give it back with brk_put. */
static ThBrk *brk_get(void)
{
	ThBrk *b = NULL;
	pthread_mutex_lock(&brk_lock);
	for (;;) {
		if (brk_nidle) {
			b = brk_idle[--brk_nidle];
			break;
		}
		if (brk_broken)
			break;
		if (brk_made < BRK_MAX) {
			brk_made++;
			/* Loading takes milliseconds: not under the lock. */
			pthread_mutex_unlock(&brk_lock);
			b = th_brk_new(NULL);
			pthread_mutex_lock(&brk_lock);
			if (!b) {
				brk_made--;
				brk_broken = true;
				pthread_cond_broadcast(&brk_cond);
			}
			break;
		}
		pthread_cond_wait(&brk_cond, &brk_lock);
	}
	pthread_mutex_unlock(&brk_lock);
	return b;
}

static void brk_put(ThBrk *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&brk_lock);
	brk_idle[brk_nidle++] = b;
	pthread_cond_signal(&brk_cond);
	pthread_mutex_unlock(&brk_lock);
}

/* ---- characters -------------------------------------------------------- */

/* Decodes one code point of s[0..n) (n >= 1) into *cp and returns its
 * length; a byte that does not start valid UTF-8 (overlong, surrogate,
 * truncated, > U+10FFFF) gives *cp = 0xFFFD and length 1, so the text after
 * it is still read. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t len;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (n < len)
		goto bad;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

/* Thai letters, vowels and tone marks: the characters the word breaker
 * segments. Not ฯ (U+0E2F, abbreviation), ฿ (U+0E3F), ๆ (U+0E46, repeat),
 * ๏ ๚ ๛ (U+0E4F, U+0E5A-B) nor the digits, which are read as ASCII digits. */
static bool is_thai_letter(uint32_t cp)
{
	return (cp >= 0x0E01 && cp <= 0x0E2E) || (cp >= 0x0E30 && cp <= 0x0E3A) ||
	       (cp >= 0x0E40 && cp <= 0x0E45) || (cp >= 0x0E47 && cp <= 0x0E4E);
}

/* Non-ASCII, non-Thai characters that separate words: Latin-1 punctuation,
 * general punctuation and symbols (dashes, quotes, zero-width space, bidi
 * marks), CJK punctuation, variation selectors, full-width punctuation,
 * private use, specials and emoji. Any other character (letters of other
 * scripts) belongs to a word, kept as it is. */
static bool is_other_separator(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
	       (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xE000 && cp <= 0xF8FF) ||
	       (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	       (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || cp >= 0xFFF0 ||
	       (cp >= 0x1F000 && cp <= 0x1FAFF) || cp >= 0xE0000;
}

/* ---- normalized words ---------------------------------------------------
 *
 * The text is read left to right into runs: a Thai run (letters, kept in
 * TIS-620, the breaker's encoding) or a Latin run (ASCII letters folded to
 * lower case, digits with Thai digits made ASCII, letters of other scripts).
 * Anything else ends the run. A Latin run is one word; a Thai run is cut by
 * the breaker. A '.' between two Thai letters is dropped so abbreviations
 * read as one word ("ภ.ง.ด." = "ภงด", "กทม." = "กทม"). Two common typing
 * slips are mended: "เเ" (two sara e) is "แ", "ํา" (nikhahit + sara aa) is
 * "ำ". */

#define LATIN_MAX  96   /* bytes of a Latin word; a longer one is cut */
#define THAI_CHUNK 1024 /* Thai letters segmented at a time */

typedef void (*word_fn)(const char *word, size_t len, void *arg);

struct words {
	ThBrk *brk; /* NULL: no dictionary, a Thai run is one word */
	word_fn fn;
	void *arg;
	size_t count;
	char latin[LATIN_MAX];
	size_t nlatin;
	unsigned char thai[THAI_CHUNK + 1]; /* TIS-620, NUL-terminated for th_brk */
	size_t nthai;
	int pos[THAI_CHUNK];
	char utf8[THAI_CHUNK * 3];
};

static void emit(struct words *w, const char *s, size_t n)
{
	if (!n)
		return;
	w->count++;
	if (w->fn)
		w->fn(s, n, w->arg);
}

/* TIS-620 0xA1..0xFB are U+0E01..U+0E5B: three bytes of UTF-8 each. The
 * thanthakhat (U+0E4C, TIS-620 0xEC), the mark over a silent letter, is left
 * out of the word after the breaker has seen it: people type สิทธิ์ and
 * สิทธิ, ออนไลน์ and ออนไลน, and both must be the same word. */
static void emit_thai(struct words *w, size_t from, size_t to)
{
	size_t k = 0;
	for (size_t i = from; i < to; i++) {
		if (w->thai[i] == 0xEC)
			continue;
		uint32_t cp = 0x0E00 + (w->thai[i] - 0xA0);
		w->utf8[k++] = (char)(0xE0 | (cp >> 12));
		w->utf8[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		w->utf8[k++] = (char)(0x80 | (cp & 0x3F));
	}
	emit(w, w->utf8, k);
}

static void flush_latin(struct words *w)
{
	emit(w, w->latin, w->nlatin);
	w->nlatin = 0;
}

/* Segments the Thai run held. At the end of a run (final) every word is
 * given; when the buffer is merely full the last word is kept back, as it
 * may go on past the buffer, and segmenting resumes at its start. */
static void flush_thai(struct words *w, bool final)
{
	size_t n = w->nthai;
	if (!n)
		return;
	w->thai[n] = 0;
	int k = w->brk ? th_brk_find_breaks(w->brk, w->thai, w->pos, N(w->pos)) : 0;
	size_t start = 0;
	for (int i = 0; i < k; i++) {
		size_t p = (size_t)w->pos[i];
		if (p <= start || p >= n)
			continue;
		emit_thai(w, start, p);
		start = p;
	}
	if (final || start == 0) {
		emit_thai(w, start, n);
		w->nthai = 0;
	} else {
		memmove(w->thai, w->thai + start, n - start);
		w->nthai = n - start;
	}
}

static void add_thai(struct words *w, uint32_t cp)
{
	unsigned char t = (unsigned char)(cp - 0x0E00 + 0xA0);
	if (w->nthai) {
		unsigned char *last = &w->thai[w->nthai - 1];
		if (*last == 0xE0 && t == 0xE0) { /* เ + เ */
			*last = 0xE1;             /* แ */
			return;
		}
		if (*last == 0xED && t == 0xD2) { /* ํ + า */
			*last = 0xD3;             /* ำ */
			return;
		}
	}
	if (w->nthai == THAI_CHUNK)
		flush_thai(w, false);
	w->thai[w->nthai++] = t;
}

static void add_latin(struct words *w, const char *s, size_t n)
{
	if (w->nlatin + n > LATIN_MAX)
		flush_latin(w);
	memcpy(w->latin + w->nlatin, s, n);
	w->nlatin += n;
}

static size_t words_run(struct words *w, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')) {
			flush_thai(w, true);
			add_latin(w, (const char *)s + i, 1);
		} else if (cp >= 'A' && cp <= 'Z') {
			char c = (char)(cp - 'A' + 'a');
			flush_thai(w, true);
			add_latin(w, &c, 1);
		} else if (cp >= 0x0E50 && cp <= 0x0E59) {
			char c = (char)('0' + (cp - 0x0E50));
			flush_thai(w, true);
			add_latin(w, &c, 1);
		} else if (is_thai_letter(cp)) {
			flush_latin(w);
			add_thai(w, cp);
		} else if (cp == '.' && w->nthai && i + 1 < len) {
			uint32_t next;
			utf8_next(s + i + 1, len - i - 1, &next);
			if (!is_thai_letter(next)) {
				flush_thai(w, true);
			}
		} else if (cp >= 0x80 && cp != 0xFFFD && !(cp >= 0x0E00 && cp <= 0x0E7F) &&
		           !is_other_separator(cp)) {
			flush_thai(w, true);
			add_latin(w, (const char *)s + i, n);
		} else {
			flush_thai(w, true);
			flush_latin(w);
		}
		i += n;
	}
	flush_thai(w, true);
	flush_latin(w);
	return w->count;
}

/* words_run with a breaker from the pool (or none). */
static size_t words_of(const char *text, size_t len, word_fn fn, void *arg)
{
	struct words *w = xmalloc(sizeof *w);
	w->brk = brk_get();
	w->fn = fn;
	w->arg = arg;
	w->count = w->nlatin = w->nthai = 0;
	size_t n = words_run(w, text, len);
	brk_put(w->brk);
	free(w);
	return n;
}

size_t search_words(const char *text, void (*fn)(const char *word, size_t len, void *arg), void *arg)
{
	if (!text)
		return 0;
	return words_of(text, strlen(text), fn, arg);
}

/* ---- the index -----------------------------------------------------------
 *
 * The catalogue is small, so each document simply keeps, per field, its
 * normalized words written one after the other without separators
 * ("ชำระภาษีรถประจำปีออนไลน") and the offsets where words start. A query word
 * matches a field when it occurs there starting at a word start: it then
 * equals a word or begins one ("ประกันสัง" begins "ประกัน|สังคม"), and a word
 * the breaker cut differently in the query and in the document ("น้ำประปา"
 * against "น้ำ|ประปา") still matches. A scan over a few hundred documents of
 * a few hundred words is microseconds. */

enum field {
	F_NAME_TH,
	F_NAME_EN,
	F_CODE,
	F_KEYWORDS,
	F_AGENCY_TH,
	F_AGENCY_EN,
	F_CATEGORY,
	F_DESCRIPTION,
	F__COUNT,
};

/* BM25F: how much a match in each field counts, and how much the field's
 * length dampens it (b: 0 none, 1 fully). A service's name and the everyday
 * phrasings admins gave it (keywords) say what it is; its description
 * mentions much else. */
static const double field_weight[F__COUNT] = {3.0, 2.0, 1.5, 2.5, 1.2, 1.0, 1.0, 0.6};
static const double field_b[F__COUNT] = {0.3, 0.3, 0, 0.3, 0.3, 0.3, 0.3, 0.75};
#define BM25_K1 1.2
/* A prefix of a longer word counts this much of a whole word. */
#define PREFIX_PART 0.5
/* The whole query (at least SUBSTRING_MIN characters) inside the name adds
 * this many times the query's total idf: what was typed is in the name. */
#define NAME_BONUS    1.0
#define SUBSTRING_MIN 3  /* characters: "ea" inside "pea" is noise */
#define QUERY_WORDS   16 /* query words looked at; bounds the work per query */
/* Results scoring under this share of the best one are dropped: a query
 * about one thing does not list everything that shares a common word. */
#define RELATIVE_CUTOFF 0.35

struct field_text {
	char *text;       /* words, no separators */
	size_t len;       /* bytes of text, aliases included */
	size_t own_len;   /* bytes before the aliases (see below) */
	uint32_t *starts; /* word starts, ascending, then len */
	size_t nstarts;   /* words + 1, or 0 when there are none */
};

struct doc {
	struct field_text f[F__COUNT];
};

/* A word of the catalogue, for suggestions: its normalized text and in how
 * many documents it occurs. */
struct vocab {
	char *text;
	size_t len, chars;
	int df;
};

struct search_index {
	size_t n;
	struct doc *docs;
	double avg_words[F__COUNT]; /* mean words per field, for the length norm */
	struct vocab *vocab;
	size_t nvocab;
};

/* Builds a field_text from the words it is given. */
struct collect {
	struct field_text *ft;
	size_t cap_text, cap_starts;
};

static void collect_word(const char *word, size_t len, void *arg)
{
	struct collect *c = arg;
	struct field_text *ft = c->ft;
	if (ft->len + len + 1 > c->cap_text) {
		c->cap_text = (ft->len + len + 1) * 2;
		ft->text = xrealloc(ft->text, c->cap_text);
	}
	if (ft->nstarts + 2 > c->cap_starts) {
		c->cap_starts = (ft->nstarts + 2) * 2;
		ft->starts = xrealloc(ft->starts, c->cap_starts * sizeof *ft->starts);
	}
	/* The last entry is the end of the text; a new word starts there. */
	if (ft->nstarts == 0)
		ft->starts[ft->nstarts++] = 0;
	memcpy(ft->text + ft->len, word, len);
	ft->len += len;
	ft->text[ft->len] = '\0';
	ft->starts[ft->nstarts++] = (uint32_t)ft->len;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Where q[0..n) occurs in ft at a word start: 2 when it also ends at a word
 * end (whole words), 1 when it ends inside a word (a prefix: only for a
 * query word of at least two characters, a single letter begins too much),
 * 0 nowhere. The best over every start. */
static int field_match(const struct field_text *ft, const char *q, size_t n)
{
	int best = 0;
	if (!ft->nstarts || !n)
		return 0;
	bool prefix_ok = utf8_chars(q, n) >= 2;
	for (size_t i = 0; i + 1 < ft->nstarts; i++) {
		size_t at = ft->starts[i];
		if (ft->len - at < n || ft->text[at] != q[0] || memcmp(ft->text + at, q, n) != 0)
			continue;
		size_t end = at + n, j = i + 1;
		while (j < ft->nstarts && ft->starts[j] < end)
			j++;
		if (j < ft->nstarts && ft->starts[j] == end)
			return 2;
		if (prefix_ok)
			best = 1;
	}
	return best;
}

/* ---- everyday words --------------------------------------------------------
 *
 * Citizens search with the words they say, the catalogue uses the official
 * ones. Both kinds of everyday words are catalogue data that admins edit
 * (data/search_synonyms.csv, seeded; docs/modules/search.md):
 * - a synonym: an everyday word for a term ("พาสปอร์ต" for หนังสือเดินทาง).
 *   When a field holds the term, the word is added to that field's words
 *   (after its own, so the name bonus still looks at the real name only);
 *   once per document, to the first field (in field order) that holds it.
 * - a phrasing of what a service is for ("โดนเลิกจ้าง"): the document's
 *   keywords field (struct search_doc). */

/* Query words that carry no meaning for the catalogue ("how", "where", "I
 * want", "online": every service here is online). They are dropped unless
 * the query has nothing else. Written as the breaker cuts them, normalized
 * (no thanthakhat). */
static const char *const stop_words[] = {
    "วิธี",  "ยังไง", "อย่างไร", "ที่ไหน",   "ได้",   "ไหม",    "มั้ย",   "บ้าง", "ต้องการ", "อยาก", "ทำ",  "ขอ",  "การ",
    "และ", "หรือ",  "ออนไลน", "online", "ต้อง",  "ที่",      "ไป",   "จะ",  "ของ",    "ให้",   "ผม",  "ฉัน",  "หนู",
    "ค่ะ",  "ครับ",  "คะ",     "หน่อย",   "ทำไง", "ตรงไหน", "อะไร", "เรา", "กับ",     "ใน",   "เพื่อ", "แล้ว", "อยู่",
};

/* The normalized words of text written together ("หนังสือเดินทาง"): new string. */
static char *joined_words(const char *text)
{
	struct field_text ft = {0};
	struct collect c = {&ft, 0, 0};
	search_words(text, collect_word, &c);
	free(ft.starts);
	return ft.text ? ft.text : xstrdup("");
}

/* Adds the words of each synonym whose term one of d's fields holds. */
static void add_synonyms(struct doc *d, char *const *terms, const struct search_synonym *syn, size_t nsyn)
{
	for (size_t a = 0; a < nsyn; a++) {
		const char *off = terms[a];
		size_t offlen = strlen(off);
		if (!offlen || !syn[a].word)
			continue;
		for (int f = 0; f < F__COUNT; f++) {
			struct field_text *ft = &d->f[f];
			if (f == F_CODE || !ft->own_len || !memmem(ft->text, ft->own_len, off, offlen))
				continue;
			struct collect c = {ft, ft->len + 1, ft->nstarts};
			search_words(syn[a].word, collect_word, &c);
			break;
		}
	}
}

static void build_field(struct field_text *ft, const char *text, ThBrk *brk, struct words *w)
{
	struct collect c = {ft, 0, 0};
	memset(ft, 0, sizeof *ft);
	if (text) {
		w->brk = brk;
		w->fn = collect_word;
		w->arg = &c;
		w->count = w->nlatin = w->nthai = 0;
		words_run(w, text, strlen(text));
	}
	if (!ft->text)
		ft->text = xstrdup("");
	ft->own_len = ft->len;
}

/* ---- the vocabulary (suggestions) ---- */

static int vocab_cmp(const void *a, const void *b)
{
	const struct vocab *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->text, y->text, n);
	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/* Every word (and pair and triple of neighbouring words, so a misspelt
 * compound finds its words) of the fields people search by: names, the
 * everyday words, agency and category. Sorted, unique, with document
 * frequencies. */
static void build_vocab(struct search_index *ix)
{
	static const int fields[] = {F_NAME_TH, F_NAME_EN, F_KEYWORDS, F_AGENCY_TH, F_CATEGORY};
	size_t cap = 0;
	for (size_t i = 0; i < ix->n; i++) {
		size_t first = ix->nvocab;
		for (size_t k = 0; k < N(fields); k++) {
			const struct field_text *ft = &ix->docs[i].f[fields[k]];
			for (size_t a = 0; a + 1 < ft->nstarts; a++)
				for (size_t span = 1; span <= 3 && a + span < ft->nstarts; span++) {
					size_t from = ft->starts[a], to = ft->starts[a + span];
					size_t chars = utf8_chars(ft->text + from, to - from);
					if (chars < 2 || chars > 24)
						continue;
					if (ix->nvocab == cap) {
						cap = cap ? 2 * cap : 1024;
						ix->vocab = xrealloc(ix->vocab, cap * sizeof *ix->vocab);
					}
					ix->vocab[ix->nvocab++] =
					    (struct vocab){ft->text + from, to - from, chars, 1};
				}
		}
		/* Once per document: duplicates within it count one document. */
		size_t n = ix->nvocab - first;
		qsort(ix->vocab + first, n, sizeof *ix->vocab, vocab_cmp);
		size_t w = first;
		for (size_t k = first; k < ix->nvocab; k++)
			if (w == first || vocab_cmp(&ix->vocab[w - 1], &ix->vocab[k]))
				ix->vocab[w++] = ix->vocab[k];
		ix->nvocab = w;
	}
	if (!ix->nvocab)
		return;
	qsort(ix->vocab, ix->nvocab, sizeof *ix->vocab, vocab_cmp);
	size_t w = 0;
	for (size_t k = 0; k < ix->nvocab; k++) {
		if (w && !vocab_cmp(&ix->vocab[w - 1], &ix->vocab[k])) {
			ix->vocab[w - 1].df++;
			continue;
		}
		ix->vocab[w++] = ix->vocab[k];
	}
	ix->nvocab = w;
	/* Own copies: the field texts are not to be pointed into (realloc'ed
	 * while building, and kept separate from the vocabulary's life). */
	for (size_t k = 0; k < ix->nvocab; k++) {
		char *t = xmalloc(ix->vocab[k].len + 1);
		memcpy(t, ix->vocab[k].text, ix->vocab[k].len);
		t[ix->vocab[k].len] = '\0';
		ix->vocab[k].text = t;
	}
}

struct search_index *search_index_build(const struct search_doc *docs, size_t n,
                                        const struct search_synonym *syn, size_t nsyn)
{
	ThBrk *brk = brk_get();
	if (!brk)
		return NULL;
	struct search_index *ix = xcalloc(1, sizeof *ix);
	struct words *w = xmalloc(sizeof *w);
	ix->n = n;
	ix->docs = xcalloc(n ? n : 1, sizeof *ix->docs);
	for (size_t i = 0; i < n; i++) {
		const struct search_doc *sd = &docs[i];
		const char *text[F__COUNT] = {sd->name_th,   sd->name_en,   sd->code,        sd->keywords,
		                              sd->agency_th, sd->agency_en, sd->category_th, sd->description};
		for (int f = 0; f < F__COUNT; f++)
			build_field(&ix->docs[i].f[f], text[f], brk, w);
	}
	free(w);
	/* The synonyms' terms as the index writes them; search_words and
	 * add_synonyms take breakers from the pool themselves. */
	brk_put(brk);
	char **terms = xcalloc(nsyn ? nsyn : 1, sizeof *terms);
	for (size_t a = 0; a < nsyn; a++)
		terms[a] = joined_words(syn[a].term);
	for (size_t i = 0; i < n; i++)
		add_synonyms(&ix->docs[i], terms, syn, nsyn);
	for (size_t a = 0; a < nsyn; a++)
		free(terms[a]);
	free(terms);
	for (int f = 0; f < F__COUNT; f++) {
		size_t words = 0;
		for (size_t i = 0; i < n; i++)
			words += ix->docs[i].f[f].nstarts ? ix->docs[i].f[f].nstarts - 1 : 0;
		ix->avg_words[f] = n && words ? (double)words / (double)n : 1.0;
	}
	build_vocab(ix);
	return ix;
}

struct search_index *search_index_new(const struct search_doc *docs, size_t n)
{
	return search_index_build(docs, n, NULL, 0);
}

void search_index_free(struct search_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		for (int f = 0; f < F__COUNT; f++) {
			free(ix->docs[i].f[f].text);
			free(ix->docs[i].f[f].starts);
		}
	for (size_t k = 0; k < ix->nvocab; k++)
		free(ix->vocab[k].text);
	free(ix->vocab);
	free(ix->docs);
	free(ix);
}

/* ---- queries ------------------------------------------------------------- */

struct query {
	char text[SEARCH_QUERY_MAX + 1]; /* the words one after the other */
	size_t len;
	size_t chars; /* characters in text */
	struct {
		uint32_t at, len;
		bool stop;
	} word[QUERY_WORDS];
	size_t nwords;
	/* Every word in order, repeats and stop words included (suggestions
	 * rewrite the query from them). */
	struct {
		uint32_t at, len;
	} all[QUERY_WORDS * 2];
	size_t nall;
};

static bool is_stop_word(const char *w, size_t n)
{
	for (size_t i = 0; i < N(stop_words); i++)
		if (strlen(stop_words[i]) == n && memcmp(stop_words[i], w, n) == 0)
			return true;
	return false;
}

static void query_word(const char *word, size_t len, void *arg)
{
	struct query *q = arg;
	if (q->len + len > SEARCH_QUERY_MAX)
		return; /* cannot happen: words are never longer than the query */
	/* The whole query, for the name bonus, keeps every word. */
	size_t at = q->len;
	memcpy(q->text + at, word, len);
	q->len += len;
	q->text[q->len] = '\0';
	q->chars += utf8_chars(word, len);
	if (q->nall < N(q->all)) {
		q->all[q->nall].at = (uint32_t)at;
		q->all[q->nall].len = (uint32_t)len;
		q->nall++;
	}
	if (q->nwords == QUERY_WORDS)
		return;
	for (size_t i = 0; i < q->nwords; i++)
		if (q->word[i].len == len && memcmp(q->text + q->word[i].at, word, len) == 0)
			return; /* a word typed twice counts once */
	q->word[q->nwords].at = (uint32_t)at;
	q->word[q->nwords].len = (uint32_t)len;
	q->word[q->nwords].stop = is_stop_word(word, len);
	q->nwords++;
}

/* Drops the stop words unless nothing else is left. */
static void query_drop_stop_words(struct query *q)
{
	size_t keep = 0;
	for (size_t i = 0; i < q->nwords; i++)
		keep += !q->word[i].stop;
	if (!keep || keep == q->nwords)
		return;
	size_t k = 0;
	for (size_t i = 0; i < q->nwords; i++)
		if (!q->word[i].stop)
			q->word[k++] = q->word[i];
	q->nwords = k;
}

/* The query's words from q (at most SEARCH_QUERY_MAX bytes, never cutting a
 * character). Caller frees. */
static struct query *query_read(const char *q)
{
	size_t len = strnlen(q, SEARCH_QUERY_MAX + 1);
	if (len > SEARCH_QUERY_MAX) {
		len = SEARCH_QUERY_MAX;
		while (len && ((unsigned char)q[len] & 0xC0) == 0x80)
			len--;
	}
	struct query *qq = xcalloc(1, sizeof *qq);
	words_of(q, len, query_word, qq);
	return qq;
}

/* Whether the whole query occurs in a name (its own words, not the
 * synonyms). A query that starts with a Thai letter may occur anywhere: the
 * breaker may have cut the name elsewhere than the query. A Latin one must
 * start at a word start: Latin words are cut at spaces and punctuation, so
 * "line" inside "online" is a coincidence, not a match. */
static bool name_has(const struct field_text *ft, const struct query *q)
{
	const unsigned char *t = (const unsigned char *)q->text;
	if (q->len >= 3 && t[0] == 0xE0 && (t[1] == 0xB8 || t[1] == 0xB9)) /* U+0E00..U+0E7F */
		return memmem(ft->text, ft->own_len, q->text, q->len) != NULL;
	struct field_text own = *ft;
	own.len = ft->own_len;
	while (own.nstarts > 1 && own.starts[own.nstarts - 1] > own.len)
		own.nstarts--;
	return field_match(&own, q->text, q->len) > 0;
}

/* The BM25F term frequency of query word w in d (0: no match). A prefix of
 * a longer word counts only for the query's last word (the one being
 * typed): "ประ" of a half-typed "ประกั" is not "ประจำ". */
static double term_tf(const struct search_index *ix, const struct doc *d, const char *w, size_t n, bool last)
{
	double tf = 0;
	for (int f = 0; f < F__COUNT; f++) {
		int m = field_match(&d->f[f], w, n);
		if (!m || (m == 1 && !last))
			continue;
		double words = d->f[f].nstarts ? (double)(d->f[f].nstarts - 1) : 1.0;
		double norm = 1.0 - field_b[f] + field_b[f] * words / ix->avg_words[f];
		tf += field_weight[f] * (m == 2 ? 1.0 : PREFIX_PART) / norm;
	}
	return tf;
}

struct hit {
	double score;
	size_t doc;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Scores every document for q into hits (ix->n entries), best first;
 * returns how many matched. known (may be NULL) gets, per query word,
 * whether any document has it. */
static size_t rank(const struct search_index *ix, const struct query *q, struct hit *hits, bool *known)
{
	size_t nw = q->nwords;
	double idf[QUERY_WORDS], tf[QUERY_WORDS];
	double *tfs = xcalloc(ix->n * (nw ? nw : 1), sizeof *tfs);
	double total_idf = 0;
	for (size_t k = 0; k < nw; k++) {
		int df = 0;
		for (size_t i = 0; i < ix->n; i++) {
			double t =
			    term_tf(ix, &ix->docs[i], q->text + q->word[k].at, q->word[k].len, k + 1 == nw);
			tfs[i * nw + k] = t;
			df += t > 0;
		}
		idf[k] = df ? log(1.0 + ((double)ix->n - df + 0.5) / (df + 0.5)) : 0;
		total_idf += idf[k];
		if (known)
			known[k] = df > 0;
	}
	size_t nhits = 0;
	for (size_t i = 0; i < ix->n; i++) {
		const struct doc *d = &ix->docs[i];
		double score = 0, covered = 0;
		for (size_t k = 0; k < nw; k++) {
			tf[k] = tfs[i * nw + k];
			if (tf[k] <= 0)
				continue;
			score += idf[k] * tf[k] * (BM25_K1 + 1) / (tf[k] + BM25_K1);
			covered += idf[k];
		}
		/* Documents that hold more of the rarer words of the query first:
		 * "ลงทะเบียนคนว่างงาน" is about unemployment, not any registration. */
		if (total_idf > 0)
			score *= covered / total_idf;
		if (q->chars >= SUBSTRING_MIN &&
		    (name_has(&d->f[F_NAME_TH], q) || name_has(&d->f[F_NAME_EN], q)))
			score += NAME_BONUS * (total_idf > 0 ? total_idf : 1.0);
		if (score <= 0) {
			/* The breaker may cut a half-typed word into pieces that begin
			 * nothing ("ประกั" → "ประ|กั"); the whole query at a word start
			 * of a name still finds it. */
			for (int f = 0; f <= F_NAME_EN && score <= 0; f++)
				if (field_match(&d->f[f], q->text, q->len))
					score = 0.1;
		}
		if (score > 0)
			hits[nhits++] = (struct hit){score, i};
	}
	free(tfs);
	qsort(hits, nhits, sizeof *hits, hit_cmp);
	/* A query about one thing does not list everything that shares a word
	 * with it. */
	size_t keep = 0;
	while (keep < nhits && hits[keep].score >= RELATIVE_CUTOFF * hits[0].score)
		keep++;
	return keep;
}

size_t search_query(const struct search_index *ix, const char *q, size_t *out, size_t max)
{
	if (!ix || !q || !out || !max || !ix->n)
		return 0;
	struct query *qq = query_read(q);
	size_t nout = 0;
	if (qq->nwords) {
		query_drop_stop_words(qq);
		struct hit *hits = xmalloc(ix->n * sizeof *hits);
		size_t nhits = rank(ix, qq, hits, NULL);
		for (; nout < nhits && nout < max; nout++)
			out[nout] = hits[nout].doc;
		free(hits);
	}
	free(qq);
	return nout;
}

/* ---- suggestions ---------------------------------------------------------- */

/* Levenshtein distance over code points, or limit + 1 when it is larger. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
	uint32_t x[64], y[64];
	size_t n = 0, m = 0;
	for (size_t i = 0; i < alen && n < N(x);)
		i += utf8_next((const unsigned char *)a + i, alen - i, &x[n++]);
	for (size_t i = 0; i < blen && m < N(y);)
		i += utf8_next((const unsigned char *)b + i, blen - i, &y[m++]);
	if ((n > m ? n - m : m - n) > limit)
		return limit + 1;
	size_t row[65];
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0], best = row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t v = diag + (x[i - 1] != y[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[m];
}

/* Edits allowed to correct a word of this many characters on its own: none
 * for three or fewer (ดาว is not a slip of ชาว), then one, two, three. A
 * word after a correct one is tried with it first (below). */
static size_t edits_allowed(size_t chars)
{
	return chars <= 3 ? 0 : chars <= 6 ? 1 : chars <= 9 ? 2 : 3;
}

/* The vocabulary entry closest to w[0..n) within limit edits, or NULL:
 * fewest edits, then the most documents, then the length nearest w's. With
 * prefix (length plen > 0), only entries that start with exactly it. */
static const struct vocab *closest(const struct search_index *ix, const char *w, size_t n, size_t limit,
                                   const char *prefix, size_t plen)
{
	if (!limit)
		return NULL;
	size_t chars = utf8_chars(w, n);
	const struct vocab *best = NULL;
	size_t best_d = limit + 1;
	for (size_t k = 0; k < ix->nvocab; k++) {
		const struct vocab *v = &ix->vocab[k];
		if (plen && (v->len <= plen || memcmp(v->text, prefix, plen)))
			continue;
		size_t gap = v->chars > chars ? v->chars - chars : chars - v->chars;
		if (gap > limit)
			continue;
		size_t d = edit_distance(w, n, v->text, v->len, best_d < limit ? best_d : limit);
		if (d == 0 || d > limit)
			continue;
		size_t bgap = best ? (best->chars > chars ? best->chars - chars : chars - best->chars) : 0;
		if (!best || d < best_d ||
		    (d == best_d && (v->df > best->df || (v->df == best->df && gap < bgap)))) {
			best = v;
			best_d = d;
		}
	}
	return best;
}

/* Whether query word all[i] is unknown: not a stop word and no document
 * has it (known[] is per distinct word). */
static bool word_unknown(const struct query *q, const bool *known, size_t i)
{
	const char *w = q->text + q->all[i].at;
	size_t len = q->all[i].len;
	for (size_t k = 0; k < q->nwords; k++)
		if (q->word[k].len == len && !memcmp(q->text + q->word[k].at, w, len))
			return !known[k] && !q->word[k].stop;
	return false;
}

#define SUGGEST_UNKNOWN_MAX 4 /* unknown query words a suggestion corrects at most */

struct seg {
	const char *p;
	size_t n;
	bool corrected;
};

size_t search_suggest(const struct search_index *ix, const char *q, char *out, size_t cap)
{
	if (out && cap)
		out[0] = '\0';
	if (!ix || !q || !out || cap < 2 || !ix->n)
		return 0;
	struct query *qq = query_read(q);
	bool *known = xcalloc(QUERY_WORDS, sizeof *known);
	if (qq->nwords) {
		struct hit *hits = xmalloc(ix->n * sizeof *hits);
		rank(ix, qq, hits, known);
		free(hits);
	}
	/* A query of many unknown words is not a slip: no suggestion (and the
	 * work per query stays bounded, SUGGEST_UNKNOWN_MAX corrections). */
	size_t unknown = 0;
	for (size_t i = 0; i < qq->nall; i++)
		unknown += word_unknown(qq, known, i);
	if (unknown > SUGGEST_UNKNOWN_MAX) {
		free(known);
		free(qq);
		return 0;
	}
	/* The corrected query as segments (pointers into qq or the vocabulary). */
	struct seg seg[N(qq->all)];
	size_t nseg = 0, changed = 0;
	for (size_t i = 0; i < qq->nall;) {
		const char *word = qq->text + qq->all[i].at;
		if (!word_unknown(qq, known, i)) {
			seg[nseg++] = (struct seg){word, qq->all[i].len, false};
			i++;
			continue;
		}
		/* A run of unknown words (a misspelt word the breaker cut into
		 * pieces) is tried as one, then the first word alone. */
		size_t j = i + 1;
		while (j < qq->nall && j < i + 3 && word_unknown(qq, known, j))
			j++;
		const struct vocab *v = NULL;
		bool with_prev = false;
		for (size_t end = j; !v && end > i; end = end - 1 > i ? i + 1 : i) {
			size_t n = qq->all[end - 1].at + qq->all[end - 1].len - qq->all[i].at;
			size_t chars = utf8_chars(word, n);
			/* After a correct word: the two together, that word kept as it is
			 * ("ภาษี" + "รด" → "ภาษีรถ"). */
			if (nseg && !seg[nseg - 1].corrected && seg[nseg - 1].p + seg[nseg - 1].n == word) {
				size_t limit = edits_allowed(chars) ? edits_allowed(chars) : 1;
				v = closest(ix, seg[nseg - 1].p, seg[nseg - 1].n + n, limit, seg[nseg - 1].p,
				            seg[nseg - 1].n);
				with_prev = v != NULL;
			}
			if (!v)
				v = closest(ix, word, n, edits_allowed(chars), NULL, 0);
			if (v)
				j = end;
			if (end == i + 1)
				break;
		}
		if (!v) {
			seg[nseg++] = (struct seg){word, qq->all[i].len, false};
			i++;
			continue;
		}
		if (with_prev)
			nseg--;
		seg[nseg++] = (struct seg){v->text, v->len, true};
		changed++;
		i = j;
	}
	size_t w = 0;
	for (size_t k = 0; k < nseg && changed; k++) {
		bool latin = w && (unsigned char)out[w - 1] < 0x80 && (unsigned char)seg[k].p[0] < 0x80;
		if (w + latin + seg[k].n + 1 > cap) {
			changed = 0; /* does not fit: no cut suggestion */
			break;
		}
		if (latin)
			out[w++] = ' ';
		memcpy(out + w, seg[k].p, seg[k].n);
		w += seg[k].n;
	}
	free(known);
	free(qq);
	if (!changed) {
		out[0] = '\0';
		return 0;
	}
	out[w] = '\0';
	return w;
}
