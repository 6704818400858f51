/* render/chart: the SVG charts. Every output is parsed with a real XML parser
 * (expat, already a dependency through lib/xlsx_read), which must find it
 * well-formed, and the parsed tree is checked for what chart.h promises:
 * one <svg> root with xmlns, viewBox and no width/height, role="img",
 * aria-labelledby naming its own <title> and <desc>, unique ids, no style
 * attribute, <style>, <script>, event attribute or external reference, and
 * the texts given coming back as given (so escaping is right, not only
 * harmless). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <expat.h>

#include "render/chart.h"

/* What the parse found. */
struct doc {
	int depth, elements, rects, circles, polylines, texts_in_title;
	char root[32];
	char ids[64][80];
	int nids;
	char labelledby[200];
	char title_id[80], desc_id[80];
	bool root_ok, bad; /* bad: a forbidden element or attribute */
	char bad_what[128];
	char text[65536]; /* all character data, concatenated */
	size_t tlen;
	char cur[32];
	char svg_title[1024];
	int in_root_title;
};

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct doc *d = ud;
	d->elements++;
	snprintf(d->cur, sizeof d->cur, "%s", name);
	if (d->depth == 0) {
		snprintf(d->root, sizeof d->root, "%s", name);
		bool xmlns = false, vb = false, role = false;
		for (int i = 0; atts[i]; i += 2) {
			if (!strcmp(atts[i], "xmlns") && !strcmp(atts[i + 1], "http://www.w3.org/2000/svg"))
				xmlns = true;
			if (!strcmp(atts[i], "viewBox") && !strncmp(atts[i + 1], "0 0 360 ", 8))
				vb = true;
			if (!strcmp(atts[i], "role") && !strcmp(atts[i + 1], "img"))
				role = true;
			if (!strcmp(atts[i], "aria-labelledby"))
				snprintf(d->labelledby, sizeof d->labelledby, "%s", atts[i + 1]);
			if (!strcmp(atts[i], "width") || !strcmp(atts[i], "height")) {
				d->bad = true;
				snprintf(d->bad_what, sizeof d->bad_what, "root %s", atts[i]);
			}
		}
		d->root_ok = xmlns && vb && role;
	}
	if (!strcmp(name, "style") || !strcmp(name, "script") || !strcmp(name, "foreignObject") ||
	    !strcmp(name, "image") || !strcmp(name, "use") || !strcmp(name, "a")) {
		d->bad = true;
		snprintf(d->bad_what, sizeof d->bad_what, "element %s", name);
	}
	for (int i = 0; atts[i]; i += 2) {
		const char *a = atts[i];
		if (!strcmp(a, "style") || !strncmp(a, "on", 2) || strstr(a, "href")) {
			d->bad = true;
			snprintf(d->bad_what, sizeof d->bad_what, "attribute %s on %s", a, name);
		}
		if (!strcmp(a, "id")) {
			for (int k = 0; k < d->nids; k++)
				if (!strcmp(d->ids[k], atts[i + 1])) {
					d->bad = true;
					snprintf(d->bad_what, sizeof d->bad_what, "duplicate id %s",
					         atts[i + 1]);
				}
			if (d->nids < 64)
				snprintf(d->ids[d->nids++], sizeof d->ids[0], "%s", atts[i + 1]);
			if (d->depth == 1 && !strcmp(name, "title"))
				snprintf(d->title_id, sizeof d->title_id, "%s", atts[i + 1]);
			if (d->depth == 1 && !strcmp(name, "desc"))
				snprintf(d->desc_id, sizeof d->desc_id, "%s", atts[i + 1]);
		}
	}
	if (d->depth == 1 && !strcmp(name, "title"))
		d->in_root_title = 1;
	if (!strcmp(name, "rect"))
		d->rects++;
	if (!strcmp(name, "circle"))
		d->circles++;
	if (!strcmp(name, "polyline"))
		d->polylines++;
	d->depth++;
}

static void on_end(void *ud, const XML_Char *name)
{
	struct doc *d = ud;
	d->depth--;
	if (d->depth == 1 && !strcmp(name, "title"))
		d->in_root_title = 0;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct doc *d = ud;
	if (d->tlen + (size_t)len < sizeof d->text - 1) {
		memcpy(d->text + d->tlen, s, (size_t)len);
		d->tlen += (size_t)len;
		d->text[d->tlen] = '\0';
	}
	if (d->in_root_title) {
		size_t n = strlen(d->svg_title);
		if (n + (size_t)len < sizeof d->svg_title - 1) {
			memcpy(d->svg_title + n, s, (size_t)len);
			d->svg_title[n + (size_t)len] = '\0';
		}
	}
}

