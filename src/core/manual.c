/* The manual's section splitter (core/manual.h). */
#include "core/manual.h"

#include <stdio.h>
#include <string.h>

bool manual_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > MANUAL_ID_MAX || id[0] < 'a' || id[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			return false;
	return true;
}

const struct manual_section *manual_find(const struct manual_doc *d, const char *id)
{
	for (size_t i = 0; id && i < d->n; i++)
		if (!strcmp(d->s[i].id, id))
			return &d->s[i];
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Copies s[0..n) trimmed into out (cap bytes), cut at a UTF-8 character
 * boundary when it does not fit; NUL bytes become spaces. */
static void copy_trimmed(char *out, size_t cap, const char *s, size_t n)
{
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	if (n >= cap) {
		n = cap - 1;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] ? s[i] : ' ';
	out[n] = '\0';
}

/* A fence line: up to 3 spaces, then at least three ` or ~. Returns the
 * fence character or 0. */
static char fence_of(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && l[i] == ' ')
		i++;
	if (i + 3 > n || (l[i] != '`' && l[i] != '~'))
		return 0;
	char c = l[i];
	return (l[i + 1] == c && l[i + 2] == c) ? c : 0;
}

/* Heading text t[0..n) of a section: takes a trailing "{#id}" into id
 * ("" when none or malformed) and the rest into title. */
static void heading_parts(const char *t, size_t n, char title[MANUAL_TITLE_MAX + 1],
                          char id[MANUAL_ID_MAX + 1])
{
	id[0] = '\0';
	while (n && is_space(t[n - 1]))
		n--;
	if (n >= 4 && t[n - 1] == '}') {
		size_t open = n - 1;
		while (open > 0 && t[open] != '{' && n - open <= MANUAL_ID_MAX + 3)
			open--;
		if (t[open] == '{' && open + 1 < n && t[open + 1] == '#') {
			size_t idn = n - 1 - (open + 2);
			char cand[MANUAL_ID_MAX + 1];
			if (idn <= MANUAL_ID_MAX) {
				memcpy(cand, t + open + 2, idn);
				cand[idn] = '\0';
				if (strlen(cand) == idn && manual_id_valid(cand)) {
					memcpy(id, cand, idn + 1);
					n = open;
				}
			}
		}
	}
	copy_trimmed(title, MANUAL_TITLE_MAX + 1, t, n);
}

static bool id_taken(const struct manual_doc *d, const char *id)
{
	return manual_find(d, id) != NULL;
}

void manual_split(const char *md, size_t len, struct manual_doc *out)
{
	memset(out, 0, sizeof *out);
	char fence = 0;
	bool title_done = false;
	size_t pos = 0;
	while (pos < len) {
		const char *l = md + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ln = nl ? (size_t)(nl - l) : len - pos;
		size_t next = pos + ln + (nl ? 1 : 0);
		char f = fence_of(l, ln);
		if (fence) {
			if (f == fence)
				fence = 0;
		} else if (f) {
			fence = f;
		} else if (ln >= 3 && l[0] == '#' && l[1] == '#' && (l[2] == ' ' || l[2] == '\t') &&
		           out->n < MANUAL_SECTIONS_MAX) {
			struct manual_section *s = &out->s[out->n];
			if (out->n > 0)
				out->s[out->n - 1].body_len = pos - out->s[out->n - 1].body;
			else
				out->intro_len = pos - out->intro;
			s->head = pos;
			s->body = next;
			s->body_len = len - next;
			char id[MANUAL_ID_MAX + 1];
			heading_parts(l + 3, ln - 3, s->title, id);
			out->n++;
			if (!id[0] || id_taken(out, id)) {
				snprintf(id, sizeof id, "s%zu", out->n);
				for (int k = 2; id_taken(out, id); k++)
					snprintf(id, sizeof id, "s%zu-%d", out->n, k);
			}
			memcpy(s->id, id, strlen(id) + 1);
			title_done = true;
		} else if (!title_done && out->n == 0 && ln >= 2 && l[0] == '#' &&
		           (l[1] == ' ' || l[1] == '\t')) {
			copy_trimmed(out->title, sizeof out->title, l + 2, ln - 2);
			out->intro = next;
			out->intro_len = len - next;
			title_done = true;
		} else if (!title_done && out->n == 0 && ln > 0) {
			title_done = true; /* text before any title: the introduction starts at 0 */
		}
		pos = next;
	}
	if (out->n == 0)
		out->intro_len = len - out->intro;
}
