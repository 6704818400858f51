/* Internal: the driver vtable behind db.h. Included only by src/db/db.c,
 * src/db/sqlite.c, src/db/pg.c and src/db/rollup.c; nothing here may leak past
 * db.h.
 *
 * Division of labour: db.c owns the pool, the per-connection statement cache,
 * the statement state machine (fresh -> running -> done/failed), transactions
 * with retry, the group-commit writer (db_write), the conveniences and the
 * migration runner. A driver only talks
 * to its library: open/close a connection, run a parameterless script, prepare
 * one statement, bind, step, read columns, map its errors onto enum db_rc. */
#ifndef OSSPOINT_DB_DRIVER_H
#define OSSPOINT_DB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

enum stmt_state { STMT_FRESH, STMT_RUNNING, STMT_DONE, STMT_FAILED };

/* The part of every statement db.c manages. A driver's statement struct
 * embeds this as its first member, so a struct db_stmt * is a pointer to it. */
struct db_stmt {
	struct dbc *c;
	char *sql;            /* the caller's SQL text, the cache key (owned) */
	uint32_t hash;        /* of sql */
	struct db_stmt *next; /* cache bucket chain, or dbc's loose list */
	bool cached;          /* in c's cache (else freed by db_finish) */
	bool busy;            /* handed out by db_prepare, not yet finished */
	enum stmt_state state;
	int rc; /* the failure db_step reports once FAILED */
};

/* One pooled connection. */
struct dbc {
	struct db *db;
	const struct db_driver *drv;
	void *conn;             /* driver connection */
	struct db_stmt **cache; /* hash buckets */
	size_t cache_count;
	struct db_stmt *loose; /* handed-out duplicates outside the cache */
	bool in_tx;
	int tx_error;               /* first failure inside the current transaction, or DB_OK */
	struct rollup_log *rollups; /* pending roll-up increments (db/rollup.h) */
};

struct db_driver {
	enum db_dialect dialect;
	const char *name;
	/* SQL that opens a write transaction. */
	const char *begin_sql;
	/* Opens one connection for target (the URL with any "sqlite:" prefix
	 * removed). Returns NULL and writes a one-line message into err. */
	void *(*connect)(const char *target, char *err, size_t errlen);
	void (*disconnect)(void *conn);
	/* Called before a connection is handed out: repairs it if it can (ends a
	 * stray transaction; reconnects a dropped PostgreSQL session). Sets
	 * *lost_stmts when server-side prepared statements were lost, so the
	 * cache must be dropped. Returns false if the connection is unusable. */
	bool (*check)(void *conn, bool *lost_stmts);
	/* Runs one or more statements without parameters, discarding any rows. */
	int (*exec)(void *conn, const char *sql);
	/* True while a transaction is open on conn (PostgreSQL: an aborted one
	 * too). The group-commit writer asks after each request: some failures
	 * (SQLite: disk full, I/O errors, an OR ROLLBACK conflict clause) end the
	 * whole transaction, and the batch must then be run again rather than go
	 * on in autocommit mode. */
	bool (*in_tx)(void *conn);
	/* True when the open transaction can no longer run statements
	 * (PostgreSQL after any failed statement; never on SQLite, where a
	 * failed statement undoes only itself). */
	bool (*tx_aborted)(void *conn);
	/* Rows inserted, updated or deleted on conn since it was opened
	 * (SQLite: sqlite3_total_changes64, trigger rows included; PostgreSQL:
	 * the row counts of INSERT / UPDATE / DELETE / MERGE commands, and 1 for
	 * any other command that may write, such as DDL). The group-commit writer
	 * compares it before and after a request to learn whether a refused
	 * request wrote anything, without trusting the request. Schema changes
	 * on SQLite and functions called from a SELECT are not counted. */
	int64_t (*total_changes)(void *conn);
	/* SQLite only (NULL elsewhere): makes conn the group-commit writer's
	 * connection: no automatic checkpoints on its COMMITs (a checkpoint there
	 * would stall every queued request), and after each COMMIT the WAL's size
	 * in frames is stored in *wal_frames (on the committing thread; the
	 * caller owns it and keeps it alive as long as conn). */
	void (*writer_setup)(void *conn, int64_t *wal_frames);
	/* SQLite only (NULL elsewhere): one checkpoint of the WAL into the
	 * database file, without waiting for locks: PASSIVE (copies what no
	 * reader still needs, never blocks the writer), or with truncate the WAL
	 * file is also emptied (only when no one writes or reads an older
	 * snapshot; otherwise DB_BUSY at once). */
	int (*checkpoint)(void *conn, bool truncate);

	/* Prepares one statement; returns the driver's statement with the
	 * embedded struct db_stmt zeroed, or NULL (logged). */
	struct db_stmt *(*prepare)(void *conn, const char *sql);
	/* Frees st. server_alive false: the connection is gone or being reset,
	 * do not talk to the server. */
	void (*stmt_free)(void *conn, struct db_stmt *st, bool server_alive);
	/* Drops results and bindings so st can run again. */
	void (*reset)(struct db_stmt *st);
	int (*param_count)(struct db_stmt *st);
	/* Binds return DB_OK or DB_ERROR (index out of range). */
	int (*bind_int)(struct db_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct db_stmt *st, int idx, const char *s);
	int (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t n);
	int (*bind_null)(struct db_stmt *st, int idx);
	/* DB_ROW, DB_DONE or a negative db_rc (logged unless DB_BUSY/DB_CONSTRAINT). */
	int (*step)(struct db_stmt *st);
	/* Column accessors; db.c has checked 0 <= col < column_count and that a
	 * row is current. */
	int (*column_count)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int col);
	bool (*col_null)(struct db_stmt *st, int col);
	int64_t (*col_int)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
	/* A new JSON value for the column (see db_query_json). */
	json_t *(*col_json)(struct db_stmt *st, int col);
	/* Rows changed by st, valid once step returned DB_DONE. */
	int64_t (*changes)(struct db_stmt *st);
	/* SQLite: last_insert_rowid(). NULL when the dialect uses RETURNING id. */
	int64_t (*last_insert_id)(void *conn);
};

extern const struct db_driver db_driver_sqlite;
extern const struct db_driver db_driver_pg;

/* Shared helpers (db.c). */

/* Lowercase hex of n bytes as a JSON string (how both drivers show blobs). */
json_t *db_json_hex(const void *p, size_t n);
/* A JSON string for s, or null (with a warning) if s is not valid UTF-8. */
json_t *db_json_text(const char *s, size_t n);
/* Copies msg into err (may be NULL / 0), dropping a trailing newline. */
void db_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
