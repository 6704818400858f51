/* /help: the built-in manual (issue 11, step 7).
 *
 * osspoint's own Thai manual (docs/manual-th.md, compiled into the binary)
 * is cut into sections at its "##" headings (core/manual.h), each rendered
 * once with cmark-gfm (render/markdown.h) and indexed with the portal's
 * Thai word segmentation (core/search.h): /help lists the sections and
 * searches them (?q=), /help/{section} shows one, /help/print the whole
 * manual for printing. Beside it, the documents a national admin publishes
 * for every point (DOPA's service manual, PDF or Markdown), kept in the
 * database as content-hashed blobs (db/blobs.h) and streamed out.
 *
 * Every staff page links to the section about it: help_links below, one
 * table of path prefixes, rendered by the base template (web_help_link). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/help.h"
#include "core/manual.h"
#include "core/perm.h"
#include "core/search.h"
#include "db/db.h"
#include "db/blobs.h"
#include "db/help.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/markdown.h"
#include "web/app.h"
#include "web/files.h"
#include "web/forms.h"
#include "web/scope.h"
#include "web/web.h"

/* ---- the help link of every staff page: path prefix → section ----
 * The longest matching prefix wins. Add a row with a new page's section
 * (the unit test checks that every section named here exists). */
const struct help_link help_links[] = {
    {"/home", "daily"},
    {"/units", "home"},
    {"/users", "users"},
    {"/registry/import", "registry"},
    {"/registry", "registry"},
    {"/survey", "survey"},
    {"/admin/survey", "survey"},
    {"/admin/services", "portal"},
    {"/points", "portal"},
    {"/help", "help"},
    {"/contacts", "contacts"},
    {"/units/{code}/contacts", "contacts"},
    {"/helpdesk", "helpdesk"},
    {"/stats", "stats"},
    {"/roster", "roster"},
    {"/holidays", "holidays"},
    {"/orders", "orders"},
    {"/stats/external", "external"},
    {NULL, NULL},
};

/* ---- the manual, built once ---- */

struct manual_state {
	struct manual_doc doc;
	char *intro_html;
	char *html[MANUAL_SECTIONS_MAX];
	char *text[MANUAL_SECTIONS_MAX];
	char *terms[MANUAL_SECTIONS_MAX]; /* the section's **bold** phrases: the names of buttons and menus */
	struct search_index *ix;
};

static struct manual_state *manual;
static pthread_once_t manual_once = PTHREAD_ONCE_INIT;

static char *render(const char *md, size_t len, int shift)
{
	struct buf b;
	buf_init(&b, 16u << 20);
	if (markdown_html(md, len, shift, &b) != 0)
		log_error("help: a manual section did not render");
	char *s = xstrdup(buf_str(&b));
	buf_cleanup(&b);
	return s;
}

static void manual_build(void)
{
	const struct embedded_file *f = &manual_files[0];
	struct manual_state *m = xcalloc(1, sizeof *m);
	manual_split(f->data, f->len, &m->doc);
	m->intro_html = render(f->data + m->doc.intro, m->doc.intro_len, 1);
	struct search_doc docs[MANUAL_SECTIONS_MAX];
	for (size_t i = 0; i < m->doc.n; i++) {
		const struct manual_section *s = &m->doc.s[i];
		/* The section with its own heading (its title, without the {#id}),
		 * as h2 under the page's h1. */
		struct buf md;
		buf_init(&md, 16u << 20);
		buf_puts(&md, "## ");
		buf_puts(&md, s->title);
		buf_putc(&md, '\n');
		buf_append(&md, f->data + s->body, s->body_len);
		m->html[i] = render(buf_str(&md), md.len, 0);
		buf_cleanup(&md);
		struct buf t;
		buf_init(&t, 16u << 20);
		markdown_text(f->data + s->body, s->body_len, &t);
		m->text[i] = xstrdup(buf_str(&t));
		buf_cleanup(&t);
		/* What the manual sets in bold (buttons, menus, statuses) is what
		 * people search for: those phrases weigh as a service's everyday
		 * words do, one per line. */
		struct buf kw;
		buf_init(&kw, 1u << 20);
		const char *b = f->data + s->body, *end = b + s->body_len;
		for (const char *p = b; p + 4 <= end;) {
			const char *open = memmem(p, (size_t)(end - p), "**", 2);
			const char *close = open ? memmem(open + 2, (size_t)(end - open - 2), "**", 2) : NULL;
			if (!close)
				break;
			if (close - open - 2 <= 120 && !memchr(open + 2, '\n', (size_t)(close - open - 2))) {
				buf_append(&kw, open + 2, (size_t)(close - open - 2));
				buf_putc(&kw, '\n');
			}
			p = close + 2;
		}
		m->terms[i] = xstrdup(buf_str(&kw));
		buf_cleanup(&kw);
		docs[i] = (struct search_doc){
		    .name_th = s->title, .keywords = m->terms[i], .description = m->text[i]};
	}
	m->ix = search_index_new(docs, m->doc.n);
	if (!m->ix)
		log_error("help: the manual's search index could not be built (libthai dictionary)");
	manual = m;
}

