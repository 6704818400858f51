/* Queries for sessions, login attempts and the audit log. */
#ifndef OSSPOINT_DB_SESSIONS_H
#define OSSPOINT_DB_SESSIONS_H

#include <stdint.h>

struct db;

/* A live session joined with its user and unit: what the web layer keeps in
 * the request for the logged-in user. */
struct session_user {
	int64_t id; /* user id */
	int64_t session_id;
	char username[64];
	char display_name[160];
	int role; /* enum role */
	char unit_code[8];
	char unit_name[160];
	char csrf[48];
	int64_t last_seen;
};

/* Stores a session (token already hashed). Returns DB_OK or negative. */
int db_session_create(struct db *db, int64_t user_id, const char *token_hash, const char *csrf, int64_t now,
                      int64_t expires_at, const char *ip);
/* Finds the live session for token_hash: not expired, seen within idle_secs,
 * user not disabled. Returns DB_ROW (out filled), DB_DONE or negative. */
int db_session_lookup(struct db *db, const char *token_hash, int64_t now, int64_t idle_secs,
                      struct session_user *out);
/* Updates last_seen. */
int db_session_touch(struct db *db, int64_t session_id, int64_t now);
/* Ends one session. */
int db_session_delete(struct db *db, int64_t session_id);
/* Ends every session of a user (password change, disable). */
int db_session_delete_user(struct db *db, int64_t user_id);
/* Removes expired sessions and login attempts older than `before`. */
int db_session_purge(struct db *db, int64_t now, int64_t before);

/* Failed logins since `since` for this username and for this ip. */
int db_login_failures(struct db *db, const char *username, const char *ip, int64_t since, int64_t *by_user,
                      int64_t *by_ip);
int db_login_attempt_add(struct db *db, const char *username, const char *ip, int64_t now, int ok);

/* Appends to the audit log. user_id 0 = none. detail may be NULL. */
int db_audit_add(struct db *db, int64_t now, int64_t user_id, const char *action, const char *target,
                 const char *detail, const char *ip);

#endif
