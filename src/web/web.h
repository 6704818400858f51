/* Helpers shared by the web/ handlers (not part of the HTTP layer). */
#ifndef OSSPOINT_WEB_WEB_H
#define OSSPOINT_WEB_WEB_H

#include <jansson.h>

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

/* Appends s percent-encoded for a URL query or path (unreserved bytes kept). */
void web_url_encode(struct buf *b, const char *s);

#endif
