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
 * transaction that is retried on SQLITE_BUSY / serialization failures),
 * db_write() (the same, but committed together with other threads' writes:
 * group commit) or db_read() (no transaction, for single read statements).
 *
 * Portability rules the drivers cannot enforce (see docs/modules/db.md):
 * alias every computed column in lowercase (PostgreSQL names COUNT(*)
 * "count", SQLite "COUNT(*)"); give a bare `?` whose type the context does not
 * fix a CAST (`CAST(? AS BIGINT)`); use ON CONFLICT for upserts. */
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
	DB_ROW = 1,         /* db_step: a row is available */
	DB_DONE = 2,        /* db_step: no more rows */
	DB_ERROR = -1,      /* any other failure (logged) */
	DB_BUSY = -2,       /* lock / serialization failure: the transaction is retried */
	DB_CONSTRAINT = -3, /* unique / foreign key / check / not-null violation */
	/* Never from the driver: query files return these for their callers. */
	DB_NOT_FOUND = -4, /* the row to change does not exist */
	DB_CONFLICT = -5,  /* it changed since the caller read it (version check) */
};

/* Opens a pool. url: "sqlite:path/to/file.db" (or a bare path ending .db),
 * "sqlite::memory:" for tests, or "postgresql://..." / "postgres://..." (any
 * libpq connection URI; "postgresql:///dbname?host=/tmp/dir" for a unix socket).
 * SQLite is opened with WAL, foreign_keys=ON, synchronous=FULL, secure_delete=ON,
 * busy_timeout.
 * pool_size 0 = default (8); "sqlite::memory:" always gets one connection
 * (each would be a database of its own). Every connection is opened here, so a
 * bad URL or an unreachable server fails now. Returns NULL and writes a
 * one-line message into err (which may be NULL); the message never repeats the
 * URL, which may hold a password. */
struct db *db_open(const char *url, unsigned pool_size, char *err, size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);
/* "sqlite" or "postgresql" */
const char *db_dialect_name(const struct db *db);

/* Applies every numbered migration of this dialect not yet applied (tracked in
 * table schema_migrations), each in its own transaction. Safe to run from
 * several processes at once (PostgreSQL: an advisory lock; SQLite: the write
 * lock, and each migration re-checked inside its transaction). Returns the
 * number applied (>= 0) or -1 (logged; the failed migration is rolled back,
 * the ones before it stay). */
int db_migrate(struct db *db);
/* Highest applied migration number (0 before the first db_migrate), or -1 on
 * error. */
int db_schema_version(struct db *db);
/* Cheap liveness check ("SELECT 1"). */
bool db_ping(struct db *db);

/* After erasing personal data (the purge, a re-keying): makes the erased
 * bytes leave every file of the database. SQLite: PRAGMA
 * wal_checkpoint(TRUNCATE), which copies the WAL into the main file and cuts
 * the WAL to 0 bytes, so the old versions of rows it held are gone; the main
 * file keeps no freed bytes because every connection runs with
 * secure_delete=ON (deleted content overwritten with zeros). Readers in the
 * middle of a read make it wait (busy timeout, then db_read's retries).
 * PostgreSQL: does nothing (its files are the server's: docs/modules/db.md).
 * Returns DB_OK, DB_BUSY (a reader never let go) or another negative db_rc. */
int db_checkpoint(struct db *db);

/* Runs fn inside a transaction on one pooled connection (waiting for one to be
 * free). fn returns DB_OK to commit, anything else to roll back. When fn (or
 * COMMIT) reports DB_BUSY the whole transaction is rolled back and fn is called
 * again (bounded retries with jittered backoff), so fn must not have side
 * effects outside the database (or must reset them at its start). Returns fn's
 * result (a positive one such as DB_DONE too, after rolling back), the COMMIT
 * failure, or DB_BUSY after the retries.
 *
 * SQLite runs it under BEGIN IMMEDIATE (one writer at a time), PostgreSQL under
 * SERIALIZABLE, so read-modify-write code is correct on both. Once a statement
 * inside fails, every later statement in the same transaction fails at once
 * with the same code (PostgreSQL's rule, applied to both); if fn still returns
 * DB_OK the transaction is rolled back and that first failure returned (a bug,
 * logged). A DB_BUSY inside always makes the result DB_BUSY, so the
 * transaction is retried even if fn turned it into DB_ERROR.
 *
 * fn must not call db_tx / db_read / db_migrate on the same pool: that returns
 * DB_ERROR (it would deadlock on the pool or on SQLite's write lock). Another
 * pool (another database) is fine. */
int db_tx(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg);
/* Same, without BEGIN/COMMIT (autocommit; for reads): each statement sees the
 * latest committed data, and fn is retried on DB_BUSY like db_tx. Returns fn's
 * result unchanged (DB_ROW included).
 *
 * Both: a PostgreSQL connection found dead is re-established when it is next
 * taken from the pool, and a db_tx / db_read that failed because the server
 * went away before COMMIT was sent is run once more on the new session. */
