/* SVG charts drawn on the server: see chart.h for what every chart is.
 *
 * Output is built with a sticky error flag (struct w): after the first failed
 * append nothing more is written and the caller rolls out back to its mark,
 * so a chart is appended whole or not at all. */
#include "render/chart.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/thai.h"

/* Colours: text 16:1 and 7.6:1 on white, marks 4.6:1 and highlight 5:1
 * (WCAG 1.4.11 asks 3:1 for graphics), grid lines decorative. */
#define C_TEXT  "#1b1f24"
#define C_MUTED "#4a5360"
#define C_MARK  "#4f6f95"
#define C_HL    "#b45309"
#define C_GRID  "#c9d1db"
#define C_AXIS  "#6b7280"

#define NO_DATA "ไม่มีข้อมูล"

struct w {
	struct buf *b;
	int err;
};

static void put(struct w *w, const char *s)
{
	if (!w->err && buf_puts(w->b, s) < 0)
		w->err = 1;
}

static void putn(struct w *w, const char *s, size_t n)
{
	if (!w->err && buf_append(w->b, s, n) < 0)
		w->err = 1;
}

static void __attribute__((format(printf, 2, 3))) putf(struct w *w, const char *fmt, ...)
{
	if (w->err)
		return;
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		w->err = 1;
	else
		putn(w, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes) whose code point
 * XML 1.0 allows, with the code point in *cp; 0 when there is none. */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0x80) {
		*cp = c;
		return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
		return 0;
	*cp = c;
	return len;
}

/* Appends s as XML text: escaped, invalid bytes as U+FFFD, at most max code
 * points (0: no limit) and then "…". */
static void text(struct w *w, const char *s, size_t max)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), count = 0;
	while (n > 0) {
		if (max && count == max) {
			put(w, "…");
			return;
		}
		uint32_t cp;
		size_t len = utf8_char(p, n, &cp);
		if (len == 0) {
			put(w, "\xEF\xBF\xBD");
			len = 1;
		} else if (cp == '&') {
			put(w, "&amp;");
		} else if (cp == '<') {
			put(w, "&lt;");
		} else if (cp == '>') {
			put(w, "&gt;");
		} else if (cp == '"') {
			put(w, "&quot;");
		} else if (cp == '\'') {
			put(w, "&#39;");
		} else {
			putn(w, (const char *)p, len);
		}
		p += len;
		n -= len;
		count++;
	}
}

/* The id reduced to [A-Za-z0-9_-], at most 48 bytes; "chart" when empty. */
static void safe_id(const char *id, char out[64])
{
	size_t k = 0;
	for (const char *s = id ? id : ""; *s && k < 48; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_')
			out[k++] = *s;
	if (k == 0 || !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= 'A' && out[0] <= 'Z'))) {
		/* An id must not start with a digit for CSS selectors; prefix one. */
		memmove(out + 6, out, k);
		memcpy(out, "chart-", 6);
		k += 6;
	}
	out[k] = '\0';
}

int chart_format_number(struct buf *b, double v, int decimals)
{
	if (decimals < 0)
		decimals = 0;
	if (decimals > 4)
		decimals = 4;
	char tmp[64];
	if (!isfinite(v) || fabs(v) >= 1e15) {
		snprintf(tmp, sizeof tmp, "%.*g", 15, v);
		return buf_puts(b, tmp);
	}
	static const double scale[] = {1, 10, 100, 1000, 10000};
	double r = round(fabs(v) * scale[decimals]); /* round() is half away from zero */
	long long whole = (long long)(r / scale[decimals]);
	long long frac = (long long)(r - (double)whole * scale[decimals]);
	bool neg = v < 0 && r > 0;
	char digits[32];
	int nd = snprintf(digits, sizeof digits, "%lld", whole);
	size_t k = 0;
	if (neg)
		tmp[k++] = '-';
	for (int i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			tmp[k++] = ',';
		tmp[k++] = digits[i];
	}
	if (decimals > 0)
		k += (size_t)snprintf(tmp + k, sizeof tmp - k, ".%0*lld", decimals, frac);
	tmp[k] = '\0';
	return buf_puts(b, tmp);
}

