#include "db/db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/driver.h"
#include "db/rollup.h"
#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#define POOL_DEFAULT  8
#define CACHE_BUCKETS 64
/* Past this many cached statements a connection drops its cache when it is
 * next returned to the pool; only code that builds SQL text at run time can
 * get there. */
#define CACHE_MAX 512
/* db_tx retries: at most this many attempts, and none started after
 * TX_DEADLINE_MS. Backoff doubles from BACKOFF_MIN_US up to BACKOFF_MAX_US,
 * each sleep drawn uniformly from [d/2, d] so colliding writers spread out. */
#define TX_MAX_ATTEMPTS 30
#define TX_DEADLINE_MS  20000
#define BACKOFF_MIN_US  500
#define BACKOFF_MAX_US  50000
/* pg_advisory_lock key for db_migrate: "osspoint" in ASCII. */
#define MIGRATE_LOCK_KEY "8030889487274438260"
/* Group commit: at most this many db_write requests share one transaction
 * (bounds the work lost to a retry and the wait of the first in line). A
 * batch that fails for a reason other than DB_BUSY is tried this often. */
#define WRITE_BATCH_MAX      64
#define WRITE_ERROR_ATTEMPTS 3
/* batch_once, internal, never returned to a caller: WRITE_AGAIN, a request
 * that had written failed (or ended the whole transaction) and was settled:
 * run the rest again at once; WRITE_LOST, the session died before COMMIT was
 * sent and has been re-established: run the batch again (once); WRITE_UNKNOWN,
 * it died during COMMIT: the outcome is unknown, nothing may be run again. */
#define WRITE_AGAIN   100
#define WRITE_LOST    101
#define WRITE_UNKNOWN 102
/* SQLite checkpoints. The checkpointer thread runs a PASSIVE one each time
 * the writer's COMMITs have added CKPT_FRAMES WAL frames, and TRUNCATE once no
 * COMMIT came for CKPT_IDLE_MS. Under continuous writes its checkpoints never
 * catch up with the writer, and SQLite starts the WAL afresh only when a
 * write transaction begins with every frame copied: so once the WAL holds
 * CKPT_RESTART_FRAMES frames, the writer itself copies the few frames left
 * between two batches, and the WAL is reused from its beginning instead of
 * growing for ever. SQLite runs one checkpoint at a time: while the
 * checkpointer's is running the writer's answers busy and is tried again
 * after the next COMMIT, so under a steady stream of commits and a slow disk
 * the two could keep colliding; past CKPT_HARD_FRAMES the writer waits for
 * the checkpointer's to end and the checkpointer starts no new one until the
 * writer's is done, which bounds the WAL (test_write_checkpoints). */
#define CKPT_FRAMES         500
#define CKPT_RESTART_FRAMES 2000
#define CKPT_HARD_FRAMES    3000
#define CKPT_IDLE_MS        1000

/* One db_write call waiting for the writer. Lives on the caller's stack; the
 * writer touches it only under db->wmu until it sets done. */
struct wreq {
	int (*fn)(struct dbc *c, void *arg);
	void *arg;
	int rc;
	unsigned runs; /* times fn was called */
	int64_t start_ms;
	bool settled; /* inside a batch: rc is final, do not run fn again */
	bool done;    /* the caller may return rc */
	pthread_cond_t cv;
	struct wreq *next;
};

struct db {
	const struct db_driver *drv;
	unsigned size;
	struct dbc *conns;
	struct dbc **idle; /* stack of free connections */
	unsigned nidle;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* db_write. group: requests go to the writer thread (an SQLite file,
	 * PostgreSQL); otherwise db_write is db_tx. Everything below is under
	 * wmu, unless said otherwise. */
	bool group;
	char *target; /* the SQLite path or PostgreSQL URL, for the writer's connection */
	pthread_mutex_t wmu;
	pthread_cond_t wcv;   /* the writer waits here for requests */
	pthread_cond_t wgone; /* db_close waits here for callers to leave */
	struct wreq *qhead, *qtail;
	bool wstarted, wclosing;
	bool wstale;       /* db_migrate ran: the writer drops its cached statements */
	unsigned wcallers; /* threads inside db_write (group) */
	pthread_t writer;
	struct dbc wc; /* the writer's own connection, not in the pool */
	struct db_write_stats wstats;

	/* SQLite file: the write lock within this process (xlock). */
	bool xlock_on;
	pthread_mutex_t xmu;
	pthread_cond_t xcv;
	bool xbusy;
	unsigned xwaiting; /* db_tx / checkpointer threads waiting: they go first */

	/* SQLite: the checkpointer, started with the writer, on a connection
	 * of its own. */
	bool cstarted;
	pthread_t ckpt;
	pthread_cond_t ccv; /* the checkpointer waits here (CLOCK_MONOTONIC) */
	void *cconn;
	bool ckpt_due;       /* PASSIVE asked for */
	bool ckpt_running;   /* the checkpointer's checkpoint is running */
	bool tail_running;   /* the writer's (ckpt_tail) is running */
	pthread_cond_t ckcv; /* signalled when ckpt_running turns false */
	bool wal_dirty;      /* COMMITs since the last TRUNCATE */
	int64_t last_commit_ms;
	/* Writer thread only: the WAL's size in frames after its last COMMIT
	 * (set by the driver's hook), the size after the COMMIT before, at the
	 * last PASSIVE request, and from which the writer checkpoints itself. */
	int64_t wal_frames, wal_last, wal_asked, wal_tail_at;
};

/* The pools this thread holds a connection of. A transaction function that
 * opens another transaction on the same pool would wait on the pool (or, on
 * SQLite, on the write lock its own outer transaction holds): refuse it
 * instead of deadlocking. Working on two different pools at once (copying
 * from one database to another) is fine. */
#define HELD_MAX 8
static _Thread_local const struct db *held[HELD_MAX];
static _Thread_local unsigned nheld;

static bool hold(const struct db *db)
{
	for (unsigned i = 0; i < nheld; i++)
		if (held[i] == db)
			return false;
	if (nheld == HELD_MAX)
		return false;
	held[nheld++] = db;
	return true;
}

static bool holding(const struct db *db)
{
	for (unsigned i = 0; i < nheld; i++)
		if (held[i] == db)
			return true;
	return false;
}

static void unhold(const struct db *db)
{
	for (unsigned i = 0; i < nheld; i++)
		if (held[i] == db) {
			held[i] = held[--nheld];
			return;
		}
}

/* ---- small helpers ---- */

void db_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	size_t n = strlen(err);
	while (n && err[n - 1] == ' ')
		err[--n] = '\0';
}

json_t *db_json_hex(const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = p;
	char *s = xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = hex[b[i] >> 4];
		s[2 * i + 1] = hex[b[i] & 15];
	}
	s[2 * n] = '\0';
	json_t *j = json_stringn(s, 2 * n);
	free(s);
	return j;
}

json_t *db_json_text(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (!j) {
		log_warn("db: text value is not valid UTF-8; returned as null");
		return json_null();
	}
	return j;
}

