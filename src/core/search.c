#include "core/search.h"

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

/* TIS-620 0xA1..0xFB are U+0E01..U+0E5B: three bytes of UTF-8 each. */
static void emit_thai(struct words *w, size_t from, size_t to)
{
	size_t k = 0;
	for (size_t i = from; i < to; i++) {
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
 * ("ชำระภาษีรถประจำปีออนไลน์") and the offsets where words start. A query word
 * matches a field when it occurs there starting at a word start: it then
 * equals a word or begins one ("ประกันสัง" begins "ประกัน|สังคม"), and a word
 * the breaker cut differently in the query and in the document ("น้ำประปา"
 * against "น้ำ|ประปา") still matches. A scan over a few hundred documents of
 * a few hundred words is microseconds. */

enum field {
	F_NAME_TH,
	F_NAME_EN,
	F_CODE,
	F_AGENCY_TH,
	F_AGENCY_EN,
	F_CATEGORY,
	F_DESCRIPTION,
	F__COUNT,
};

/* How much a word found in each field counts (doubled for a whole word). */
static const int field_weight[F__COUNT] = {10, 6, 5, 4, 3, 3, 1};

/* Bonus when the whole query (at least SUBSTRING_MIN characters) occurs
 * anywhere in the name: ranks a name containing what was typed above
 * documents that merely contain its words. */
#define BONUS_NAME_TH 30
#define BONUS_NAME_EN 20
#define SUBSTRING_MIN 3  /* characters: "ea" inside "pea" is noise */
#define QUERY_WORDS   16 /* query words looked at; bounds the work per query */

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

struct search_index {
	size_t n;
	struct doc *docs;
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

/* Where q[0..n) occurs in ft at a word start: 2 when it also ends at a word
 * end (whole words), 1 when it ends inside a word (a prefix), 0 nowhere.
 * The best over every start. */
static int field_match(const struct field_text *ft, const char *q, size_t n)
{
	int best = 0;
	if (!ft->nstarts || !n)
		return 0;
	for (size_t i = 0; i + 1 < ft->nstarts; i++) {
		size_t at = ft->starts[i];
		if (ft->len - at < n || ft->text[at] != q[0] || memcmp(ft->text + at, q, n) != 0)
			continue;
		size_t end = at + n, j = i + 1;
		while (j < ft->nstarts && ft->starts[j] < end)
			j++;
		if (j < ft->nstarts && ft->starts[j] == end)
			return 2;
		best = 1;
	}
	return best;
}

/* ---- colloquial words ------------------------------------------------------
 *
 * Citizens search with the words they say, the catalogue uses the official
 * ones: "พาสปอร์ต" for หนังสือเดินทาง, "ใบขับขี่" for ใบอนุญาตขับรถ, "บัตรคนจน" for
 * บัตรสวัสดิการแห่งรัฐ, "เช็ค" for ตรวจสอบ. When a field holds the official
 * term, the everyday words are added to that field's words (after its own,
 * so the name substring bonus still looks at the real name only). Each rule
 * applies once per document, to the first field (by weight) that holds it. */
static const struct {
	const char *official, *everyday;
} aliases[] = {
    {"หนังสือเดินทาง", "พาสปอร์ต"},
    {"ใบอนุญาตขับรถ", "ใบขับขี่"},
    {"บัตรสวัสดิการแห่งรัฐ", "บัตรคนจน"},
    {"หลักประกันสุขภาพ", "บัตรทอง สิทธิบัตรทอง"},
    {"ภาษีรถ", "ต่อภาษี รถยนต์ รถจักรยานยนต์ มอเตอร์ไซค์ ต่อทะเบียนรถ"},
    {"ตรวจสอบ", "เช็ค เช็ก"},
    {"ชำระ", "จ่าย"},
    {"ลงทะเบียน", "สมัคร"},
    {"แปลงที่ดิน", "โฉนด"},
    {"เพื่อการศึกษา", "เรียน"},
    {"ผู้ประกันตน", "ประกันสังคม"},
    {"แอป", "แอพ"},
    {"ร้องทุกข์", "ร้องเรียน"},
    {"ร้องเรียน", "ร้องทุกข์"},
};

/* Query words that carry no meaning for the catalogue ("how", "where", "I
 * want", "online": every service here is online). They are dropped unless
 * the query has nothing else. Written as the breaker cuts them. */
static const char *const stop_words[] = {
    "วิธี",   "ยังไง", "อย่างไร", "ที่ไหน", "ได้",  "ไหม", "มั้ย",     "บ้าง",    "ต้องการ",
    "อยาก", "ทำ",   "ขอ",     "การ",  "และ", "หรือ", "ออนไลน์", "online",
};

static void add_aliases(struct doc *d)
{
	for (size_t a = 0; a < N(aliases); a++) {
		const char *off = aliases[a].official;
		for (int f = 0; f < F__COUNT; f++) {
			struct field_text *ft = &d->f[f];
			if (f == F_CODE || !ft->own_len || !memmem(ft->text, ft->own_len, off, strlen(off)))
				continue;
			struct collect c = {ft, ft->len + 1, ft->nstarts};
			search_words(aliases[a].everyday, collect_word, &c);
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

struct search_index *search_index_new(const struct search_doc *docs, size_t n)
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
		const char *text[F__COUNT] = {sd->name_th,   sd->name_en,     sd->code,       sd->agency_th,
		                              sd->agency_en, sd->category_th, sd->description};
		for (int f = 0; f < F__COUNT; f++)
			build_field(&ix->docs[i].f[f], text[f], brk, w);
	}
	free(w);
	/* add_aliases takes breakers from the pool itself. */
	brk_put(brk);
	for (size_t i = 0; i < n; i++)
		add_aliases(&ix->docs[i]);
	return ix;
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
	} word[QUERY_WORDS];
	size_t nwords;
};

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
	for (size_t i = 0; i < len; i++)
		q->chars += ((unsigned char)word[i] & 0xC0) != 0x80;
	if (q->nwords == QUERY_WORDS)
		return;
	for (size_t i = 0; i < q->nwords; i++)
		if (q->word[i].len == len && memcmp(q->text + q->word[i].at, word, len) == 0)
			return; /* a word typed twice counts once */
	q->word[q->nwords].at = (uint32_t)at;
	q->word[q->nwords].len = (uint32_t)len;
	q->nwords++;
}

static bool is_stop_word(const char *w, size_t n)
{
	for (size_t i = 0; i < N(stop_words); i++)
		if (strlen(stop_words[i]) == n && memcmp(stop_words[i], w, n) == 0)
			return true;
	return false;
}

/* Drops the stop words unless nothing else is left. */
static void query_drop_stop_words(struct query *q)
{
	size_t keep = 0;
	for (size_t i = 0; i < q->nwords; i++)
		keep += !is_stop_word(q->text + q->word[i].at, q->word[i].len);
	if (!keep || keep == q->nwords)
		return;
	size_t k = 0;
	for (size_t i = 0; i < q->nwords; i++)
		if (!is_stop_word(q->text + q->word[i].at, q->word[i].len))
			q->word[k++] = q->word[i];
	q->nwords = k;
}

/* Whether the whole query occurs in a name (its own words, not the
 * aliases). A query that starts with a Thai letter may occur anywhere: the
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

/* The score of document d for q; 0 = not a match. */
static int doc_score(const struct doc *d, const struct query *q)
{
	int words = 0;
	for (size_t i = 0; i < q->nwords; i++) {
		const char *w = q->text + q->word[i].at;
		size_t n = q->word[i].len;
		int best = 0;
		for (int f = 0; f < F__COUNT; f++) {
			if (field_weight[f] * 2 <= best)
				continue;
			int m = field_match(&d->f[f], w, n);
			if (m && field_weight[f] * m > best)
				best = field_weight[f] * m;
		}
		if (!best) {
			words = 0;
			break;
		}
		words += best;
	}
	int bonus = 0;
	if (q->chars >= SUBSTRING_MIN) {
		if (name_has(&d->f[F_NAME_TH], q))
			bonus += BONUS_NAME_TH;
		if (name_has(&d->f[F_NAME_EN], q))
			bonus += BONUS_NAME_EN;
	}
	if (!words && !bonus) {
		/* The breaker may cut a half-typed word into pieces that begin
		 * nothing ("ประกั" → "ประ|กั"); the whole query at a word start of
		 * any field still finds it. */
		for (int f = 0; f < F__COUNT && !bonus; f++) {
			int m = field_match(&d->f[f], q->text, q->len);
			if (m)
				bonus = field_weight[f] * m;
		}
	}
	return words + bonus;
}

struct hit {
	int score;
	size_t doc;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

size_t search_query(const struct search_index *ix, const char *q, size_t *out, size_t max)
{
	if (!ix || !q || !out || !max || !ix->n)
		return 0;
	/* Look at SEARCH_QUERY_MAX bytes, not cutting a character in two. */
	size_t len = strnlen(q, SEARCH_QUERY_MAX + 1);
	if (len > SEARCH_QUERY_MAX) {
		len = SEARCH_QUERY_MAX;
		while (len && ((unsigned char)q[len] & 0xC0) == 0x80)
			len--;
	}
	struct query *qq = xcalloc(1, sizeof *qq);
	words_of(q, len, query_word, qq);
	size_t nout = 0;
	if (qq->nwords) {
		query_drop_stop_words(qq);
		struct hit *hits = xmalloc(ix->n * sizeof *hits);
		size_t nhits = 0;
		for (size_t i = 0; i < ix->n; i++) {
			int s = doc_score(&ix->docs[i], qq);
			if (s > 0)
				hits[nhits++] = (struct hit){s, i};
		}
		qsort(hits, nhits, sizeof *hits, hit_cmp);
		for (; nout < nhits && nout < max; nout++)
			out[nout] = hits[nout].doc;
		free(hits);
	}
	free(qq);
	return nout;
}
