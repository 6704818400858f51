/* PostgreSQL driver (libpq). Every statement is prepared once per connection
 * (PQprepare under a generated name) and run with PQexecPrepared; results come
 * back in text format and are converted on read. db.c keeps the cache keyed by
 * the caller's SQL text, so this file only names, prepares and frees. */
#include "db/driver.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg_rewrite.h"
#include "lib/fault.h"
#include "lib/log.h"
#include "lib/xalloc.h"

/* Built-in type OIDs (pg_type_d.h is a server header; these never change). */
#define OID_BOOL    16
#define OID_BYTEA   17
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_FLOAT4  700
#define OID_FLOAT8  701
#define OID_NUMERIC 1700

struct pgc {
	PGconn *pg;
	unsigned long seq; /* names prepared statements on this connection */
	int64_t changes;   /* rows written since connect (pg_total_changes) */
};

struct pg_stmt {
	struct db_stmt base;
	struct pgc *pc;
	char name[32];
	int nparams;
	char **values; /* owned copies; NULL = SQL NULL */
	int *lengths;
	int *formats; /* 0 text, 1 binary (blobs) */
	PGresult *res;
	int row, nrows, ncols;
	int64_t changes;
	unsigned char **blobs; /* unescaped bytea of the current row, per column */
	size_t *bloblens;
};