int db_read(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg);

/* Group commit: a durable write that shares its fsync with concurrent ones.
 * Same contract as db_tx: fn returns DB_OK to keep its work, anything else to
 * discard it (only its own work), and db_write returns fn's result, the
 * commit's failure, or DB_BUSY after the retries. fn may be run more than once,
 * so it must have no side effects outside the database (or reset them at its
 * start).
 *
 * An SQLite file and PostgreSQL: one writer thread per struct db, on a
 * connection of its own (not one of the pool's; opened at the first
 * db_write), takes every queued request (at most 64) and runs them one after
 * the other in one transaction (BEGIN IMMEDIATE / SERIALIZABLE), with no
 * savepoints, then one COMMIT, and only then wakes each caller with its own
 * result. So:
 *   - DB_OK is returned only after the COMMIT that holds the work has
 *     returned (it is on disk); a reader on any connection sees it as soon
 *     as db_write returns.
 *   - A refusal that changed no row is cheap: when fn returns anything but
 *     DB_OK and the driver counted no row inserted, updated or deleted
 *     during it (SQLite: sqlite3_total_changes64 before and after, on the
 *     writer's connection; PostgreSQL: the row counts of its commands), and
 *     the transaction is still usable, that caller gets fn's result and the
 *     batch goes on: the others commit, nothing is run again. Return such a
 *     refusal (not found, already void, period closed; a positive code of
 *     the caller's own is fine) before writing anything.
 *   - A request that fails after it changed rows, or whose failure ended or
 *     aborted the whole transaction (on PostgreSQL any failed statement does;
 *     on SQLite a failed statement undoes only itself, but OR ROLLBACK, disk
 *     full and I/O errors end it), rolls the whole batch back: that request
 *     gets its failure and the others are run again without it (each at
 *     most once per failing request of the batch), so only its work is lost.
 *     The statement-failure rule of db_tx applies per request (after a failed
 *     statement the rest of that fn's statements fail at once; DB_OK after
 *     one means its failure is returned, logged as a bug).
 *   - A failed BEGIN or COMMIT, or a fn that reports DB_BUSY (SQLite: the
 *     write lock held past the busy timeout by a db_tx or another process;
 *     PostgreSQL: a serialization failure or deadlock), rolls the whole batch
 *     back and runs every fn of it again that had not been answered, within
 *     db_tx's retry bounds (other failures: 3 attempts). A session lost
 *     before COMMIT was sent is re-established and the batch run once more;
 *     one lost during COMMIT answers DB_ERROR (the outcome is unknown).
 *   - The caller blocks (on a condition variable) until its result is known.
 *   - SQLite: the writers of this process (db_tx, this writer) take turns on
 *     a token before SQLite's write lock, a db_tx before the writer's next
 *     batch, so neither waits in SQLite's polling busy handler for the other
 *     (processes still do).
 *   - SQLite: the writer's COMMITs do not checkpoint the WAL. A thread of
 *     its own does, on its own connection: PASSIVE every 500 new WAL frames
 *     (it never blocks the writer) and TRUNCATE after 1 s without a COMMIT.
 *     Once the WAL holds 2000 frames the writer copies the few frames left,
 *     between two batches, so that the WAL starts afresh and its file stays
 *     bounded (about 2000 frames) however long the writes go on.
 * Rows changed by a refusal's schema changes (SQLite), by functions called
 * from a SELECT, or by a data-modifying WITH in a SELECT (PostgreSQL) are not
 * counted: a db_write fn must not do those.
 * "sqlite::memory:" (nothing to fsync, and one connection): db_write is db_tx.
 *
 * fn runs on the writer thread, not the caller's: it must not use
 * thread-local state of the caller, must not call db_tx / db_read /
 * db_write / db_migrate on this pool (refused with DB_ERROR, as inside
 * db_tx), must not issue BEGIN / COMMIT / ROLLBACK / SAVEPOINT itself, and
 * must not block on anything else (a lock, a network call): every other
 * writer waits for it. Keep it short; a long job (an import) belongs in
 * db_tx. db_write from inside a db_tx / db_read / db_write function of the
 * same pool is refused with DB_ERROR (it would wait for the write lock its
 * own caller holds). db_close waits for the requests already queued; no
 * db_write may start once db_close has been called. */
int db_write(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg);

/* Counters since db_open, for tests and benchmarks. requests: db_write calls
 * accepted (counted on entry); commits: COMMITs that made db_write work
 * durable (commits < requests means batching happened; on "sqlite::memory:"
 * it counts the db_write calls that returned DB_OK); checkpoints: SQLite WAL
 * checkpoints run by the checkpointer thread, of which truncates emptied the
 * WAL file (0 on PostgreSQL). */
struct db_write_stats {
	uint64_t commits, requests;
	uint64_t checkpoints, truncates;
};
void db_write_stats(struct db *db, struct db_write_stats *out);

enum db_dialect dbc_dialect(const struct dbc *c);

