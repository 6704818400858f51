/* The application without a socket, for tests that drive handlers directly:
 * a fresh database (tests/db/fresh.h: an SQLite file, or a database in the
 * PostgreSQL cluster of OSSPOINT_TEST_PG), migrated and seeded with the
 * reference data and the demo accounts, a secret key, the templates, the
 * e-service list and the real router (web_router_new) with the real render
 * and authorize hooks — `app` wired as `osspoint serve` wires it, minus the
 * HTTP server, the purge thread and the portal's poll thread (the routes
 * under test do not read the portal snapshot). Requests are fake ones
 * (http/http.h req_fake_new) run through http_dispatch_fake, on the calling
 * thread. One harness at a time (it sets the global `app`). Failures end the
 * current cmocka test. */
#ifndef OSSPOINT_TESTS_FAULT_HARNESS_H
#define OSSPOINT_TESTS_FAULT_HARNESS_H

#include <jansson.h>
#include <stddef.h>

struct db;
struct harness;

/* The backend is the one fresh_setup chose (fresh_main does it from argv). */
struct harness *harness_new(void);
/* Closes everything and drops the database. NULL is a no-op. */
void harness_free(struct harness *h);
struct db *harness_db(struct harness *h);

/* A client's state: the session cookie and CSRF token of its login. */
struct hclient {
	char cookie[160]; /* "osspoint_session=…" or "" */
	char csrf[160];
};

/* One answer. json is the parsed body when it is JSON (else NULL). */
struct hreply {
	int status;
	char *body; /* NUL-terminated copy */
	size_t len;
	json_t *json;
	char location[512]; /* Location header, or "" */
	char content_type[128];
	char set_cookie[256]; /* the first Set-Cookie header, or "" */
};
void hreply_cleanup(struct hreply *rep);

/* Runs one request as client c (may be NULL: no cookie) with Accept:
 * application/json; content_type NULL means no body. Fills rep (cleaned up
 * by the caller) and returns its status. */
int harness_request(struct harness *h, const struct hclient *c, const char *method, const char *target,
                    const char *content_type, const char *body, size_t len, struct hreply *rep);
/* The same with a JSON body (json is borrowed). */
int harness_json(struct harness *h, const struct hclient *c, const char *method, const char *target,
                 const json_t *json, struct hreply *rep);
/* POST /login (JSON) as username with the demo password; on 200 fills c,
 * else empties it. rep may be NULL; else it holds the answer (cleaned up by
 * the caller). Returns the status. */
int harness_login(struct harness *h, struct hclient *c, const char *username, struct hreply *rep);

#endif
