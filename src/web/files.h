/* Uploaded files, checked the one way (issue 11): the type sniffed from the
 * bytes (lib/filecheck: libmagic), the size against its setting, PDFs
 * opened (poppler), images re-encoded and stripped (libvips), Markdown
 * valid UTF-8 text. Used by the manual's documents (web/help.c) and
 * แจ้งปัญหา's attachments (web/helpdesk.c). */
#ifndef OSSPOINT_WEB_FILES_H
#define OSSPOINT_WEB_FILES_H

#include "db/help.h"
#include "http/http.h"
#include "lib/buf.h"
#include "lib/filecheck.h"

enum upload_use {
	UPLOAD_HELP_DOC,   /* PDF or Markdown */
	UPLOAD_ATTACHMENT, /* PDF, JPEG, PNG, WebP (images re-encoded) */
};

struct upload {
	struct help_file f;            /* what to store (data points into part or into clean) */
	char mime[FILECHECK_MIME_MAX]; /* the stored type */
	char filename[128];            /* the name shown: the client's, made safe */
	const char *kind;              /* UPLOAD_HELP_DOC: "pdf" | "markdown" */
	struct buf clean;              /* re-encoded image bytes */
};

/* Checks the file part p for use, at most max bytes. Returns ERR_OK (u
 * filled; call upload_cleanup) or ERR_FILE_TYPE, ERR_FILE_TOO_LARGE,
 * ERR_FILE_DAMAGED. */
enum err upload_check(const struct form_field *p, enum upload_use use, size_t max, struct upload *u);
void upload_cleanup(struct upload *u);
/* Whether a multipart part is a real file (a browser sends an empty part
 * with an empty name for a file input left empty). */
bool upload_given(const struct form_field *p);
/* Streams a stored blob as the reply (Content-Disposition with filename;
 * inline = shown by the browser rather than downloaded). */
void upload_send(struct req *r, const char *hash, const char *content_type, const char *filename,
                 bool inline_);

#endif
