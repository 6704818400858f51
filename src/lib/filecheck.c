/* Type sniffing (libmagic), PDF check (poppler-glib), image re-encoding
 * (libvips): lib/filecheck.h. */
#include "lib/filecheck.h"

#include <glib.h>
#include <magic.h>
#include <poppler.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

#include "lib/log.h"

/* A magic_t is not thread-safe: one, loaded once, used under a lock (a
 * sniff takes microseconds; loading the database takes milliseconds). */
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic;
static int magic_state; /* 0 not tried, 1 ready, -1 failed */

int filecheck_sniff(const void *data, size_t len, char mime[FILECHECK_MIME_MAX])
{
	int rc = -1;
	mime[0] = '\0';
	pthread_mutex_lock(&magic_lock);
	if (magic_state == 0) {
		magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
		if (magic && magic_load(magic, NULL) == 0) {
			magic_state = 1;
		} else {
			log_error("filecheck: libmagic could not load its database: %s",
			          magic ? magic_error(magic) : "magic_open failed");
			if (magic)
				magic_close(magic);
			magic = NULL;
			magic_state = -1;
		}
	}
	if (magic_state == 1) {
		const char *m = magic_buffer(magic, data, len);
		if (m && strlen(m) < FILECHECK_MIME_MAX) {
			memcpy(mime, m, strlen(m) + 1);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&magic_lock);
	return rc;
}

int filecheck_pdf_pages(const void *data, size_t len)
{
	if (len < 5 || memcmp(data, "%PDF-", 5) != 0)
		return -1;
	GBytes *bytes = g_bytes_new(data, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	int pages = -1;
	if (doc) {
		pages = poppler_document_get_n_pages(doc);
		if (pages < 1)
			pages = -1;
		g_object_unref(doc);
	}
	if (err)
		g_error_free(err);
	g_bytes_unref(bytes);
	return pages;
}

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ok;

static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
	(void)domain, (void)level, (void)message, (void)data; /* a refused upload is answered, not logged */
}

static void vips_start(void)
{
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, quiet, NULL);
	vips_ok = VIPS_INIT("osspoint") == 0;
	if (!vips_ok) {
		log_error("filecheck: libvips did not start: %s", vips_error_buffer());
		return;
	}
	/* No operation cache (uploads are never repeated) and no worker pool
	 * larger than needed. */
	vips_cache_set_max(0);
	vips_concurrency_set(1);
}

void filecheck_shutdown(void)
{
	if (vips_ok)
		vips_shutdown();
}

int filecheck_image_clean(const void *data, size_t len, const char *mime, struct buf *out,
                          char out_mime[FILECHECK_MIME_MAX])
{
	bool png = !strcmp(mime, "image/png");
	if (!png && strcmp(mime, "image/jpeg") && strcmp(mime, "image/webp"))
		return -2;
	pthread_once(&vips_once, vips_start);
	if (!vips_ok)
		return -1;
	/* The header first (no pixels decoded): refuse what is too large. */
	VipsImage *head = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
	if (!head) {
		vips_error_clear();
		return -1;
	}
	long pixels = (long)vips_image_get_width(head) * vips_image_get_height(head);
	g_object_unref(head);
	if (pixels <= 0 || pixels > FILECHECK_IMAGE_PIXELS)
		return -1;
	VipsImage *img = NULL;
	if (vips_thumbnail_buffer((void *)data, len, &img, FILECHECK_IMAGE_SIDE, "size", VIPS_SIZE_DOWN,
	                          "height", FILECHECK_IMAGE_SIDE, "fail_on", VIPS_FAIL_ON_ERROR, NULL) != 0) {
		vips_error_clear();
		return -1;
	}
	void *enc = NULL;
	size_t enc_len = 0;
	int rc = png ? vips_pngsave_buffer(img, &enc, &enc_len, "strip", TRUE, NULL)
	             : vips_jpegsave_buffer(img, &enc, &enc_len, "strip", TRUE, "Q", 85, NULL);
	g_object_unref(img);
	if (rc != 0 || !enc) {
		vips_error_clear();
		g_free(enc);
		return -1;
	}
	rc = buf_append(out, enc, enc_len) < 0 ? -1 : 0;
	g_free(enc);
	snprintf(out_mime, FILECHECK_MIME_MAX, "%s", png ? "image/png" : "image/jpeg");
	return rc;
}

int filecheck_text_ok(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7F)
				return 0;
			i++;
			continue;
		}
		size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
		if (!n || c > 0xF4 || i + n > len)
			return 0;
		unsigned cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n;
	}
	return 1;
}
