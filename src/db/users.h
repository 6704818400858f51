/* Queries on staff users. */
#ifndef OSSPOINT_DB_USERS_H
#define OSSPOINT_DB_USERS_H

#include <jansson.h>
#include <stdint.h>

struct db;

/* Creates a user. Returns DB_OK (*id set), DB_CONSTRAINT when the username
 * is taken (or the unit does not exist), or another negative db_rc. */
int db_user_create(struct db *db, const char *username, const char *display_name, const char *role,
                   const char *unit_code, const char *password_hash, int64_t now, int64_t *id);
/* {id, username, display_name, role, unit_code, password_hash, disabled} or NULL. */
json_t *db_user_find_by_name(struct db *db, const char *username);
/* The same, telling a missing user from a failed read: *rc (may be NULL) =
 * DB_ROW (found), DB_DONE (no such user) or a negative db_rc (the database
 * failed: the caller answers 503, never "wrong password"). */
json_t *db_user_lookup(struct db *db, const char *username, int *rc);
/* {id, username, display_name, role, unit_code, unit_name, disabled} or NULL. */
json_t *db_user_find(struct db *db, int64_t id);
/* Users whose unit is in the scope of `unit` ('0' = all), by unit then
 * username: [{id, username, display_name, role, unit_code, unit_name, disabled}]. */
json_t *db_users_in_scope(struct db *db, const char *unit);
/* Returns DB_OK, DB_DONE when no such user, or negative. */
int db_user_set_password(struct db *db, const char *username, const char *password_hash, int64_t now);
int db_user_set_disabled(struct db *db, int64_t id, int disabled, int64_t now);

#endif
