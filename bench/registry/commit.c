/* Group commit benchmark: durable registry inserts on SQLite (WAL,
 * synchronous=FULL), one row per transaction, through db_tx and db_write.
 *
 * Build (from the project root, after a cmake build into build/, which
 * generates build/mig_*.c):
 *   gcc -std=c11 -O2 -D_GNU_SOURCE -Isrc bench/registry/commit.c src/db/db.c src/db/sqlite.c src/db/pg.c
 * src/lib/log.c src/lib/xalloc.c src/lib/buf.c build/mig_sqlite.c build/mig_pg.c $(pkg-config --cflags --libs
 * jansson sqlite3 libpq) -lpthread -lm -o build/bench_commit Run: build/bench_commit [threads, default 32]
 * [seconds per phase, default 3] [pool, default 8]
 *
 * Phases, each on a fresh database file in a temporary directory under
 * $TMPDIR (default /tmp; on tmpfs fsync costs nothing and the numbers mean
 * little, so it says so):
 *   A  db_tx,    1 thread   the disk's fsync rate: one COMMIT per row
 *   B  db_tx,    N threads  one COMMIT per row, writers queue on the lock
 *   C  db_write, N threads  group commit: concurrent rows share a COMMIT
 * Each row is ~200 bytes, like a registry entry. Prints rows/s, latency
 * percentiles and, for C, rows per COMMIT; then the ratio C/B. After each
 * phase the table is counted: every acknowledged row must be there. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "lib/xalloc.h"

#define TMPFS_MAGIC 0x01021994

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char payload[] = "นายสมชาย ใจดี | 1-1001-00001-00-1 | บริการ: ต่ออายุบัตรประจำตัวประชาชน | "
                              "ผลลัพธ์: สำเร็จ";

struct row {
	int64_t thread, seq, at;
};

static int insert_fn(struct dbc *c, void *arg)
{
	struct row *r = arg;
	return db_exec(c, "INSERT INTO entries (thread, seq, at, detail) VALUES (?, ?, ?, ?)", "iiit",
	               r->thread, r->seq, r->at, payload);
}

struct worker {
	struct db *db;
	bool group;
	int id;
	atomic_bool *stop;
	int64_t rows, failures;
	int64_t *lat; /* microseconds, one per row */
	size_t nlat, cap;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (int64_t seq = 0; !atomic_load_explicit(w->stop, memory_order_relaxed); seq++) {
		struct row r = {w->id, seq, (int64_t)time(NULL)};
		int64_t t0 = now_ns();
		int rc = w->group ? db_write(w->db, insert_fn, &r) : db_tx(w->db, insert_fn, &r);
		int64_t us = (now_ns() - t0) / 1000;
		if (rc != DB_OK) {
			w->failures++;
			continue;
		}
		w->rows++;
		if (w->nlat == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 4096;
			w->lat = xrealloc(w->lat, w->cap * sizeof *w->lat);
		}
		w->lat[w->nlat++] = us;
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int count_fn(struct dbc *c, void *arg)
{
	return db_query_int(c, arg, "SELECT COUNT(*) FROM entries", "") == DB_ROW ? DB_OK : DB_ERROR;
}

static int schema_fn(struct dbc *c, void *arg)
{
	return db_exec_script(c, "CREATE TABLE entries (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, "
	                         "seq INTEGER NOT NULL, at INTEGER NOT NULL, detail TEXT NOT NULL)");
}

/* Runs one phase; returns rows/s, or a negative number on failure. */
static double phase(const char *label, const char *dir, int n, bool group, int seconds, unsigned pool)
{
	char *path = xasprintf("%s/%s.db", dir, group ? "write" : n == 1 ? "tx1" : "txn");
	char *url = xasprintf("sqlite:%s", path);
	char err[256];
	double rate = -1;
	struct db *db = db_open(url, pool, err, sizeof err);
	if (!db) {
		fprintf(stderr, "bench: %s\n", err);
		goto out;
	}
	if (db_tx(db, schema_fn, NULL) != DB_OK)
		goto out;
	atomic_bool stop;
	atomic_init(&stop, false);
	struct worker *w = xcalloc((size_t)n, sizeof *w);
	pthread_t *t = xcalloc((size_t)n, sizeof *t);
	struct db_write_stats before, after;
	db_write_stats(db, &before);
	int64_t t0 = now_ns();
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.db = db, .group = group, .id = i, .stop = &stop};
		if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0) {
			fprintf(stderr, "bench: pthread_create: %s\n", strerror(errno));
			exit(1);
		}
	}
	struct timespec d = {seconds, 0};
	nanosleep(&d, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	double secs = (double)(now_ns() - t0) / 1e9;
	db_write_stats(db, &after);

	int64_t rows = 0, failures = 0;
	size_t nlat = 0;
	for (int i = 0; i < n; i++) {
		rows += w[i].rows;
		failures += w[i].failures;
		nlat += w[i].nlat;
	}
	int64_t *lat = xcalloc(nlat ? nlat : 1, sizeof *lat);
	for (int i = 0, k = 0; i < n; i++) {
		memcpy(lat + k, w[i].lat, w[i].nlat * sizeof *lat);
		k += (int)w[i].nlat;
		free(w[i].lat);
	}
	qsort(lat, nlat, sizeof *lat, cmp_i64);
	int64_t stored = -1;
	db_read(db, count_fn, &stored);
	rate = (double)rows / secs;
	printf("%-28s %9.0f rows/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms", label, rate,
	       nlat ? lat[nlat / 2] / 1000.0 : 0, nlat ? lat[nlat * 99 / 100] / 1000.0 : 0,
	       nlat ? lat[nlat - 1] / 1000.0 : 0);
	if (group) {
		uint64_t commits = after.commits - before.commits;
		printf("  %llu commits, %.1f rows/commit", (unsigned long long)commits,
		       commits ? (double)(after.requests - before.requests) / (double)commits : 0.0);
	}
	printf("\n");
	if (failures || stored != rows) {
		fprintf(stderr, "bench: %s: %lld failures; %lld rows acknowledged, %lld stored\n", label,
		        (long long)failures, (long long)rows, (long long)stored);
		rate = -1;
	}
	free(lat);
	free(w);
	free(t);
out:
	db_close(db);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
	free(url);
	free(path);
	return rate;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 32;
	int seconds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
	unsigned pool = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 8;
	if (threads < 1 || threads > 1024 || seconds < 1 || seconds > 600 || pool < 1 || pool > 256) {
		fprintf(stderr, "usage: %s [threads 1..1024] [seconds 1..600] [pool 1..256]\n", argv[0]);
		return 2;
	}
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/osspoint-bench-commit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "bench: mkdtemp %s: %s\n", tmpl, strerror(errno));
		return 1;
	}
	struct statfs fs;
	bool tmpfs = statfs(tmpl, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
	printf("SQLite WAL, synchronous=FULL, in %s%s; %d thread(s), pool %u, %d s per phase\n", tmpl,
	       tmpfs ? " (tmpfs: fsync is free, numbers are not meaningful)" : "", threads, pool, seconds);

	char label[64];
	double a = phase("A db_tx,    1 thread", tmpl, 1, false, seconds, pool);
	snprintf(label, sizeof label, "B db_tx,    %d threads", threads);
	double b = phase(label, tmpl, threads, false, seconds, pool);
	snprintf(label, sizeof label, "C db_write, %d threads", threads);
	double c = phase(label, tmpl, threads, true, seconds, pool);
	rmdir(tmpl);
	free(tmpl);
	if (a < 0 || b < 0 || c < 0)
		return 1;
	printf("ratio C/B (group commit vs one COMMIT per row, same threads): %.1fx\n", c / b);
	return 0;
}
