/* Helpers shared by the web/ handlers (not part of the HTTP layer). */
#ifndef OSSPOINT_WEB_WEB_H
#define OSSPOINT_WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/sessions.h"
#include "http/http.h"

#define SESSION_COOKIE "osspoint_session"

/* {id, username, display_name, role, role_label, unit_code, unit_name} */
json_t *web_user_model(const struct session_user *u);
/* Thai label of a unit level: "ส่วนกลาง", "จังหวัด", "อำเภอ" / "เขต" (Bangkok). */
const char *web_level_label(int level, const char *code);
/* Appends {field, message} to an error list. */
void web_field_error(json_t *errors, const char *field, const char *message);
/* Trimmed form / JSON field, or "" when absent. Request-lifetime string. */
const char *web_field(struct req *r, const char *name);

/* The string member key of o, or "" when absent or not a string. Borrowed from o. */
const char *web_str(json_t *o, const char *key);
/* Whether the client gets JSON: it asks for it (Accept) or sent a JSON body. */
bool web_wants_json(struct req *r);
/* The form/JSON field "version" (the optimistic-lock version of an edit):
 * absent or "" = 0 (any); else a positive integer (Thai digits allowed);
 * -1 when malformed. */
int64_t web_version_param(struct req *r);
/* Copies errors [{field, message}] into the model's errors_by_field object
 * (the first message per field wins). m must hold "errors_by_field". */
void web_attach_errors(json_t *m, json_t *errors);
/* [{value, label, selected}] for a <select>: values NULL-terminated; label
 * gives the Thai label of a value (NULL: the value itself is shown);
 * selected may be NULL. */
json_t *web_options(const char *const *values, const char *(*label)(const char *), const char *selected);
/* Whether the JSON array of strings codes holds code. */
bool web_code_in(json_t *codes, const char *code);

/* Appends s percent-encoded for a URL query or path (unreserved bytes kept). */
void web_url_encode(struct buf *b, const char *s);

#endif
