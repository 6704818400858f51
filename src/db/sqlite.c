/* SQLite driver. One sqlite3 connection per pool slot, opened in multi-thread
 * mode (SQLITE_OPEN_NOMUTEX): the pool guarantees one thread per connection
 * at a time. */
#include "db/driver.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db/sqlite_fault.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "lib/xalloc.h"

/* How long a connection waits for another one's write lock before a
 * statement reports DB_BUSY (and db_tx backs off and retries). */
#define BUSY_TIMEOUT_MS 5000

struct lite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
	sqlite3 *db;
	int64_t changes;
};

static struct lite_stmt *L(struct db_stmt *st)
{
	return (struct lite_stmt *)st;
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return DB_OK;
	case SQLITE_ROW: return DB_ROW;
	case SQLITE_DONE: return DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
	default: return DB_ERROR;
	}
}

/* Logs a failure at the level it deserves: busy and constraint failures are
 * expected outcomes the caller handles, anything else is a fault. */
static int fail(sqlite3 *db, int rc, const char *what, const char *sql)
{
	int r = map_rc(rc);
	if (r == DB_ERROR)
		log_error("sqlite: %s: %s (%d) in: %s", what, sqlite3_errmsg(db), rc, sql);
	else
		log_debug("sqlite: %s: %s (%d) in: %s", what, sqlite3_errmsg(db), rc, sql);
	return r;
}

static int lite_exec(void *conn, const char *sql)
{
	sqlite3 *db = conn;
	char *msg = NULL;
	if (fault_hit(FAULT_DB_STEP))
		return DB_ERROR;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int r = map_rc(rc);
		if (r == DB_ERROR)
			log_error("sqlite: exec: %s (%d) in: %.200s", msg ? msg : sqlite3_errstr(rc), rc,
			          sql);
		else
			log_debug("sqlite: exec: %s (%d)", msg ? msg : sqlite3_errstr(rc), rc);
		sqlite3_free(msg);
		return r;
	}
	return DB_OK;
}

static void *lite_connect(const char *target, char *err, size_t errlen)
{
	if (!sqlite3_threadsafe()) {
		/* The pool hands connections from thread to thread. */
		db_set_err(err, errlen, "sqlite: the library was built without thread support");
		return NULL;
	}
	sqlite_fault_install();
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(target, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		db_set_err(err, errlen, "sqlite: cannot open %s: %s", target,
		           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* journal_mode answers with a row, so sqlite3_exec (which ignores rows)
	 * rather than a prepared statement. WAL is persistent in the file; an
	 * in-memory database stays "memory", which is fine. secure_delete=ON
	 * (not FAST) overwrites deleted content with zeros, freelist pages
	 * included: erased personal data (the purge) must not stay readable in
	 * the file's free space (db_checkpoint does the same for the WAL).
	 * Debian builds SQLite with SQLITE_SECURE_DELETE, so this only pins
	 * what another build might not default to. */
	char *msg = NULL;
	/* Switching a fresh file to WAL can answer SQLITE_BUSY at once, without
	 * the busy handler, while another connection opens it too (two
	 * processes migrating one new database): retry for up to ~5 s. */
	for (int attempt = 0;; attempt++) {
		rc = sqlite3_exec(db,
		                  "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
		                  "PRAGMA trusted_schema=OFF; PRAGMA secure_delete=ON;",
		                  NULL, NULL, &msg);
		if ((rc & 0xff) != SQLITE_BUSY || attempt >= 250)
			break;
		sqlite3_free(msg);
		msg = NULL;
		sqlite3_sleep(20);
	}
	if (rc != SQLITE_OK) {
		db_set_err(err, errlen, "sqlite: cannot set up %s: %s", target,
		           msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void lite_disconnect(void *conn)
{
	/* Every statement was finalized by db.c first; close_v2 would only defer. */
	if (sqlite3_close(conn) != SQLITE_OK)
		log_bug("sqlite: close: %s", sqlite3_errmsg(conn));
}

static bool lite_in_tx(void *conn)
{
	return !sqlite3_get_autocommit(conn);
}

static bool lite_tx_aborted(void *conn)
{
	return false;
}

static int64_t lite_total_changes(void *conn)
{
	return sqlite3_total_changes64(conn);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	*(int64_t *)arg = frames;
	return SQLITE_OK;
}

static void lite_writer_setup(void *conn, int64_t *wal_frames)
{
	/* Replaces the automatic checkpoint hook (sqlite3_wal_autocheckpoint
	 * is a wal hook too). */
	sqlite3_wal_hook(conn, wal_hook, wal_frames);
}

static int lite_checkpoint(void *conn, bool truncate)
{
	sqlite3 *db = conn;
	/* PASSIVE never waits; TRUNCATE would wait for the writer and the
	 * readers in the busy handler: fail at once instead, and let the
	 * caller try again when it is next idle. */
	sqlite3_busy_timeout(db, 0);
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(
	    db, NULL, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK)
		return fail(db, rc, truncate ? "checkpoint (truncate)" : "checkpoint", "-");
	return DB_OK;
}

static bool lite_check(void *conn, bool *lost_stmts)
{
	*lost_stmts = false;
	if (!sqlite3_get_autocommit(conn)) {
		log_bug("sqlite: connection returned to the pool inside a transaction; rolling back");
		lite_exec(conn, "ROLLBACK");
	}
	return true;
}

static struct db_stmt *lite_prepare(void *conn, const char *sql)
{
	sqlite3 *db = conn;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail);
	if (rc != SQLITE_OK) {
		fail(db, rc, "prepare", sql);
		return NULL;
	}
	if (!st) {
		log_bug("sqlite: prepare: empty statement: '%s'", sql);
		return NULL;
	}
	/* A second statement in the text would be silently ignored; refuse it. */
	for (; tail && *tail; tail++) {
		if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != '\r' && *tail != ';') {
			log_bug("sqlite: prepare: more than one statement in: %s", sql);
			sqlite3_finalize(st);
			return NULL;
		}
	}
	struct lite_stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	s->db = db;
	return &s->base;
}

static void lite_stmt_free(void *conn, struct db_stmt *st, bool server_alive)
{
	sqlite3_finalize(L(st)->st);
	free(st);
}

static void lite_reset(struct db_stmt *st)
{
	/* sqlite3_reset repeats the last step's error code; it was reported then. */
	sqlite3_reset(L(st)->st);
	sqlite3_clear_bindings(L(st)->st);
	L(st)->changes = 0;
}

static int lite_param_count(struct db_stmt *st)
{
	return sqlite3_bind_parameter_count(L(st)->st);
}

static int bind_rc(struct db_stmt *st, int rc, int idx)
{
	if (rc == SQLITE_OK)
		return DB_OK;
	log_bug("sqlite: bind %d: %s in: %s", idx, sqlite3_errstr(rc), st->sql);
	return DB_ERROR;
}

static int lite_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(L(st)->st, idx, v), idx);
}

static int lite_bind_text(struct db_stmt *st, int idx, const char *s)
{
	return bind_rc(st, sqlite3_bind_text(L(st)->st, idx, s, -1, SQLITE_TRANSIENT), idx);
}

static int lite_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
	return bind_rc(st, sqlite3_bind_blob64(L(st)->st, idx, p ? p : "", n, SQLITE_TRANSIENT), idx);
}

