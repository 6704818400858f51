/* The satisfaction survey's rules (แบบสำรวจความพึงพอใจ), no I/O.
 *
 * A response answers one version of the question set: the overall item
 * (0–10, required: it is the KPI, DESIGN.md §2), the set's aspect items
 * (each 0–10, optional) and a comment (optional, at most
 * SURVEY_COMMENT_MAX characters; it may hold names and phone numbers, so it
 * is personal data: views audited, erased by the retention purge).
 *
 * The form's fields are declared once (survey_fields): name, kind, limits
 * and Thai label. The form and the page model, the JSON API, the decoder
 * and the error messages all come from that one list, so a field cannot be
 * validated one way and shown another.
 *
 * Scores are read from text: ASCII or Thai digits (๐–๙), surrounding
 * white space ignored; "" or absent = not answered. Strings are borrowed. */
#ifndef OSSPOINT_CORE_SURVEY_H
#define OSSPOINT_CORE_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SURVEY_SCORE_MIN     0
#define SURVEY_SCORE_MAX     10
#define SURVEY_ITEMS_MAX     12  /* aspect items per question set */
#define SURVEY_KEY_MAX       32  /* bytes of an item key */
#define SURVEY_LABEL_MAX     300 /* bytes of UTF-8 of an item's Thai label */
#define SURVEY_COMMENT_MAX   500 /* characters (code points) of the comment */
#define SURVEY_COMMENT_BYTES (SURVEY_COMMENT_MAX * 4)
#define SURVEY_MAX_ERRORS    (SURVEY_ITEMS_MAX * 2 + 8)

/* One aspect item: key ([a-z][a-z0-9_]*, at most SURVEY_KEY_MAX bytes, not
 * one of the form's own field names) and its Thai label. */
struct survey_item {
	char key[SURVEY_KEY_MAX + 1];
	char label_th[SURVEY_LABEL_MAX + 1];
};

/* A version of the question set. version >= 1 once stored. */
struct survey_qset {
	int64_t version;
	size_t n;
	struct survey_item items[SURVEY_ITEMS_MAX];
};

/* The default items of issue 10 (version 1 of migration 009): reach (ease of
 * reaching the point), speed, guidance (the officer's guidance), courtesy,
 * outcome (got what they came for). version is set to 1. */
void survey_qset_default(struct survey_qset *qs);

/* ---- the form's fields, declared once ---- */

enum survey_field_kind {
	SURVEY_FIELD_SCORE, /* integer SURVEY_SCORE_MIN..SURVEY_SCORE_MAX */
	SURVEY_FIELD_TEXT,  /* free text, at most max characters */
};

struct survey_field {
	const char *name; /* form / JSON member name: "overall", an item key, "comment" */
	enum survey_field_kind kind;
	bool required;
	int max;              /* TEXT: characters; SCORE: SURVEY_SCORE_MAX */
	const char *label_th; /* the question as the citizen reads it */
};

/* The fields of a form for qs, in the form's order: "overall", one per item
 * (labels borrowed from qs), "comment". Returns the count (<= SURVEY_ITEMS_MAX
 * + 2). */
#define SURVEY_FIELDS_MAX (SURVEY_ITEMS_MAX + 2)
size_t survey_fields(const struct survey_qset *qs, struct survey_field out[SURVEY_FIELDS_MAX]);

/* The end labels of every 0–10 scale (the radio group's two ends). */
#define SURVEY_SCALE_LOW_TH  "0 = ไม่พอใจอย่างยิ่ง"
#define SURVEY_SCALE_HIGH_TH "10 = พอใจอย่างยิ่ง"

/* ---- answers ---- */

struct survey_answers {
	int overall; /* 0..10 */
	size_t n;    /* aspect items answered, in the set's order */
	struct {
		char key[SURVEY_KEY_MAX + 1];
		int value; /* 0..10 */
	} items[SURVEY_ITEMS_MAX];
	char comment[SURVEY_COMMENT_BYTES + 1]; /* trimmed; "" = none */
};

struct survey_errors {
	size_t n;
	struct {
		char field[48];
		const char *message; /* Thai, static */
	} e[SURVEY_MAX_ERRORS];
};

/* Reads a score: Thai or ASCII digits, white space around ignored. Returns
 * 1 with *value set, 0 when s is NULL or blank (not answered), -1 when it is
 * not an integer 0..10. */
