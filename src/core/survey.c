/* The survey's rules (see survey.h). No I/O. */
#include "core/survey.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "lib/thai.h"

/* The default question set (issue 10): version 1 of migration 009 holds the
 * same items (a test compares them). */
static const struct {
	const char *key, *label;
} default_items[] = {
    {"reach", "ความสะดวกในการเดินทางมาถึงจุดให้บริการ"}, {"speed", "ความรวดเร็วในการให้บริการ"},
    {"guidance", "การแนะนำและอธิบายของเจ้าหน้าที่"},     {"courtesy", "ความสุภาพและความเอาใจใส่ของเจ้าหน้าที่"},
    {"outcome", "ท่านได้รับบริการตามที่ต้องการ"},
};

void survey_qset_default(struct survey_qset *qs)
{
	memset(qs, 0, sizeof *qs);
	qs->version = 1;
	for (size_t i = 0; i < sizeof default_items / sizeof default_items[0]; i++) {
		snprintf(qs->items[i].key, sizeof qs->items[i].key, "%s", default_items[i].key);
		snprintf(qs->items[i].label_th, sizeof qs->items[i].label_th, "%s", default_items[i].label);
		qs->n++;
	}
}

/* The two fields every set has; items go between them. */
static const struct survey_field field_overall = {"overall", SURVEY_FIELD_SCORE, true, SURVEY_SCORE_MAX,
                                                  "โดยรวมแล้ว ท่านพึงพอใจต่อการให้บริการครั้งนี้เพียงใด"};
static const struct survey_field field_comment = {"comment", SURVEY_FIELD_TEXT, false, SURVEY_COMMENT_MAX,
                                                  "ข้อเสนอแนะเพิ่มเติม (ไม่บังคับ)"};

size_t survey_fields(const struct survey_qset *qs, struct survey_field out[SURVEY_FIELDS_MAX])
{
	size_t n = 0;
	out[n++] = field_overall;
	for (size_t i = 0; i < qs->n && i < SURVEY_ITEMS_MAX; i++)
		out[n++] = (struct survey_field){qs->items[i].key, SURVEY_FIELD_SCORE, false,
		                                 SURVEY_SCORE_MAX, qs->items[i].label_th};
	out[n++] = field_comment;
	return n;
}

/* Names the form itself uses: an item may not take one. */
static const char *const reserved[] = {"overall", "comment", "csrf",   "v",      "stamp",   "website",
                                       "mode",    "day",     "number", "format", "version", NULL};

