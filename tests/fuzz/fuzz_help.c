/* libFuzzer target: the declared fields of contacts, channels and
 * แจ้งปัญหา (core/help.h) and the tel: links, against the header's rules:
 * every field is decoded, each error names a declared field, a value that
 * passes is trimmed valid UTF-8 within its length with no control
 * character (but tab and new lines in multi-line text), a choice is one of
 * its values, a URL starts with http(s)://; a tel: link is "tel:" then
 * 3..15 ASCII digits (a leading '+' allowed) and at most one ","
 * extension. The input is split at NUL bytes into the form's values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/help.h"
#include "lib/filecheck.h"

#include "check.h"

struct vals {
	const char *v[8];
	size_t n;
};

static const char *const *current_names;

static const char *get(const char *name, void *ctx)
{
	struct vals *v = ctx;
	for (size_t i = 0; current_names[i]; i++)
		if (!strcmp(current_names[i], name))
			return i < v->n ? v->v[i] : NULL;
	return NULL;
}

static void check_list(const struct help_field *list, struct vals *v, bool partial)
{
	const char *names[HELP_FIELDS_MAX + 1] = {0};
	size_t n = help_fields_count(list);
	for (size_t i = 0; i < n; i++)
		names[i] = list[i].name;
	current_names = names;
	struct help_values out;
	struct help_errors e;
	int rc = help_fields_check(list, get, v, partial, &out, &e);
	CHECK(out.n == n);
	CHECK((rc == 0) == (e.n == 0));
	for (size_t i = 0; i < e.n; i++) {
		bool known = false;
		for (size_t k = 0; k < n; k++)
			known = known || !strcmp(e.e[i].field, list[k].name);
		CHECK(known && e.e[i].message && *e.e[i].message);
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = out.v[i];
		bool failed = false;
		for (size_t k = 0; k < e.n; k++)
			failed = failed || !strcmp(e.e[k].field, list[i].name);
		if (failed || !*s)
			continue;
		size_t len = strlen(s);
		CHECK(filecheck_text_ok(s, len));
		CHECK(s[0] != ' ' && s[len - 1] != ' ' && s[len - 1] != '\n');
		if (list[i].kind != HF_TEXT)
			CHECK(!strchr(s, '\n') && !strchr(s, '\t') && !strchr(s, '\r'));
		if (list[i].kind == HF_URL)
			CHECK(!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
		if (list[i].kind == HF_CHOICE) {
			bool one = false;
			for (size_t k = 0; list[i].choices[k]; k++)
				one = one || !strcmp(list[i].choices[k], s);
			CHECK(one);
		}
		long chars = 0;
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			chars += (*p & 0xC0) != 0x80;
		CHECK(chars <= list[i].max);
	}
	help_values_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	CHECK(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	struct vals v = {{0}, 0};
	for (char *p = buf; v.n < 8 && p <= buf + size; p += strlen(p) + 1)
		v.v[v.n++] = p;
	const struct help_field *lists[] = {help_fields_contact, help_fields_channel, help_fields_thread,
	                                    help_fields_reply, help_fields_doc};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		check_list(lists[i], &v, false);
		check_list(lists[i], &v, true);
	}
	char tel[HELP_TEL_MAX];
	if (help_tel_href(buf, tel)) {
		CHECK(!strncmp(tel, "tel:", 4));
		const char *p = tel + 4;
		if (*p == '+')
			p++;
		size_t digits = 0;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		CHECK(digits >= 3 && digits <= 15);
		if (*p == ',') {
			p++;
			CHECK(*p >= '0' && *p <= '9');
			while (*p >= '0' && *p <= '9')
				p++;
		}
		CHECK(*p == '\0');
	} else {
		CHECK(tel[0] == '\0');
	}
	free(buf);
	return 0;
}