static struct pg_stmt *P(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* Integrity violations (class 23) are the caller's to handle; serialization
 * failures and deadlocks mean "run the transaction again". */
static int map_state(const char *state)
{
	if (!state)
		return DB_ERROR;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return DB_BUSY;
	return DB_ERROR;
}

/* libpq messages end with a newline and may span lines. */
static void one_line(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

static int fail(PGconn *pg, PGresult *res, const char *what, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int r = map_state(state);
	char msg[512];
	snprintf(msg, sizeof msg, "%s",
	         res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(pg));
	one_line(msg);
	if (r == DB_ERROR)
		log_error("pg: %s: %s [%s] in: %.300s", what, msg, state ? state : "-", sql);
	else
		log_debug("pg: %s: %s [%s] in: %.300s", what, msg, state ? state : "-", sql);
	return r;
}

static void notice(void *arg, const char *message)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", message);
	one_line(msg);
	log_debug("pg: %s", msg);
}

static void *pg_connect(const char *target, char *err, size_t errlen)
{
	/* expand_dbname: the URL supplies everything; the two settings after it
	 * apply unless the URL names them itself. */
	const char *keys[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
	const char *vals[] = {target, "UTF8", "osspoint", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg) {
		db_set_err(err, errlen, "pg: out of memory");
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		db_set_err(err, errlen, "pg: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, notice, NULL);
	struct pgc *pc = xcalloc(1, sizeof *pc);
	pc->pg = pg;
	return pc;
}

static void pg_disconnect(void *conn)
{
	struct pgc *pc = conn;
	PQfinish(pc->pg);
	free(pc);
}

/* Rows a successful command may have written, from its command tag: the
 * count of INSERT / UPDATE / DELETE / MERGE, 0 for commands that only read or
 * steer the session, 1 for anything else (DDL, COPY, NOTIFY, ...), which may
 * have changed something. */
static int64_t written(PGresult *res)
{
	static const char *const counted[] = {"INSERT", "UPDATE", "DELETE", "MERGE"};
	static const char *const reads[] = {"SELECT",  "SHOW",       "BEGIN",          "START TRANSACTION",
	                                    "COMMIT",  "ROLLBACK",   "SAVEPOINT",      "RELEASE",
	                                    "SET",     "RESET",      "DEALLOCATE",     "PREPARE",
	                                    "FETCH",   "MOVE",       "DECLARE CURSOR", "CLOSE CURSOR",
	                                    "EXPLAIN", "LOCK TABLE", "DISCARD ALL",    ""};
	const char *tag = PQcmdStatus(res);
	for (size_t i = 0; i < sizeof counted / sizeof *counted; i++) {
		size_t n = strlen(counted[i]);
		if (!strncmp(tag, counted[i], n) && tag[n] == ' ')
			return strtoll(PQcmdTuples(res), NULL, 10);
	}
	for (size_t i = 0; i < sizeof reads / sizeof *reads; i++) {
		size_t n = strlen(reads[i]);
		if (!strncmp(tag, reads[i], n) && (tag[n] == ' ' || tag[n] == '\0'))
			return 0;
	}
	return 1;
}

/* A COMMIT of a transaction that already failed "succeeds" as a rollback.
 * db.c stops that earlier; this is the backstop. */
static int commit_check(const char *sql, PGresult *res)
{
	if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
		log_bug("pg: COMMIT rolled back (a statement in the transaction failed)");
		return DB_ERROR;
	}
	return DB_OK;
}

/* PQsendQuery and every result, not PQexec: PQexec keeps only the last
 * result of a script, and each command's row count is wanted. */
static int pg_exec(void *conn, const char *sql)
{
	struct pgc *pc = conn;
	if (fault_hit(FAULT_DB_STEP))
		return DB_ERROR;
	if (!PQsendQuery(pc->pg, sql))
		return fail(pc->pg, NULL, "exec", sql);
	int rc = DB_OK;
	PGresult *res;
	while ((res = PQgetResult(pc->pg))) {
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT || s == PGRES_COPY_BOTH) {
			/* PQgetResult would answer COPY for ever. */
			log_bug("pg: exec: COPY is not supported in: %.300s", sql);
			PQclear(res);
			return DB_ERROR;
		}
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
			if (rc == DB_OK)
				rc = fail(pc->pg, res, "exec", sql);
		} else {
			pc->changes += written(res);
			if (rc == DB_OK)
				rc = commit_check(sql, res);
		}
		PQclear(res);
	}
	return rc;
}

static bool pg_in_tx(void *conn)
{
	PGTransactionStatusType ts = PQtransactionStatus(((struct pgc *)conn)->pg);
	return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
}

static bool pg_tx_aborted(void *conn)
{
	return PQtransactionStatus(((struct pgc *)conn)->pg) == PQTRANS_INERROR;
}

static int64_t pg_total_changes(void *conn)
{
	return ((struct pgc *)conn)->changes;
}

static bool pg_check(void *conn, bool *lost_stmts)
{
	struct pgc *pc = conn;
	*lost_stmts = false;
	if (PQstatus(pc->pg) != CONNECTION_OK) {
		log_warn("pg: connection lost; reconnecting");
		PQreset(pc->pg);
		*lost_stmts = true; /* a new session has no prepared statements */
		if (PQstatus(pc->pg) != CONNECTION_OK) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s", PQerrorMessage(pc->pg));
			one_line(msg);
			log_error("pg: reconnect failed: %s", msg);
			return false;
		}
	}
	PGTransactionStatusType ts = PQtransactionStatus(pc->pg);
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		log_bug("pg: connection returned to the pool inside a transaction; rolling back");
		pg_exec(pc, "ROLLBACK");
	}
	return true;
}

static struct db_stmt *pg_prepare(void *conn, const char *sql)
{
	struct pgc *pc = conn;
	int n;
	char *text = pg_rewrite_placeholders(sql, &n);
	if (!text) {
		log_error("pg: prepare: statement too long to rewrite: %.200s", sql);
		return NULL;
	}
	struct pg_stmt *s = xcalloc(1, sizeof *s);
	s->pc = pc;
	snprintf(s->name, sizeof s->name, "osp_%lu", ++pc->seq);
	/* No parameter types: the server infers them from context. */
	PGresult *res = PQprepare(pc->pg, s->name, text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(pc->pg, res, "prepare", sql);
		PQclear(res);
		free(text);
		free(s);
		return NULL;
	}
	PQclear(res);
	free(text);
	s->nparams = n;
	if (n) {
		s->values = xcalloc((size_t)n, sizeof *s->values);
		s->lengths = xcalloc((size_t)n, sizeof *s->lengths);
		s->formats = xcalloc((size_t)n, sizeof *s->formats);
	}
	s->row = -1;
	return &s->base;
}