static const struct manual_state *manual_get(void)
{
	pthread_once(&manual_once, manual_build);
	return manual;
}

const struct manual_doc *help_manual(void)
{
	return &manual_get()->doc;
}

json_t *web_help_link(const char *path)
{
	const struct help_link *best = NULL;
	size_t best_len = 0;
	for (const struct help_link *l = help_links; l->prefix; l++) {
		size_t n = strlen(l->prefix);
		const char *brace = strchr(l->prefix, '{');
		bool match;
		if (brace) { /* "/units/{code}/contacts": one segment in place of the parameter */
			size_t head = (size_t)(brace - l->prefix);
			const char *tail = strchr(brace, '}') + 1;
			const char *seg_end =
			    strncmp(path, l->prefix, head) ? NULL : strchr(path + head, '/');
			match = seg_end && seg_end > path + head && !strncmp(seg_end, tail, strlen(tail)) &&
			        (seg_end[strlen(tail)] == '\0' || seg_end[strlen(tail)] == '/');
		} else {
			match = !strncmp(path, l->prefix, n) && (path[n] == '\0' || path[n] == '/');
		}
		if (match && n > best_len) {
			best = l;
			best_len = n;
		}
	}
	if (!best)
		return NULL;
	const struct manual_section *s = manual_find(help_manual(), best->section);
	if (!s)
		return NULL;
	char href[96];
	snprintf(href, sizeof href, "/help/%s", s->id);
	return json_pack("{s:s, s:s, s:s}", "href", href, "section", s->id, "title", s->title);
}

/* ---- pages ---- */

static json_t *toc(const struct manual_state *m, const char *current)
{
	json_t *a = json_array();
	for (size_t i = 0; i < m->doc.n; i++) {
		char href[64];
		snprintf(href, sizeof href, "/help/%s", m->doc.s[i].id);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "id", m->doc.s[i].id, "title",
		                                   m->doc.s[i].title, "href", href, "current",
		                                   current && !strcmp(current, m->doc.s[i].id)));
	}
	return a;
}

/* A snippet of text around the first occurrence of q (or its start): at
 * most ~220 bytes, cut at character boundaries. */
static json_t *snippet(const char *text, const char *q)
{
	const char *at = q && *q ? strstr(text, q) : NULL;
	size_t start = at ? (size_t)(at - text) : 0;
	start = start > 80 ? start - 80 : 0;
	while (start && ((unsigned char)text[start] & 0xC0) == 0x80)
		start--;
	size_t len = strlen(text + start);
	size_t n = len > 220 ? 220 : len;
	while (n < len && ((unsigned char)text[start + n] & 0xC0) == 0x80)
		n++;
	struct buf b;
	buf_init(&b, 1024);
	if (start)
		buf_puts(&b, "…");
	for (size_t i = 0; i < n; i++)
		buf_putc(&b, text[start + i] == '\n' ? ' ' : text[start + i]);
	if (start + n < len)
		buf_puts(&b, "…");
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j ? j : json_string("");
}

static json_t *date_th(int64_t t)
{
	struct buf b;
	buf_init(&b, 256);
	thai_epoch_format_date(&b, t, THAI_DATE_SHORT, false);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

static json_t *docs_model(void)
{
	json_t *docs = db_help_docs(app->db);
	if (!docs)
		return NULL;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		json_int_t id = json_integer_value(json_object_get(d, "id"));
		char href[64];
		snprintf(href, sizeof href, "/help/docs/%lld", (long long)id);
		json_object_set_new(d, "href", json_string(href));
		snprintf(href, sizeof href, "/help/docs/%lld/file", (long long)id);
		json_object_set_new(d, "file_href", json_string(href));
		json_object_set_new(d, "is_pdf", json_boolean(!strcmp(web_str(d, "kind"), "pdf")));
		json_object_set_new(
		    d, "size_kb",
		    json_integer((json_integer_value(json_object_get(d, "size")) + 1023) / 1024));
		json_object_set_new(d, "updated_th",
		                    date_th(json_integer_value(json_object_get(d, "updated_at"))));
	}
	return docs;
}

