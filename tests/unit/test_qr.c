/* QR codes: decoded with a real decoder (Debian zbar-tools: zbarimg), not
 * compared with our own idea of what a QR code is.
 *
 * - PNG: written to a temporary file, `zbarimg --raw -q` must print the text.
 * - SVG: there is no SVG rasteriser among the dependencies (no librsvg), so
 *   the test parses the path back into a module grid and requires exactly
 *   the dark modules of the PNG of the same text, which zbarimg decoded.
 * - cairo: drawn into an image surface at a size that is not a whole number
 *   of pixels a module (anti-aliased edges), then decoded.
 * OSSPOINT_TEST_KEEP=<dir> keeps the images there to look at. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>

#include "render/qr.h"
#include "support.h"

#define QUIET 4

/* ASCII; a Thai IDN with a Thai path and query (8-bit mode carries the UTF-8
 * bytes); a long one; the seeded shape of a point page. */
static const char *const urls[] = {
    "https://osspoint.example.go.th/services/tangrat_signup",
    "https://ศูนย์ดำรงธรรม.ไทย/บริการ/ผู้ใหญ่?q=น้ำใจ&ที่=กี่ครั้ง",
    "http://127.0.0.1:8080/points/4701",
};

/* A URL of exactly n bytes (n >= 40): a base and a long query. */
static char *long_url(size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	const char *base = "https://osspoint.example.go.th/search?q=";
	size_t b = strlen(base);
	memcpy(s, base, b);
	for (size_t i = b; i < n; i++)
		s[i] = "abcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 7) % 38];
	s[n] = '\0';
	return s;
}

static void assert_decodes_to(const void *png, size_t len, const char *text, const char *name)
{
	char *path = support_write_temp(png, len, "png", name);
	char *got = support_run(true, "zbarimg --raw -q '%s' 2>/dev/null", path);
	unlink(path);
	free(path);
	size_t n = strlen(text);
	if (strlen(got) != n + 1 || memcmp(got, text, n) || got[n] != '\n')
		fail_msg("zbarimg read \"%s\", want \"%s\"", got, text);
	free(got);
}

/* The module grid of a qr_png image at `scale` pixels a module: side x side
 * bytes, 1 = dark, sampled at each module's centre. Checks every pixel of a
 * module has the same colour. Caller frees. */
static unsigned char *png_grid(const struct buf *png, int scale, int *side)
{
	char *path = support_write_temp(png->data, png->len, "png", "grid");
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	unlink(path);
	free(path);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	assert_int_equal(w, h);
	assert_int_equal(w % scale, 0);
	*side = w / scale;
	const unsigned char *px = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	unsigned char *g = calloc((size_t)*side * *side, 1);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t v = *(const uint32_t *)(px + y * stride + x * 4) & 0xffffff;
			assert_true(v == 0 || v == 0xffffff); /* black on white, no grey */
			unsigned char dark = v == 0;
			unsigned char *m = &g[(y / scale) * *side + x / scale];
			if (y % scale == 0 && x % scale == 0)
				*m = dark;
			else
				assert_int_equal(*m, dark);
		}
	cairo_surface_destroy(s);
	return g;
}

/* ---- PNG ---- */

static void test_png_decodes(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		buf_reset(&b);
		assert_int_equal(qr_png(urls[i], 4, &b), 0);
		assert_memory_equal(b.data, "\x89PNG\r\n\x1a\n", 8);
		assert_decodes_to(b.data, b.len, urls[i], "url");
	}
	/* The longest text accepted, and scale 1 (one pixel a module) for a
	 * shorter one: still a valid code. */
	char *lng = long_url(QR_TEXT_MAX);
	buf_reset(&b);
	assert_int_equal(qr_png(lng, 3, &b), 0);
	assert_decodes_to(b.data, b.len, lng, "long");
	free(lng);
	buf_reset(&b);
	assert_int_equal(qr_png(urls[0], 2, &b), 0);
	assert_decodes_to(b.data, b.len, urls[0], "scale2");
	buf_cleanup(&b);
}