/* Parses svg and checks the structural promises; returns the parse. */
static struct doc *parse_ok(const struct buf *svg)
{
	struct doc *d = calloc(1, sizeof *d);
	assert_non_null(d);
	XML_Parser p = XML_ParserCreate("UTF-8");
	XML_SetUserData(p, d);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	if (XML_Parse(p, svg->data, (int)svg->len, 1) != XML_STATUS_OK)
		fail_msg("not well-formed: %s at line %lu col %lu\n%s", XML_ErrorString(XML_GetErrorCode(p)),
		         (unsigned long)XML_GetCurrentLineNumber(p),
		         (unsigned long)XML_GetCurrentColumnNumber(p), buf_str(svg));
	XML_ParserFree(p);
	assert_string_equal(d->root, "svg");
	assert_true(d->root_ok);
	if (d->bad)
		fail_msg("forbidden: %s", d->bad_what);
	char want[200];
	snprintf(want, sizeof want, "%s %s", d->title_id, d->desc_id);
	assert_true(d->title_id[0] && d->desc_id[0]);
	assert_string_equal(d->labelledby, want);
	return d;
}

static const char *const months[13] = {"ก.พ. ๖๗", "มี.ค. ๖๗", "เม.ย. ๖๗", "พ.ค. ๖๗", "มิ.ย. ๖๗",
                                       "ก.ค. ๖๗", "ส.ค. ๖๗", "ก.ย. ๖๗",  "ต.ค. ๖๗", "พ.ย. ๖๗",
                                       "ธ.ค. ๖๗", "ม.ค. ๖๘", "ก.พ. ๖๘"};

static void trend_columns(void **state)
{
	struct chart_point pts[13];
	for (int i = 0; i < 13; i++)
		pts[i] =
		    (struct chart_point){.label = months[i], .value = 1200 + i * 37, .highlight = i == 12};
	pts[12].value = 1671;
	pts[2].missing = true; /* เม.ย. ๖๗ */
	struct chart c = {.id = "users-trend",
	                  .title = "ผู้มารับบริการ ๑๓ งวด",
	                  .desc = "งวดนี้ 1,671 ราย",
	                  .unit = "ราย",
	                  .points = pts,
	                  .npoints = 13};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_trend_svg(&b, &c), 0);
	struct doc *d = parse_ok(&b);
	assert_int_equal(d->rects, 12); /* one missing */
	assert_string_equal(d->svg_title, "ผู้มารับบริการ ๑๓ งวด");
	assert_string_equal(d->title_id, "users-trend-title");
	/* The highlighted value is written out, the mark titles carry the unit,
	 * and every axis label is there on two lines. */
	assert_non_null(strstr(d->text, "1,671"));
	assert_non_null(strstr(d->text, "ก.พ. ๖๘: 1,671 ราย"));
	assert_null(strstr(d->text, "เม.ย. ๖๗:")); /* no mark, its axis label stays */
	assert_non_null(strstr(buf_str(&b), ">เม.ย.<tspan"));
	assert_non_null(strstr(buf_str(&b), ">ก.พ.<tspan"));
	assert_non_null(strstr(buf_str(&b), ">๖๘</tspan>"));
	assert_non_null(strstr(buf_str(&b), "chart-mark chart-mark-hl"));
	free(d);
	buf_cleanup(&b);
}

static void trend_line_and_empty(void **state)
{
	struct chart_point pts[5] = {
	    {.label = "ต.ค. ๖๖", .value = 9.1},
	    {.label = "พ.ย. ๖๖", .value = 9.25},
	    {.label = "ธ.ค. ๖๖", .missing = true},
	    {.label = "ม.ค. ๖๗", .value = 8.5},
	    {.label = "ก.พ. ๖๗", .value = 9.173, .text = "9.17", .highlight = true},
	};
	struct chart c = {.id = "score",
	                  .title = "คะแนน",
	                  .desc = "",
	                  .decimals = 2,
	                  .style = CHART_LINE,
	                  .points = pts,
	                  .npoints = 5};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_trend_svg(&b, &c), 0);
	struct doc *d = parse_ok(&b);
	assert_int_equal(d->circles, 4);
	assert_int_equal(d->polylines, 2); /* the gap breaks the line */
	assert_non_null(strstr(d->text, "พ.ย. ๖๖: 9.25"));
	assert_non_null(strstr(d->text, "9.17"));
	free(d);

	buf_reset(&b);
	struct chart e = {.id = "empty", .title = "ว่าง"};
	assert_int_equal(chart_trend_svg(&b, &e), 0);
	d = parse_ok(&b);
	assert_non_null(strstr(d->text, "ไม่มีข้อมูล"));
	free(d);
	buf_reset(&b);
	assert_int_equal(chart_bars_svg(&b, &e), 0);
	d = parse_ok(&b);
	assert_non_null(strstr(d->text, "ไม่มีข้อมูล"));
	free(d);
	buf_cleanup(&b);
}

