/* Storage: one interface, two drivers (SQLite, PostgreSQL).
 *
 * The only code that includes sqlite3.h or libpq-fe.h lives in src/db/; no
 * driver type crosses this header. SQL is written once with `?` placeholders;
 * the PostgreSQL driver rewrites them to $1, $2, ... Times are stored as UTC
 * epoch seconds (integers), days as ISO text 'YYYY-MM-DD'; date math is done in
 * C. Only DDL (migrations) differs per dialect.
 *
 * A `struct db` is a pool of connections, safe to share between threads. Work
 * is done on a `struct dbc` (one connection) obtained with db_tx() (a
 * transaction that is retried on SQLITE_BUSY / serialization failures) or
 * db_read() (no transaction, for single read statements). */
#ifndef OSSPOINT_DB_H
#define OSSPOINT_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct dbc;
struct db_stmt;

enum db_dialect { DB_SQLITE, DB_POSTGRES };

/* Result codes. Negative values are failures. */
enum db_rc {
	DB_OK = 0,
	DB_ROW = 1,        /* db_step: a row is available */
	DB_DONE = 2,       /* db_step: no more rows */
	DB_ERROR = -1,     /* any other failure (logged) */
	DB_BUSY = -2,      /* lock / serialization failure: the transaction is retried */
	DB_CONSTRAINT = -3,/* unique / foreign key / check violation */
};

/* Opens a pool. url: "sqlite:path/to/file.db" (or a bare path ending .db),
 * "sqlite::memory:" for tests, or "postgresql://..." / "postgres://..." (any
 * libpq connection URI; "postgresql:///dbname?host=/tmp/dir" for a unix socket).
 * SQLite is opened with WAL, foreign_keys=ON, synchronous=FULL, busy_timeout.
 * pool_size 0 = default (8). Returns NULL and writes a message into err. */
struct db *db_open(const char *url, unsigned pool_size, char *err, size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);
/* "sqlite" or "postgresql" */
const char *db_dialect_name(const struct db *db);

/* Applies every numbered migration of this dialect not yet applied (tracked in
 * table schema_migrations), each in its own transaction. Returns the number
 * applied (>= 0) or -1. */
int db_migrate(struct db *db);
/* Highest applied migration number, or -1 on error. */
int db_schema_version(struct db *db);
/* Cheap liveness check ("SELECT 1"). */
bool db_ping(struct db *db);

/* Runs fn inside a transaction on one pooled connection. fn returns DB_OK to
 * commit, anything else to roll back. When fn (or COMMIT) reports DB_BUSY the
 * whole transaction is rolled back and fn is called again (bounded retries with
 * backoff), so fn must not have side effects outside the database (or must
 * reset them at its start). Returns fn's result, or DB_BUSY after the retries. */
int db_tx(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg);
/* Same, without BEGIN/COMMIT (autocommit; for reads). */
int db_read(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg);
enum db_dialect dbc_dialect(const struct dbc *c);

/* ---- statements ---- */

/* Prepares sql (with ? placeholders) on this connection. Statements are cached
 * per connection by their SQL text, so preparing the same text again is cheap.
 * Returns NULL on error (logged). The statement is valid until db_finish. */
struct db_stmt *db_prepare(struct dbc *c, const char *sql);
/* Parameters are 1-based. Text is copied. */
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *s); /* NULL binds NULL */
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n);
void db_bind_null(struct db_stmt *st, int idx);
/* Executes (first call) and advances: DB_ROW, DB_DONE, or a negative db_rc. */
int db_step(struct db_stmt *st);
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int col);
bool db_col_null(struct db_stmt *st, int col);
int64_t db_col_int(struct db_stmt *st, int col);
/* Borrowed until the next db_step / db_finish; never NULL ("" for NULL). */
const char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
/* Number of rows changed by the last INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db_stmt *st);
/* Resets the statement for reuse (keeps it cached). Always call when done. */
void db_finish(struct db_stmt *st);

/* ---- conveniences (types string: one char per argument:
 *      'i' int64_t, 't' const char * (NULL binds NULL), 'n' NULL (no argument)) ---- */

/* Runs a statement that returns no rows. Returns DB_OK or a negative db_rc. */
int db_exec(struct dbc *c, const char *sql, const char *types, ...);
/* Runs a statement; *out gets the first column of the first row as an
 * integer. Returns DB_ROW, DB_DONE (no row; *out untouched) or negative. */
int db_query_int(struct dbc *c, int64_t *out, const char *sql, const char *types, ...);
/* Runs a query and returns its rows as a JSON array of objects keyed by column
 * name (integers as JSON integers, NULL as null, text as strings). Returns NULL
 * on error. Caller owns the result. */
json_t *db_query_json(struct dbc *c, const char *sql, const char *types, ...);
/* Like db_query_json but returns the first row object, or json_null()-free NULL
 * with *rc = DB_DONE when there is none. */
json_t *db_query_row(struct dbc *c, int *rc, const char *sql, const char *types, ...);
/* Runs a multi-statement script (migrations). */
int db_exec_script(struct dbc *c, const char *sql);

/* Insert and return the new row's id: appends " RETURNING id" on PostgreSQL,
 * uses last_insert_rowid() on SQLite. The table must have an integer id. */
int db_insert_id(struct dbc *c, int64_t *id, const char *sql, const char *types, ...);

#endif