/* The /help page's model (q: the search, may be NULL); with errors, the
 * publish form keeps its title and names what to fix. NULL when the
 * database failed. */
static json_t *index_model(struct req *r, const char *q, json_t *errors)
{
	const struct manual_state *m = manual_get();
	json_t *docs = docs_model();
	if (!docs)
		return NULL;
	const struct session_user *u = web_user(r);
	json_t *model = json_pack(
	    "{s:s, s:s, s:s, s:o, s:o, s:b, s:I, s:o}", "page_title", "คู่มือและเอกสาร", "manual_title",
	    m->doc.title, "intro_html", m->intro_html, "sections", toc(m, NULL), "docs", docs, "can_publish",
	    u->role >= ROLE_NATIONAL_ADMIN, "doc_max_mb", (json_int_t)(app->cfg->help_doc_max >> 20),
	    "doc_fields", form_fields_model(help_fields_doc, "doc-", errors ? r : NULL, NULL, errors));
	json_object_set_new(model, "has_docs", json_boolean(json_array_size(docs) > 0));
	if (errors)
		form_error_summary(model, help_fields_doc, "doc-", errors);
	if (q && *q && m->ix) {
		size_t hits[MANUAL_SECTIONS_MAX];
		size_t n = search_query(m->ix, q, hits, MANUAL_SECTIONS_MAX);
		json_t *res = json_array();
		for (size_t i = 0; i < n; i++) {
			const struct manual_section *s = &m->doc.s[hits[i]];
			char href[64];
			snprintf(href, sizeof href, "/help/%s", s->id);
			json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:o}", "id", s->id, "title",
			                                     s->title, "href", href, "snippet",
			                                     snippet(m->text[hits[i]], q)));
		}
		json_object_set_new(model, "q", json_string(q));
		json_object_set_new(model, "searched", json_true());
		json_object_set_new(model, "result_count", json_integer((json_int_t)n));
		json_object_set_new(model, "results", res);
	}
	return model;
}

static void help_index(struct req *r)
{
	json_t *model = index_model(r, req_query(r, "q"), NULL);
	if (!model) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	reply_model(r, 200, "help", model);
}

static void help_section(struct req *r)
{
	const struct manual_state *m = manual_get();
	const char *id = req_param(r, "section");
	const struct manual_section *s = manual_find(&m->doc, id);
	if (!s) {
		reply_error(r, ERR_HELP_SECTION_NOT_FOUND, "section", NULL);
		return;
	}
	size_t i = (size_t)(s - m->doc.s);
	json_t *model = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:o}", "page_title", s->title,
	                          "manual_title", m->doc.title, "section", "id", s->id, "title", s->title,
	                          "html", m->html[i], "text", m->text[i], "sections", toc(m, s->id));
	if (i > 0)
		json_object_set_new(
		    model, "prev",
		    json_pack("{s:s, s:s}", "id", m->doc.s[i - 1].id, "title", m->doc.s[i - 1].title));
	if (i + 1 < m->doc.n)
		json_object_set_new(
		    model, "next",
		    json_pack("{s:s, s:s}", "id", m->doc.s[i + 1].id, "title", m->doc.s[i + 1].title));
	reply_model(r, 200, "help_section", model);
}

static void help_print(struct req *r)
{
	const struct manual_state *m = manual_get();
	json_t *all = json_array();
	for (size_t i = 0; i < m->doc.n; i++)
		json_array_append_new(all, json_pack("{s:s, s:s, s:s}", "id", m->doc.s[i].id, "title",
		                                     m->doc.s[i].title, "html", m->html[i]));
	reply_model(r, 200, "help_print",
	            json_pack("{s:s, s:s, s:s, s:o}", "page_title", m->doc.title, "manual_title",
	                      m->doc.title, "intro_html", m->intro_html, "sections", all));
}

/* ---- published documents ---- */

