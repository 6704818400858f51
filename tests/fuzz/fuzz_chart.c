/* libFuzzer target: the SVG charts (render/chart.h). Two ways in:
 *   - the input as a JSON chart (chart_svg_from_json, the page models' form);
 *   - the input cut at NUL bytes into title, desc, unit, id and point labels,
 *     texts and notes (arbitrary bytes, invalid UTF-8 included), with values
 *     taken from the bytes too.
 * The contract checked: whatever the input, a chart that is drawn is one
 * well-formed XML document (expat) whose root is <svg>, and it holds no
 * <script> or <style> element and no style attribute. */
#include <expat.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "render/chart.h"

struct seen {
	int depth, bad;
	char root[8];
};

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct seen *s = ud;
	if (s->depth++ == 0)
		snprintf(s->root, sizeof s->root, "%s", name);
	if (!strcmp(name, "script") || !strcmp(name, "style"))
		s->bad = 1;
	for (int i = 0; atts[i]; i += 2)
		if (!strcmp(atts[i], "style") || !strncmp(atts[i], "on", 2))
			s->bad = 1;
}

static void on_end(void *ud, const XML_Char *name)
{
	((struct seen *)ud)->depth--;
}

static void check_svg(const struct buf *b)
{
	struct seen s = {0};
	XML_Parser p = XML_ParserCreate("UTF-8");
	CHECK(p);
	XML_SetUserData(p, &s);
	XML_SetElementHandler(p, on_start, on_end);
	CHECK(XML_Parse(p, b->data, (int)b->len, 1) == XML_STATUS_OK);
	XML_ParserFree(p);
	CHECK(!strcmp(s.root, "svg") && !s.bad && s.depth == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b;
	buf_init(&b, 8u << 20);
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (j) {
		if (chart_svg_from_json(&b, j) == 0)
			check_svg(&b);
		json_decref(j);
	}

	/* Pieces cut at NUL. */
	char *s = fuzz_cstr(data, size);
	const char *piece[64];
	size_t np = 0;
	for (size_t i = 0, start = 0; i <= size && np < 64; i++)
		if (i == size || s[i] == '\0') {
			piece[np++] = s + start;
			start = i + 1;
		}
	struct chart_point pts[16];
	size_t n = np > 5 ? (np - 5 + 2) / 3 : 0;
	if (n > 16)
		n = 16;
	for (size_t k = 0; k < n; k++) {
		const char *l = piece[5 + 3 * k];
		size_t ll = strlen(l);
		pts[k] = (struct chart_point){
		    .label = l,
		    .text = 5 + 3 * k + 1 < np && ll % 3 == 0 ? piece[5 + 3 * k + 1] : NULL,
		    .note = 5 + 3 * k + 2 < np ? piece[5 + 3 * k + 2] : NULL,
		    .value = ll % 2 ? (double)ll * 1e3 - 500 : ll / 7.0,
		    .missing = ll % 5 == 0,
		    .highlight = ll % 4 == 1,
		};
	}
	struct chart c = {
	    .id = np > 0 ? piece[0] : NULL,
	    .title = np > 1 ? piece[1] : NULL,
	    .desc = np > 2 ? piece[2] : NULL,
	    .unit = np > 3 ? piece[3] : NULL,
	    .decimals = np > 4 ? (int)(strlen(piece[4]) % 6) - 1 : 0,
	    .style = size % 2 ? CHART_LINE : CHART_COLUMNS,
	    .points = pts,
	    .npoints = n,
	};
	buf_reset(&b);
	CHECK(chart_trend_svg(&b, &c) == 0);
	check_svg(&b);
	buf_reset(&b);
	CHECK(chart_bars_svg(&b, &c) == 0);
	check_svg(&b);
	free(s);
	buf_cleanup(&b);
	return 0;
}