static void bars_ranking(void **state)
{
	struct chart_point pts[4] = {
	    {.label = "1. อุดรธานี", .value = 2100},
	    {.label = "2. สกลนคร", .value = 1671, .highlight = true},
	    {.label = "3. นครพนม", .value = 0},
	    {.label = "- บึงกาฬ", .missing = true, .note = "ไม่จัดอันดับ (ตอบน้อยกว่า 30)"},
	};
	struct chart c = {.id = "rank",
	                  .title = "อันดับ",
	                  .desc = "สกลนครอันดับ 2",
	                  .unit = "ราย",
	                  .points = pts,
	                  .npoints = 4};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	struct doc *d = parse_ok(&b);
	assert_int_equal(d->rects, 4);
	assert_non_null(strstr(d->text, "2,100"));
	assert_non_null(strstr(d->text, "ไม่จัดอันดับ (ตอบน้อยกว่า 30)"));
	assert_non_null(strstr(d->text, "2. สกลนคร: 1,671 ราย"));
	/* The largest bar spans the track: 360 - 78. */
	assert_non_null(strstr(buf_str(&b), "width=\"282.0\""));
	free(d);
	buf_cleanup(&b);
}

/* Hostile text: markup, quotes, invalid UTF-8 and control bytes, a hostile
 * id; it must come back as text (escaped), the output well-formed. */
static void escaping(void **state)
{
	const char *evil = "<script>alert('x')</script> & \"q\" ]]> \x01\x7f \xff\xfe \xed\xa0\x80 "
	                   "\xef\xbf\xbe ok";
	struct chart_point pts[2] = {{.label = evil, .value = 1, .text = evil, .highlight = true},
	                             {.label = "a b c", .missing = true, .note = evil}};
	struct chart c = {
	    .id = "\"><script>1", .title = evil, .desc = evil, .unit = evil, .points = pts, .npoints = 2};
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int kind = 0; kind < 2; kind++) {
		buf_reset(&b);
		assert_int_equal(kind ? chart_bars_svg(&b, &c) : chart_trend_svg(&b, &c), 0);
		struct doc *d = parse_ok(&b);
		assert_null(strstr(buf_str(&b), "<script"));
		assert_non_null(strstr(d->text, "<script>alert('x')</script> & \"q\" ]]>"));
		assert_non_null(strstr(d->text, "\xEF\xBF\xBD"));
		assert_string_equal(d->title_id, "script1-title");
		free(d);
	}
	buf_cleanup(&b);
}

static void ids_and_limits(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	struct chart c = {.id = "123", .title = "t"};
	assert_int_equal(chart_bars_svg(&b, &c), 0);
	struct doc *d = parse_ok(&b);
	assert_string_equal(d->title_id, "chart-123-title");
	free(d);

	/* A non-finite value, too many points, a full buffer: -1, out unchanged. */
	struct chart_point bad = {.label = "x", .value = NAN};
	struct chart cb = {.id = "b", .points = &bad, .npoints = 1};
	buf_reset(&b);
	buf_puts(&b, "keep");
	assert_int_equal(chart_trend_svg(&b, &cb), -1);
	assert_int_equal(chart_bars_svg(&b, &cb), -1);
	struct chart_point *many = calloc(CHART_MAX_POINTS + 1, sizeof *many);
	struct chart cm = {.id = "m", .points = many, .npoints = CHART_MAX_POINTS + 1};
	assert_int_equal(chart_trend_svg(&b, &cm), -1);
	cm.npoints = CHART_MAX_POINTS;
	for (size_t i = 0; i < CHART_MAX_POINTS; i++)
		many[i] = (struct chart_point){.label = "ก.พ. ๖๗", .value = (double)i};
	struct buf small;
	buf_init(&small, 2000);
	buf_puts(&small, "keep");
	assert_int_equal(chart_bars_svg(&small, &cm), -1);
	assert_string_equal(buf_str(&small), "keep");
	assert_int_equal(chart_trend_svg(&small, &cm), -1);
	assert_string_equal(buf_str(&small), "keep");
	buf_cleanup(&small);
	/* 1000 points draw, with at most 13 axis labels. */
	buf_reset(&b);
	assert_int_equal(chart_trend_svg(&b, &cm), 0);
	d = parse_ok(&b);
	assert_int_equal(d->rects, CHART_MAX_POINTS); /* the zero column is drawn, with no height */
	free(d);
	free(many);
	buf_cleanup(&b);
}