/* ---- statements ---- */

/* Prepares one statement, sql (with ? placeholders), on this connection.
 * Statements are cached per connection by their SQL text, so preparing the
 * same text again is cheap (PostgreSQL: PQprepare runs once per connection and
 * text). Preparing a text whose statement is still unfinished gives a separate
 * statement. Returns NULL on error (logged), or when an earlier statement of
 * this transaction failed. The statement is valid until db_finish. */
struct db_stmt *db_prepare(struct dbc *c, const char *sql);
/* Parameters are 1-based; bind before the first db_step. Text is copied. A bad
 * index makes the next db_step return DB_ERROR. Unbound parameters are NULL. */
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *s); /* NULL binds NULL */
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n);
void db_bind_null(struct db_stmt *st, int idx);
/* Executes (first call) and advances: DB_ROW, DB_DONE, or a negative db_rc.
 * Once it has returned DB_DONE or a failure it keeps returning that; the
 * statement is not run again until db_finish. */
int db_step(struct db_stmt *st);
/* Result shape. On PostgreSQL known only after the first db_step (0 / NULL
 * before); names come back as the server spells them (unquoted aliases
 * lowercased). db_column_name returns NULL for a column out of range. */
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int col);
/* Column values of the current row (after db_step returned DB_ROW; otherwise
 * a logged bug and NULL / 0 / "").  db_col_int reads booleans as 0/1 and
 * truncates fractions. */
bool db_col_null(struct db_stmt *st, int col);
int64_t db_col_int(struct db_stmt *st, int col);
/* Borrowed until the next db_step / db_finish; never NULL ("" for NULL). */
const char *db_col_text(struct db_stmt *st, int col);
/* The bytes of a BLOB / BYTEA column (any other column: its text); borrowed
 * like db_col_text, never NULL. */
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
/* Rows changed by this INSERT/UPDATE/DELETE, once db_step returned DB_DONE
 * (0 before). */
int64_t db_changes(struct db_stmt *st);
/* Resets the statement for reuse (keeps it cached). Always call when done. */
void db_finish(struct db_stmt *st);

/* ---- conveniences (types string: one char per argument:
 *      'i' int64_t, 't' const char * (NULL binds NULL), 'n' NULL (no argument)).
 *      Pass int64_t for 'i' (cast: (int64_t)x), never a plain int. The number
 *      of type chars must equal the number of placeholders, else DB_ERROR
 *      (logged) without running anything. ---- */

/* Runs a statement that returns no rows. Returns DB_OK or a negative db_rc. */
int db_exec(struct dbc *c, const char *sql, const char *types, ...);
/* Runs a statement; *out gets the first column of the first row as an
 * integer. Returns DB_ROW, DB_DONE (no row; *out untouched) or negative. */
int db_query_int(struct dbc *c, int64_t *out, const char *sql, const char *types, ...);
/* Runs a query and returns its rows as a JSON array of objects keyed by column
 * name (integers as JSON integers, NULL as null, text as strings). Returns NULL
 * on error. Caller owns the result.
 * SQLite maps each value by its storage class: INTEGER -> integer, REAL ->
 * real, TEXT -> string, BLOB -> lowercase hex string. PostgreSQL maps by
 * column type: int2/int4/int8 -> integer, bool -> true/false, float4/float8 ->
 * real, numeric -> integer when it has no fraction and fits int64 (so
 * SUM(bigint) reads as on SQLite), else real; bytea -> lowercase hex string;
 * anything else -> string. Text that is not UTF-8 becomes null (logged). */
json_t *db_query_json(struct dbc *c, const char *sql, const char *types, ...);
/* Like db_query_json but returns the first row as an object (caller owns it)
 * with *rc = DB_ROW; NULL with *rc = DB_DONE when there is no row, or NULL
 * with a negative *rc on error. rc may be NULL. */
json_t *db_query_row(struct dbc *c, int *rc, const char *sql, const char *types, ...);
/* One query in its own db_read (retried as db_read is): one = false
 * returns every row as db_query_json does (*rc DB_DONE); one = true the
 * first row as db_query_row does (*rc DB_ROW, or NULL with *rc DB_DONE when
 * there is none). NULL with a negative *rc on error. rc may be NULL. */
json_t *db_read_json(struct db *db, int *rc, bool one, const char *sql, const char *types, ...);
/* Runs a multi-statement script without parameters (migrations, DDL).
 * Returns DB_OK or a negative db_rc. */
int db_exec_script(struct dbc *c, const char *sql);

/* Insert and return the new row's id: appends " RETURNING id" on PostgreSQL
 * (after dropping a trailing ';'), uses last_insert_rowid() on SQLite. The
 * table must have an integer id; insert one row. Returns DB_OK with *id set,
 * DB_DONE when no row was inserted (ON CONFLICT DO NOTHING; *id untouched), or
 * a negative db_rc. */
int db_insert_id(struct dbc *c, int64_t *id, const char *sql, const char *types, ...);

#endif
