#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../db/fresh.h"
#include "db/db.h"
#include "db/eservices.h"
#include "db/seed.h"
#include "db/units.h"
#include "http/http.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/fault.h"
#include "lib/xalloc.h"
#include "render/mustache.h"
#include "web/app.h"
#include "web/portal_state.h"
#include "web/web.h"

#ifndef OSSPOINT_TEST_ROOT
#error "OSSPOINT_TEST_ROOT (the source tree) must be defined"
#endif

struct harness {
	struct fresh fresh;
	struct config cfg;
	struct app the;
	struct http_config hc;
	char dir[64]; /* holds the secret key file */
	char secret[96];
};

struct harness *harness_new(void)
{
	struct harness *h = xcalloc(1, sizeof *h);
	char err[1024] = "";
	if (fresh_create(&h->fresh) < 0)
		fail_msg("harness: cannot create a database");
	snprintf(h->dir, sizeof h->dir, "/tmp/osspoint-harness-XXXXXX");
	if (!mkdtemp(h->dir))
		fail_msg("harness: mkdtemp");
	snprintf(h->secret, sizeof h->secret, "%s/secret.key", h->dir);
	assert_int_equal(config_load(&h->cfg, err, sizeof err), 0);
	assert_int_equal(config_set(&h->cfg, "db", h->fresh.url, err, sizeof err), 0);
	assert_int_equal(config_set(&h->cfg, "root", OSSPOINT_TEST_ROOT, err, sizeof err), 0);
	assert_int_equal(config_set(&h->cfg, "secret_file", h->secret, err, sizeof err), 0);
	assert_int_equal(config_set(&h->cfg, "access_log", "0", err, sizeof err), 0);
	if (crypto_secret_load(h->secret, err, sizeof err) < 0)
		fail_msg("harness: secret: %s", err);

	struct app *a = &h->the;
	a->cfg = &h->cfg;
	if (!(a->db = db_open(h->fresh.url, 4, err, sizeof err)))
		fail_msg("harness: db_open: %s", err);
	if (db_migrate(a->db) < 0)
		fail_msg("harness: migrate failed");
	struct seed_counts n = {0};
	if (db_seed_reference(a->db, OSSPOINT_TEST_ROOT "/data", false, &n, err, sizeof err) < 0 ||
	    db_seed_demo(a->db, &n, err, sizeof err) < 0)
		fail_msg("harness: seed: %s", err);
	a->tpl = tpl_set_new();
	if (tpl_set_load_dir(a->tpl, OSSPOINT_TEST_ROOT "/templates", err, sizeof err) <= 0)
		fail_msg("harness: templates: %s", err);
	a->public_stats = db_unit_stats(a->db);
	if (!a->public_stats)
		a->public_stats = json_object();
	if (!(a->router = web_router_new()))
		fail_msg("harness: web_router_new");
	a->public_url = "http://127.0.0.1:8080";
	h->hc = (struct http_config){
	    .max_body = h->cfg.max_body,
	    .max_upload = h->cfg.max_upload,
	    .render = web_render,
	    .authorize = web_authorize,
	};
	app = a;
	/* The catalogue snapshot the handlers read (counted references). */
	if (portal_state_start() != 0)
		fail_msg("harness: portal_state_start");
	return h;
}

void harness_free(struct harness *h)
{
	if (!h)
		return;
	registry_import_jobs_wait();
	portal_state_stop();
	struct app *a = &h->the;
	router_free(a->router);
	json_decref(a->public_stats);
	tpl_set_free(a->tpl);
	db_close(a->db);
	app = NULL;
	crypto_secret_forget();
	config_cleanup(&h->cfg);
	fresh_drop(&h->fresh);
	unlink(h->secret);
	rmdir(h->dir);
	free(h);
}

struct db *harness_db(struct harness *h)
{
	return h->the.db;
}

void hreply_cleanup(struct hreply *rep)
{
	free(rep->body);
	json_decref(rep->json);
	memset(rep, 0, sizeof *rep);
}

/* The request as it arrives: what the network and the server's reading of
 * the body allocate is not the handlers' to fail. */
static struct req *fake_new(const char *method, const char *target, const char *const *headers,
                            const char *body, size_t len)
{
#ifdef OSSPOINT_FAULT
	fault_thread_exempt(true);
#endif
	struct req *r = req_fake_new(method, target, headers, body, len);
#ifdef OSSPOINT_FAULT
	fault_thread_exempt(false);
#endif
	return r;
}

int harness_request(struct harness *h, const struct hclient *c, const char *method, const char *target,
                    const char *content_type, const char *body, size_t len, struct hreply *rep)
{
	char cookie[200], csrf[200], ctype[200];
	const char *headers[6];
	size_t nh = 0;
	headers[nh++] = "Accept: application/json";
	if (c && c->cookie[0]) {
		snprintf(cookie, sizeof cookie, "Cookie: %s", c->cookie);
		headers[nh++] = cookie;
	}
	if (c && c->csrf[0] && strcmp(method, "GET") != 0) {
		snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", c->csrf);
		headers[nh++] = csrf;
	}
	if (content_type) {
		snprintf(ctype, sizeof ctype, "Content-Type: %s", content_type);
		headers[nh++] = ctype;
	}
	headers[nh] = NULL;
	struct req *r = fake_new(method, target, headers, body, len);
	http_dispatch_fake(&h->hc, h->the.router, r);
	memset(rep, 0, sizeof *rep);
	rep->status = req_fake_status(r);
	size_t n;
	const char *b = req_fake_body(r, &n);
	rep->body = xmalloc(n + 1);
	memcpy(rep->body, b, n);
	rep->body[n] = '\0';
	rep->len = n;
	const char *v = req_fake_reply_header(r, "Content-Type");
	snprintf(rep->content_type, sizeof rep->content_type, "%s", v ? v : "");
	v = req_fake_reply_header(r, "Location");
	snprintf(rep->location, sizeof rep->location, "%s", v ? v : "");
	v = req_fake_reply_header(r, "Set-Cookie");
	snprintf(rep->set_cookie, sizeof rep->set_cookie, "%s", v ? v : "");
	if (strstr(rep->content_type, "json"))
		rep->json = json_loadb(rep->body, rep->len, 0, NULL);
	req_fake_free(r);
	return rep->status;
}

int harness_json(struct harness *h, const struct hclient *c, const char *method, const char *target,
                 const json_t *json, struct hreply *rep)
{
	char *s = json_dumps(json, JSON_COMPACT);
	assert_non_null(s);
	int status = harness_request(h, c, method, target, "application/json", s, strlen(s), rep);
	free(s);
	return status;
}

int harness_login(struct harness *h, struct hclient *c, const char *username, struct hreply *rep)
{
	struct hreply own;
	if (!rep)
		rep = &own;
	json_t *body = json_pack("{s:s, s:s}", "username", username, "password", DEMO_PASSWORD);
	int status = harness_json(h, NULL, "POST", "/login", body, rep);
	json_decref(body);
	memset(c, 0, sizeof *c);
	if (status == 200) {
		const char *csrf = json_string_value(json_object_get(rep->json, "csrf"));
		const char *set = rep->set_cookie;
		if (strncmp(set, SESSION_COOKIE "=", strlen(SESSION_COOKIE) + 1) || !csrf)
			fail_msg("harness: login of %s answered 200 without a session cookie or csrf",
			         username);
		snprintf(c->cookie, sizeof c->cookie, "%.*s", (int)strcspn(set, ";"), set);
		snprintf(c->csrf, sizeof c->csrf, "%s", csrf);
	}
	if (rep == &own)
		hreply_cleanup(&own);
	return status;
}
