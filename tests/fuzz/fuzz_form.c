/* libFuzzer target for the body parsers.
 *
 * Input layout: byte 0 picks the parser and the limits; for multipart, byte 1
 * says whether the boundary is fixed ("XyZ") or taken from the input's first
 * line, so the fuzzer can both find structure quickly and vary the boundary.
 * Checks the parsers' promises: fields NUL-terminated at len, text fields
 * valid UTF-8 without NUL, limits respected, *bad set on failure. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k = c < 0x80                   ? 0
		           : (c >= 0xC2 && c <= 0xDF) ? 1
		           : (c >= 0xE0 && c <= 0xEF) ? 2
		           : (c >= 0xF0 && c <= 0xF4) ? 3
		                                      : 9;
		if (k == 9 || n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

static void check(const struct form *f, enum form_status st, const char *bad, const struct form_limits *lim)
{
	if (st != FORM_OK && !bad)
		abort();
	if (st != FORM_OK)
		return;
	if (f->n > lim->max_fields)
		abort();
	for (size_t i = 0; i < f->n; i++) {
		const struct form_field *ff = &f->f[i];
		if (!ff->name || !ff->value || ff->value[ff->len] != '\0')
			abort();
		if (strlen(ff->name) > lim->max_name ||
		    !utf8_ok((const unsigned char *)ff->name, strlen(ff->name)))
			abort();
		if (!ff->filename) {
			if (ff->len > lim->max_value || memchr(ff->value, '\0', ff->len) ||
			    !utf8_ok((const unsigned char *)ff->value, ff->len))
				abort();
		} else if (ff->len > lim->max_file) {
			abort();
		}
		if (form_get(f, ff->name) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t mode = data[0];
	struct form_limits small = {.max_fields = 4, .max_name = 8, .max_value = 16, .max_file = 32};
	const struct form_limits *lim = (mode & 2) ? &small : &FORM_DEFAULT_LIMITS;
	struct form f;
	form_init(&f);
	const char *bad = NULL;
	enum form_status st;
	if (!(mode & 1)) {
		const char *s = (const char *)data + 1;
		st = form_parse_urlencoded(&f, s, size - 1, lim, &bad);
	} else {
		const char *body = (const char *)data + 2;
		size_t len = size - 2;
		char ct[160] = "multipart/form-data; boundary=XyZ";
		if (data[1] & 1) {
			/* boundary = the first line, quoted (may be empty, too long, or odd) */
			const char *nl = memchr(body, '\n', len < 90 ? len : 90);
			size_t bl = nl ? (size_t)(nl - body) : 0;
			size_t n = (size_t)snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"");
			for (size_t i = 0; i < bl && n + 2 < sizeof ct; i++)
				if (body[i] != '\0' && body[i] != '"')
					ct[n++] = body[i];
			ct[n++] = '"';
			ct[n] = '\0';
			if (nl) {
				len -= bl + 1;
				body += bl + 1;
			}
		}
		/* a private copy with no NUL after it, so reads past len are caught */
		char *copy = malloc(len ? len : 1);
		memcpy(copy, body, len);
		st = form_parse_multipart(&f, ct, copy, len, lim, &bad);
		check(&f, st, bad, lim);
		form_cleanup(&f);
		free(copy);
		return 0;
	}
	check(&f, st, bad, lim);
	form_cleanup(&f);
	return 0;
}