int chart_period_label(struct period p, char out[CHART_LABEL_SIZE])
{
	out[0] = '\0';
	if (!period_valid(p))
		return -1;
	char yy[8];
	snprintf(yy, sizeof yy, "%02d", thai_year_be(p.year) % 100);
	char th[8]; /* two Thai digits: 6 bytes */
	if (thai_digits_from_ascii(th, sizeof th, yy) < 0)
		return -1;
	const char *m = thai_month_abbr(p.month);
	if (strlen(m) + 1 + strlen(th) >= CHART_LABEL_SIZE)
		return -1;
	memcpy(out, m, strlen(m));
	out[strlen(m)] = ' ';
	memcpy(out + strlen(m) + 1, th, strlen(th) + 1);
	return 0;
}

/* The point's value as shown (its text, or the value formatted). */
static void value_text(struct w *w, const struct chart *c, const struct chart_point *pt)
{
	if (pt->missing) {
		text(w, pt->note ? pt->note : NO_DATA, 0);
		return;
	}
	if (pt->text) {
		text(w, pt->text, 0);
		return;
	}
	if (!w->err && chart_format_number(w->b, pt->value, c->decimals) < 0)
		w->err = 1;
}

/* <title>label: value unit</title> of a mark. */
static void mark_title(struct w *w, const struct chart *c, const struct chart_point *pt)
{
	put(w, "<title>");
	text(w, pt->label, 0);
	put(w, ": ");
	value_text(w, c, pt);
	if (!pt->missing && c->unit && *c->unit) {
		put(w, " ");
		text(w, c->unit, 0);
	}
	put(w, "</title>");
}

static void open_svg(struct w *w, const struct chart *c, const char *kind, int height, char id[64])
{
	safe_id(c->id, id);
	putf(w,
	     "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" viewBox=\"0 0 %d %d\" "
	     "role=\"img\" aria-labelledby=\"%s-title %s-desc\" font-size=\"12\" fill=\"" C_TEXT "\">",
	     kind, CHART_WIDTH, height, id, id);
	putf(w, "<title id=\"%s-title\">", id);
	text(w, c->title ? c->title : "", 0);
	putf(w, "</title><desc id=\"%s-desc\">", id);
	text(w, c->desc ? c->desc : "", 0);
	put(w, "</desc>");
}

static int check(const struct chart *c)
{
	if (!c || c->npoints > CHART_MAX_POINTS || (c->npoints && !c->points))
		return -1;
	for (size_t i = 0; i < c->npoints; i++)
		if (!c->points[i].missing && !isfinite(c->points[i].value))
			return -1;
	return 0;
}

static int finish(struct w *w, size_t mark)
{
	if (!w->err)
		return 0;
	w->b->len = mark;
	if (w->b->data)
		w->b->data[mark] = '\0';
	return -1;
}

/* A "nice" step (1, 2, 2.5 or 5 × 10^k) for about four intervals over span. */
static double nice_step(double span)
{
	double raw = span / 4, mag = pow(10, floor(log10(raw))), f = raw / mag;
	double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
	return nice * mag;
}