static int64_t id_of(struct req *r)
{
	const char *s = req_param(r, "id");
	char *end;
	long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	return (v > 0 && !*end) ? v : -1;
}

static json_t *load_doc(struct req *r)
{
	int64_t id = id_of(r);
	int rc = DB_DONE;
	json_t *d = id > 0 ? db_help_doc(app->db, id, &rc) : NULL;
	if (!d)
		reply_error(r, rc < 0 ? ERR_UNAVAILABLE : ERR_HELP_DOC_NOT_FOUND, NULL, NULL);
	return d;
}

static void help_doc_show(struct req *r)
{
	json_t *d = load_doc(r);
	if (!d)
		return;
	json_int_t id = json_integer_value(json_object_get(d, "id"));
	char href[64];
	snprintf(href, sizeof href, "/help/docs/%lld/file", (long long)id);
	json_object_set_new(d, "file_href", json_string(href));
	json_object_set_new(d, "is_pdf", json_boolean(!strcmp(web_str(d, "kind"), "pdf")));
	json_object_set_new(d, "size_kb",
	                    json_integer((json_integer_value(json_object_get(d, "size")) + 1023) / 1024));
	json_object_set_new(d, "updated_th", date_th(json_integer_value(json_object_get(d, "updated_at"))));
	if (!strcmp(web_str(d, "kind"), "markdown")) {
		/* Read the text back (chunk by chunk) and render it, safe mode. */
		uint64_t size = 0;
		bool found = false;
		struct blob_reader *br = db_blob_open(app->db, web_str(d, "blob_hash"), &size, &found);
		if (!br) {
			json_decref(d);
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
			return;
		}
		char *md = xmalloc(size + 1);
		uint64_t pos = 0;
		long long n;
		while (pos < size && (n = db_blob_read(br, pos, md + pos, size - pos)) > 0)
			pos += (uint64_t)n;
		db_blob_close(br);
		struct buf html;
		buf_init(&html, 64u << 20);
		markdown_html(md, pos, 1, &html);
		free(md);
		json_object_set_new(d, "html", json_string(buf_str(&html)));
		buf_cleanup(&html);
	}
	json_object_del(d, "blob_hash");
	const struct session_user *u = web_user(r);
	json_t *fields = form_fields_model(help_fields_doc, "doc-", NULL, d, NULL);
	json_t *model = json_pack("{s:s, s:o, s:b, s:o}", "page_title", web_str(d, "title_th"), "doc", d,
	                          "can_publish", u->role >= ROLE_NATIONAL_ADMIN, "doc_fields", fields);
	reply_model(r, 200, "help_doc", model);
}

static void help_doc_file(struct req *r)
{
	json_t *d = load_doc(r);
	if (!d)
		return;
	bool pdf = !strcmp(web_str(d, "kind"), "pdf");
	upload_send(r, web_str(d, "blob_hash"), pdf ? "application/pdf" : "text/markdown; charset=utf-8",
	            web_str(d, "filename"), pdf);
	json_decref(d);
}

struct form_get {
	struct req *r;
};

static const char *form_value(const char *name, void *ctx)
{
	return req_form(((struct form_get *)ctx)->r, name);
}

/* A refused publish: the problem (JSON) or /help again with the form
 * keeping its title and a summary of what to fix. */
static void invalid(struct req *r, const struct help_errors *e)
{
	json_t *errors = json_array();
	for (size_t i = 0; i < e->n; i++)
		web_field_error(errors, e->e[i].field, e->e[i].message);
	json_t *m = web_wants_json(r) ? NULL : index_model(r, NULL, errors);
	reply_invalid(r, m ? "help" : NULL, m, errors);
}

/* The uploaded document of this request (field "file"), checked; ERR_OK
 * with given = false when none was sent. */
static enum err doc_upload(struct req *r, struct upload *u, bool *given)
{
	const struct form_field *p = req_file(r, "file");
	*given = upload_given(p);
	memset(u, 0, sizeof *u);
	buf_init(&u->clean, 1);
	if (!*given)
		return ERR_OK;
	upload_cleanup(u);
	return upload_check(p, UPLOAD_HELP_DOC, app->cfg->help_doc_max, u);
}

