/* Uploaded files (web/files.h). */
#include "web/files.h"

#include <stdio.h>
#include <string.h>

#include "db/blobs.h"
#include "lib/log.h"
#include "web/app.h"

bool upload_given(const struct form_field *p)
{
	return p && p->filename && (p->filename[0] || p->len > 0);
}

/* The client's file name without any directory, quote, control character
 * or byte a Content-Disposition header could not carry; "file" when
 * nothing is left. */
static void safe_name(const char *in, const char *ext, char out[128])
{
	const char *base = in ? in : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)base; *p && n + 1 < 100; p++)
		if (*p >= 0x20 && *p != 0x7F && *p != '"' && *p != ';' && *p != '%')
			out[n++] = (char)*p;
	while (n && ((unsigned char)out[n - 1] & 0xC0) == 0x80) /* no cut character at the end */
		n--;
	if (n && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
		n--;
	out[n] = '\0';
	if (!n)
		snprintf(out, 128, "file%s", ext);
}

enum err upload_check(const struct form_field *p, enum upload_use use, size_t max, struct upload *u)
{
	memset(u, 0, sizeof *u);
	buf_init(&u->clean, max + (1u << 20));
	if (p->len > max)
		return ERR_FILE_TOO_LARGE;
	if (p->len == 0)
		return ERR_FILE_DAMAGED;
	char mime[FILECHECK_MIME_MAX];
	if (filecheck_sniff(p->value, p->len, mime) != 0)
		return ERR_UNAVAILABLE;
	u->f.data = p->value;
	u->f.len = p->len;
	if (!strcmp(mime, "application/pdf")) {
		int pages = filecheck_pdf_pages(p->value, p->len);
		if (pages < 1)
			return ERR_FILE_DAMAGED;
		u->f.pages = pages;
		u->kind = "pdf";
		snprintf(u->mime, sizeof u->mime, "application/pdf");
		safe_name(p->filename, ".pdf", u->filename);
	} else if (use == UPLOAD_HELP_DOC &&
	           (!strncmp(mime, "text/", 5) || !strcmp(mime, "application/octet-stream"))) {
		/* Markdown is plain text to libmagic ("text/plain", "text/x-…"). */
		if (!filecheck_text_ok(p->value, p->len))
			return ERR_FILE_TYPE;
		u->kind = "markdown";
		snprintf(u->mime, sizeof u->mime, "text/markdown; charset=utf-8");
		safe_name(p->filename, ".md", u->filename);
	} else if (use == UPLOAD_ATTACHMENT && (!strcmp(mime, "image/jpeg") || !strcmp(mime, "image/png") ||
	                                        !strcmp(mime, "image/webp"))) {
		char out_mime[FILECHECK_MIME_MAX];
		int rc = filecheck_image_clean(p->value, p->len, mime, &u->clean, out_mime);
		if (rc != 0)
			return rc == -2 ? ERR_FILE_TYPE : ERR_FILE_DAMAGED;
		u->f.data = buf_str(&u->clean);
		u->f.len = u->clean.len;
		snprintf(u->mime, sizeof u->mime, "%s", out_mime);
		safe_name(p->filename, !strcmp(out_mime, "image/png") ? ".png" : ".jpg", u->filename);
		u->kind = "image";
	} else {
		return ERR_FILE_TYPE;
	}
	u->f.content_type = u->mime;
	u->f.filename = u->filename;
	return ERR_OK;
}

void upload_cleanup(struct upload *u)
{
	buf_cleanup(&u->clean);
}

void upload_send(struct req *r, const char *hash, const char *content_type, const char *filename,
                 bool inline_)
{
	uint64_t size = 0;
	bool found = false;
	struct blob_reader *br = db_blob_open(app->db, hash, &size, &found);
	if (!br) {
		reply_error(r, found || hash[0] ? ERR_UNAVAILABLE : ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	/* RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
	struct buf cd;
	buf_init(&cd, 1024);
	buf_printf(&cd, "%s; filename=\"file\"; filename*=UTF-8''", inline_ ? "inline" : "attachment");
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_')
			buf_putc(&cd, (char)*p);
		else
			buf_printf(&cd, "%%%02X", *p);
	}
	reply_header(r, "Content-Disposition", buf_str(&cd));
	buf_cleanup(&cd);
	reply_header(r, "Cache-Control", "private, no-store");
	/* What was stored is what it was sniffed as; a viewer never guesses. */
	reply_stream(r, 200, content_type, size, db_blob_read, db_blob_close, br);
}