static uint32_t hash_sql(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rand64(void)
{
	static _Thread_local uint64_t x;
	if (!x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&x ^ (uint64_t)ts.tv_sec;
		x |= 1;
	}
	x ^= x << 13; /* xorshift64 */
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void backoff(unsigned attempt)
{
	unsigned shift = attempt < 16 ? attempt : 16;
	uint64_t d = (uint64_t)BACKOFF_MIN_US << shift;
	if (d > BACKOFF_MAX_US)
		d = BACKOFF_MAX_US;
	uint64_t us = d / 2 + rand64() % (d / 2 + 1);
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

/* ---- statement cache ---- */

static void stmt_destroy(struct dbc *c, struct db_stmt *st, bool server_alive)
{
	char *sql = st->sql;
	c->drv->stmt_free(c->conn, st, server_alive);
	free(sql);
}

static void cache_drop(struct dbc *c, bool server_alive)
{
	for (size_t i = 0; i < CACHE_BUCKETS; i++) {
		struct db_stmt *st = c->cache[i];
		while (st) {
			struct db_stmt *next = st->next;
			stmt_destroy(c, st, server_alive);
			st = next;
		}
		c->cache[i] = NULL;
	}
	c->cache_count = 0;
}

/* Statements the transaction function did not db_finish: a bug, but one that
 * must not leak into the next user of the connection. */
static void finish_leftovers(struct dbc *c)
{
	for (size_t i = 0; i < CACHE_BUCKETS; i++)
		for (struct db_stmt *st = c->cache[i]; st; st = st->next)
			if (st->busy) {
				log_bug("db: statement not finished: %s", st->sql);
				db_finish(st);
			}
	while (c->loose) {
		log_bug("db: statement not finished: %s", c->loose->sql);
		db_finish(c->loose);
	}
}

static void note_failure(struct dbc *c, int rc)
{
	if (c->in_tx && c->tx_error == DB_OK && rc < 0)
		c->tx_error = rc;
}

/* After a statement fails inside db_tx, PostgreSQL refuses everything until
 * the rollback. Both drivers behave so: later statements fail at once with
 * the first failure's code, and never reach the server. */
static bool poisoned(const struct dbc *c)
{
	return c->in_tx && c->tx_error != DB_OK;
}

/* What a convenience returns when it could not prepare: the transaction's
 * first failure if there was one (so DB_BUSY still means "retry"). */
static int prepare_failure(const struct dbc *c)
{
	return poisoned(c) ? c->tx_error : DB_ERROR;
}

/* ---- the write lock within this process (SQLite) ----
 *
 * SQLite's busy handler polls: a connection that finds the write lock taken
 * sleeps 1, 2, 5, 10 ... 100 ms between tries. Against the group-commit
 * writer, which holds the lock nearly all the time under load and lets go of
 * it for microseconds between batches, a db_tx (a session's idle clock, a
 * login attempt) waited that way up to 130 ms, and the writer as long behind
 * a db_tx. So the writers of this process take turns on this token first,
 * and only then on SQLite's lock: a db_tx and the truncating checkpoint
 * (other) go before the writer's next batch; the writer waits on a condition
 * variable, woken the moment the token is free. Other processes still meet
 * SQLite's busy handler. */
static void xlock(struct db *db, bool writer)
{
	if (!db->xlock_on)
		return;
	pthread_mutex_lock(&db->xmu);
	if (!writer)
		db->xwaiting++;
	while (db->xbusy || (writer && db->xwaiting))
		pthread_cond_wait(&db->xcv, &db->xmu);
	if (!writer)
		db->xwaiting--;
	db->xbusy = true;
	pthread_mutex_unlock(&db->xmu);
}

static void xunlock(struct db *db)
{
	if (!db->xlock_on)
		return;
	pthread_mutex_lock(&db->xmu);
	db->xbusy = false;
	pthread_cond_broadcast(&db->xcv);
	pthread_mutex_unlock(&db->xmu);
}

/* ---- pool ---- */

static struct dbc *acquire(struct db *db)
{
	if (!hold(db)) {
		log_bug("db: db_tx/db_read/db_write/db_migrate called while this thread already holds a "
		        "connection of the same pool");
		return NULL;
	}
	pthread_mutex_lock(&db->mu);
	while (db->nidle == 0)
		pthread_cond_wait(&db->cv, &db->mu);
	struct dbc *c = db->idle[--db->nidle];
	pthread_mutex_unlock(&db->mu);
	bool lost = false;
	bool ok = c->drv->check(c->conn, &lost);
	if (lost)
		cache_drop(c, false);
	if (!ok) {
		unhold(db);
		pthread_mutex_lock(&db->mu);
		db->idle[db->nidle++] = c;
		pthread_cond_signal(&db->cv);
		pthread_mutex_unlock(&db->mu);
		return NULL;
	}
	return c;
}

static void release(struct dbc *c)
{
	struct db *db = c->db;
	finish_leftovers(c);
	if (c->cache_count > CACHE_MAX)
		cache_drop(c, true);
	unhold(db);
	pthread_mutex_lock(&db->mu);
	db->idle[db->nidle++] = c;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

struct db *db_open(const char *url, unsigned pool_size, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!url || !*url) {
		db_set_err(err, errlen, "db: no database URL");
		return NULL;
	}
	const struct db_driver *drv;
	const char *target = url;
	if (starts_with(url, "sqlite:")) {
		drv = &db_driver_sqlite;
		target = url + strlen("sqlite:");
	} else if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
		drv = &db_driver_pg;
	} else if (ends_with(url, ".db") && !strstr(url, "://")) {
		drv = &db_driver_sqlite;
	} else {
		/* Not echoed: a URL may carry a password. */
		db_set_err(err, errlen,
		           "db: unsupported database URL (expected sqlite:PATH, PATH.db, sqlite::memory: or "
		           "postgresql://...)");
		return NULL;
	}
	if (!*target) {
		db_set_err(err, errlen, "db: no file name after 'sqlite:'");
		return NULL;
	}
	unsigned size = pool_size ? pool_size : POOL_DEFAULT;
	if (drv == &db_driver_sqlite && !strcmp(target, ":memory:"))
		size = 1; /* every connection to :memory: is a database of its own */

	struct db *db = xcalloc(1, sizeof *db);
	db->drv = drv;
	db->size = size;
	db->conns = xcalloc(size, sizeof *db->conns);
	db->idle = xcalloc(size, sizeof *db->idle);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	pthread_mutex_init(&db->wmu, NULL);
	pthread_cond_init(&db->wcv, NULL);
	pthread_cond_init(&db->wgone, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&db->ccv, &ca);
	pthread_cond_init(&db->ckcv, NULL);
	pthread_condattr_destroy(&ca);
	/* An in-memory database has nothing to fsync and only the pool's one
	 * connection can see it: db_write is db_tx there. */
	if (drv != &db_driver_sqlite || strcmp(target, ":memory:") != 0) {
		db->group = true;
		db->target = xstrdup(target);
	}
	db->xlock_on = db->group && drv == &db_driver_sqlite;
	pthread_mutex_init(&db->xmu, NULL);
	pthread_cond_init(&db->xcv, NULL);
	for (unsigned i = 0; i < size; i++) {
		struct dbc *c = &db->conns[i];
		c->db = db;
		c->drv = drv;
		c->cache = xcalloc(CACHE_BUCKETS, sizeof *c->cache);
		c->conn = drv->connect(target, err, errlen);
		if (!c->conn) {
			db_close(db);
			return NULL;
		}
		db->idle[db->nidle++] = c;
	}
	return db;
}

static void conn_close(struct dbc *c)
{
	if (c->conn) {
		while (c->loose) {
			struct db_stmt *st = c->loose;
			c->loose = st->next;
			stmt_destroy(c, st, false);
		}
		cache_drop(c, false); /* the session ends; no need to DEALLOCATE */
		c->drv->disconnect(c->conn);
		c->conn = NULL;
	}
	free(c->cache);
	c->cache = NULL;
	rollup_free(c);
}

static void writer_stop(struct db *db)
{
	pthread_mutex_lock(&db->wmu);
	db->wclosing = true;
	bool started = db->wstarted, cstarted = db->cstarted;
	pthread_cond_signal(&db->wcv);
	pthread_cond_signal(&db->ccv);
	pthread_mutex_unlock(&db->wmu);
	if (cstarted)
		pthread_join(db->ckpt, NULL);
	if (!started)
		return;
	/* The writer drains the queue before it ends; then every caller has
	 * its result, and db_close only waits for them to leave db_write. */
	pthread_join(db->writer, NULL);
	pthread_mutex_lock(&db->wmu);
	while (db->wcallers)
		pthread_cond_wait(&db->wgone, &db->wmu);
	pthread_mutex_unlock(&db->wmu);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	writer_stop(db);
	unsigned opened = 0;
	for (unsigned i = 0; i < db->size; i++)
		opened += db->conns[i].conn != NULL;
	if (db->nidle != opened)
		log_bug("db: db_close with %u connection(s) still in use", opened - db->nidle);
	for (unsigned i = 0; i < db->size; i++)
		conn_close(&db->conns[i]);
	conn_close(&db->wc);
	if (db->cconn)
		db->drv->disconnect(db->cconn);
	pthread_cond_destroy(&db->ccv);
	pthread_cond_destroy(&db->ckcv);
	pthread_mutex_destroy(&db->xmu);
	pthread_cond_destroy(&db->xcv);
	pthread_mutex_destroy(&db->mu);
	pthread_cond_destroy(&db->cv);
	pthread_mutex_destroy(&db->wmu);
	pthread_cond_destroy(&db->wcv);
	pthread_cond_destroy(&db->wgone);
	free(db->target);
	free(db->idle);
	free(db->conns);
	free(db);
}

enum db_dialect db_dialect(const struct db *db)
{
	return db->drv->dialect;
}

const char *db_dialect_name(const struct db *db)
{
	return db->drv->name;
}

enum db_dialect dbc_dialect(const struct dbc *c)
{
	return c->drv->dialect;
}

/* ---- transactions ---- */

/* *committing is set once COMMIT has been sent: past that point a lost
 * connection leaves the outcome unknown, and the transaction must not be run
 * again. */
static int tx_once(struct dbc *c, int (*fn)(struct dbc *c, void *arg), void *arg, bool *committing)
{
	int rc = c->drv->exec(c->conn, c->drv->begin_sql);
	if (rc != DB_OK)
		return rc;
	c->in_tx = true;
	c->tx_error = DB_OK;
	rollup_discard(c);
	rc = fn(c, arg);
	finish_leftovers(c);
	/* The roll-up increments fn added (db/rollup.h), inside the
	 * transaction. */
	if (rc == DB_OK && c->tx_error == DB_OK)
		rc = rollup_flush(c);
	if (c->tx_error == DB_BUSY) {
		/* Whatever fn made of it (often DB_ERROR from a NULL db_prepare),
		 * a lock or serialization failure means: run it again. */
		rc = DB_BUSY;
	} else if (rc == DB_OK && c->tx_error != DB_OK) {
		/* PostgreSQL has aborted the transaction at the first failure;
		 * SQLite would commit the rest. Same answer on both: roll back. */
		log_bug("db: transaction function returned DB_OK after a failed statement (%d); rolled back",
		        c->tx_error);
		rc = c->tx_error;
	}
	if (rc == DB_OK) {
		*committing = true;
		rc = c->drv->exec(c->conn, "COMMIT");
		/* A failed COMMIT leaves SQLite's transaction open; PostgreSQL's
		 * is over and ROLLBACK only draws a warning. */
		if (rc != DB_OK)
			c->drv->exec(c->conn, "ROLLBACK");
	} else {
		c->drv->exec(c->conn, "ROLLBACK");
	}
	rollup_discard(c);
	c->in_tx = false;
	c->tx_error = DB_OK;
	return rc;
}

/* True when c's session had died and has just been re-established. */
static bool reconnected(struct dbc *c)
{
	bool lost = false;
	bool ok = c->drv->check(c->conn, &lost);
	if (lost)
		cache_drop(c, false);
	return lost && ok;
}

/* Runs fn on c until it is not DB_BUSY, within the retry budget. */
static int run_on(struct dbc *c, bool tx, int (*fn)(struct dbc *c, void *arg), void *arg)
{
	int64_t start = now_ms();
	bool retried_lost = false;
	int rc;
	for (unsigned attempt = 1;; attempt++) {
		bool committing = false;
		if (tx) {
			xlock(c->db, false);
			rc = tx_once(c, fn, arg, &committing);
			xunlock(c->db);
		} else {
			rc = fn(c, arg);
			finish_leftovers(c);
		}
		/* A server restart or failover: every pooled session dies at once.
		 * Nothing was committed, so one more run on a new session is safe. */
		if (rc < 0 && rc != DB_BUSY && !committing && !retried_lost && reconnected(c)) {
			retried_lost = true;
			log_warn("db: connection lost; running the %s again on a new session",
			         tx ? "transaction" : "read");
			continue;
		}
		if (rc != DB_BUSY)
			break;
		if (attempt >= TX_MAX_ATTEMPTS || now_ms() - start > TX_DEADLINE_MS) {
			log_warn("db: still busy after %u attempts in %lld ms; giving up", attempt,
			         (long long)(now_ms() - start));
			break;
		}
		backoff(attempt - 1);
	}
	return rc;
}

static int run(struct db *db, bool tx, int (*fn)(struct dbc *c, void *arg), void *arg)
{
	struct dbc *c = acquire(db);
	if (!c)
		return DB_ERROR;
	int rc = run_on(c, tx, fn, arg);
	release(c);
	return rc;
}

int db_tx(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg)
{
	return run(db, true, fn, arg);
}

int db_read(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg)
{
	return run(db, false, fn, arg);
}

/* ---- group commit (db_write) ----
 *
 * Every durable COMMIT waits for an fsync (SQLite: WAL with synchronous=FULL;
 * PostgreSQL: its WAL flush), so one transaction per request caps writes at
 * the disk's fsync rate (here a few thousand per second at best). Requests
 * that arrive while a COMMIT is being synced queue up, and the next
 * transaction takes them all: under load the batch grows by itself, with no
 * timer and no added latency when there is no load. */

/* Runs fn of one request inside the open transaction, as tx_once does for a
 * whole transaction: the same poisoning and DB_BUSY rules, per request. */
static int write_one(struct dbc *c, struct wreq *r)
{
	r->runs++;
	c->in_tx = true;
	c->tx_error = DB_OK;
	int rc = r->fn(c, r->arg);
	finish_leftovers(c);
	if (c->tx_error == DB_BUSY) {
		rc = DB_BUSY;
	} else if (rc == DB_OK && c->tx_error != DB_OK) {
		log_bug("db: write function returned DB_OK after a failed statement (%d); its work was "
		        "rolled back",
		        c->tx_error);
		rc = c->tx_error;
	}
	c->in_tx = false;
	c->tx_error = DB_OK;
	return rc;
}

/* The batch's own statements (BEGIN, COMMIT) through the
 * connection's statement cache: sqlite3_exec would compile each of them for
 * every request, a tenth of the writer's time under load. */
static int wexec(struct dbc *c, const char *sql)
{
	return db_exec(c, sql, NULL);
}

/* True when c's session had died (it is re-established if it can be). */
static bool session_lost(struct dbc *c)
{
	bool lost = false;
	c->drv->check(c->conn, &lost);
	if (lost)
		cache_drop(c, false);
	return lost;
}

/* One transaction for every unsettled request of the batch. Returns DB_OK
 * when it committed (*committed: something was written) or had nothing to
 * keep; each request's rc is then its own result. Otherwise everything was
 * rolled back and the failure is returned (in the rc of each request that had
 * not failed on its own), or one of WRITE_AGAIN / WRITE_LOST /
 * WRITE_UNKNOWN. */
static int batch_once(struct dbc *c, struct wreq **batch, unsigned n, bool *committed)
{
	*committed = false;
	for (unsigned i = 0; i < n; i++)
		if (!batch[i]->settled)
			batch[i]->rc = DB_OK;
	unsigned kept = 0;
	rollup_discard(c);
	int rc = wexec(c, c->drv->begin_sql);
	if (rc != DB_OK && session_lost(c))
		return WRITE_LOST;
	for (unsigned i = 0; rc == DB_OK && i < n; i++) {
		struct wreq *r = batch[i];
		if (r->settled)
			continue;
		/* No SAVEPOINT per request: SQLite copies every page a savepoint
		 * touches into its statement journal, which cost the writer more
		 * than the requests' own statements. Instead the driver counts the
		 * rows each request changed. */
		int64_t before = c->drv->total_changes(c->conn);
		size_t mark = rollup_pending(c);
		int frc = write_one(c, r);
		bool open = c->drv->in_tx(c->conn);
		bool usable = open && !c->drv->tx_aborted(c->conn);
		if (frc == DB_OK && usable) {
			kept++;
			continue;
		}
		if (frc == DB_BUSY) {
			/* A lock or serialization failure is retried like a busy
			 * BEGIN. */
			rc = DB_BUSY;
			break;
		}
		if (!open && session_lost(c)) {
			rc = WRITE_LOST;
			break;
		}
		if (frc == DB_OK) {
			log_bug("db: a write function ended the transaction itself");
			frc = DB_ERROR;
		}
		r->rc = frc;
		r->settled = true;
		/* A refusal that changed no row (not found, already void, period
		 * closed; on SQLite also a statement that failed and undid
		 * itself) leaves the transaction as it found it: answer it, and
		 * go on with the others. */
		if (usable && c->drv->total_changes(c->conn) == before) {
			rollup_truncate(c, mark); /* increments it added, if any */
			continue;
		}
		/* It wrote and then failed, or its failure ended or aborted the
		 * whole transaction (a statement on PostgreSQL; OR ROLLBACK, disk
		 * full on SQLite): roll everything back, run the rest again
		 * without it. Failures are rare (a repeated idempotency key, a
		 * vanished reference) and a batch holds at most WRITE_BATCH_MAX
		 * requests, which bounds the reruns. */
		rc = WRITE_AGAIN;
		break;
	}
	if (rc == DB_OK && kept == 0) {
		/* Nothing to write, nothing to sync. */
		c->drv->exec(c->conn, "ROLLBACK");
		return DB_OK;
	}
	if (rc == DB_OK) {
		/* Every request's roll-up increments, one upsert per table. */
		c->in_tx = true;
		c->tx_error = DB_OK;
		rc = rollup_flush(c);
		c->in_tx = false;
		c->tx_error = DB_OK;
		if (rc != DB_OK && !c->drv->in_tx(c->conn) && session_lost(c))
			return WRITE_LOST;
	}
	if (rc == DB_OK) {
		rc = wexec(c, "COMMIT");
		if (rc == DB_OK) {
			*committed = true;
			return DB_OK;
		}
		/* A session lost during COMMIT: it may or may not have
		 * committed, so nothing of the batch may run again. */
		if (session_lost(c))
			return WRITE_UNKNOWN;
	}
	/* A failed COMMIT leaves SQLite's transaction open (DB_BUSY) or rolls it
	 * back itself (I/O errors), PostgreSQL's is over: either way nothing of
	 * it is stored. */
	rollup_discard(c);
	if (c->drv->in_tx(c->conn))
		c->drv->exec(c->conn, "ROLLBACK");
	for (unsigned i = 0; i < n; i++)
		if (!batch[i]->settled && batch[i]->rc == DB_OK && rc < 0)
			batch[i]->rc = rc;
	return rc;
}

/* Runs one batch until it commits or the retries run out. Returns true when a
 * COMMIT wrote something. */
static bool write_batch(struct db *db, struct wreq **batch, unsigned n, bool stale)
{
	struct dbc *c = &db->wc;
	bool lost = false;
	/* Ends a stray transaction, re-establishes a dropped session. */
	bool ok = c->drv->check(c->conn, &lost);
	if (lost || stale)
		cache_drop(c, !lost);
	for (unsigned i = 0; i < n; i++) {
		batch[i]->settled = false;
		batch[i]->rc = DB_ERROR;
	}
	if (!ok)
		return false;
	int64_t start = now_ms();
	bool committed = false, relost = false;
	for (unsigned attempt = 1;;) {
		xlock(db, true);
		int rc = batch_once(c, batch, n, &committed);
		xunlock(db);
		if (rc == DB_OK)
			break;
		if (rc == WRITE_AGAIN)
			continue; /* settles one request each time: ends */
		if (rc == WRITE_LOST && !relost) {
			/* A server restart or failover: nothing was committed, so one
			 * more run on the new session is safe. */
			relost = true;
			log_warn("db: connection lost; running the group commit again on a new session");
			continue;
		}
		if (rc == WRITE_LOST || rc == WRITE_UNKNOWN) {
			if (rc == WRITE_UNKNOWN)
				log_error("db: connection lost during the COMMIT of %u request(s): outcome "
				          "unknown",
				          n);
			for (unsigned i = 0; i < n; i++)
				if (!batch[i]->settled)
					batch[i]->rc = DB_ERROR;
			break;
		}
		unsigned most = rc == DB_BUSY ? TX_MAX_ATTEMPTS : WRITE_ERROR_ATTEMPTS;
		if (attempt >= most || now_ms() - start > TX_DEADLINE_MS) {
			log_warn(
			    "db: group commit of %u request(s) failed (%d) after %u attempts in %lld ms; "
			    "giving up",
			    n, rc, attempt, (long long)(now_ms() - start));
			break;
		}
		backoff(attempt - 1);
		attempt++;
	}
	if (c->cache_count > CACHE_MAX)
		cache_drop(c, true);
	return committed;
}

/* Under wmu, on the writer thread, after a COMMIT: asks the checkpointer for
 * a PASSIVE checkpoint every CKPT_FRAMES new frames, and wakes it to time
 * the idle TRUNCATE. Returns true when the writer should checkpoint itself
 * before its next batch (the WAL is long enough to be started afresh). */
static bool ckpt_note_commit(struct db *db, int64_t now)
{
	if (!db->cstarted)
		return false;
	bool wake = !db->wal_dirty;
	db->wal_dirty = true;
	db->last_commit_ms = now;
	if (db->wal_frames < db->wal_last) {
		/* The WAL was started again from its beginning. */
		db->wal_asked = 0;
		db->wal_tail_at = CKPT_RESTART_FRAMES;
	}
	db->wal_last = db->wal_frames;
	if (db->wal_frames - db->wal_asked >= CKPT_FRAMES) {
		db->wal_asked = db->wal_frames;
		db->ckpt_due = true;
		wake = true;
	}
	if (wake)
		pthread_cond_signal(&db->ccv);
	return db->wal_frames >= db->wal_tail_at;
}

/* The writer's own PASSIVE checkpoint (see CKPT_RESTART_FRAMES), between two
 * batches, under wmu (released while it runs). */
static void ckpt_tail(struct db *db)
{
	if (db->ckpt_running && db->wal_frames < CKPT_HARD_FRAMES) {
		db->wal_tail_at = db->wal_frames + 1; /* it would answer busy */
		return;
	}
	while (db->ckpt_running)
		pthread_cond_wait(&db->ckcv, &db->wmu);
	db->tail_running = true;
	pthread_mutex_unlock(&db->wmu);
	int rc = db->drv->checkpoint(db->wc.conn, false);
	pthread_mutex_lock(&db->wmu);
	db->tail_running = false;
	pthread_cond_signal(&db->ccv);
	if (rc == DB_OK)
		db->wstats.checkpoints++;
	/* Done: the next transaction starts the WAL afresh unless a reader
	 * still holds an old snapshot (then again CKPT_FRAMES later). Busy
	 * (the checkpointer was at it): again after the next COMMIT. */
	db->wal_tail_at = db->wal_frames + (rc == DB_OK ? CKPT_FRAMES : 1);
}

static void *writer_main(void *arg)
{
	struct db *db = arg;
	/* fn runs here: a db_tx / db_read / db_write of this pool from inside it
	 * must be refused, as inside db_tx. */
	hold(db);
	struct wreq *batch[WRITE_BATCH_MAX];
	pthread_mutex_lock(&db->wmu);
	for (;;) {
		while (!db->qhead && !db->wclosing)
			pthread_cond_wait(&db->wcv, &db->wmu);
		if (!db->qhead)
			break; /* closing, and the queue is drained */
		unsigned n = 0;
		while (db->qhead && n < WRITE_BATCH_MAX) {
			batch[n++] = db->qhead;
			db->qhead = db->qhead->next;
		}
		if (!db->qhead)
			db->qtail = NULL;
		bool stale = db->wstale;
		db->wstale = false;
		pthread_mutex_unlock(&db->wmu);

		bool committed = write_batch(db, batch, n, stale);
		int64_t now = now_ms();

		pthread_mutex_lock(&db->wmu);
		bool ckpt = false;
		if (committed) {
			db->wstats.commits++;
			ckpt = ckpt_note_commit(db, now);
		}
		/* Only now, after COMMIT returned, does any caller learn its
		 * result. A request whose own fn reported DB_BUSY goes back to
		 * the front of the queue for the next batch, within bounds. */
		struct wreq *again = NULL, **tail = &again, *last = NULL;
		for (unsigned i = 0; i < n; i++) {
			struct wreq *r = batch[i];
			if (r->rc == DB_BUSY && r->runs < TX_MAX_ATTEMPTS &&
			    now - r->start_ms <= TX_DEADLINE_MS) {
				r->next = NULL;
				*tail = last = r;
				tail = &r->next;
				continue;
			}
			if (r->rc == DB_BUSY)
				log_warn("db: write still busy after %u runs; giving up", r->runs);
			r->done = true;
			pthread_cond_signal(&r->cv);
		}
		if (again) {
			last->next = db->qhead;
			if (!db->qhead)
				db->qtail = last;
			db->qhead = again;
		}
		if (ckpt)
			ckpt_tail(db);
	}
	pthread_mutex_unlock(&db->wmu);
	unhold(db);
	return NULL;
}

/* SQLite checkpoints, mostly off the writer's path: the writer's connection
 * has no automatic one (a checkpoint in its COMMIT would hold up every queued
 * request for the time of the copy and the database file's fsync), and only
 * copies what is left when the WAL is to be started afresh (ckpt_tail).
 * PASSIVE when asked (it never blocks the writer), TRUNCATE once nothing was
 * committed for CKPT_IDLE_MS (the WAL file then shrinks to nothing; it needs
 * the write lock, so only when idle, and it gives up at once when busy). */
static void *ckpt_main(void *arg)
{
	struct db *db = arg;
	pthread_mutex_lock(&db->wmu);
	int64_t retry_ms = 0; /* no TRUNCATE before this (a busy one waits) */
	while (!db->wclosing) {
		int64_t now = now_ms();
		int64_t idle_at = db->last_commit_ms + CKPT_IDLE_MS;
		if (retry_ms > idle_at)
			idle_at = retry_ms;
		if (db->tail_running) {
			pthread_cond_wait(&db->ccv, &db->wmu);
			continue;
		}
		if (db->ckpt_due || (db->wal_dirty && now >= idle_at)) {
			bool truncate = !db->ckpt_due;
			uint64_t commits = db->wstats.commits;
			db->ckpt_due = false;
			db->ckpt_running = true;
			pthread_mutex_unlock(&db->wmu);
			/* TRUNCATE takes SQLite's write lock; PASSIVE does not. */
			if (truncate)
				xlock(db, false);
			int rc = db->drv->checkpoint(db->cconn, truncate);
			if (truncate)
				xunlock(db);
			pthread_mutex_lock(&db->wmu);
			db->ckpt_running = false;
			pthread_cond_broadcast(&db->ckcv);
			if (rc == DB_OK) {
				db->wstats.checkpoints++;
				if (truncate && db->wstats.commits == commits) {
					db->wstats.truncates++;
					db->wal_dirty = false;
				}
			} else if (truncate) {
				retry_ms = now_ms() + CKPT_IDLE_MS;
			}
			continue;
		}
		if (db->wal_dirty) {
			struct timespec ts = {(time_t)(idle_at / 1000), (long)(idle_at % 1000) * 1000000L};
			pthread_cond_timedwait(&db->ccv, &db->wmu, &ts);
		} else {
			pthread_cond_wait(&db->ccv, &db->wmu);
		}
	}
	pthread_mutex_unlock(&db->wmu);
	return NULL;
}

/* Under wmu. SQLite: opens the checkpointer's connection, takes the automatic
 * checkpoints off the writer's and starts the checkpointer. Without it (it
 * could not start) the writer keeps SQLite's automatic checkpoints. */
static void ckpt_start(struct db *db)
{
	char err[256];
	if (!db->drv->checkpoint || !db->drv->writer_setup)
		return;
	if (db->cstarted) { /* the writer's connection is opened again */
		db->drv->writer_setup(db->wc.conn, &db->wal_frames);
		return;
	}
	db->cconn = db->drv->connect(db->target, err, sizeof err);
	if (!db->cconn) {
		log_warn("db: group commit: no checkpointer connection (%s); checkpoints stay on the writer",
		         err);
		return;
	}
	int e = pthread_create(&db->ckpt, NULL, ckpt_main, db);
	if (e != 0) {
		log_warn(
		    "db: group commit: cannot start the checkpointer (%s); checkpoints stay on the writer",
		    strerror(e));
		db->drv->disconnect(db->cconn);
		db->cconn = NULL;
		return;
	}
	db->drv->writer_setup(db->wc.conn, &db->wal_frames);
	db->wal_tail_at = CKPT_RESTART_FRAMES;
	db->cstarted = true;
}

/* Under wmu. Opens the writer's connection and starts its thread. */
static bool writer_start(struct db *db)
{
	char err[256];
	struct dbc *c = &db->wc;
	c->db = db;
	c->drv = db->drv;
	if (!c->cache)
		c->cache = xcalloc(CACHE_BUCKETS, sizeof *c->cache);
	c->conn = c->drv->connect(db->target, err, sizeof err);
	if (!c->conn) {
		log_error("db: group commit: cannot open the writer's connection: %s", err);
		return false;
	}
	/* Before the writer runs: it then owns its connection alone. */
	ckpt_start(db);
	int e = pthread_create(&db->writer, NULL, writer_main, db);
	if (e != 0) {
		log_error("db: group commit: cannot start the writer thread: %s", strerror(e));
		c->drv->disconnect(c->conn);
		c->conn = NULL;
		return false;
	}
	db->wstarted = true;
	return true;
}

int db_write(struct db *db, int (*fn)(struct dbc *c, void *arg), void *arg)
{
	if (!db->group) {
		/* An in-memory database: nothing to sync, one connection. */
		pthread_mutex_lock(&db->wmu);
		db->wstats.requests++;
		pthread_mutex_unlock(&db->wmu);
		int rc = db_tx(db, fn, arg);
		if (rc == DB_OK) {
			pthread_mutex_lock(&db->wmu);
			db->wstats.commits++;
			pthread_mutex_unlock(&db->wmu);
		}
		return rc;
	}
	if (holding(db)) {
		/* Inside db_tx the caller holds the write lock the writer needs;
		 * on the writer thread it would wait for itself. */
		log_bug("db: db_write called while this thread already holds a connection of the same pool");
		return DB_ERROR;
	}
	struct wreq r = {.fn = fn, .arg = arg, .rc = DB_ERROR, .start_ms = now_ms()};
	pthread_cond_init(&r.cv, NULL);
	pthread_mutex_lock(&db->wmu);
	if (db->wclosing) {
		pthread_mutex_unlock(&db->wmu);
		pthread_cond_destroy(&r.cv);
		log_bug("db: db_write after db_close");
		return DB_ERROR;
	}
	if (!db->wstarted && !writer_start(db)) {
		pthread_mutex_unlock(&db->wmu);
		pthread_cond_destroy(&r.cv);
		return DB_ERROR;
	}
	if (db->qtail)
		db->qtail->next = &r;
	else
		db->qhead = &r;
	db->qtail = &r;
	db->wstats.requests++;
	db->wcallers++;
	pthread_cond_signal(&db->wcv);
	while (!r.done)
		pthread_cond_wait(&r.cv, &db->wmu);
	if (--db->wcallers == 0 && db->wclosing)
		pthread_cond_signal(&db->wgone);
	pthread_mutex_unlock(&db->wmu);
	pthread_cond_destroy(&r.cv);
	return r.rc;
}

void db_write_stats(struct db *db, struct db_write_stats *out)
{
	pthread_mutex_lock(&db->wmu);
	*out = db->wstats;
	pthread_mutex_unlock(&db->wmu);
}

/* ---- statements ---- */

struct db_stmt *db_prepare(struct dbc *c, const char *sql)
{
	if (!c || !sql) {
		log_bug("db: db_prepare without a connection or SQL");
		return NULL;
	}
	if (poisoned(c))
		return NULL;
	/* A statement on roll-ups sees the increments added so far. */
	if (rollup_flush_for(c, sql) != DB_OK)
		return NULL;
	uint32_t h = hash_sql(sql);
	struct db_stmt **bucket = &c->cache[h % CACHE_BUCKETS];
	bool in_use = false;
	for (struct db_stmt *st = *bucket; st; st = st->next) {
		if (st->hash == h && !strcmp(st->sql, sql)) {
			if (!st->busy) {
				st->busy = true;
				st->state = STMT_FRESH;
				return st;
			}
			in_use = true; /* the same text, still running: a private copy */
			break;
		}
	}
	struct db_stmt *st = c->drv->prepare(c->conn, sql);
	if (!st) {
		note_failure(c, DB_ERROR);
		return NULL;
	}
	st->c = c;
	st->sql = xstrdup(sql);
	st->hash = h;
	st->busy = true;
	st->state = STMT_FRESH;
	if (in_use) {
		st->next = c->loose;
		c->loose = st;
	} else {
		st->cached = true;
		st->next = *bucket;
		*bucket = st;
		c->cache_count++;
	}
	return st;
}

static void bind_result(struct db_stmt *st, int rc)
{
	if (rc != DB_OK && st->state != STMT_FAILED) {
		st->state = STMT_FAILED;
		st->rc = DB_ERROR;
		note_failure(st->c, DB_ERROR);
	}
}

static bool bindable(struct db_stmt *st, int idx)
{
	if (!st)
		return false;
	if (st->state == STMT_FRESH)
		return true;
	if (st->state != STMT_FAILED)
		log_bug("db: bind %d after db_step in: %s", idx, st->sql);
	bind_result(st, DB_ERROR);
	return false;
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	if (bindable(st, idx))
		bind_result(st, st->c->drv->bind_int(st, idx, v));
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (bindable(st, idx))
		bind_result(st, s ? st->c->drv->bind_text(st, idx, s) : st->c->drv->bind_null(st, idx));
}

void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
	if (bindable(st, idx))
		bind_result(st, st->c->drv->bind_blob(st, idx, p, n));
}

void db_bind_null(struct db_stmt *st, int idx)
{
	if (bindable(st, idx))
		bind_result(st, st->c->drv->bind_null(st, idx));
}

int db_step(struct db_stmt *st)
{
	if (!st)
		return DB_ERROR;
	switch (st->state) {
	case STMT_DONE: return DB_DONE; /* never re-run: SQLite would restart it */
	case STMT_FAILED: return st->rc;
	default: break;
	}
	if (poisoned(st->c)) {
		st->state = STMT_FAILED;
		st->rc = st->c->tx_error;
		return st->rc;
	}
	int rc = st->c->drv->step(st);
	if (rc == DB_ROW) {
		st->state = STMT_RUNNING;
	} else if (rc == DB_DONE) {
		st->state = STMT_DONE;
	} else {
		st->state = STMT_FAILED;
		st->rc = rc;
		note_failure(st->c, rc);
	}
	return rc;
}

int db_column_count(struct db_stmt *st)
{
	return st ? st->c->drv->column_count(st) : 0;
}

const char *db_column_name(struct db_stmt *st, int col)
{
	if (!st || col < 0 || col >= st->c->drv->column_count(st))
		return NULL;
	return st->c->drv->column_name(st, col);
}

/* Column reads need a current row and a real column. */
static bool readable(struct db_stmt *st, int col)
{
	if (!st)
		return false;
	if (st->state != STMT_RUNNING) {
		log_bug("db: column %d read without a current row in: %s", col, st->sql);
		return false;
	}
	if (col < 0 || col >= st->c->drv->column_count(st)) {
		log_bug("db: column %d out of range in: %s", col, st->sql);
		return false;
	}
	return true;
}

bool db_col_null(struct db_stmt *st, int col)
{
	return readable(st, col) ? st->c->drv->col_null(st, col) : true;
}

int64_t db_col_int(struct db_stmt *st, int col)
{
	return readable(st, col) ? st->c->drv->col_int(st, col) : 0;
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return readable(st, col) ? st->c->drv->col_text(st, col) : "";
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
	if (readable(st, col))
		return st->c->drv->col_blob(st, col, len);
	if (len)
		*len = 0;
	return "";
}

int64_t db_changes(struct db_stmt *st)
{
	return st && st->state == STMT_DONE ? st->c->drv->changes(st) : 0;
}

void db_finish(struct db_stmt *st)
{
	if (!st)
		return;
	struct dbc *c = st->c;
	c->drv->reset(st);
	st->busy = false;
	st->state = STMT_FRESH;
	st->rc = DB_OK;
	if (!st->cached) {
		for (struct db_stmt **p = &c->loose; *p; p = &(*p)->next) {
			if (*p == st) {
				*p = st->next;
				break;
			}
		}
		stmt_destroy(c, st, !c->in_tx || c->tx_error == DB_OK);
	}
}

/* ---- conveniences ---- */

static struct db_stmt *prepare_va(struct dbc *c, const char *sql, const char *types, va_list ap)
{
	struct db_stmt *st = db_prepare(c, sql);
	if (!st)
		return NULL;
	if (!types)
		types = "";
	int n = (int)strlen(types);
	int want = c->drv->param_count(st);
	if (n != want) {
		log_bug("db: %d placeholder(s) but %d argument(s) (\"%s\") in: %s", want, n, types, sql);
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		switch (types[i]) {
		case 'i': db_bind_int(st, i + 1, va_arg(ap, int64_t)); break;
		case 't': db_bind_text(st, i + 1, va_arg(ap, const char *)); break;
		case 'n': db_bind_null(st, i + 1); break;
		default:
			log_bug("db: unknown argument type '%c' in \"%s\" for: %s", types[i], types, sql);
			goto fail;
		}
	}
	if (st->state == STMT_FAILED)
		goto fail;
	return st;
fail:
	db_finish(st);
	note_failure(c, DB_ERROR);
	return NULL;
}

int db_exec(struct dbc *c, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = prepare_va(c, sql, types, ap);
	va_end(ap);
	if (!st)
		return prepare_failure(c);
	int rc = db_step(st);
	db_finish(st);
	return rc < 0 ? rc : DB_OK;
}

int db_query_int(struct dbc *c, int64_t *out, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = prepare_va(c, sql, types, ap);
	va_end(ap);
	if (!st)
		return prepare_failure(c);
	int rc = db_step(st);
	if (rc == DB_ROW && out)
		*out = db_col_int(st, 0);
	db_finish(st);
	return rc;
}

static json_t *row_json(struct db_stmt *st)
{
	json_t *o = json_object();
	int n = st->c->drv->column_count(st);
	for (int i = 0; i < n; i++)
		json_object_set_new(o, st->c->drv->column_name(st, i), st->c->drv->col_json(st, i));
	return o;
}

json_t *db_query_json(struct dbc *c, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = prepare_va(c, sql, types, ap);
	va_end(ap);
	if (!st)
		return NULL;
	json_t *rows = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(rows, row_json(st));
	db_finish(st);
	if (rc < 0) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* db_read_json: one query in db_read, its arguments kept as a va_list that
 * every (retried) run copies. */
struct read_json {
	const char *sql, *types;
	bool one;
	va_list *ap;
	json_t *out;
};

static int read_json_fn(struct dbc *c, void *arg)
{
	struct read_json *a = arg;
	json_decref(a->out);
	a->out = NULL;
	va_list ap;
	va_copy(ap, *a->ap);
	struct db_stmt *st = prepare_va(c, a->sql, a->types, ap);
	va_end(ap);
	if (!st)
		return prepare_failure(c);
	int rc;
	if (a->one) {
		rc = db_step(st);
		if (rc == DB_ROW)
			a->out = row_json(st);
	} else {
		a->out = json_array();
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(a->out, row_json(st));
	}
	db_finish(st);
	if (rc < 0) {
		json_decref(a->out);
		a->out = NULL;
		return rc;
	}
	return rc == DB_ROW ? DB_ROW : DB_DONE;
}

json_t *db_read_json(struct db *db, int *rc, bool one, const char *sql, const char *types, ...)
{
	int dummy;
	if (!rc)
		rc = &dummy;
	va_list ap;
	va_start(ap, types);
	struct read_json a = {sql, types, one, &ap, NULL};
	*rc = db_read(db, read_json_fn, &a);
	va_end(ap);
	if (*rc < 0) {
		json_decref(a.out);
		return NULL;
	}
	return a.out;
}

json_t *db_query_row(struct dbc *c, int *rc, const char *sql, const char *types, ...)
{
	int dummy;
	if (!rc)
		rc = &dummy;
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = prepare_va(c, sql, types, ap);
	va_end(ap);
	if (!st) {
		*rc = prepare_failure(c);
		return NULL;
	}
	json_t *row = NULL;
	*rc = db_step(st);
	if (*rc == DB_ROW)
		row = row_json(st);
	db_finish(st);
	return row;
}

int db_exec_script(struct dbc *c, const char *sql)
{
	if (poisoned(c))
		return c->tx_error;
	int rc = c->drv->exec(c->conn, sql);
	note_failure(c, rc);
	return rc;
}

int db_insert_id(struct dbc *c, int64_t *id, const char *sql, const char *types, ...)
{
	char *with_returning = NULL;
	if (!c->drv->last_insert_id) {
		size_t n = strlen(sql);
		while (n &&
		       (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\t'))
			n--;
		with_returning = xasprintf("%.*s RETURNING id", (int)n, sql);
		sql = with_returning;
	}
	va_list ap;
	va_start(ap, types);
	struct db_stmt *st = prepare_va(c, sql, types, ap);
	va_end(ap);
	free(with_returning);
	if (!st)
		return prepare_failure(c);
	int rc = db_step(st);
	if (c->drv->last_insert_id) {
		/* No row inserted (ON CONFLICT DO NOTHING) leaves last_insert_rowid
		 * at an older row; report it as PostgreSQL's empty RETURNING does. */
		if (rc == DB_DONE && db_changes(st) > 0) {
			if (id)
				*id = c->drv->last_insert_id(c->conn);
			rc = DB_OK;
		}
	} else if (rc == DB_ROW) {
		if (id)
			*id = db_col_int(st, 0);
		rc = DB_OK;
	}
	db_finish(st);
	return rc;
}

/* ---- health, migrations ---- */

static int ping_fn(struct dbc *c, void *arg)
{
	int64_t v = 0;
	int rc = db_query_int(c, &v, "SELECT 1", "");
	return rc == DB_ROW && v == 1 ? DB_OK : DB_ERROR;
}

bool db_ping(struct db *db)
{
	return db && db_read(db, ping_fn, NULL) == DB_OK;
}

/* Busy when a reader kept the WAL: db_read waits and runs it again. */
static int checkpoint_fn(struct dbc *c, void *arg)
{
	struct db_stmt *st = db_prepare(c, "PRAGMA wal_checkpoint(TRUNCATE)");
	if (!st)
		return DB_ERROR;
	int rc = db_step(st);
	if (rc == DB_ROW)
		rc = db_col_int(st, 0) ? DB_BUSY : DB_OK;
	else if (rc == DB_DONE)
		rc = DB_OK;
	db_finish(st);
	return rc;
}

int db_checkpoint(struct db *db)
{
	if (db->drv->dialect != DB_SQLITE)
		return DB_OK;
	return db_read(db, checkpoint_fn, NULL);
}

static int version_fn(struct dbc *c, void *arg)
{
	int64_t *v = arg, exists = 0;
	const char *sql =
	    c->drv->dialect == DB_SQLITE
	        ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	        : "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
	          "AND tablename = 'schema_migrations'";
	int rc = db_query_int(c, &exists, sql, "");
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	*v = 0;
	if (!exists)
		return DB_OK;
	rc = db_query_int(c, v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

int db_schema_version(struct db *db)
{
	int64_t v = -1;
	if (db_read(db, version_fn, &v) != DB_OK)
		return -1;
	return (int)v;
}

static const struct embedded_file *db_migrations(enum db_dialect dialect)
{
	return dialect == DB_SQLITE ? migrations_sqlite : migrations_postgresql;
}

/* "007_name.sql" -> 7; 0 if the name does not start with a number and '_'. */
static int migration_version(const char *name)
{
	int v = 0;
	const char *p = name;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 1000000)
			return 0;
	}
	return p > name && *p == '_' ? v : 0;
}

struct mig {
	const struct embedded_file *file;
	int version;
	bool applied;
};

/* Same DDL on both: SQLite reads BIGINT as its (64-bit) INTEGER. */
static int create_table_fn(struct dbc *c, void *arg)
{
	return db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
	                         "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
}

static int apply_fn(struct dbc *c, void *arg)
{
	struct mig *m = arg;
	m->applied = false;
	int64_t n = 0;
	/* Checked inside the transaction: another process may have got here
	 * first (SQLite: we now hold the write lock; PostgreSQL: we hold the
	 * advisory lock). */
	int rc = db_query_int(c, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", "i",
	                      (int64_t)m->version);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_ERROR;
	if (n)
		return DB_OK;
	rc = db_exec_script(c, m->file->data);
	if (rc != DB_OK)
		return rc;
	char *name = xstrdup(m->file->name);
	if (ends_with(name, ".sql"))
		name[strlen(name) - 4] = '\0';
	rc = db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", "iti",
	             (int64_t)m->version, name, (int64_t)time(NULL));
	free(name);
	m->applied = rc == DB_OK;
	return rc;
}

int db_migrate(struct db *db)
{
	const struct embedded_file *files = db_migrations(db->drv->dialect);
	int prev = 0;
	for (const struct embedded_file *f = files; f->name; f++) {
		int v = migration_version(f->name);
		if (v <= prev) {
			log_bug("db: migration %s: name must be NNN_name.sql with a number above %d", f->name,
			        prev);
			return -1;
		}
		prev = v;
	}
	struct dbc *c = acquire(db);
	if (!c)
		return -1;
	bool pg = db->drv->dialect == DB_POSTGRES;
	int applied = 0;
	/* Session-level lock, taken outside any transaction, so each migration's
	 * transaction starts (and takes its snapshot) after the lock is ours. */
	int rc = pg ? c->drv->exec(c->conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")") : DB_OK;
	bool locked = pg && rc == DB_OK;
	if (rc == DB_OK)
		rc = run_on(c, true, create_table_fn, NULL);
	for (const struct embedded_file *f = files; rc == DB_OK && f->name; f++) {
		struct mig m = {f, migration_version(f->name), false};
		rc = run_on(c, true, apply_fn, &m);
		if (rc != DB_OK)
			log_error("db: migration %s failed (%d)", f->name, rc);
		else if (m.applied) {
			applied++;
			log_info("db: applied migration %s", f->name);
		}
	}
	if (locked)
		c->drv->exec(c->conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
	/* Plans cached before a schema change may no longer fit it (PostgreSQL
	 * refuses "cached plan must not change result type"): start afresh on
	 * this connection and every idle one; the group-commit writer drops its
	 * own before its next batch. */
	cache_drop(c, true);
	pthread_mutex_lock(&db->mu);
	for (unsigned i = 0; i < db->nidle; i++)
		cache_drop(db->idle[i], true);
	pthread_mutex_unlock(&db->mu);
	pthread_mutex_lock(&db->wmu);
	db->wstale = true;
	pthread_mutex_unlock(&db->wmu);
	release(c);
	return rc == DB_OK ? applied : -1;
}