static void help_doc_create(struct req *r)
{
	struct form_get g = {r};
	struct help_values v;
	struct help_errors e;
	int bad = help_fields_check(help_fields_doc, form_value, &g, false, &v, &e);
	struct upload u;
	bool given;
	enum err fe = doc_upload(r, &u, &given);
	if (bad == 0 && fe == ERR_OK && !given) {
		e.e[e.n].field = "file";
		e.e[e.n].message = "กรุณาเลือกไฟล์ PDF หรือ Markdown";
		e.n++;
		bad = -1;
	}
	if (bad) {
		invalid(r, &e);
	} else if (fe != ERR_OK) {
		reply_error(r, fe, "file", NULL);
	} else {
		int64_t id = 0;
		const struct session_user *user = web_user(r);
		int rc = db_help_doc_add(app->db, help_value(help_fields_doc, &v, "title_th"), u.kind, &u.f,
		                         user->id, (int64_t)time(NULL), &id);
		if (rc != DB_OK) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		} else {
			char target[32];
			snprintf(target, sizeof target, "%lld", (long long)id);
			web_audit(r, "help.publish", target, u.kind);
			if (web_wants_json(r)) {
				reply_json(r, 201,
				           json_pack("{s:I, s:s, s:I, s:i}", "id", (json_int_t)id, "kind",
				                     u.kind, "size", (json_int_t)u.f.len, "pages",
				                     u.f.pages));
			} else {
				reply_redirect(r, 303, "/help");
			}
		}
	}
	upload_cleanup(&u);
	help_values_free(&v);
}

static void help_doc_update(struct req *r)
{
	int64_t id = id_of(r);
	struct form_get g = {r};
	struct help_values v;
	struct help_errors e;
	int bad = help_fields_check(help_fields_doc, form_value, &g, true, &v, &e);
	struct upload u;
	bool given;
	enum err fe = doc_upload(r, &u, &given);
	if (bad) {
		invalid(r, &e);
	} else if (fe != ERR_OK) {
		reply_error(r, fe, "file", NULL);
	} else {
		int rc = id > 0 ? db_help_doc_update(app->db, id, help_value(help_fields_doc, &v, "title_th"),
		                                     u.kind, given ? &u.f : NULL, (int64_t)time(NULL))
		                : DB_NOT_FOUND;
		if (rc == DB_NOT_FOUND) {
			reply_error(r, ERR_HELP_DOC_NOT_FOUND, NULL, NULL);
		} else if (rc != DB_OK) {
			reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		} else {
			char target[32];
			snprintf(target, sizeof target, "%lld", (long long)id);
			web_audit(r, "help.update", target, given ? u.kind : NULL);
			if (web_wants_json(r))
				reply_json(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
			else
				reply_redirect(r, 303, "/help");
		}
	}
	upload_cleanup(&u);
	help_values_free(&v);
}

static void help_doc_delete(struct req *r)
{
	int64_t id = id_of(r);
	int rc = id > 0 ? db_help_doc_delete(app->db, id) : DB_NOT_FOUND;
	if (rc == DB_NOT_FOUND) {
		reply_error(r, ERR_HELP_DOC_NOT_FOUND, NULL, NULL);
		return;
	}
	if (rc != DB_OK) {
		reply_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return;
	}
	char target[32];
	snprintf(target, sizeof target, "%lld", (long long)id);
	web_audit(r, "help.delete", target, NULL);
	if (web_wants_json(r))
		reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
	else
		reply_redirect(r, 303, "/help");
}

const struct route help_routes[] = {
    {HTTP_GET, "/help", ROLE_OFFICER, 0, help_index, "help.index", &scope_none},
    {HTTP_GET, "/help/print", ROLE_OFFICER, 0, help_print, "help.print", &scope_none},
    {HTTP_GET, "/help/{section}", ROLE_OFFICER, 0, help_section, "help.section", &scope_none},
    {HTTP_POST, "/help/docs", ROLE_NATIONAL_ADMIN, 0, help_doc_create, "help.doc_create", &scope_national},
    {HTTP_GET, "/help/docs/{id}", ROLE_OFFICER, 0, help_doc_show, "help.doc", &scope_none},
    {HTTP_GET, "/help/docs/{id}/file", ROLE_OFFICER, 0, help_doc_file, "help.doc_file", &scope_none},
    {HTTP_POST, "/help/docs/{id}", ROLE_NATIONAL_ADMIN, 0, help_doc_update, "help.doc_update",
     &scope_national},
    {HTTP_POST, "/help/docs/{id}/delete", ROLE_NATIONAL_ADMIN, 0, help_doc_delete, "help.doc_delete",
     &scope_national},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