bool survey_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > SURVEY_KEY_MAX || key[0] < 'a' || key[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	for (size_t i = 0; reserved[i]; i++)
		if (!strcmp(key, reserved[i]))
			return false;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* s without leading and trailing ASCII white space, as a span. */
static struct text_span trimmed(const char *s)
{
	struct text_span t = {s ? s : "", s ? strlen(s) : 0};
	while (t.n && is_space(t.p[0])) {
		t.p++;
		t.n--;
	}
	while (t.n && is_space(t.p[t.n - 1]))
		t.n--;
	return t;
}

int survey_score_parse(const char *s, int *value)
{
	struct text_span t = trimmed(s);
	if (!t.n)
		return 0;
	int v = 0, digits = 0;
	size_t i = 0;
	while (i < t.n) {
		int d;
		int k = thai_digit_scan(t.p + i, t.n - i, &d);
		if (k <= 0)
			return -1;
		if (++digits > 2)
			return -1;
		v = v * 10 + d;
		i += (size_t)k;
	}
	if (v < SURVEY_SCORE_MIN || v > SURVEY_SCORE_MAX)
		return -1;
	*value = v;
	return 1;
}

static void add_error(struct survey_errors *errs, const char *field, const char *message)
{
	if (errs->n >= SURVEY_MAX_ERRORS)
		return;
	snprintf(errs->e[errs->n].field, sizeof errs->e[errs->n].field, "%s", field);
	errs->e[errs->n].message = message;
	errs->n++;
}

/* Code points of valid UTF-8 text. */
static size_t utf8_chars(struct text_span t)
{
	size_t n = 0;
	for (size_t i = 0; i < t.n; i++)
		if (((unsigned char)t.p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

int survey_answers_check(const struct survey_qset *qs, const char *(*get)(const char *name, void *ctx),
                         void *ctx, struct survey_answers *out, struct survey_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;
	struct survey_field f[SURVEY_FIELDS_MAX];
	size_t nf = survey_fields(qs, f);
	for (size_t i = 0; i < nf; i++) {
		const char *raw = get(f[i].name, ctx);
		if (f[i].kind == SURVEY_FIELD_SCORE) {
			int v = 0;
			int rc = survey_score_parse(raw, &v);
			if (rc < 0) {
				add_error(errs, f[i].name, "กรุณาเลือกคะแนนเป็นจำนวนเต็มตั้งแต่ 0 ถึง 10");
				continue;
			}
			if (rc == 0) {
				if (f[i].required)
					add_error(errs, f[i].name, "กรุณาให้คะแนนความพึงพอใจโดยรวม (0 ถึง 10)");
				continue;
			}
			if (!strcmp(f[i].name, "overall")) {
				out->overall = v;
			} else {
				snprintf(out->items[out->n].key, sizeof out->items[out->n].key, "%s",
				         f[i].name);
				out->items[out->n++].value = v;
			}
			continue;
		}
		struct text_span t = trimmed(raw);
		enum text_fault fault = text_check(t, TEXT_ALLOW_LF | TEXT_ALLOW_CR | TEXT_ALLOW_TAB);
		if (fault != TEXT_OK) {
			add_error(errs, f[i].name, "ข้อความมีอักขระที่ไม่รองรับ");
			continue;
		}
		if (utf8_chars(t) > (size_t)f[i].max || t.n > SURVEY_COMMENT_BYTES) {
			add_error(errs, f[i].name, "ข้อเสนอแนะยาวเกิน 500 ตัวอักษร");
			continue;
		}
		if (f[i].required && !t.n) {
			add_error(errs, f[i].name, "กรุณากรอกช่องนี้");
			continue;
		}
		memcpy(out->comment, t.p, t.n);
		out->comment[t.n] = '\0';
	}
	return errs->n ? -1 : 0;
}

int survey_answers_json(const struct survey_answers *a, char *out, size_t cap)
{
	size_t len = 0;
	int n = snprintf(out, cap, "{");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < a->n; i++) {
		/* Keys are [a-z0-9_] (survey_key_valid): nothing to escape. */
		n = snprintf(out + len, cap - len, "%s\"%s\":%d", i ? "," : "", a->items[i].key,
		             a->items[i].value);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(out + len, cap - len, "}");
	if (n < 0 || (size_t)n >= cap - len)
		return -1;
	return (int)(len + (size_t)n);
}

int survey_qset_check(size_t nraw, const char *const keys[], const char *const labels[],
                      struct survey_qset *out, struct survey_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;
	for (size_t i = 0; i < nraw; i++) {
		struct text_span k = trimmed(keys[i]), l = trimmed(labels[i]);
		if (!k.n && !l.n)
			continue;
		char fk[48], fl[48];
		snprintf(fk, sizeof fk, "items[%zu].key", i);
		snprintf(fl, sizeof fl, "items[%zu].label_th", i);
		if (out->n == SURVEY_ITEMS_MAX) {
			add_error(errs, fk, "มีข้อคำถามได้ไม่เกิน 12 ข้อ");
			continue;
		}
		char key[SURVEY_KEY_MAX + 1] = "";
		bool key_ok = k.n <= SURVEY_KEY_MAX;
		if (key_ok) {
			memcpy(key, k.p, k.n);
			key[k.n] = '\0';
			key_ok = survey_key_valid(key);
		}
		if (!k.n)
			add_error(errs, fk, "กรุณากรอกรหัสข้อคำถาม");
		else if (!key_ok)
			add_error(errs, fk,
			          "รหัสข้อคำถามใช้ได้เฉพาะ a-z 0-9 และ _ ขึ้นต้นด้วยตัวอักษร ยาวไม่เกิน 32 ตัว "
			          "และต้องไม่ใช่ชื่อที่ระบบใช้ (overall, comment ...)");
		else
			for (size_t j = 0; j < out->n; j++)
				if (!strcmp(out->items[j].key, key)) {
					add_error(errs, fk, "รหัสข้อคำถามซ้ำกับข้ออื่น");
					key_ok = false;
					break;
				}
		bool label_ok = false;
		if (!l.n)
			add_error(errs, fl, "กรุณากรอกข้อคำถาม");
		else if (text_check(l, 0) != TEXT_OK)
			add_error(errs, fl, "ข้อคำถามมีอักขระที่ไม่รองรับ");
		else if (l.n > SURVEY_LABEL_MAX)
			add_error(errs, fl, "ข้อคำถามยาวเกิน 300 ไบต์");
		else
			label_ok = true;
		if (key_ok && label_ok) {
			struct survey_item *it = &out->items[out->n++];
			memcpy(it->key, key, strlen(key) + 1);
			memcpy(it->label_th, l.p, l.n);
			it->label_th[l.n] = '\0';
		}
	}
	return errs->n ? -1 : 0;
}

enum survey_timing survey_point_timing(int64_t issued, int64_t now, int64_t min_seconds, int64_t max_age)
{
	if (issued <= 0 || issued > now + 60 || now - issued > max_age)
		return SURVEY_TIMING_STALE;
	if (now - issued < min_seconds)
		return SURVEY_TIMING_TOO_FAST;
	return SURVEY_TIMING_OK;
}

bool survey_throttle_allow(int64_t window_start, int64_t count, int64_t now, int64_t window, int64_t limit,
                           int64_t *retry_after)
{
	if (limit <= 0) {
		if (retry_after)
			*retry_after = window > 0 ? window : 1;
		return false;
	}
	bool fresh = count <= 0 || window_start <= 0 || now < window_start || now - window_start >= window;
	if (fresh || count < limit)
		return true;
	if (retry_after) {
		int64_t r = window_start + window - now;
		*retry_after = r < 1 ? 1 : r;
	}
	return false;
}

int64_t survey_token_oldest(int64_t now, int days)
{
	return days < 1 ? INT64_MAX : now - (int64_t)days * 86400;
}

bool survey_token_valid(int64_t visited_at, int64_t now, int days)
{
	return visited_at >= survey_token_oldest(now, days);
}

static const char *const offer_names[] = {"both", "official", "osspoint"};
static const char *const offer_labels[] = {
    "ทั้งแบบสำรวจของสำนักงาน ก.พ.ร. และของ osspoint",
    "เฉพาะแบบสำรวจของสำนักงาน ก.พ.ร.",
    "เฉพาะแบบสำรวจของ osspoint",
};

int survey_offer_from_name(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, offer_names[i]))
			return i;
	return -1;
}

const char *survey_offer_name(enum survey_offer o)
{
	return (unsigned)o < 3 ? offer_names[o] : offer_names[0];
}

const char *survey_offer_label_th(enum survey_offer o)
{
	return (unsigned)o < 3 ? offer_labels[o] : offer_labels[0];
}

void survey_offer_resolve(enum survey_offer o, bool have_official_url, bool *show_official,
                          bool *show_osspoint)
{
	*show_official = have_official_url && o != SURVEY_OFFER_OSSPOINT;
	*show_osspoint = !*show_official || o != SURVEY_OFFER_OFFICIAL;
}

bool survey_official_url_valid(const char *url)
{
	if (!url)
		return false;
	size_t n = strlen(url);
	size_t scheme = !strncmp(url, "https://", 8) ? 8 : !strncmp(url, "http://", 7) ? 7 : 0;
	if (!scheme || n <= scheme || n > 500)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
		    c == '`')
			return false;
	}
	return url[scheme] != '/';
}