static void drop_blobs(struct pg_stmt *s)
{
	if (!s->blobs)
		return;
	for (int i = 0; i < s->ncols; i++)
		if (s->blobs[i])
			PQfreemem(s->blobs[i]);
	free(s->blobs);
	free(s->bloblens);
	s->blobs = NULL;
	s->bloblens = NULL;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = P(st);
	drop_blobs(s);
	PQclear(s->res);
	s->res = NULL;
	for (int i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
	s->row = -1;
	s->nrows = s->ncols = 0;
	s->changes = 0;
}

static void pg_stmt_free(void *conn, struct db_stmt *st, bool server_alive)
{
	struct pgc *pc = conn;
	struct pg_stmt *s = P(st);
	pg_reset(st);
	if (server_alive && PQstatus(pc->pg) == CONNECTION_OK) {
		char sql[64];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(pc->pg, sql));
	}
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s);
}

static int pg_param_count(struct db_stmt *st)
{
	return P(st)->nparams;
}

static int set_param(struct db_stmt *st, int idx, char *v, int len, int format)
{
	struct pg_stmt *s = P(st);
	if (idx < 1 || idx > s->nparams) {
		log_bug("pg: bind %d: index out of range (%d parameters) in: %s", idx, s->nparams, st->sql);
		free(v);
		return DB_ERROR;
	}
	free(s->values[idx - 1]);
	s->values[idx - 1] = v;
	s->lengths[idx - 1] = len;
	s->formats[idx - 1] = format;
	return DB_OK;
}

static int pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	return set_param(st, idx, xasprintf("%" PRId64, v), 0, 0);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *s)
{
	return set_param(st, idx, s ? xstrdup(s) : NULL, 0, 0);
}

static int pg_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
	if (n > INT32_MAX) {
		log_bug("pg: bind %d: blob of %zu bytes is too large", idx, n);
		return DB_ERROR;
	}
	char *copy = xmalloc(n);
	if (n)
		memcpy(copy, p, n);
	return set_param(st, idx, copy, (int)n, 1);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
	return set_param(st, idx, NULL, 0, 0);
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = P(st);
	if (fault_hit(FAULT_DB_STEP))
		return DB_ERROR;
	if (s->res) {
		drop_blobs(s);
		return ++s->row < s->nrows ? DB_ROW : DB_DONE;
	}
	PGresult *res = PQexecPrepared(s->pc->pg, s->name, s->nparams, (const char *const *)s->values,
	                               s->lengths, s->formats, 0);
	ExecStatusType status = PQresultStatus(res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		s->pc->changes += written(res);
		int rc = commit_check(st->sql, res);
		if (rc != DB_OK) {
			PQclear(res);
			return rc;
		}
		s->res = res;
		s->nrows = PQntuples(res);
		s->ncols = PQnfields(res);
		s->changes = strtoll(PQcmdTuples(res), NULL, 10);
		s->row = 0;
		return s->nrows > 0 ? DB_ROW : DB_DONE;
	}
	int rc = fail(s->pc->pg, res, "step", st->sql);
	PQclear(res);
	return rc;
}

static int pg_column_count(struct db_stmt *st)
{
	return P(st)->res ? P(st)->ncols : 0;
}

static const char *pg_column_name(struct db_stmt *st, int col)
{
	return PQfname(P(st)->res, col);
}

static bool pg_col_null(struct db_stmt *st, int col)
{
	return PQgetisnull(P(st)->res, P(st)->row, col);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	return PQgetvalue(P(st)->res, P(st)->row, col); /* "" for NULL */
}