static void test_png_geometry_and_append(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "keep");
	assert_int_equal(qr_png(urls[0], 5, &b), 0);
	assert_memory_equal(b.data, "keep\x89PNG", 8); /* appended after what was there */
	struct buf png = {b.data + 4, b.len - 4, 0, 0};
	int side;
	unsigned char *g = png_grid(&png, 5, &side);
	/* 54 bytes at level M need version 4: 33 modules, plus the quiet zone. */
	assert_int_equal(side, 33 + 2 * QUIET);
	for (int i = 0; i < side; i++)
		for (int k = 0; k < QUIET; k++) {
			assert_int_equal(g[k * side + i], 0);              /* top */
			assert_int_equal(g[(side - 1 - k) * side + i], 0); /* bottom */
			assert_int_equal(g[i * side + k], 0);              /* left */
			assert_int_equal(g[i * side + side - 1 - k], 0);   /* right */
		}
	/* The top-left finder pattern: a 7×7 dark ring, a light ring, a 3×3 core. */
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			int ring = x == 0 || y == 0 || x == 6 || y == 6;
			int core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			assert_int_equal(g[(y + QUIET) * side + x + QUIET], ring || core);
		}
	free(g);
	buf_cleanup(&b);
}

/* ---- SVG ---- */

/* The grid the SVG's one path draws (side x side, 1 = dark). The path must be
 * a list of "M x y h n v1 h-n z" runs, each inside the grid and none
 * overlapping another. Caller frees. */
static unsigned char *svg_grid(const char *svg, int *side)
{
	int w, h;
	const char *vb = strstr(svg, "viewBox=\"0 0 ");
	assert_non_null(vb);
	assert_int_equal(sscanf(vb, "viewBox=\"0 0 %d %d\"", &w, &h), 2);
	assert_int_equal(w, h);
	*side = w;
	unsigned char *g = calloc((size_t)w * w, 1);
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	d += 4;
	while (*d != '"') {
		int x, y, n, back, used = 0;
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &back, &used) != 4 || !used)
			fail_msg("unexpected path data at \"%.30s\"", d);
		assert_int_equal(back, n);
		assert_true(n >= 1 && x >= 0 && y >= 0 && y < w && x + n <= w);
		for (int i = 0; i < n; i++) {
			assert_int_equal(g[y * w + x + i], 0);
			g[y * w + x + i] = 1;
		}
		d += used;
	}
	return g;
}

static void test_svg_structure(void **state)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(qr_svg(urls[0], "คิวอาร์โค้ด <a href=\"x\">&'", &b), 0);
	const char *s = buf_str(&b);
	assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "));
	assert_non_null(
	    strstr(s, " width=\"100%\" height=\"100%\" role=\"img\" shape-rendering=\"crispEdges\">"));
	assert_non_null(strstr(s, "<title>คิวอาร์โค้ด &lt;a href=&quot;x&quot;&gt;&amp;&#39;</title>"));
	assert_int_equal(support_count(s, "<path"), 1);
	assert_int_equal(support_count(s, "<title>"), 1);
	assert_int_equal(support_count(s, "<"), 7); /* <?xml <svg <title> </title> <rect <path </svg> */
	assert_non_null(strstr(s, "<rect width=\"41\" height=\"41\" fill=\"#fff\"/>"));
	assert_non_null(strstr(s, "viewBox=\"0 0 41 41\""));
	assert_true(b.len > 0 && s[b.len - 1] == '\n');
	assert_non_null(strstr(s, "</svg>\n"));

	/* No title given: the text itself, escaped. */
	buf_reset(&b);
	assert_int_equal(qr_svg("http://x/?a=1&b=<2>", NULL, &b), 0);
	assert_non_null(strstr(buf_str(&b), "<title>http://x/?a=1&amp;b=&lt;2&gt;</title>"));
	buf_cleanup(&b);
}