int survey_score_parse(const char *s, int *value);

/* Decodes and checks one response for qs. get(name, ctx) returns the raw
 * text of a field (NULL when absent). Every field is checked and every error
 * listed (field name + Thai message), in the form's order. Returns 0 (out
 * filled) or -1 (errs->n > 0; out is partly filled). */
int survey_answers_check(const struct survey_qset *qs, const char *(*get)(const char *name, void *ctx),
                         void *ctx, struct survey_answers *out, struct survey_errors *errs);

/* The stored answers_json of out: {"key": value, ...} in the set's order
 * (only the items answered; "{}" when none). Writes at most cap bytes
 * (NUL included). Returns the length, or -1 when it does not fit. */
#define SURVEY_ANSWERS_JSON_MAX (SURVEY_ITEMS_MAX * (SURVEY_KEY_MAX + 8) + 4)
int survey_answers_json(const struct survey_answers *a, char *out, size_t cap);

/* ---- editing the question set (a national admin) ---- */

/* Checks a new question set: 0..SURVEY_ITEMS_MAX items, each key well-formed
 * (as struct survey_item says), distinct, not reserved; each label
 * non-empty readable text of at most SURVEY_LABEL_MAX bytes (trimmed). raw
 * keys and labels are the submitted text (may be NULL = empty); a row whose
 * key and label are both empty is skipped (an unused row of the form).
 * Errors name "items[i].key" / "items[i].label_th" (i from 0, the row given).
 * Returns 0 (out filled, out->version = 0) or -1. */
int survey_qset_check(size_t nraw, const char *const keys[], const char *const labels[],
                      struct survey_qset *out, struct survey_errors *errs);
/* True when key is a well-formed, unreserved item key. */
bool survey_key_valid(const char *key);

/* ---- the point's QR: timing and throttling ---- */

enum survey_timing {
	SURVEY_TIMING_OK = 0,
	SURVEY_TIMING_TOO_FAST, /* sent less than min_seconds after the form was issued */
	SURVEY_TIMING_STALE,    /* issued more than max_age seconds ago, or in the future */
};
/* Whether a point form issued at `issued` may be accepted at `now`. A clock
 * step of up to 60 s backwards is tolerated (nodes' clocks differ). */
enum survey_timing survey_point_timing(int64_t issued, int64_t now, int64_t min_seconds, int64_t max_age);

/* One fixed window of the point's throttle: `count` responses since
 * window_start (0 when none). Returns true when one more is allowed at now
 * under `limit` per `window` seconds (a window that has ended starts
 * afresh); else false with *retry_after (may be NULL) = seconds until the
 * window ends (at least 1). */
bool survey_throttle_allow(int64_t window_start, int64_t count, int64_t now, int64_t window, int64_t limit,
                           int64_t *retry_after);

/* ---- per-visit tokens ---- */

/* Whether a token for an entry visited at visited_at is still valid at now:
 * valid for `days` days (survey_token_days) from the visit, inclusive of
 * the last second. */
bool survey_token_valid(int64_t visited_at, int64_t now, int days);

/* The same rule as a bound for a query: the earliest visited_at whose token is
 * still valid at now (INT64_MAX when days < 1: none is). survey_token_valid is
 * visited_at >= survey_token_oldest(now, days). */
int64_t survey_token_oldest(int64_t now, int days);

/* ---- which survey to offer (the official ก.พ.ร. one, osspoint's, both) ---- */

enum survey_offer {
	SURVEY_OFFER_BOTH = 0, /* the default */
	SURVEY_OFFER_OFFICIAL,
	SURVEY_OFFER_OSSPOINT,
};
/* "both", "official", "osspoint" ↔ the enum; unknown → -1. */
int survey_offer_from_name(const char *s);
const char *survey_offer_name(enum survey_offer o);
const char *survey_offer_label_th(enum survey_offer o);
/* What a slip or the tablet shows, given the setting and whether an official
 * link is set: the official survey needs its link, osspoint's own is shown
 * whenever the official one is not (so something is always offered). */
void survey_offer_resolve(enum survey_offer o, bool have_official_url, bool *show_official,
                          bool *show_osspoint);

/* Whether url can be stored as the official survey's link: http(s)://, at
 * most 500 bytes, no white space, control or quote characters. */
bool survey_official_url_valid(const char *url);

#endif