static void numbers_and_labels(void **state)
{
	struct buf b;
	buf_init(&b, 256);
	struct {
		double v;
		int dec;
		const char *want;
	} cases[] = {
	    {1671, 0, "1,671"},        {0, 0, "0"},        {999, 0, "999"},      {1000, 0, "1,000"},
	    {1234567, 0, "1,234,567"}, {9.173, 2, "9.17"}, {91.735, 2, "91.74"}, {-1500.5, 1, "-1,500.5"},
	    {-0.001, 2, "0.00"},       {0.5, 0, "1"},      {2.5, 0, "3"},        {12.3456, 4, "12.3456"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		assert_int_equal(chart_format_number(&b, cases[i].v, cases[i].dec), 0);
		assert_string_equal(buf_str(&b), cases[i].want);
	}
	buf_cleanup(&b);
	char l[CHART_LABEL_SIZE];
	assert_int_equal(chart_period_label((struct period){2024, 2}, l), 0);
	assert_string_equal(l, "ก.พ. ๖๗");
	assert_int_equal(chart_period_label((struct period){2023, 10}, l), 0);
	assert_string_equal(l, "ต.ค. ๖๖");
	assert_int_equal(chart_period_label((struct period){2057, 1}, l), 0);
	assert_string_equal(l, "ม.ค. ๐๐"); /* B.E. 2600 */
	assert_int_equal(chart_period_label((struct period){2024, 13}, l), -1);
	assert_string_equal(l, "");
}

static void json_form(void **state)
{
	json_error_t je;
	json_t *m = json_loads(
	    "{\"title\": \"x\", \"trend\": {\"chart\": \"trend\", \"id\": \"t\", \"title\": \"แนวโน้ม\", "
	    "\"unit\": \"ราย\", \"points\": [{\"label\": \"ม.ค. ๖๗\", \"value\": 1500}, "
	    "{\"label\": \"ก.พ. ๖๗\", \"value\": 1671, \"highlight\": true}, {\"label\": \"มี.ค. ๖๗\", "
	    "\"value\": null}]},"
	    " \"charts\": [{\"chart\": \"bars\", \"id\": \"s\", \"points\": [{\"label\": \"a\", \"value\": "
	    "\"9.17\"}]}],"
	    " \"deep\": {\"more\": {\"score\": {\"chart\": \"trend\", \"id\": \"d\", \"decimals\": 2, "
	    "\"style\": "
	    "\"line\", \"points\": [{\"label\": \"x\", \"value\": 9.5}]}}},"
	    " \"too\": {\"deep\": {\"for\": {\"it\": {\"chart\": \"bars\", \"points\": []}}}},"
	    " \"bad\": {\"chart\": \"pie\", \"points\": []},"
	    " \"rows\": [{\"chart\": \"bars\", \"points\": []}]}",
	    0, &je);
	assert_non_null(m);
	assert_int_equal(chart_model_render(m), 3);
	json_t *t = json_object_get(m, "trend");
	const char *svg = json_string_value(json_object_get(t, "svg"));
	assert_non_null(svg);
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, svg);
	struct doc *d = parse_ok(&b);
	assert_int_equal(d->rects, 2);
	free(d);
	json_t *pts = json_object_get(t, "points");
	assert_string_equal(json_string_value(json_object_get(json_array_get(pts, 1), "display")), "1,671");
	assert_string_equal(json_string_value(json_object_get(json_array_get(pts, 2), "display")), "ไม่มีข้อมูล");
	json_t *s = json_array_get(json_object_get(m, "charts"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(s, "points"), 0), "display")),
	    "9.17");
	assert_non_null(strstr(json_string_value(json_object_get(s, "svg")), ">9.17<"));
	json_t *deep = json_object_get(json_object_get(json_object_get(m, "deep"), "more"), "score");
	assert_non_null(strstr(json_string_value(json_object_get(deep, "svg")), "<circle"));
	/* Not searched: four levels down, an unknown kind (drawn as "" with a
	 * warning), arrays other than "charts". */
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "bad"), "svg")), "");
	assert_null(json_object_get(json_array_get(json_object_get(m, "rows"), 0), "svg"));
	buf_reset(&b);
	assert_int_equal(chart_svg_from_json(&b, json_object_get(m, "bad")), -1);
	assert_int_equal(chart_svg_from_json(&b, NULL), -1);
	buf_cleanup(&b);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(trend_columns),  cmocka_unit_test(trend_line_and_empty),
	    cmocka_unit_test(bars_ranking),   cmocka_unit_test(escaping),
	    cmocka_unit_test(ids_and_limits), cmocka_unit_test(numbers_and_labels),
	    cmocka_unit_test(json_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