/* The SVG draws exactly the modules of the PNG that zbarimg decodes. */
static void test_svg_matches_decoded_png(void **state)
{
	char *lng = long_url(700);
	const char *texts[] = {urls[0], urls[1], urls[2], lng};
	struct buf svg, png;
	buf_init(&svg, 0);
	buf_init(&png, 0);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		buf_reset(&svg);
		buf_reset(&png);
		assert_int_equal(qr_svg(texts[i], NULL, &svg), 0);
		assert_int_equal(qr_png(texts[i], 3, &png), 0);
		assert_decodes_to(png.data, png.len, texts[i], "svg-twin");
		int ss, ps;
		unsigned char *sg = svg_grid(buf_str(&svg), &ss);
		unsigned char *pg = png_grid(&png, 3, &ps);
		assert_int_equal(ss, ps);
		assert_memory_equal(sg, pg, (size_t)ss * ss);
		int dark = 0;
		for (int k = 0; k < ss * ss; k++)
			dark += sg[k];
		assert_true(dark > ss * ss / 5); /* a real code, not an empty grid */
		free(sg);
		free(pg);
	}
	free(lng);
	buf_cleanup(&svg);
	buf_cleanup(&png);
}

/* ---- cairo ---- */

/* The side of text's code in modules, quiet zone included. */
static int code_side(const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(qr_svg(text, NULL, &b), 0);
	int side;
	unsigned char *g = svg_grid(buf_str(&b), &side);
	free(g);
	buf_cleanup(&b);
	return side;
}

static struct buf surface_png(cairo_surface_t *s)
{
	struct buf b;
	buf_init(&b, 0);
	char *path = support_temp_path("png");
	assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, got);
	fclose(f);
	unlink(path);
	free(path);
	return b;
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
	cairo_surface_flush(s);
	const unsigned char *px = cairo_image_surface_get_data(s);
	return *(const uint32_t *)(px + y * cairo_image_surface_get_stride(s) + x * 4) & 0xffffff;
}

static void test_cairo_draws_decodable_code(void **state)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 420);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5); /* a grey page */
	cairo_paint(cr);
	uint32_t grey = pixel(s, 0, 0);
	cairo_set_source_rgb(cr, 1, 0, 0);
	/* 301.3 px over 57 modules (151 bytes at level M: version 8, 49 + 8):
	 * ~5.3 px a module, so the edges are anti-aliased. */
	int side = code_side(urls[1]);
	assert_int_equal(side, 57);
	assert_int_equal(qr_cairo(cr, urls[1], 40.5, 60.25, 301.3), 0);
	/* The caller's source is untouched. */
	double r, g, bl, a;
	assert_int_equal(cairo_pattern_get_rgba(cairo_get_source(cr), &r, &g, &bl, &a), CAIRO_STATUS_SUCCESS);
	assert_true(r == 1 && g == 0 && bl == 0);
	/* Grey outside the square, white in its quiet zone, black in the
	 * finder pattern's corner. */
	assert_int_equal(pixel(s, 20, 20), grey);
	assert_int_equal(pixel(s, 39, 200), grey);
	assert_int_equal(pixel(s, 343, 200), grey);
	assert_int_equal(pixel(s, 380, 400), grey);
	assert_int_equal(pixel(s, 45, 65), 0xffffff);
	assert_int_equal(pixel(s, 335, 355), 0xffffff);
	double module = 301.3 / side;
	assert_int_equal(pixel(s, (int)(40.5 + 4.5 * module), (int)(60.25 + 4.5 * module)), 0);
	struct buf png = surface_png(s);
	assert_decodes_to(png.data, png.len, urls[1], "cairo");
	buf_cleanup(&png);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

/* ---- bad inputs ---- */

