/* The duty roster's public face (web/roster.c) for other pages. */
#ifndef OSSPOINT_WEB_ROSTER_H
#define OSSPOINT_WEB_ROSTER_H

#include <jansson.h>
#include <stdint.h>

/* Who is on duty today (Bangkok) at district unit, for the public point
 * page: [{shift_label, name_th, position_th}] (no phone), or an empty array
 * (also when the database fails: the page still answers). */
json_t *roster_today_public(const char *unit);

/* The registry form's warning: a Thai sentence when account user_id of
 * district unit is not on today's roster while the district keeps one,
 * else NULL. Never blocks anything. */
json_t *roster_registry_warning(const char *unit, int64_t user_id);

#endif
