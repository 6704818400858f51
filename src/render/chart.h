/* SVG charts drawn on the server (dashboards, issue 10).
 *
 * Two kinds, from plain C data:
 *   - a trend: one value per period, columns (or a line), the current period
 *     highlighted; axis labels are the point labels split at their first
 *     space onto two lines ("ก.พ. ๖๗" → "ก.พ." over "๖๗"), as many as fit
 *     (on 13 points every other one, counted back from the current period);
 *   - horizontal bars: a ranking or the service mix, one labelled bar per
 *     row, the label above its bar and the value at the right edge.
 *
 * What every chart is, by construction:
 *   - one <svg> element with xmlns, a viewBox 360 units wide (one unit is a
 *     CSS pixel on a 375 px phone) and no width or height, so it scales with
 *     its container (static/css/app.css: .chart { width: 100%; height: auto });
 *   - role="img" and aria-labelledby naming its <title> and <desc> (ids
 *     "<id>-title", "<id>-desc"); each mark has a <title> of its own
 *     ("ก.พ. ๖๗: 1,671 ราย") for pointer users;
 *   - colours and sizes as presentation attributes plus class names, never a
 *     style attribute or a <style> element (CSP style-src 'self'), no
 *     script, no external reference; prints as it shows (black text, solid
 *     fills with 3:1 contrast against white);
 *   - well-formed XML for any input: every text is escaped (& < > " '),
 *     bytes that are not valid UTF-8 or not allowed in XML 1.0 (C0 controls
 *     other than tab, LF, CR; U+FFFE, U+FFFF) become U+FFFD, and an id is
 *     reduced to [A-Za-z0-9_-] (tests/unit/test_chart.c parses every output
 *     with expat; tests/fuzz/fuzz_chart.c does it for arbitrary input).
 * The SVG is not the only form of the data: a page shows the same numbers
 * in a table beside it (templates/chart.mustache), and the JSON model holds
 * the data, not the SVG (chart_model_render below).
 *
 * Thread-safe; no global state. */
#ifndef OSSPOINT_RENDER_CHART_H
#define OSSPOINT_RENDER_CHART_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/period.h"
#include "lib/buf.h"

#define CHART_WIDTH      360  /* viewBox width */
#define CHART_MAX_POINTS 1000 /* more points (or bars) make chart_*_svg fail */
#define CHART_LABEL_SIZE 32   /* enough for chart_period_label */

struct chart_point {
	const char *label; /* the period or unit, e.g. "ก.พ. ๖๗", "สกลนคร" */
	double value;      /* ignored when missing */
	bool missing;      /* no figure (no data yet, not ranked): no mark drawn */
	bool highlight;    /* the current period, the reader's own unit */
	const char *text;  /* the value as shown ("9.17"); NULL: value formatted
	                    * with the chart's decimals and thousands separators */
	const char *note;  /* shown instead of the value when missing
	                    * ("ไม่จัดอันดับ"); NULL: "ไม่มีข้อมูล" */
};

enum chart_style { CHART_COLUMNS = 0, CHART_LINE = 1 };

struct chart {
	const char *id;         /* unique in the page: ids "<id>-title", "<id>-desc" */
	const char *title;      /* short title, read first by a screen reader */
	const char *desc;       /* one sentence: what is shown, and the highlight */
	const char *unit;       /* after values in mark titles ("ราย"); NULL: none */
	int decimals;           /* 0..4, for values without text */
	enum chart_style style; /* trend only */
	const struct chart_point *points;
	size_t npoints;
};

/* Appends the trend chart of c (points in time order, oldest first) to out.
 * Returns 0, or -1 when c has more than CHART_MAX_POINTS points, a value is
 * not finite, or out's maximum would be exceeded (out unchanged). No points,
 * or all missing: an empty plot saying "ไม่มีข้อมูล". Negative values are
 * drawn from the zero line down. */
int chart_trend_svg(struct buf *out, const struct chart *c);

/* Appends the horizontal bar chart of c (rows in the given order) to out;
 * bars are proportional to the largest value (all zero: no bar length).
 * Negative values are drawn as zero-length bars with their text. Returns as
 * chart_trend_svg. style is ignored. */
int chart_bars_svg(struct buf *out, const struct chart *c);

/* "ก.พ. ๖๗": the month's abbreviation, a space and the last two digits of
 * the B.E. year in Thai digits, the axis label of a trend. Returns 0, or -1
 * for an invalid period (out = ""). */
int chart_period_label(struct period p, char out[CHART_LABEL_SIZE]);

/* Appends the number v with `decimals` decimals (0..4, rounded half away
 * from zero) and a comma every three digits: 1671 → "1,671",
 * 9.173 with 2 → "9.17". Returns 0 or -1 (buf full; b unchanged). */
int chart_format_number(struct buf *b, double v, int decimals);

/* ---- the JSON form, for page models ------------------------------------
 *
 * A chart in a page model is data:
 *   { "chart": "trend" | "bars", "id": "users-trend", "title": "…",
 *     "desc": "…", "unit": "ราย", "decimals": 0, "style": "columns"|"line",
 *     "points": [ { "label": "ก.พ. ๖๗", "value": 1671 | "9.17" | null,
 *                   "text": "1,671" (optional), "highlight": true (optional),
 *                   "note": "ไม่จัดอันดับ" (optional) }, … ] }
 * value is a JSON number, a string holding a decimal number ("9.17", the
 * exact two-decimal strings of the statistics model; then it is also the
 * text unless text is given) or null / absent (missing). */

/* Appends the SVG of the JSON chart j. Returns 0, or -1 when j is not an
 * object with "chart" "trend" or "bars" and an array "points" (members of
 * the wrong type read as absent), or as chart_trend_svg. */
int chart_svg_from_json(struct buf *out, const json_t *j);

/* The HTML side of the JSON form, called by web_render before a page's
 * template (so the JSON answer holds the data, not the drawing): every chart
 * object found in model — a member of model, or of an object member of it,
 * down to three levels of objects (arrays are not searched, except a member
 * named "charts") — gets "svg" (the drawing, for {{{svg}}}) and each of its
 * points "display" (its text, or its note when missing) unless present.
 * A chart that cannot be drawn gets "svg": "" and a warning in the log.
 * Returns the number of charts drawn. */
int chart_model_render(json_t *model);

#endif