static void test_bad_inputs_leave_out_unchanged(void **state)
{
	char *too_long = long_url(QR_TEXT_MAX + 1);
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "keep");
	assert_int_equal(qr_svg("", NULL, &b), -1);
	assert_int_equal(qr_svg(NULL, "t", &b), -1);
	assert_int_equal(qr_svg(too_long, NULL, &b), -1);
	assert_int_equal(qr_png("", 4, &b), -1);
	assert_int_equal(qr_png(NULL, 4, &b), -1);
	assert_int_equal(qr_png(too_long, 4, &b), -1);
	assert_int_equal(qr_png(urls[0], 0, &b), -1);
	assert_int_equal(qr_png(urls[0], 33, &b), -1);
	assert_int_equal(qr_png(urls[0], -1, &b), -1);
	assert_string_equal(buf_str(&b), "keep");
	assert_int_equal(b.len, 4);
	buf_cleanup(&b);

	/* The buffer's cap: the SVG needs ~5 KB, the PNG ~1 KB at scale 4. */
	buf_init(&b, 2000);
	buf_puts(&b, "keep");
	char *big = long_url(300);
	assert_int_equal(qr_svg(big, NULL, &b), -1);
	assert_string_equal(buf_str(&b), "keep");
	assert_int_equal(qr_png(big, 32, &b), -1);
	assert_string_equal(buf_str(&b), "keep");
	assert_int_equal(qr_png("x", 1, &b), 0); /* a small one still fits */
	buf_cleanup(&b);
	free(big);

	/* qr_cairo: refused, and nothing drawn. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_paint(cr);
	uint32_t grey = pixel(s, 0, 0);
	assert_int_equal(qr_cairo(NULL, urls[0], 0, 0, 100), -1);
	assert_int_equal(qr_cairo(cr, "", 0, 0, 100), -1);
	assert_int_equal(qr_cairo(cr, NULL, 0, 0, 100), -1);
	assert_int_equal(qr_cairo(cr, too_long, 0, 0, 100), -1);
	assert_int_equal(qr_cairo(cr, urls[0], 0, 0, 0), -1);
	assert_int_equal(qr_cairo(cr, urls[0], 0, 0, -50), -1);
	assert_int_equal(qr_cairo(cr, urls[0], 0, 0, NAN), -1);
	assert_int_equal(qr_cairo(cr, urls[0], INFINITY, 0, 50), -1);
	for (int y = 0; y < 100; y += 7)
		for (int x = 0; x < 100; x += 7)
			assert_int_equal(pixel(s, x, y), grey);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	free(too_long);
}

/* ---- threads ---- */

struct job {
	const char *text;
	int rc;
	char *svg;
};

static void *svg_job(void *arg)
{
	struct job *j = arg;
	struct buf b;
	buf_init(&b, 0);
	for (int k = 0; k < 50 && j->rc == 0; k++) {
		buf_reset(&b);
		j->rc = qr_svg(j->text, NULL, &b);
	}
	j->svg = buf_detach(&b, NULL);
	return NULL;
}

/* Web workers encode at the same time: the same text gives the same code in
 * every thread. */
static void test_threads(void **state)
{
	struct job jobs[3] = {{urls[1], 0, NULL}, {urls[1], 0, NULL}, {urls[1], 0, NULL}};
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, svg_job, &jobs[i]), 0);
	struct buf one;
	buf_init(&one, 0);
	assert_int_equal(qr_svg(urls[1], NULL, &one), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].rc, 0);
		assert_string_equal(jobs[i].svg, buf_str(&one));
		free(jobs[i].svg);
	}
	buf_cleanup(&one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_png_decodes),
	    cmocka_unit_test(test_png_geometry_and_append),
	    cmocka_unit_test(test_svg_structure),
	    cmocka_unit_test(test_svg_matches_decoded_png),
	    cmocka_unit_test(test_cairo_draws_decodable_code),
	    cmocka_unit_test(test_bad_inputs_leave_out_unchanged),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