static int lite_bind_null(struct db_stmt *st, int idx)
{
	return bind_rc(st, sqlite3_bind_null(L(st)->st, idx), idx);
}

static int lite_step(struct db_stmt *st)
{
	struct lite_stmt *s = L(st);
	if (fault_hit(FAULT_DB_STEP))
		return DB_ERROR;
	int rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		s->changes = sqlite3_changes64(s->db);
		return DB_DONE;
	}
	return fail(s->db, rc, "step", st->sql);
}

static int lite_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(L(st)->st);
}

static const char *lite_column_name(struct db_stmt *st, int col)
{
	return sqlite3_column_name(L(st)->st, col);
}

static bool lite_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(L(st)->st, col) == SQLITE_NULL;
}

static int64_t lite_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(L(st)->st, col);
}

static const char *lite_col_text(struct db_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(L(st)->st, col);
	return t ? (const char *)t : "";
}

static const void *lite_col_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(L(st)->st, col);
	int n = sqlite3_column_bytes(L(st)->st, col);
	if (len)
		*len = n > 0 ? (size_t)n : 0;
	return p ? p : "";
}

/* By storage class: the value's own type, not the column's declared one. */
static json_t *lite_col_json(struct db_stmt *st, int col)
{
	sqlite3_stmt *s = L(st)->st;
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, col));
	case SQLITE_FLOAT: {
		json_t *r = json_real(sqlite3_column_double(s, col));
		return r ? r : json_null();
	}
	case SQLITE_TEXT: {
		const char *t = (const char *)sqlite3_column_text(s, col);
		return db_json_text(t ? t : "", (size_t)sqlite3_column_bytes(s, col));
	}
	case SQLITE_BLOB: {
		const void *p = sqlite3_column_blob(s, col);
		return db_json_hex(p, (size_t)sqlite3_column_bytes(s, col));
	}
	default: return json_null();
	}
}

static int64_t lite_changes(struct db_stmt *st)
{
	return L(st)->changes;
}

static int64_t lite_last_insert_id(void *conn)
{
	return sqlite3_last_insert_rowid(conn);
}

const struct db_driver db_driver_sqlite = {
    .dialect = DB_SQLITE,
    .name = "sqlite",
    /* IMMEDIATE takes the write lock up front, so two writers queue on the
     * busy handler instead of deadlocking on a read->write upgrade. */
    .begin_sql = "BEGIN IMMEDIATE",
    .connect = lite_connect,
    .disconnect = lite_disconnect,
    .check = lite_check,
    .exec = lite_exec,
    .in_tx = lite_in_tx,
    .tx_aborted = lite_tx_aborted,
    .total_changes = lite_total_changes,
    .writer_setup = lite_writer_setup,
    .checkpoint = lite_checkpoint,
    .prepare = lite_prepare,
    .stmt_free = lite_stmt_free,
    .reset = lite_reset,
    .param_count = lite_param_count,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_blob = lite_bind_blob,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .column_count = lite_column_count,
    .column_name = lite_column_name,
    .col_null = lite_col_null,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .col_blob = lite_col_blob,
    .col_json = lite_col_json,
    .changes = lite_changes,
    .last_insert_id = lite_last_insert_id,
};