static int step_decimals(double step)
{
	int d = 0;
	while (d < 4 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
		d++;
	return d;
}

/* ---- trend ---- */

enum { T_HEIGHT = 220, T_LEFT = 46, T_RIGHT = 8, T_TOP = 24, T_BOTTOM = 186 };

/* Axis label of a trend point: the label split at its first space. */
static void axis_label(struct w *w, double x, const char *label)
{
	const char *sp = label ? strchr(label, ' ') : NULL;
	putf(w,
	     "<text class=\"chart-axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">",
	     x, T_BOTTOM + 15);
	if (sp) {
		char first[CHART_LABEL_SIZE * 4];
		size_t n = (size_t)(sp - label) < sizeof first - 1 ? (size_t)(sp - label) : sizeof first - 1;
		memcpy(first, label, n);
		first[n] = '\0';
		text(w, first, 12);
		putf(w, "<tspan x=\"%.1f\" dy=\"13\">", x);
		text(w, sp + 1, 12);
		put(w, "</tspan>");
	} else {
		text(w, label, 12);
	}
	put(w, "</text>");
}

int chart_trend_svg(struct buf *out, const struct chart *c)
{
	if (check(c) < 0)
		return -1;
	struct w w = {out, 0};
	size_t mark = out->len;
	char id[64];
	open_svg(&w, c, "trend", T_HEIGHT, id);

	double lo = 0, hi = 0;
	size_t shown = 0;
	for (size_t i = 0; i < c->npoints; i++) {
		const struct chart_point *pt = &c->points[i];
		if (pt->missing)
			continue;
		shown++;
		if (pt->value > hi)
			hi = pt->value;
		if (pt->value < lo)
			lo = pt->value;
	}
	double step = nice_step(hi - lo > 0 ? hi - lo : 1);
	double top = hi > 0 ? ceil(hi / step - 1e-9) * step : step;
	double bottom = lo < 0 ? floor(lo / step + 1e-9) * step : 0;
	if (top <= bottom)
		top = bottom + step;
	int tick_dec = step_decimals(step);
	double plot_h = T_BOTTOM - T_TOP, plot_w = CHART_WIDTH - T_LEFT - T_RIGHT;
#define Y(v) (T_BOTTOM - ((v)-bottom) / (top - bottom) * plot_h)

	/* Grid and tick labels. */
	put(&w, "<g class=\"chart-grid\" aria-hidden=\"true\">");
	for (double v = bottom; v <= top + step / 2; v += step) {
		double y = Y(v);
		putf(&w,
		     "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>",
		     T_LEFT, y, CHART_WIDTH - T_RIGHT, y, fabs(v) < step / 1e6 ? C_AXIS : C_GRID);
		putf(&w,
		     "<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" "
		     "fill=\"" C_MUTED "\">",
		     T_LEFT - 4, y + 3.5);
		if (!w.err && chart_format_number(out, v, tick_dec) < 0)
			w.err = 1;
		put(&w, "</text>");
	}
	put(&w, "</g>");

	if (shown == 0)
		putf(
		    &w,
		    "<text class=\"chart-empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" C_MUTED
		    "\">" NO_DATA "</text>",
		    T_LEFT + plot_w / 2, T_TOP + plot_h / 2);

	size_t n = c->npoints;
	double slot = n ? plot_w / (double)n : plot_w;
	/* An axis label ("ก.พ." at 11 units) needs about 26 units: label every
	 * k-th point counted back from the last, so the current period always
	 * has its label (the table beside the chart has them all). */
	size_t every = (size_t)ceil(26.0 / slot);
	if (every < 1)
		every = 1;
	put(&w, "<g class=\"chart-marks\">");
	if (c->style == CHART_LINE) {
		/* Segments between consecutive present points; a gap breaks the line. */
		bool open = false;
		for (size_t i = 0; i < n; i++) {
			const struct chart_point *pt = &c->points[i];
			if (pt->missing) {
				if (open)
					put(&w, "\"/>");
				open = false;
				continue;
			}
			double x = T_LEFT + slot * ((double)i + 0.5);
			if (!open)
				put(&w, "<polyline class=\"chart-line\" fill=\"none\" stroke=\"" C_MARK
				        "\" stroke-width=\"2\" points=\"");
			putf(&w, "%s%.1f,%.1f", open ? " " : "", x, Y(pt->value));
			open = true;
		}
		if (open)
			put(&w, "\"/>");
	}
	for (size_t i = 0; i < n; i++) {
		const struct chart_point *pt = &c->points[i];
		double x = T_LEFT + slot * ((double)i + 0.5);
		if (!pt->missing) {
			double y = Y(pt->value), y0 = Y(bottom < 0 ? 0 : bottom);
			const char *cls = pt->highlight ? "chart-mark chart-mark-hl" : "chart-mark";
			const char *fill = pt->highlight ? C_HL : C_MARK;
			if (c->style == CHART_LINE) {
				putf(&w, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\">",
				     cls, x, y, pt->highlight ? 5 : 3, fill);
				mark_title(&w, c, pt);
				put(&w, "</circle>");
			} else {
				double bw = slot * 0.7, ytop = y < y0 ? y : y0, h = fabs(y0 - y);
				putf(
				    &w,
				    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				    "fill=\"%s\">",
				    cls, x - bw / 2, ytop, bw, h, fill);
				mark_title(&w, c, pt);
				put(&w, "</rect>");
			}
			if (pt->highlight) {
				/* The highlighted value is written out; near the right edge
				 * it ends at the mark instead of centring on it. */
				bool right = x + 30 > CHART_WIDTH;
				putf(&w,
				     "<text class=\"chart-value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
				     "font-weight=\"bold\" font-size=\"11\">",
				     right ? x + slot / 2 : x, (y < y0 ? y : y0) - 5,
				     right ? "end" : "middle");
				value_text(&w, c, pt);
				put(&w, "</text>");
			}
		}
		if ((n - 1 - i) % every == 0)
			axis_label(&w, x, pt->label);
	}
	put(&w, "</g></svg>");
#undef Y
	return finish(&w, mark);
}

/* ---- bars ---- */

enum { B_ROW = 44, B_PAD = 6, B_VALUE_W = 78, B_LABEL_MAX = 40 };

int chart_bars_svg(struct buf *out, const struct chart *c)
{
	if (check(c) < 0)
		return -1;
	struct w w = {out, 0};
	size_t mark = out->len;
	char id[64];
	int height = c->npoints ? (int)(2 * B_PAD + c->npoints * B_ROW) : 40;
	open_svg(&w, c, "bars", height, id);
	if (c->npoints == 0)
		put(&w,
		    "<text class=\"chart-empty\" x=\"180\" y=\"24\" text-anchor=\"middle\" fill=\"" C_MUTED
		    "\">" NO_DATA "</text>");
	double hi = 0;
	for (size_t i = 0; i < c->npoints; i++)
		if (!c->points[i].missing && c->points[i].value > hi)
			hi = c->points[i].value;
	double track = CHART_WIDTH - B_VALUE_W;
	put(&w, "<g class=\"chart-marks\">");
	for (size_t i = 0; i < c->npoints; i++) {
		const struct chart_point *pt = &c->points[i];
		int y = B_PAD + (int)i * B_ROW;
		putf(&w, "<text class=\"chart-label\" x=\"0\" y=\"%d\" font-size=\"14\"%s>", y + 15,
		     pt->highlight ? " font-weight=\"bold\"" : "");
		text(&w, pt->label, B_LABEL_MAX);
		put(&w, "</text>");
		double len = (!pt->missing && hi > 0 && pt->value > 0) ? pt->value / hi * track : 0;
		putf(&w, "<rect class=\"%s\" x=\"0\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">",
		     pt->highlight ? "chart-mark chart-mark-hl" : "chart-mark", y + 22, len,
		     pt->highlight ? C_HL : C_MARK);
		mark_title(&w, c, pt);
		put(&w, "</rect>");
		putf(
		    &w,
		    "<text class=\"chart-value\" x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\"%s%s>",
		    CHART_WIDTH, y + 35, pt->highlight ? " font-weight=\"bold\"" : "",
		    pt->missing ? " fill=\"" C_MUTED "\"" : "");
		value_text(&w, c, pt);
		put(&w, "</text>");
	}
	put(&w, "</g></svg>");
	return finish(&w, mark);
}

/* ---- the JSON form ---- */

/* A decimal number string ("9.17", "-3", "1,671"): its value, true. */
static bool parse_decimal(const char *s, double *v)
{
	char tmp[64];
	size_t k = 0;
	for (const char *p = s; *p; p++) {
		if (*p == ',')
			continue;
		if (!((*p >= '0' && *p <= '9') || *p == '.' || (*p == '-' && p == s)) || k + 1 >= sizeof tmp)
			return false;
		tmp[k++] = *p;
	}
	tmp[k] = '\0';
	if (k == 0 || !strcmp(tmp, "-") || !strcmp(tmp, "."))
		return false;
	char *end;
	*v = strtod(tmp, &end);
	return *end == '\0' && isfinite(*v);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Fills pt from the JSON point p (see chart.h). */
static void point_from_json(const json_t *p, struct chart_point *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->label = jstr(p, "label");
	pt->text = jstr(p, "text");
	pt->note = jstr(p, "note");
	pt->highlight = json_is_true(json_object_get(p, "highlight"));
	const json_t *v = json_object_get(p, "value");
	if (json_is_number(v)) {
		pt->value = json_number_value(v);
		pt->missing = !isfinite(pt->value);
	} else if (json_is_string(v) && parse_decimal(json_string_value(v), &pt->value)) {
		if (!pt->text)
			pt->text = json_string_value(v);
	} else {
		pt->missing = true;
	}
}

int chart_svg_from_json(struct buf *out, const json_t *j)
{
	const char *kind = jstr(j, "chart");
	const json_t *pts = json_object_get(j, "points");
	if (!kind || (strcmp(kind, "trend") && strcmp(kind, "bars")) || !json_is_array(pts) ||
	    json_array_size(pts) > CHART_MAX_POINTS)
		return -1;
	size_t n = json_array_size(pts);
	struct chart_point *points = calloc(n ? n : 1, sizeof *points);
	if (!points)
		return -1;
	for (size_t i = 0; i < n; i++)
		point_from_json(json_array_get(pts, i), &points[i]);
	const json_t *dec = json_object_get(j, "decimals");
	const char *style = jstr(j, "style");
	struct chart c = {
	    .id = jstr(j, "id"),
	    .title = jstr(j, "title"),
	    .desc = jstr(j, "desc"),
	    .unit = jstr(j, "unit"),
	    .decimals = json_is_integer(dec) ? (int)json_integer_value(dec) : 0,
	    .style = style && !strcmp(style, "line") ? CHART_LINE : CHART_COLUMNS,
	    .points = points,
	    .npoints = n,
	};
	if (c.decimals < 0 || c.decimals > 4)
		c.decimals = 0;
	int rc = !strcmp(kind, "trend") ? chart_trend_svg(out, &c) : chart_bars_svg(out, &c);
	free(points);
	return rc;
}

static bool is_chart(const json_t *j)
{
	return json_is_object(j) && json_is_string(json_object_get(j, "chart")) &&
	       json_is_array(json_object_get(j, "points"));
}

static int render_one(json_t *j)
{
	json_t *pts = json_object_get(j, "points");
	size_t i;
	json_t *p;
	int dec = (int)json_integer_value(json_object_get(j, "decimals"));
	json_array_foreach(pts, i, p)
	{
		if (!json_is_object(p) || json_object_get(p, "display"))
			continue;
		struct chart_point pt;
		point_from_json(p, &pt);
		struct buf b;
		buf_init(&b, 4096);
		if (pt.missing)
			buf_puts(&b, pt.note ? pt.note : NO_DATA);
		else if (pt.text)
			buf_puts(&b, pt.text);
		else
			chart_format_number(&b, pt.value, dec);
		json_object_set_new(p, "display", json_string(buf_str(&b)));
		buf_cleanup(&b);
	}
	struct buf svg;
	buf_init(&svg, 4u << 20);
	int rc = chart_svg_from_json(&svg, j);
	if (rc < 0)
		log_warn("chart %s: not drawn (bad chart data)", jstr(j, "id") ? jstr(j, "id") : "?");
	json_object_set_new(j, "svg", json_string(rc < 0 ? "" : buf_str(&svg)));
	buf_cleanup(&svg);
	return rc < 0 ? 0 : 1;
}

static int walk(json_t *o, int depth)
{
	int drawn = 0;
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		if (is_chart(v)) {
			drawn += render_one(v);
		} else if (json_is_object(v) && depth < 3) {
			drawn += walk(v, depth + 1);
		} else if (json_is_array(v) && !strcmp(key, "charts")) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
			{
				if (is_chart(e))
					drawn += render_one(e);
			}
		}
	}
	return drawn;
}

int chart_model_render(json_t *model)
{
	return json_is_object(model) ? walk(model, 1) : 0;
}
