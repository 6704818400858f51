/* Queries for sessions, login attempts and the audit log. */
#ifndef OSSPOINT_DB_SESSIONS_H
#define OSSPOINT_DB_SESSIONS_H

#include <jansson.h>
#include <stdint.h>

#include "core/throttle.h"

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
/* Removes expired sessions and login attempts older than `before`. Returns
 * DB_OK or negative. */
int db_session_purge(struct db *db, int64_t now, int64_t before);

/* Login attempts (core/throttle.h has the rules). `key` is the client
 * address's throttle key (throttle_key); `username` is what was typed, also
 * when no such account exists. */

/* What db_login_begin found. */
struct login_begin {
	struct throttle_counts counts; /* before this attempt */
	enum throttle_verdict verdict;
	int64_t retry_after; /* seconds, when refused */
	int64_t attempt_id;  /* the recorded attempt, 0 when refused */
};

/* In one transaction: counts the failed attempts within p->window before now
 * (of the pair, of the account over all addresses each capped at
 * p->pair_limit, of the address over all accounts), whether the pair logged
 * in successfully within THROTTLE_KNOWN_DAYS, and asks throttle_check. When
 * it allows, records the attempt as failed (ok = 0) before the password is
 * checked, so concurrent attempts of one pair count against each other (the
 * transaction serialises them: BEGIN IMMEDIATE / SERIALIZABLE). Returns DB_OK
 * (out filled) or negative. */
int db_login_begin(struct db *db, const char *username, const char *key, int64_t now,
                   const struct throttle_policy *p, struct login_begin *out);
/* The attempt's password was right: marks it ok and forgets the earlier
 * failures of the same (username, key). Returns DB_OK or negative. */
int db_login_succeeded(struct db *db, int64_t attempt_id, const char *username, const char *key);
/* Forgets every failed attempt of username, from every address (an admin's
 * unlock). *cleared (may be NULL) gets how many. Returns DB_OK or negative. */
int db_login_unlock(struct db *db, const char *username, int64_t *cleared);
/* For the accounts that exist and failed since `since`:
 * {username: {"worst": failures of its worst address, "account": failures
 * over all addresses, each capped at pair_cap}}. NULL on a database error. */
json_t *db_login_failure_stats(struct db *db, int64_t since, int64_t pair_cap);

/* Appends to the audit log. user_id 0 = none. detail may be NULL. */
int db_audit_add(struct db *db, int64_t now, int64_t user_id, const char *action, const char *target,
                 const char *detail, const char *ip);

#endif