static int64_t pg_col_int(struct db_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	if (PQftype(P(st)->res, col) == OID_BOOL)
		return v[0] == 't';
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
		/* numeric / float text: truncate toward zero like SQLite does. */
		double d = strtod(v, NULL);
		if (!(d > (double)INT64_MIN))
			return d < 0 ? INT64_MIN : 0;
		if (d >= (double)INT64_MAX)
			return INT64_MAX;
		return (int64_t)d;
	}
	return n;
}

static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = P(st);
	if (PQftype(s->res, col) != OID_BYTEA || PQgetisnull(s->res, s->row, col)) {
		if (len)
			*len = (size_t)PQgetlength(s->res, s->row, col);
		return PQgetvalue(s->res, s->row, col);
	}
	if (!s->blobs) {
		s->blobs = xcalloc((size_t)s->ncols, sizeof *s->blobs);
		s->bloblens = xcalloc((size_t)s->ncols, sizeof *s->bloblens);
	}
	if (!s->blobs[col]) {
		s->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, col),
		                                &s->bloblens[col]);
		if (!s->blobs[col]) {
			fprintf(stderr, "osspoint: out of memory (bytea)\n");
			abort();
		}
	}
	if (len)
		*len = s->bloblens[col];
	return s->blobs[col];
}

/* Integral numeric text ("42", from SUM(bigint) and the like) becomes a JSON
 * integer, as SQLite would give; anything with a fraction or exponent, or
 * out of int64 range, a real; NaN / Infinity a string. */
static json_t *number_json(const char *v, bool integral_ok)
{
	if (integral_ok) {
		const char *q = v + (*v == '-');
		bool digits = *q != '\0';
		for (; *q; q++)
			if (*q < '0' || *q > '9')
				digits = false;
		if (digits) {
			errno = 0;
			long long n = strtoll(v, NULL, 10);
			if (errno != ERANGE)
				return json_integer(n);
		}
	}
	char *end;
	double d = strtod(v, &end);
	json_t *r = *end == '\0' && isfinite(d) ? json_real(d) : NULL;
	return r ? r : json_string(v);
}

static json_t *pg_col_json(struct db_stmt *st, int col)
{
	struct pg_stmt *s = P(st);
	if (PQgetisnull(s->res, s->row, col))
		return json_null();
	const char *v = PQgetvalue(s->res, s->row, col);
	switch (PQftype(s->res, col)) {
	case OID_BOOL: return json_boolean(v[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8: return json_integer(strtoll(v, NULL, 10));
	case OID_FLOAT4:
	case OID_FLOAT8: return number_json(v, false);
	case OID_NUMERIC: return number_json(v, true);
	case OID_BYTEA: {
		size_t n;
		const void *p = pg_col_blob(st, col, &n);
		return db_json_hex(p, n);
	}
	default: return db_json_text(v, (size_t)PQgetlength(s->res, s->row, col));
	}
}

static int64_t pg_changes(struct db_stmt *st)
{
	return P(st)->changes;
}

const struct db_driver db_driver_pg = {
    .dialect = DB_POSTGRES,
    .name = "postgresql",
    /* SERIALIZABLE gives the guarantee SQLite's single writer gives, so
     * read-modify-write code is correct on both; conflicts surface as
     * 40001 and db_tx runs the transaction again. */
    .begin_sql = "BEGIN ISOLATION LEVEL SERIALIZABLE",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .check = pg_check,
    .exec = pg_exec,
    .in_tx = pg_in_tx,
    .tx_aborted = pg_tx_aborted,
    .total_changes = pg_total_changes,
    .prepare = pg_prepare,
    .stmt_free = pg_stmt_free,
    .reset = pg_reset,
    .param_count = pg_param_count,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_json = pg_col_json,
    .changes = pg_changes,
    .last_insert_id = NULL,
};
