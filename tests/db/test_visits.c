/* Registry storage (src/db/visits.c), run once per backend like test_db:
 *
 *   test_visits sqlite       a fresh SQLite file in a temporary directory
 *   test_visits postgresql   a fresh database osspoint_test_<pid>_<n> through
 *                            OSSPOINT_TEST_PG (scripts/pgtmp.sh), dropped after
 *
 * Without OSSPOINT_TEST_PG the PostgreSQL run fails; it never skips.
 * OSSPOINT_SCALE=1 adds the scale check: 1,000,000 entries over 100 districts,
 * then db_visits_list for one district's month is timed (it takes minutes,
 * so it is not in the default run). OSSPOINT_TEST_KEEP=1 keeps the databases
 * (and prints their URLs) to look at plans by hand.
 * Callbacks run inside db_tx/db_read only record what they see; the asserts
 * come after, so a failing check never leaves a pooled connection held. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/period.h"
#include "core/registry.h"
#include "db/db.h"
#include "fresh.h"
#include "db/stats.h"
#include "db/visits.h"
#include "lib/buf.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

static const char *backend;                /* "sqlite" or "postgresql" */
static int64_t officer1, officer2, admin1; /* users.id */

/* Fresh databases and the query helpers (fresh_count, fresh_jstr, ...):
 * tests/db/fresh.c */

/* ---- the suite's database ---- */

struct suite {
	struct fresh f;
	struct db *db;
};

static struct db *DB(void **state)
{
	return ((struct suite *)*state)->db;
}

struct seed {
	int64_t o1, o2, a1;
};

static int user_add(struct dbc *c, const char *username, const char *name, const char *role, const char *unit,
                    int64_t *id)
{
	return db_insert_id(
	    c, id,
	    "INSERT INTO users (username, display_name, role, unit_code, password_hash, created_at, "
	    "updated_at) VALUES (?, ?, ?, ?, 'x', 1, 1)",
	    "tttt", username, name, role, unit);
}

static int seed_fn(struct dbc *c, void *arg)
{
	struct seed *s = arg;
	int rc = db_exec_script(
	    c, "INSERT INTO units (code, parent_code, level, name_th) VALUES ('0', NULL, 0, 'ประเทศไทย');"
	       "INSERT INTO units (code, parent_code, level, name_th) VALUES ('47', '0', 1, 'สกลนคร');"
	       "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4701', '47', 2, 'เมืองสกลนคร');"
	       "INSERT INTO units (code, parent_code, level, name_th) VALUES ('4702', '47', 2, 'กุสุมาลย์');"
	       /* Catalogue order (sort_order) differs from code order on purpose. */
	       "INSERT INTO eservices (code, name_th, sort_order) VALUES ('welfare', 'ลงทะเบียนสวัสดิการ', 1);"
	       "INSERT INTO eservices (code, name_th, sort_order) VALUES ('queue', 'จองคิวบัตรประชาชน', 2);");
	if (rc == DB_OK)
		rc = user_add(c, "officer1", "สมชาย ใจดี", "officer", "4701", &s->o1);
	if (rc == DB_OK)
		rc = user_add(c, "officer2", "สมหญิง รักงาน", "officer", "4701", &s->o2);
	if (rc == DB_OK)
		rc = user_add(c, "admin1", "ปลัดอำเภอ", "district_admin", "4701", &s->a1);
	return rc;
}

static int group_setup(void **state)
{
	struct suite *s = xcalloc(1, sizeof *s);
	if (fresh_create(&s->f) != 0) {
		fprintf(stderr, "test_visits: cannot create a fresh %s database\n", backend);
		free(s);
		return -1;
	}
	char err[512];
	s->db = db_open(s->f.url, 8, err, sizeof err);
	struct seed seed = {0};
	if (!s->db || db_migrate(s->db) < 0 || db_tx(s->db, seed_fn, &seed) != DB_OK) {
		fprintf(stderr, "test_visits: cannot set up the database: %s\n",
		        s->db ? "migrate/seed" : err);
		db_close(s->db);
		fresh_drop(&s->f);
		free(s);
		return -1;
	}
	officer1 = seed.o1;
	officer2 = seed.o2;
	admin1 = seed.a1;
	*state = s;
	return 0;
}

static int group_teardown(void **state)
{
	struct suite *s = *state;
	db_close(s->db);
	fresh_drop(&s->f);
	free(s);
	return 0;
}

/* Every test starts from an empty registry. */
static int clear(void **state)
{
	return fresh_exec_tx(
	           DB(state),
	           "DELETE FROM visit_history; DELETE FROM visit_services; DELETE FROM visits; "
	           "DELETE FROM rollup_visits; DELETE FROM rollup_services; DELETE FROM rollup_visit_attrs; "
	           "DELETE FROM rollup_period_services; DELETE FROM rollup_period_units; "
	           "DELETE FROM period_closings; DELETE FROM stats_snapshots; DELETE FROM "
	           "period_closing_log; "
	           "DELETE FROM visit_counters; DELETE FROM period_attestations; DELETE FROM audit_log") ==
	               DB_OK
	           ? 0
	           : -1;
}

/* ---- entries ---- */

static enum outcome outcome_of(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum outcome o;
	} t[] = {{"completed", OUTCOME_COMPLETED},
	         {"self_completed", OUTCOME_SELF_COMPLETED},
	         {"referred", OUTCOME_REFERRED},
	         {"not_completed", OUTCOME_NOT_COMPLETED}};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0)
			return t[i].o;
	fail_msg("unknown outcome %.*s", (int)n, s);
	return OUTCOME_NONE;
}

/* A checked entry as registry_validate would make it: day "YYYY-MM-DD" at
 * hour:minute Bangkok time, services "code=outcome code=outcome". */
static struct visit_input mk(const char *day, int hour, int minute, const char *name, const char *services)
{
	struct visit_input v;
	memset(&v, 0, sizeof v);
	assert_int_equal(thai_day_parse(day, &v.day), 0);
	struct civil_time t = {v.day.y, v.day.m, v.day.d, hour, minute, 0};
	assert_int_equal(thai_local_to_epoch(&t, &v.visited_at), 0);
	assert_int_equal(period_of_day(v.day.y, v.day.m, v.day.d, 25, &v.period), 0);
	v.year_be = thai_year_be(v.day.y);
	snprintf(v.visitor_name, sizeof v.visitor_name, "%s", name);
	snprintf(v.phone, sizeof v.phone, "0812345678");
	snprintf(v.sex, sizeof v.sex, "female");
	snprintf(v.age_band, sizeof v.age_band, "40_59");
	v.channel = CHANNEL_TANGRAT;
	for (const char *p = services; *p;) {
		while (*p == ' ')
			p++;
		const char *eq = strchr(p, '=');
		assert_non_null(eq);
		const char *end = strchr(eq, ' ');
		if (!end)
			end = eq + strlen(eq);
		struct visit_service *s = &v.services[v.nservices++];
		snprintf(s->code, sizeof s->code, "%.*s", (int)(eq - p), p);
		s->outcome = outcome_of(eq + 1, (size_t)(end - eq - 1));
		p = end;
	}
	return v;
}

/* The stored forms of a Thai ID as the web layer would make them; the sealed
 * and hashed forms deliberately do not contain the clear digits. */
struct cid_forms {
	char hash[40], sealed[40], last4[5];
};

static void cid_forms(const char *cid, struct cid_forms *f)
{
	unsigned h = 5381;
	for (const char *p = cid; *p; p++)
		h = h * 33 + (unsigned char)*p;
	snprintf(f->hash, sizeof f->hash, "hash-%08x", h);
	snprintf(f->sealed, sizeof f->sealed, "sealed-%08x", h ^ 0x5a5a5a5au);
	snprintf(f->last4, sizeof f->last4, "%s", cid + strlen(cid) - 4);
}

static int create_rc(struct db *db, const char *unit, const struct visit_input *v, int64_t officer,
                     const char *cid, struct visit_created *out)
{
	struct cid_forms f;
	struct visit_create in = {
	    .v = v, .unit_code = unit, .officer_id = officer, .now = v->visited_at + 30};
	if (cid) {
		cid_forms(cid, &f);
		in.cid_hash = f.hash;
		in.cid_sealed = f.sealed;
		in.cid_last4 = f.last4;
	}
	return db_visit_create(db, &in, out);
}

static struct visit_created create(struct db *db, const char *unit, const struct visit_input *v,
                                   int64_t officer, const char *cid)
{
	struct visit_created out;
	assert_int_equal(create_rc(db, unit, v, officer, cid, &out), DB_OK);
	assert_false(out.existing);
	return out;
}

static int update(struct db *db, int64_t id, const struct visit_input *v, enum visit_cid_change cid_change,
                  const char *cid, int64_t user)
{
	struct cid_forms f;
	struct visit_update in = {.v = v, .cid = cid_change, .user_id = user, .now = v->visited_at + 3600};
	if (cid) {
		cid_forms(cid, &f);
		in.cid_hash = f.hash;
		in.cid_sealed = f.sealed;
		in.cid_last4 = f.last4;
	}
	return db_visit_update(db, id, &in);
}

static void assert_rollups_consistent(struct db *db)
{
	json_t *diffs = NULL;
	int n = db_rollups_check(db, &diffs);
	if (n != 0) {
		char *s = json_dumps(diffs, JSON_INDENT(1));
		fprintf(stderr, "roll-up differences: %s\n", s ? s : "?");
		free(s);
	}
	assert_int_equal(n, 0);
	assert_int_equal(json_array_size(diffs), 0);
	json_decref(diffs);
}

static int64_t rollup_visits_of(struct db *db, const char *unit, const char *day)
{
	char *sql = xasprintf("SELECT COALESCE(SUM(visits), 0) FROM rollup_visits WHERE unit_code = '%s' AND "
	                      "day = '%s'",
	                      unit, day);
	int64_t n = fresh_count(db, sql);
	free(sql);
	return n;
}

static int64_t rollup_service_of(struct db *db, const char *unit, const char *day, const char *code,
                                 const char *outcome)
{
	char *sql =
	    xasprintf("SELECT COALESCE(SUM(n), 0) FROM rollup_services WHERE unit_code = '%s' AND day = '%s' "
	              "AND service_code = '%s' AND outcome = '%s'",
	              unit, day, code, outcome);
	int64_t n = fresh_count(db, sql);
	free(sql);
	return n;
}

/* ---- running numbers ---- */

static void test_numbers_per_unit_and_year(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-04", 9, 0, "นายหนึ่ง", "welfare=completed");
	for (int i = 1; i <= 3; i++) {
		struct visit_created c = create(db, "4701", &v, officer1, NULL);
		assert_int_equal(c.seq, i);
		assert_int_equal(c.year_be, 2567);
	}
	/* Another unit starts at 1. */
	struct visit_created c = create(db, "4702", &v, officer1, NULL);
	assert_int_equal(c.seq, 1);
	/* Another B.E. year starts at 1 (2025-01-02 is 2568). */
	struct visit_input v68 = mk("2025-01-02", 9, 0, "นายสอง", "queue=referred");
	c = create(db, "4701", &v68, officer1, NULL);
	assert_int_equal(c.seq, 1);
	assert_int_equal(c.year_be, 2568);
	/* 2024-12-30 belongs to period 2025-01 but to B.E. 2567: the number's
	 * year is the calendar year of the day. */
	struct visit_input dec = mk("2024-12-30", 9, 0, "นายสาม", "welfare=completed");
	c = create(db, "4701", &dec, officer1, NULL);
	assert_int_equal(c.seq, 4);
	assert_int_equal(c.year_be, 2567);

	json_t *e = db_visit_get(db, c.id);
	assert_non_null(e);
	assert_string_equal(fresh_jstr(e, "number"), "4/2567");
	assert_string_equal(fresh_jstr(e, "period"), "2025-01");
	assert_string_equal(fresh_jstr(e, "visit_day"), "2024-12-30");
	json_decref(e);
	assert_int_equal(
	    fresh_count(db,
	                "SELECT last_seq FROM visit_counters WHERE unit_code = '4701' AND year_be = 2567"),
	    4);
}

static void test_get_model(void **state)
{
	struct db *db = DB(state);
	struct visit_input v =
	    mk("2024-03-04", 10, 15, "นางสาวทดสอบ ระบบ", "queue=referred welfare=completed");
	snprintf(v.remarks, sizeof v.remarks, "มาพร้อมบุตร");
	struct visit_created c = create(db, "4701", &v, officer2, "1103702071838");
	json_t *e = db_visit_get(db, c.id);
	assert_non_null(e);
	assert_int_equal(fresh_jint(e, "id"), c.id);
	assert_string_equal(fresh_jstr(e, "unit_code"), "4701");
	assert_string_equal(fresh_jstr(e, "number"), "1/2567");
	assert_int_equal(fresh_jint(e, "seq"), 1);
	assert_int_equal(fresh_jint(e, "year_be"), 2567);
	assert_int_equal(fresh_jint(e, "visited_at"), v.visited_at);
	assert_string_equal(fresh_jstr(e, "visit_day"), "2024-03-04");
	assert_string_equal(fresh_jstr(e, "period"), "2024-03");
	assert_string_equal(fresh_jstr(e, "visitor_name"), "นางสาวทดสอบ ระบบ");
	assert_string_equal(fresh_jstr(e, "cid_last4"), "1838");
	assert_true(json_is_true(json_object_get(e, "has_cid")));
	assert_string_equal(fresh_jstr(e, "phone"), "0812345678");
	assert_string_equal(fresh_jstr(e, "sex"), "female");
	assert_string_equal(fresh_jstr(e, "age_band"), "40_59");
	assert_string_equal(fresh_jstr(e, "channel"), "tangrat");
	assert_string_equal(fresh_jstr(e, "remarks"), "มาพร้อมบุตร");
	assert_int_equal(fresh_jint(e, "officer_id"), officer2);
	assert_string_equal(fresh_jstr(e, "officer_name"), "สมหญิง รักงาน");
	assert_string_equal(fresh_jstr(e, "status"), "active");
	assert_string_equal(fresh_jstr(e, "void_reason"), "");
	assert_true(json_is_null(json_object_get(e, "voided_at")));
	assert_true(json_is_false(json_object_get(e, "purged")));
	assert_int_equal(fresh_jint(e, "created_at"), v.visited_at + 30);
	assert_int_equal(fresh_jint(e, "updated_at"), v.visited_at + 30);
	/* Services in catalogue order (welfare sorts first there). */
	json_t *s = json_object_get(e, "services");
	assert_int_equal(json_array_size(s), 2);
	assert_string_equal(fresh_jstr(json_array_get(s, 0), "code"), "welfare");
	assert_string_equal(fresh_jstr(json_array_get(s, 0), "name_th"), "ลงทะเบียนสวัสดิการ");
	assert_string_equal(fresh_jstr(json_array_get(s, 0), "outcome"), "completed");
	assert_string_equal(fresh_jstr(json_array_get(s, 1), "code"), "queue");
	assert_string_equal(fresh_jstr(json_array_get(s, 1), "outcome"), "referred");
	json_decref(e);

	/* Without an ID. */
	struct visit_input w = mk("2024-03-04", 11, 0, "ไม่มีบัตร", "welfare=not_completed");
	c = create(db, "4701", &w, officer1, NULL);
	e = db_visit_get(db, c.id);
	assert_true(json_is_null(json_object_get(e, "cid_last4")));
	assert_true(json_is_false(json_object_get(e, "has_cid")));
	json_decref(e);
	assert_null(db_visit_get(db, 999999));
	/* The clear ID is nowhere in the tables. */
	assert_int_equal(fresh_count(db,
	                             "SELECT COUNT(*) FROM visits WHERE cid_hash LIKE '%1103702071838%' OR "
	                             "cid_sealed LIKE '%1103702071838%'"),
	                 0);
	assert_int_equal(
	    fresh_count(db, "SELECT COUNT(*) FROM visit_history WHERE after_json LIKE '%1103702071838%'"), 0);
}

static void test_create_refuses_bad_references(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-04", 9, 0, "นายหนึ่ง", "nosuch=completed");
	struct visit_created out;
	assert_int_equal(create_rc(db, "4701", &v, officer1, NULL, &out), DB_CONSTRAINT);
	/* Rolled back whole: no number was used, nothing counted. */
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visits"), 0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visit_counters"), 0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM rollup_visits"), 0);
	v = mk("2024-03-04", 9, 0, "นายหนึ่ง", "welfare=completed");
	assert_int_equal(create_rc(db, "9999", &v, officer1, NULL, &out), DB_CONSTRAINT);
	assert_int_equal(create_rc(db, "4701", &v, 424242, NULL, &out), DB_CONSTRAINT);
	/* A failure after a number was taken gives the number back. */
	assert_int_equal(create_rc(db, "4701", &v, officer1, NULL, &out), DB_OK);
	assert_int_equal(out.seq, 1);
	struct visit_input bad = mk("2024-03-04", 10, 0, "นายสอง", "welfare=completed nosuch=referred");
	assert_int_equal(create_rc(db, "4701", &bad, officer1, NULL, &out), DB_CONSTRAINT);
	assert_int_equal(create_rc(db, "4701", &v, officer1, NULL, &out), DB_OK);
	assert_int_equal(out.seq, 2); /* the failed one left no gap */
}

/* ---- idempotency ---- */

static void test_idempotent_create(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-04", 9, 0, "นายหนึ่ง", "welfare=completed");
	snprintf(v.idempotency_key, sizeof v.idempotency_key, "form-7f3a9c01");
	struct visit_created a = create(db, "4701", &v, officer1, NULL);
	/* The same key again, even with other content: the first entry, and
	 * nothing written. */
	struct visit_input again = mk("2024-03-05", 9, 0, "คนอื่น", "queue=referred");
	snprintf(again.idempotency_key, sizeof again.idempotency_key, "form-7f3a9c01");
	struct visit_created b;
	assert_int_equal(create_rc(db, "4701", &again, officer1, NULL, &b), DB_OK);
	assert_true(b.existing);
	assert_int_equal(b.id, a.id);
	assert_int_equal(b.seq, a.seq);
	assert_int_equal(b.year_be, a.year_be);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visits"), 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visit_services"), 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visit_history"), 1);
	assert_int_equal(fresh_count(db, "SELECT last_seq FROM visit_counters"), 1);
	assert_int_equal(fresh_count(db, "SELECT SUM(visits) FROM rollup_visits"), 1);
	assert_rollups_consistent(db);
	/* Keys are per unit. */
	struct visit_created c = create(db, "4702", &v, officer1, NULL);
	assert_true(c.id != a.id);
	assert_int_equal(c.seq, 1);
}

#define RACE_THREADS 8

struct race {
	struct db *db;
	pthread_barrier_t go;
	struct visit_input v, v2;
	struct visit_created out[RACE_THREADS];
	int rc[RACE_THREADS];
	atomic_int next;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	int i = atomic_fetch_add(&r->next, 1);
	/* Half of them on a day of another year: their counter and roll-up rows
	 * differ, so only the key's unique index makes them collide. */
	struct visit_create in = {
	    .v = i % 2 ? &r->v2 : &r->v, .unit_code = "4701", .officer_id = officer1, .now = 1};
	pthread_barrier_wait(&r->go);
	r->rc[i] = db_visit_create(r->db, &in, &r->out[i]);
	return NULL;
}

/* Eight requests with one key at the same moment: one entry, and every
 * request answers with it (the losers as "existing", none as an error).
 * Repeated, since which path the losers take (PostgreSQL: a serialization
 * failure and a retried lookup, or a unique violation on the key) depends on
 * timing. */
#define RACE_ROUNDS 20

static void test_idempotent_race(void **state)
{
	struct db *db = DB(state);
	for (int round = 0; round < RACE_ROUNDS; round++) {
		struct race *r = xcalloc(1, sizeof *r);
		r->db = db;
		char key[32];
		snprintf(key, sizeof key, "race-%04d-key", round);
		r->v = mk("2024-03-04", 9, 0, "นายแข่ง", "welfare=completed");
		snprintf(r->v.idempotency_key, sizeof r->v.idempotency_key, "%s", key);
		r->v2 = mk("2025-02-04", 9, 0, "นายแข่ง", "queue=referred");
		snprintf(r->v2.idempotency_key, sizeof r->v2.idempotency_key, "%s", key);
		pthread_barrier_init(&r->go, NULL, RACE_THREADS);
		pthread_t t[RACE_THREADS];
		for (int i = 0; i < RACE_THREADS; i++)
			assert_int_equal(pthread_create(&t[i], NULL, race_thread, r), 0);
		for (int i = 0; i < RACE_THREADS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&r->go);
		int fresh = 0;
		for (int i = 0; i < RACE_THREADS; i++) {
			assert_int_equal(r->rc[i], DB_OK);
			assert_int_equal(r->out[i].id, r->out[0].id);
			assert_int_equal(r->out[i].year_be, r->out[0].year_be);
			fresh += !r->out[i].existing;
		}
		assert_int_equal(fresh, 1);
		free(r);
	}
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visits"), RACE_ROUNDS);
	/* The losers' numbers were rolled back with their transactions. */
	assert_int_equal(fresh_count(db, "SELECT SUM(last_seq) FROM visit_counters"), RACE_ROUNDS);
	assert_rollups_consistent(db);
}

/* ---- concurrency: gap-free numbers ---- */

#define CONC_THREADS 8
#define CONC_EACH    50

struct conc {
	struct db *db;
	int64_t seq[CONC_THREADS * CONC_EACH];
	atomic_int next, failures;
};

static void *conc_thread(void *arg)
{
	struct conc *k = arg;
	int t = atomic_fetch_add(&k->next, 1);
	for (int i = 0; i < CONC_EACH; i++) {
		char name[64];
		snprintf(name, sizeof name, "ผู้รับบริการ %d-%d", t, i);
		/* Two days and two outcomes, so the roll-ups see contention too. */
		struct visit_input v = mk(i % 2 ? "2024-03-04" : "2024-03-05", 9 + t, i, name,
		                          i % 3 ? "welfare=completed" : "welfare=completed queue=referred");
		struct visit_create in = {
		    .v = &v, .unit_code = "4701", .officer_id = officer1, .now = v.visited_at};
		struct visit_created out;
		int rc = db_visit_create(k->db, &in, &out);
		if (rc != DB_OK) {
			fprintf(stderr, "create failed: %d\n", rc);
			atomic_fetch_add(&k->failures, 1);
		}
		k->seq[t * CONC_EACH + i] = rc == DB_OK ? out.seq : -1;
	}
	return NULL;
}

static void test_concurrent_numbers_gap_free(void **state)
{
	struct conc *k = xcalloc(1, sizeof *k);
	k->db = DB(state);
	pthread_t t[CONC_THREADS];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < CONC_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, conc_thread, k), 0);
	for (int i = 0; i < CONC_THREADS; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_visits %s: %d concurrent creates from %d threads in %.0f ms\n", backend,
	       CONC_THREADS * CONC_EACH, CONC_THREADS,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(atomic_load(&k->failures), 0);
	enum { N = CONC_THREADS * CONC_EACH };
	bool seen[N + 1] = {false};
	for (int i = 0; i < N; i++) {
		assert_true(k->seq[i] >= 1 && k->seq[i] <= N);
		assert_false(seen[k->seq[i]]);
		seen[k->seq[i]] = true;
	}
	assert_int_equal(
	    fresh_count(k->db, "SELECT COUNT(DISTINCT seq) FROM visits WHERE unit_code = '4701'"), N);
	assert_int_equal(fresh_count(k->db, "SELECT MAX(seq) FROM visits WHERE unit_code = '4701'"), N);
	assert_int_equal(fresh_count(k->db, "SELECT last_seq FROM visit_counters WHERE unit_code = '4701'"),
	                 N);
	assert_int_equal(
	    rollup_visits_of(k->db, "4701", "2024-03-04") + rollup_visits_of(k->db, "4701", "2024-03-05"), N);
	assert_rollups_consistent(k->db);
	free(k);
}

/* ---- roll-ups, edit, void, history ---- */

static void test_rollups_follow_edits_and_voids(void **state)
{
	struct db *db = DB(state);
	struct visit_input a = mk("2024-03-04", 9, 0, "นายเอ", "welfare=completed queue=referred");
	struct visit_input b = mk("2024-03-04", 10, 0, "นายบี", "welfare=completed");
	struct visit_created ca = create(db, "4701", &a, officer1, NULL);
	struct visit_created cb = create(db, "4701", &b, officer1, NULL);
	assert_int_equal(rollup_visits_of(db, "4701", "2024-03-04"), 2);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "welfare", "completed"), 2);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "queue", "referred"), 1);
	assert_rollups_consistent(db);

	/* Same day, services changed: only the services move. */
	struct visit_input a2 = mk("2024-03-04", 9, 0, "นายเอ", "welfare=self_completed");
	assert_int_equal(update(db, ca.id, &a2, VISIT_CID_KEEP, NULL, officer1), DB_OK);
	assert_int_equal(rollup_visits_of(db, "4701", "2024-03-04"), 2);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "welfare", "completed"), 1);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "welfare", "self_completed"), 1);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "queue", "referred"), 0);
	assert_rollups_consistent(db);

	/* Moved to another day (and period, and calendar year): day and services
	 * move; the number does not. */
	struct visit_input a3 = mk("2025-01-03", 14, 0, "นายเอ", "queue=completed welfare=not_completed");
	assert_int_equal(update(db, ca.id, &a3, VISIT_CID_KEEP, NULL, officer1), DB_OK);
	assert_int_equal(rollup_visits_of(db, "4701", "2024-03-04"), 1);
	assert_int_equal(rollup_visits_of(db, "4701", "2025-01-03"), 1);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "welfare", "self_completed"), 0);
	assert_int_equal(rollup_service_of(db, "4701", "2025-01-03", "queue", "completed"), 1);
	assert_int_equal(rollup_service_of(db, "4701", "2025-01-03", "welfare", "not_completed"), 1);
	assert_rollups_consistent(db);
	json_t *e = db_visit_get(db, ca.id);
	assert_string_equal(fresh_jstr(e, "number"), "1/2567");
	assert_string_equal(fresh_jstr(e, "visit_day"), "2025-01-03");
	assert_string_equal(fresh_jstr(e, "period"), "2025-01");
	assert_int_equal(fresh_jint(e, "updated_at"), a3.visited_at + 3600);
	json_decref(e);

	/* Void: its day and services leave the roll-ups. */
	assert_int_equal(db_visit_void(db, cb.id, "บันทึกซ้ำ", admin1, b.visited_at + 100, 0, NULL), DB_OK);
	assert_int_equal(rollup_visits_of(db, "4701", "2024-03-04"), 0);
	assert_int_equal(rollup_service_of(db, "4701", "2024-03-04", "welfare", "completed"), 0);
	assert_rollups_consistent(db);
	e = db_visit_get(db, cb.id);
	assert_string_equal(fresh_jstr(e, "status"), "void");
	assert_string_equal(fresh_jstr(e, "void_reason"), "บันทึกซ้ำ");
	assert_int_equal(fresh_jint(e, "voided_at"), b.visited_at + 100);
	json_decref(e);

	/* A corrupted roll-up is reported, with both numbers. */
	assert_int_equal(
	    fresh_exec_tx(db, "UPDATE rollup_visits SET visits = visits + 5 WHERE unit_code = '4701' AND "
	                      "day = '2025-01-03'"),
	    DB_OK);
	assert_int_equal(fresh_exec_tx(db, "DELETE FROM rollup_services WHERE service_code = 'queue'"),
	                 DB_OK);
	json_t *diffs = NULL;
	assert_int_equal(db_rollups_check(db, &diffs), 2);
	assert_int_equal(json_array_size(diffs), 2);
	json_t *d = json_array_get(diffs, 0);
	assert_string_equal(fresh_jstr(d, "table"), "rollup_visits");
	assert_string_equal(fresh_jstr(d, "unit_code"), "4701");
	assert_string_equal(fresh_jstr(d, "day"), "2025-01-03");
	assert_true(json_is_null(json_object_get(d, "service_code")));
	assert_int_equal(fresh_jint(d, "stored"), 6);
	assert_int_equal(fresh_jint(d, "recomputed"), 1);
	d = json_array_get(diffs, 1);
	assert_string_equal(fresh_jstr(d, "table"), "rollup_services");
	assert_string_equal(fresh_jstr(d, "service_code"), "queue");
	assert_string_equal(fresh_jstr(d, "outcome"), "completed");
	assert_int_equal(fresh_jint(d, "stored"), 0);
	assert_int_equal(fresh_jint(d, "recomputed"), 1);
	json_decref(diffs);
	assert_true(db_rollups_check(db, NULL) == 2);
}

static void test_history_and_refusals(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-04", 9, 0, "นายประวัติ", "welfare=completed");
	struct visit_created c = create(db, "4701", &v, officer1, "1103702071838");
	struct visit_input v2 = mk("2024-03-04", 9, 30, "นายประวัติ แก้ชื่อ", "welfare=completed queue=referred");
	assert_int_equal(update(db, c.id, &v2, VISIT_CID_KEEP, NULL, admin1), DB_OK);
	assert_int_equal(db_visit_void(db, c.id, "ลงผิดคน", admin1, 2000000000, 0, NULL), DB_OK);

	json_t *h = db_visit_history(db, c.id);
	assert_non_null(h);
	assert_int_equal(json_array_size(h), 3);
	json_t *h0 = json_array_get(h, 0), *h1 = json_array_get(h, 1), *h2 = json_array_get(h, 2);
	assert_string_equal(fresh_jstr(h0, "action"), "create");
	assert_string_equal(fresh_jstr(h1, "action"), "edit");
	assert_string_equal(fresh_jstr(h2, "action"), "void");
	assert_int_equal(fresh_jint(h0, "user_id"), officer1);
	assert_string_equal(fresh_jstr(h0, "user_name"), "สมชาย ใจดี");
	assert_int_equal(fresh_jint(h1, "user_id"), admin1);
	assert_string_equal(fresh_jstr(h1, "user_name"), "ปลัดอำเภอ");
	assert_int_equal(fresh_jint(h2, "at"), 2000000000);
	assert_true(json_is_null(json_object_get(h0, "before")));
	json_t *after0 = json_object_get(h0, "after");
	assert_string_equal(fresh_jstr(after0, "visitor_name"), "นายประวัติ");
	assert_string_equal(fresh_jstr(after0, "cid_last4"), "1838");
	assert_string_equal(fresh_jstr(after0, "status"), "active");
	assert_int_equal(json_array_size(json_object_get(after0, "services")), 1);
	/* The snapshot built at create and the one read back at edit agree. */
	assert_true(json_equal(json_object_get(h1, "before"), after0));
	json_t *after1 = json_object_get(h1, "after");
	assert_string_equal(fresh_jstr(after1, "visitor_name"), "นายประวัติ แก้ชื่อ");
	assert_string_equal(fresh_jstr(after1, "cid_last4"), "1838"); /* kept */
	assert_int_equal(json_array_size(json_object_get(after1, "services")), 2);
	assert_true(json_equal(json_object_get(h2, "before"), after1));
	json_t *after2 = json_object_get(h2, "after");
	assert_string_equal(fresh_jstr(after2, "status"), "void");
	assert_string_equal(fresh_jstr(after2, "void_reason"), "ลงผิดคน");
	/* Never the clear ID. */
	char *text = json_dumps(h, 0);
	assert_null(strstr(text, "1103702071838"));
	free(text);
	json_decref(h);

	/* A void entry cannot be edited or voided again; unknown ids are DB_DONE. */
	assert_int_equal(update(db, c.id, &v, VISIT_CID_KEEP, NULL, admin1), VISIT_RC_VOID);
	assert_int_equal(db_visit_void(db, c.id, "อีกครั้ง", admin1, 1, 0, NULL), VISIT_RC_VOID);
	assert_int_equal(update(db, 987654, &v, VISIT_CID_KEEP, NULL, admin1), DB_DONE);
	assert_int_equal(db_visit_void(db, 987654, "x", admin1, 1, 0, NULL), DB_DONE);
	json_t *e = db_visit_get(db, c.id);
	assert_string_equal(fresh_jstr(e, "visitor_name"), "นายประวัติ แก้ชื่อ");
	assert_string_equal(fresh_jstr(e, "void_reason"), "ลงผิดคน");
	json_decref(e);
	h = db_visit_history(db, c.id);
	assert_int_equal(json_array_size(h), 3);
	json_decref(h);
	h = db_visit_history(db, 987654);
	assert_int_equal(json_array_size(h), 0);
	json_decref(h);

	/* Voided by the system (user 0): no user recorded. */
	struct visit_created s = create(db, "4701", &v, officer1, NULL);
	assert_int_equal(db_visit_void(db, s.id, "ระบบ", 0, 3, 0, NULL), DB_OK);
	h = db_visit_history(db, s.id);
	assert_int_equal(json_array_size(h), 2);
	assert_true(json_is_null(json_object_get(json_array_get(h, 1), "user_id")));
	assert_true(json_is_null(json_object_get(json_array_get(h, 1), "user_name")));
	json_decref(h);
	assert_rollups_consistent(db);
}

static void test_edit_cid_and_officer(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-04", 9, 0, "นายบัตร", "welfare=completed");
	struct visit_created c = create(db, "4701", &v, officer1, "1103702071838");
	char sealed[64];

	/* Keep */
	assert_int_equal(update(db, c.id, &v, VISIT_CID_KEEP, NULL, admin1), DB_OK);
	assert_int_equal(db_visit_cid_sealed(db, c.id, sealed, sizeof sealed), DB_OK);
	struct cid_forms f;
	cid_forms("1103702071838", &f);
	assert_string_equal(sealed, f.sealed);
	/* Replace */
	assert_int_equal(update(db, c.id, &v, VISIT_CID_SET, "3100600123456", admin1), DB_OK);
	json_t *e = db_visit_get(db, c.id);
	assert_string_equal(fresh_jstr(e, "cid_last4"), "3456");
	json_decref(e);
	cid_forms("3100600123456", &f);
	assert_int_equal(db_visit_cid_sealed(db, c.id, sealed, sizeof sealed), DB_OK);
	assert_string_equal(sealed, f.sealed);
	char tiny[4];
	assert_int_equal(db_visit_cid_sealed(db, c.id, tiny, sizeof tiny), DB_ERROR);
	/* Clear */
	assert_int_equal(update(db, c.id, &v, VISIT_CID_CLEAR, NULL, admin1), DB_OK);
	e = db_visit_get(db, c.id);
	assert_true(json_is_null(json_object_get(e, "cid_last4")));
	assert_true(json_is_false(json_object_get(e, "has_cid")));
	json_decref(e);
	assert_int_equal(db_visit_cid_sealed(db, c.id, sealed, sizeof sealed), DB_DONE);
	assert_string_equal(sealed, "");
	assert_int_equal(db_visit_cid_sealed(db, 987654, sealed, sizeof sealed), DB_DONE);

	/* The officer: kept unless given. */
	struct visit_update in = {.v = &v, .officer_id = officer2, .user_id = admin1, .now = 5};
	assert_int_equal(db_visit_update(db, c.id, &in), DB_OK);
	e = db_visit_get(db, c.id);
	assert_int_equal(fresh_jint(e, "officer_id"), officer2);
	json_decref(e);
	assert_int_equal(update(db, c.id, &v, VISIT_CID_KEEP, NULL, admin1), DB_OK);
	e = db_visit_get(db, c.id);
	assert_int_equal(fresh_jint(e, "officer_id"), officer2);
	json_decref(e);
	/* An unknown service rolls the edit back whole. */
	struct visit_input bad = mk("2024-03-06", 9, 0, "นายบัตร", "nosuch=completed");
	assert_int_equal(update(db, c.id, &bad, VISIT_CID_KEEP, NULL, admin1), DB_CONSTRAINT);
	e = db_visit_get(db, c.id);
	assert_string_equal(fresh_jstr(e, "visit_day"), "2024-03-04");
	json_decref(e);
	assert_rollups_consistent(db);
}

/* ---- list ---- */

static json_t *list(struct db *db, const struct visit_filter *f)
{
	json_t *j = db_visits_list(db, f);
	assert_non_null(j);
	return j;
}

/* "n1,n2,..." of the page's visitor names, for compact asserts. */
static char *names(const json_t *page)
{
	struct buf b;
	buf_init(&b, 0);
	json_t *entries = json_object_get(page, "entries");
	for (size_t i = 0; i < json_array_size(entries); i++)
		buf_printf(&b, "%s%s", i ? "," : "", fresh_jstr(json_array_get(entries, i), "visitor_name"));
	return buf_detach(&b, NULL);
}

static void assert_names(struct db *db, const struct visit_filter *f, const char *want, int64_t total)
{
	json_t *j = list(db, f);
	char *got = names(j);
	assert_string_equal(got, want);
	assert_int_equal(fresh_jint(j, "total"), total);
	free(got);
	json_decref(j);
}

/* Eight entries over two periods, two officers, two services. */
static void list_seed(struct db *db, int64_t ids[8])
{
	struct {
		const char *day;
		int hour;
		const char *name;
		const char *svc;
		int64_t *officer;
	} rows[] = {
	    {"2024-02-20", 9, "Ann", "welfare=completed", &officer1},
	    {"2024-02-25", 9, "Bob 100%", "queue=referred", &officer1},
	    {"2024-02-26", 9, "Cat_x", "welfare=completed queue=completed", &officer2},
	    {"2024-03-01", 9, "dan smith", "welfare=not_completed", &officer2},
	    {"2024-03-01", 10, "Eve SMITH", "queue=referred", &officer1},
	    {"2024-03-10", 9, "Fay", "welfare=self_completed", &officer1},
	    {"2024-03-10", 11, "นายไทย ใจดี", "welfare=completed", &officer2},
	    {"2024-03-25", 9, "Catx", "queue=completed", &officer1},
	};
	for (int i = 0; i < 8; i++) {
		struct visit_input v = mk(rows[i].day, rows[i].hour, 0, rows[i].name, rows[i].svc);
		ids[i] = create(db, "4701", &v, *rows[i].officer, NULL).id;
	}
	/* Another unit's entry never shows. */
	struct visit_input o = mk("2024-03-10", 9, 0, "Other unit", "welfare=completed");
	create(db, "4702", &o, officer1, NULL);
}

static void test_list_filters(void **state)
{
	struct db *db = DB(state);
	int64_t ids[8];
	list_seed(db, ids);
	struct visit_filter f = {.unit_code = "4701"};
	/* Newest first; ties on time by id. */
	assert_names(db, &f, "Catx,นายไทย ใจดี,Fay,Eve SMITH,dan smith,Cat_x,Bob 100%,Ann", 8);

	/* Period (the stored column: 2024-03 = 02-26 .. 03-25). */
	f.period = "2024-03";
	assert_names(db, &f, "Catx,นายไทย ใจดี,Fay,Eve SMITH,dan smith,Cat_x", 6);
	f.period = "2024-02";
	assert_names(db, &f, "Bob 100%,Ann", 2);
	f.period = NULL;

	/* Day range, inclusive on both ends. */
	f.from_day = "2024-02-25";
	f.to_day = "2024-03-01";
	assert_names(db, &f, "Eve SMITH,dan smith,Cat_x,Bob 100%", 4);
	f.to_day = NULL;
	assert_names(db, &f, "Catx,นายไทย ใจดี,Fay,Eve SMITH,dan smith,Cat_x,Bob 100%", 7);
	f.from_day = NULL;
	f.to_day = "2024-02-25";
	assert_names(db, &f, "Bob 100%,Ann", 2);
	f.to_day = NULL;

	/* Service, outcome, both (that service with that outcome). */
	f.service_code = "queue";
	assert_names(db, &f, "Catx,Eve SMITH,Cat_x,Bob 100%", 4);
	f.outcome = "completed";
	assert_names(db, &f, "Catx,Cat_x", 2);
	f.service_code = NULL;
	assert_names(db, &f, "Catx,นายไทย ใจดี,Cat_x,Ann", 4);
	f.outcome = NULL;

	/* Officer. */
	f.officer_id = officer2;
	assert_names(db, &f, "นายไทย ใจดี,dan smith,Cat_x", 3);
	f.officer_id = 0;

	/* Name: case-insensitive substring; % and _ are literal. */
	f.name_query = "smith";
	assert_names(db, &f, "Eve SMITH,dan smith", 2);
	f.name_query = "SMITH";
	assert_names(db, &f, "Eve SMITH,dan smith", 2);
	f.name_query = "t_";
	assert_names(db, &f, "Cat_x", 1);
	f.name_query = "_";
	assert_names(db, &f, "Cat_x", 1);
	f.name_query = "0%";
	assert_names(db, &f, "Bob 100%", 1);
	f.name_query = "%";
	assert_names(db, &f, "Bob 100%", 1);
	f.name_query = "ใจดี";
	assert_names(db, &f, "นายไทย ใจดี", 1);
	f.name_query = "nobody";
	assert_names(db, &f, "", 0);
	f.name_query = NULL;

	/* Combined. */
	f.period = "2024-03";
	f.officer_id = officer1;
	f.service_code = "welfare";
	assert_names(db, &f, "Fay", 1);
	f.officer_id = 0;
	f.name_query = "a";
	assert_names(db, &f, "Fay,dan smith,Cat_x", 3);
	f.name_query = NULL;
	f.service_code = NULL;
	f.from_day = "2024-03-01";
	f.to_day = "2024-03-10";
	assert_names(db, &f, "นายไทย ใจดี,Fay,Eve SMITH,dan smith", 4);

	/* Bad filters. */
	struct visit_filter bad = {.unit_code = NULL};
	assert_null(db_visits_list(db, &bad));
	bad.unit_code = "4701";
	bad.from_day = "2024-02-30";
	assert_null(db_visits_list(db, &bad));
	bad.from_day = NULL;
	bad.outcome = "done";
	assert_null(db_visits_list(db, &bad));
}

static void test_list_pages_void_and_totals(void **state)
{
	struct db *db = DB(state);
	int64_t ids[8];
	list_seed(db, ids);
	assert_int_equal(db_visit_void(db, ids[5], "ซ้ำ", admin1, 1, 0, NULL), DB_OK); /* Fay */

	struct visit_filter f = {.unit_code = "4701", .limit = 3};
	assert_names(db, &f, "Catx,นายไทย ใจดี,Eve SMITH", 7);
	f.offset = 3;
	assert_names(db, &f, "dan smith,Cat_x,Bob 100%", 7);
	f.offset = 6;
	assert_names(db, &f, "Ann", 7);
	f.offset = 9;
	assert_names(db, &f, "", 7);
	f.offset = 0;
	f.limit = 0;
	f.include_void = true;
	assert_names(db, &f, "Catx,นายไทย ใจดี,Fay,Eve SMITH,dan smith,Cat_x,Bob 100%,Ann", 8);

	/* Totals: the same numbers from the roll-ups (unit + day range) and
	 * counted (period covering the same days). */
	struct visit_filter by_days = {.unit_code = "4701", .from_day = "2024-02-26", .to_day = "2024-03-25"};
	struct visit_filter by_period = {.unit_code = "4701", .period = "2024-03"};
	json_t *a = list(db, &by_days), *b = list(db, &by_period);
	json_t *ta = json_object_get(a, "totals"), *tb = json_object_get(b, "totals");
	assert_true(json_equal(ta, tb));
	assert_int_equal(fresh_jint(ta, "entries"), 5);
	assert_int_equal(fresh_jint(ta, "void"), 1);
	assert_int_equal(fresh_jint(ta, "services"), 6);
	json_t *by = json_object_get(ta, "by_outcome");
	assert_int_equal(json_object_size(by), 4);
	assert_int_equal(fresh_jint(by, "completed"), 4);
	assert_int_equal(fresh_jint(by, "self_completed"), 0);
	assert_int_equal(fresh_jint(by, "referred"), 1);
	assert_int_equal(fresh_jint(by, "not_completed"), 1);
	assert_int_equal(fresh_jint(a, "total"), 5);
	json_decref(a);
	json_decref(b);
	/* No filter at all: roll-ups over every day. */
	struct visit_filter all = {.unit_code = "4701", .include_void = true};
	a = list(db, &all);
	assert_int_equal(fresh_jint(a, "total"), 8);
	ta = json_object_get(a, "totals");
	assert_int_equal(fresh_jint(ta, "entries"), 7);
	assert_int_equal(fresh_jint(ta, "void"), 1);
	assert_int_equal(fresh_jint(ta, "services"), 8);
	/* Voided entry shows with its status. */
	json_t *fay = json_array_get(json_object_get(a, "entries"), 2);
	assert_string_equal(fresh_jstr(fay, "visitor_name"), "Fay");
	assert_string_equal(fresh_jstr(fay, "status"), "void");
	assert_int_equal(json_array_size(json_object_get(fay, "services")), 1);
	json_t *cat = json_array_get(json_object_get(a, "entries"), 5);
	assert_string_equal(fresh_jstr(cat, "visitor_name"), "Cat_x");
	assert_int_equal(json_array_size(json_object_get(cat, "services")), 2);
	assert_string_equal(fresh_jstr(json_array_get(json_object_get(cat, "services"), 0), "code"),
	                    "welfare");
	json_decref(a);
	/* With a service filter the service totals count that service only. */
	struct visit_filter q = {.unit_code = "4701", .service_code = "queue"};
	a = list(db, &q);
	ta = json_object_get(a, "totals");
	assert_int_equal(fresh_jint(ta, "entries"), 4);
	assert_int_equal(fresh_jint(ta, "services"), 4);
	assert_int_equal(fresh_jint(json_object_get(ta, "by_outcome"), "referred"), 2);
	assert_int_equal(fresh_jint(json_object_get(ta, "by_outcome"), "completed"), 2);
	json_decref(a);
	/* A limit above VISIT_LIST_MAX is clamped, not refused. */
	struct visit_filter big = {.unit_code = "4701", .limit = 100000};
	a = list(db, &big);
	assert_int_equal(json_array_size(json_object_get(a, "entries")), 7);
	json_decref(a);
}

/* ---- bulk rows (purge batches, scale) ---- */

/* Inserts entries straight into the tables, many rows per statement, then
 * rebuilds the roll-ups. Entry i goes to units[i % nunits], on day
 * first + (i / nunits) % ndays. */
struct bulk {
	const char *const *units;
	int nunits;
	struct civil_day first;
	int ndays;
	int64_t from, to; /* entry numbers [from, to) */
	int64_t officer;
};

#define BULK_ROWS 100

struct binds_row {
	const char *unit;
	int64_t year_be, seq, at;
	char day[THAI_ISO_DAY_SIZE], period[PERIOD_ISO_SIZE], name[48], cid[24];
};

static void bulk_row(const struct bulk *b, int64_t i, struct binds_row *r)
{
	r->unit = b->units[i % b->nunits];
	struct civil_day d = b->first;
	thai_day_add(&d, (i / b->nunits) % b->ndays);
	struct period p;
	period_of_day(d.y, d.m, d.d, 25, &p);
	thai_day_iso(d, r->day);
	period_iso(p, r->period);
	struct civil_time t = {d.y, d.m, d.d, 8 + (int)(i % 9), (int)(i % 60), 0};
	thai_local_to_epoch(&t, &r->at);
	r->year_be = thai_year_be(d.y);
	r->seq = i / b->nunits + 1;
	snprintf(r->name, sizeof r->name, "ผู้รับบริการ %lld", (long long)i);
	snprintf(r->cid, sizeof r->cid, "hash-%lld", (long long)(i % 5000));
}

static char *bulk_sql(int rows)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b,
	         "INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, "
	         "cid_hash, channel, officer_id, created_at, updated_at) VALUES ");
	for (int i = 0; i < rows; i++)
		buf_puts(&b, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, 'web', ?, ?, ?)"
		               : "(?, ?, ?, ?, ?, ?, ?, ?, 'web', ?, ?, ?)");
	return buf_detach(&b, NULL);
}

struct bulk_tx {
	const struct bulk *b;
	const char *sql_many, *sql_one;
	int64_t from, to;
};

static int bulk_fn(struct dbc *c, void *arg)
{
	struct bulk_tx *t = arg;
	struct binds_row r;
	for (int64_t i = t->from; i < t->to;) {
		int rows = t->to - i >= BULK_ROWS ? BULK_ROWS : 1;
		struct db_stmt *st = db_prepare(c, rows == BULK_ROWS ? t->sql_many : t->sql_one);
		if (!st)
			return DB_ERROR;
		for (int k = 0; k < rows; k++, i++) {
			bulk_row(t->b, i, &r);
			int p = k * 11;
			db_bind_text(st, p + 1, r.unit);
			db_bind_int(st, p + 2, r.year_be);
			db_bind_int(st, p + 3, r.seq);
			db_bind_int(st, p + 4, r.at);
			db_bind_text(st, p + 5, r.day);
			db_bind_text(st, p + 6, r.period);
			db_bind_text(st, p + 7, r.name);
			if (i % 3 == 0)
				db_bind_text(st, p + 8, r.cid);
			else
				db_bind_null(st, p + 8);
			db_bind_int(st, p + 9, t->b->officer);
			db_bind_int(st, p + 10, r.at);
			db_bind_int(st, p + 11, r.at);
		}
		int rc = db_step(st);
		db_finish(st);
		if (rc != DB_DONE)
			return rc;
	}
	return DB_OK;
}

static const char BULK_FINISH[] =
    /* One or two services per entry, outcomes spread. */
    "INSERT INTO visit_services (visit_id, service_code, outcome) SELECT id, 'welfare', "
    "CASE id % 4 WHEN 0 THEN 'completed' WHEN 1 THEN 'self_completed' WHEN 2 THEN 'referred' "
    "ELSE 'not_completed' END FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_services s "
    "WHERE s.visit_id = v.id);"
    "INSERT INTO visit_services (visit_id, service_code, outcome) SELECT id, 'queue', 'completed' "
    "FROM visits v WHERE id % 3 = 0 AND NOT EXISTS (SELECT 1 FROM visit_services s "
    "WHERE s.visit_id = v.id AND s.service_code = 'queue');"
    "DELETE FROM rollup_visits; DELETE FROM rollup_services;"
    "INSERT INTO rollup_visits (unit_code, day, visits) SELECT unit_code, visit_day, COUNT(*) FROM visits "
    "WHERE status = 'active' GROUP BY unit_code, visit_day;"
    "INSERT INTO rollup_services (unit_code, day, service_code, outcome, n) SELECT v.unit_code, v.visit_day, "
    "s.service_code, s.outcome, COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id "
    "WHERE v.status = 'active' GROUP BY v.unit_code, v.visit_day, s.service_code, s.outcome;"
    "DELETE FROM rollup_visit_attrs; DELETE FROM rollup_period_services;"
    "INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n) SELECT unit_code, period, "
    "channel, sex, age_band, COUNT(*) FROM visits WHERE status = 'active' "
    "GROUP BY unit_code, period, channel, sex, age_band;"
    "INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n) SELECT v.unit_code, "
    "v.period, s.service_code, s.outcome, COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id "
    "WHERE v.status = 'active' GROUP BY v.unit_code, v.period, s.service_code, s.outcome;"
    "DELETE FROM rollup_period_units; INSERT INTO rollup_period_units (unit_code, period, users, "
    "transactions, survey_n, survey_point_n, survey_visit_n, survey_sum, active_days) " VISIT_PERIOD_UNITS_SQL
    ";"
    "DELETE FROM visit_counters;"
    "INSERT INTO visit_counters (unit_code, year_be, last_seq) SELECT unit_code, year_be, MAX(seq) "
    "FROM visits GROUP BY unit_code, year_be";

static void bulk_insert(struct db *db, const struct bulk *b, int64_t per_tx)
{
	char *many = bulk_sql(BULK_ROWS), *one = bulk_sql(1);
	for (int64_t i = b->from; i < b->to; i += per_tx) {
		struct bulk_tx t = {b, many, one, i, i + per_tx < b->to ? i + per_tx : b->to};
		assert_int_equal(db_tx(db, bulk_fn, &t), DB_OK);
	}
	free(many);
	free(one);
	assert_int_equal(fresh_exec_tx(db, BULK_FINISH), DB_OK);
}

/* ---- purge ---- */

static void test_purge(void **state)
{
	struct db *db = DB(state);
	struct visit_input old = mk("2023-01-10", 9, 0, "นายเก่า แก่มาก", "welfare=completed queue=referred");
	snprintf(old.remarks, sizeof old.remarks, "โทรกลับเบอร์บ้าน");
	struct visit_created co = create(db, "4701", &old, officer1, "1103702071838");
	struct visit_input old2 = mk("2023-01-10", 9, 0, "นายเก่า แก่มาก", "welfare=referred");
	assert_int_equal(update(db, co.id, &old2, VISIT_CID_KEEP, NULL, admin1), DB_OK);
	struct visit_input fresh = mk("2024-03-04", 9, 0, "นายใหม่", "welfare=completed");
	struct visit_created cn = create(db, "4701", &fresh, officer1, "3100600123456");
	/* An old entry with an idempotency key, voided with a reason that names
	 * the visitor, the reason also in the audit trail. */
	struct visit_input keyed = mk("2023-01-11", 9, 0, "นางคีย์ ซ้ำ", "welfare=completed");
	snprintf(keyed.idempotency_key, sizeof keyed.idempotency_key, "import1-abcdef0123456789");
	struct visit_created ck = create(db, "4701", &keyed, officer1, NULL);
	assert_int_equal(db_visit_void(db, ck.id, "ซ้ำกับของนางคีย์", admin1, 1700000000, 0, NULL), DB_OK);
	char audit[256];
	snprintf(
	    audit, sizeof audit,
	    "INSERT INTO audit_log (at, action, target, detail) VALUES (1, 'registry.void', 'visit:%lld', "
	    "'ซ้ำกับของนางคีย์'), (1, 'registry.void', 'visit:%lld', 'ผิดคน'), (1, 'login', 'visit:%lld', 'x')",
	    (long long)ck.id, (long long)cn.id, (long long)ck.id);
	assert_int_equal(fresh_exec_tx(db, audit), DB_OK);
	struct visit_filter all = {.unit_code = "4701", .include_void = true};
	json_t *before = list(db, &all);

	struct civil_time cut = {2024, 1, 1, 0, 0, 0};
	int64_t cutoff;
	assert_int_equal(thai_local_to_epoch(&cut, &cutoff), 0);
	int64_t erased = -1;
	assert_int_equal(db_visits_purge(db, cutoff, 1800000000, &erased), DB_OK);
	assert_int_equal(erased, 2);
	/* The key, the void reason and its audit copy are erased too; other
	 * audit rows and the fresh entry's are not. */
	char q[256];
	snprintf(q, sizeof q,
	         "SELECT COUNT(*) FROM visits WHERE id = %lld AND idempotency_key IS NULL AND "
	         "void_reason = '' AND status = 'void'",
	         (long long)ck.id);
	assert_int_equal(fresh_count(db, q), 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE detail = 'ซ้ำกับของนางคีย์'"), 0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM audit_log WHERE detail IN ('ผิดคน', 'x')"), 2);
	json_t *hk = db_visit_history(db, ck.id);
	char *hktext = json_dumps(hk, 0);
	assert_null(strstr(hktext, "นางคีย์"));
	free(hktext);
	json_decref(hk);

	json_t *e = db_visit_get(db, co.id);
	assert_string_equal(fresh_jstr(e, "visitor_name"), "");
	assert_string_equal(fresh_jstr(e, "phone"), "");
	assert_string_equal(fresh_jstr(e, "remarks"), "");
	assert_true(json_is_null(json_object_get(e, "cid_last4")));
	assert_true(json_is_false(json_object_get(e, "has_cid")));
	assert_true(json_is_true(json_object_get(e, "purged")));
	/* Counts and services survive. */
	assert_string_equal(fresh_jstr(e, "number"), "1/2566");
	assert_string_equal(fresh_jstr(e, "sex"), "female");
	assert_int_equal(json_array_size(json_object_get(e, "services")), 1);
	json_decref(e);
	char sealed[64];
	assert_int_equal(db_visit_cid_sealed(db, co.id, sealed, sizeof sealed), DB_DONE);
	e = db_visit_get(db, cn.id);
	assert_string_equal(fresh_jstr(e, "visitor_name"), "นายใหม่");
	assert_true(json_is_false(json_object_get(e, "purged")));
	json_decref(e);

	/* History: personal fields gone from every snapshot, a purge row added. */
	json_t *h = db_visit_history(db, co.id);
	assert_int_equal(json_array_size(h), 3);
	char *text = json_dumps(h, 0);
	assert_null(strstr(text, "นายเก่า"));
	assert_null(strstr(text, "โทรกลับ"));
	assert_null(strstr(text, "0812345678"));
	assert_null(strstr(text, "1838"));
	free(text);
	json_t *h1 = json_array_get(h, 1);
	assert_true(json_is_true(json_object_get(json_object_get(h1, "before"), "purged")));
	assert_true(json_is_true(json_object_get(json_object_get(h1, "after"), "purged")));
	json_t *after = json_object_get(json_array_get(h, 1), "after");
	assert_string_equal(fresh_jstr(after, "visitor_name"), "");
	assert_string_equal(fresh_jstr(after, "sex"), "female");
	assert_int_equal(json_array_size(json_object_get(after, "services")), 1);
	json_t *p = json_array_get(h, 2);
	assert_string_equal(fresh_jstr(p, "action"), "purge");
	assert_true(json_is_null(json_object_get(p, "user_id")));
	assert_int_equal(fresh_jint(p, "at"), 1800000000);
	json_decref(h);
	h = db_visit_history(db, cn.id);
	text = json_dumps(h, 0);
	assert_non_null(strstr(text, "นายใหม่"));
	free(text);
	json_decref(h);

	/* Totals and roll-ups unchanged; again erases nothing. */
	json_t *after_list = list(db, &all);
	assert_true(json_equal(json_object_get(before, "totals"), json_object_get(after_list, "totals")));
	json_decref(before);
	json_decref(after_list);
	assert_rollups_consistent(db);
	assert_int_equal(db_visits_purge(db, cutoff, 1800000001, &erased), DB_OK);
	assert_int_equal(erased, 0);
	/* A purged entry is not edited (that would bring personal data back). */
	assert_int_equal(update(db, co.id, &old2, VISIT_CID_KEEP, NULL, admin1), VISIT_RC_PURGED);
}

/* Keys of imports made before migration 005 ("import-" + 40 hex, an
 * unkeyed hash of the row) are replaced by the caller's keyed value; other
 * keys stay; a second run finds nothing. */
static void rekey_test_fn(char out[VISIT_KEY_MAX + 1], const char *old)
{
	snprintf(out, VISIT_KEY_MAX + 1, "import0-rekeyed-%s", old + 7);
}

static void test_rekey_legacy_imports(void **state)
{
	struct db *db = DB(state);
	static const struct {
		const char *unit, *key, *after;
	} rows[] = {
	    {"4701", "import-0123456789abcdef0123456789abcdef01234567",
	     "import0-rekeyed-0123456789abcdef0123456789abcdef01234567"},
	    {"4702", "import-ffffffffffffffffffffffffffffffffffffffff",
	     "import0-rekeyed-ffffffffffffffffffffffffffffffffffffffff"},
	    {"4701", "import-0123456789ABCDEF0123456789abcdef01234567", NULL}, /* not the old form */
	    {"4701", "import-short0123", NULL},
	    {"4701", "import1-0123456789abcdef0123456789abcdef01234567", NULL},
	    {"4701", "form-7f3a9c01", NULL},
	};
	int64_t ids[6];
	for (int i = 0; i < 6; i++) {
		struct visit_input v = mk("2024-03-04", 9, i, "นายเดิม", "welfare=completed");
		snprintf(v.idempotency_key, sizeof v.idempotency_key, "%s", rows[i].key);
		ids[i] = create(db, rows[i].unit, &v, officer1, NULL).id;
	}
	int64_t n = -1, changed = -1;
	assert_int_equal(db_visits_legacy_imports(db, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_visits_rekey_legacy_imports(db, rekey_test_fn, &changed), DB_OK);
	assert_int_equal(changed, 2);
	for (int i = 0; i < 6; i++) {
		char q[160];
		snprintf(q, sizeof q, "SELECT idempotency_key FROM visits WHERE id = %lld",
		         (long long)ids[i]);
		json_t *r = fresh_query(db, q);
		assert_string_equal(fresh_jstr(json_array_get(r, 0), "idempotency_key"),
		                    rows[i].after ? rows[i].after : rows[i].key);
		json_decref(r);
	}
	assert_int_equal(db_visits_legacy_imports(db, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(db_visits_rekey_legacy_imports(db, rekey_test_fn, &changed), DB_OK);
	assert_int_equal(changed, 0);
	/* The import's lookup: this unit's keys with a prefix, case-sensitive. */
	json_t *set = NULL;
	assert_int_equal(db_visits_keys_with_prefix(db, "4701", "import0-", &set), DB_OK);
	assert_int_equal(json_object_size(set), 1);
	assert_non_null(json_object_get(set, rows[0].after));
	json_decref(set);
	assert_int_equal(db_visits_keys_with_prefix(db, "4701", "IMPORT0-", &set), DB_OK);
	assert_int_equal(json_object_size(set), 0);
	json_decref(set);
	assert_int_equal(db_visits_keys_with_prefix(db, "4702", "import0-", &set), DB_OK);
	assert_int_equal(json_object_size(set), 1);
	json_decref(set);
}

static void test_purge_batches(void **state)
{
	struct db *db = DB(state);
	static const char *const units[] = {"4701", "4702"};
	struct bulk b = {units, 2, {2022, 6, 1}, 100, 0, 2 * VISIT_PURGE_BATCH + 50, officer1};
	bulk_insert(db, &b, 5000);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visits WHERE purged_at IS NULL"),
	                 2 * VISIT_PURGE_BATCH + 50);
	int64_t erased = 0;
	/* Stopped (the server shutting down): one batch, the rest next time. */
	atomic_int stop = 1;
	assert_int_equal(db_visits_purge_until(db, 2000000000, 2000000001, &erased, &stop), DB_OK);
	assert_int_equal(erased, VISIT_PURGE_BATCH);
	assert_int_equal(db_visits_purge(db, 2000000000, 2000000001, &erased), DB_OK);
	assert_int_equal(erased, VISIT_PURGE_BATCH + 50);
	assert_int_equal(
	    fresh_count(db, "SELECT COUNT(*) FROM visits WHERE purged_at IS NULL OR visitor_name <> '' OR "
	                    "cid_hash IS NOT NULL"),
	    0);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visit_history WHERE action = 'purge'"),
	                 2 * VISIT_PURGE_BATCH + 50);
	assert_rollups_consistent(db);
}

/* ---- returning visitors, attestations ---- */

static void test_find_by_cid(void **state)
{
	struct db *db = DB(state);
	const char *cid = "1103702071838";
	struct visit_input v1 = mk("2024-03-01", 9, 0, "นายกลับมา", "welfare=completed");
	struct visit_input v2 = mk("2024-03-05", 9, 0, "นายกลับมา", "queue=referred welfare=self_completed");
	struct visit_input v3 = mk("2024-03-07", 9, 0, "นายกลับมา", "welfare=completed");
	struct visit_created c1 = create(db, "4701", &v1, officer1, cid);
	struct visit_created c2 = create(db, "4701", &v2, officer1, cid);
	struct visit_created c3 = create(db, "4701", &v3, officer1, cid);
	create(db, "4702", &v1, officer1, cid);                                      /* other unit */
	create(db, "4701", &v1, officer1, "3100600123456");                          /* other person */
	assert_int_equal(db_visit_void(db, c3.id, "ผิด", admin1, 1, 0, NULL), DB_OK); /* void: not listed */

	struct cid_forms f;
	cid_forms(cid, &f);
	json_t *out = NULL;
	assert_int_equal(db_visits_find_by_cid(db, "4701", f.hash, &out), DB_OK);
	assert_int_equal(json_array_size(out), 2);
	json_t *a = json_array_get(out, 0), *b = json_array_get(out, 1);
	assert_int_equal(fresh_jint(a, "id"), c2.id);
	assert_string_equal(fresh_jstr(a, "number"), "2/2567");
	assert_string_equal(fresh_jstr(a, "visit_day"), "2024-03-05");
	json_t *s = json_object_get(a, "services");
	assert_int_equal(json_array_size(s), 2);
	assert_string_equal(fresh_jstr(json_array_get(s, 0), "code"), "welfare");
	assert_string_equal(fresh_jstr(json_array_get(s, 0), "name_th"), "ลงทะเบียนสวัสดิการ");
	assert_int_equal(fresh_jint(b, "id"), c1.id);
	json_decref(out);
	assert_int_equal(db_visits_find_by_cid(db, "4701", "hash-none", &out), DB_OK);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);

	/* At most VISIT_FIND_CID_MAX. */
	for (int i = 0; i < VISIT_FIND_CID_MAX + 3; i++)
		create(db, "4702", &v2, officer1, cid);
	assert_int_equal(db_visits_find_by_cid(db, "4702", f.hash, &out), DB_OK);
	assert_int_equal(json_array_size(out), VISIT_FIND_CID_MAX);
	json_decref(out);
}

static void test_period_attested(void **state)
{
	struct db *db = DB(state);
	bool yes = true;
	assert_int_equal(db_period_attested(db, "4701", "2024-03", &yes), DB_OK);
	assert_false(yes);
	assert_int_equal(
	    fresh_exec_tx(db, "INSERT INTO period_attestations (unit_code, period, attested_at, attested_by) "
	                      "VALUES ('4701', '2024-03', 1, NULL)"),
	    DB_OK);
	assert_int_equal(db_period_attested(db, "4701", "2024-03", &yes), DB_OK);
	assert_true(yes);
	assert_int_equal(db_period_attested(db, "4701", "2024-02", &yes), DB_OK);
	assert_false(yes);
	assert_int_equal(db_period_attested(db, "4702", "2024-03", &yes), DB_OK);
	assert_false(yes);
}

/* ---- scale (OSSPOINT_SCALE=1) ---- */

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of `runs` calls in ms; checks the page is full. */
static double time_list(struct db *db, const struct visit_filter *f, int runs, int64_t *total)
{
	double t[32];
	for (int i = 0; i < runs; i++) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		json_t *j = db_visits_list(db, f);
		t[i] = ms_since(&t0);
		assert_non_null(j);
		*total = fresh_jint(j, "total");
		json_decref(j);
	}
	qsort(t, (size_t)runs, sizeof *t, dbl_cmp);
	return t[runs / 2];
}

static void explain(struct db *db, const char *sql)
{
	char *q =
	    xasprintf("%s %s", fresh_is_pg() ? "EXPLAIN (ANALYZE, COSTS OFF)" : "EXPLAIN QUERY PLAN", sql);
	json_t *rows = fresh_query(db, q);
	printf("  plan: %s\n", sql);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		const char *line = fresh_is_pg() ? fresh_jstr(r, "QUERY PLAN") : fresh_jstr(r, "detail");
		printf("    %s\n", line);
	}
	json_decref(rows);
	free(q);
}

static void test_scale(void **state)
{
	struct db *db = DB(state);
	enum { NUNITS = 100, NENTRIES = 1000000 };
	static char codes[NUNITS][16];
	static const char *units[NUNITS];
	struct buf sql;
	buf_init(&sql, 0);
	buf_puts(&sql, "INSERT INTO units (code, parent_code, level, name_th) VALUES ('10', '0', 1, 'ก'), "
	               "('11', '0', 1, 'ข')");
	for (int i = 0; i < NUNITS; i++) {
		snprintf(codes[i], sizeof codes[i], "%d%02d", 10 + i / 50, 1 + i % 50);
		units[i] = codes[i];
		buf_printf(&sql, ", ('%s', '%d', 2, 'อำเภอ %s')", codes[i], 10 + i / 50, codes[i]);
	}
	assert_int_equal(fresh_exec_tx(db, buf_str(&sql)), DB_OK);
	buf_cleanup(&sql);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* 10,000 entries per district over 365 days: ~830 per month. */
	struct bulk b = {units, NUNITS, {2024, 1, 1}, 365, 0, NENTRIES, officer1};
	bulk_insert(db, &b, 50000);
	if (fresh_is_pg())
		assert_int_equal(fresh_exec_tx(db, "ANALYZE"), DB_OK);
	printf("test_visits %s: inserted %d entries over %d districts in %.1f s\n", backend, NENTRIES, NUNITS,
	       ms_since(&t0) / 1e3);

	int64_t total = 0;
	struct visit_filter month = {.unit_code = "1025", .period = "2024-06", .limit = 50};
	double cold = time_list(db, &month, 1, &total);
	double warm = time_list(db, &month, 21, &total);
	printf("test_visits %s: list one district's month (%lld entries, page of 50): first %.2f ms, median "
	       "%.2f ms\n",
	       backend, (long long)total, cold, warm);
	assert_true(total > 700 && total < 1000);
	assert_true(warm < 20.0);

	struct {
		const char *what;
		struct visit_filter f;
	} more[] = {
	    {"month, page 10", {.unit_code = "1025", .period = "2024-06", .limit = 50, .offset = 450}},
	    {"day range of a month (roll-up totals)",
	     {.unit_code = "1025", .from_day = "2024-05-26", .to_day = "2024-06-25", .limit = 50}},
	    {"whole district, no filter", {.unit_code = "1025", .limit = 50}},
	    {"month + service + outcome",
	     {.unit_code = "1025", .period = "2024-06", .service_code = "queue", .outcome = "completed"}},
	    {"month + name search", {.unit_code = "1025", .period = "2024-06", .name_query = "12"}},
	    {"whole district + name search", {.unit_code = "1025", .name_query = "99"}},
	    {"whole district + officer", {.unit_code = "1025", .officer_id = officer1}},
	};
	for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
		double ms = time_list(db, &more[i].f, 11, &total);
		printf("test_visits %s:   %-40s total %6lld  median %.2f ms\n", backend, more[i].what,
		       (long long)total, ms);
	}
	json_t *found = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(db_visits_find_by_cid(db, "1025", "hash-24", &found), DB_OK);
	printf("test_visits %s:   find_by_cid: %zu entries in %.2f ms\n", backend, json_array_size(found),
	       ms_since(&t0));
	json_decref(found);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(db_rollups_check(db, NULL), 0);
	printf("test_visits %s:   rollups_check over 1M entries: %.0f ms\n", backend, ms_since(&t0));

	explain(db, "SELECT v.id FROM visits v WHERE v.unit_code = '1025' AND v.period = '2024-06' AND "
	            "v.status = 'active' ORDER BY v.visited_at DESC, v.id DESC LIMIT 50 OFFSET 0");
	explain(db,
	        "SELECT v.id FROM visits v WHERE v.unit_code = '1025' AND v.visit_day >= '2024-05-26' AND "
	        "v.visited_at >= 1716656400 AND v.status = 'active' ORDER BY v.visited_at DESC, v.id DESC "
	        "LIMIT 50 OFFSET 0");
	explain(db,
	        "SELECT COALESCE(SUM(CASE WHEN v.status = 'active' THEN 1 ELSE 0 END), 0) AS n FROM visits v "
	        "WHERE v.unit_code = '1025' AND v.period = '2024-06'");
	explain(db, "SELECT COUNT(*) AS n FROM visits WHERE unit_code = '1025' AND status = 'void' AND "
	            "visit_day >= '2024-05-26'");
}

/* ---- the open-period rule and the version, inside the transaction (issue 8) ---- */

/* Bangkok local time of day at hour:00 as epoch seconds. */
static int64_t at_local(const char *day, int hour)
{
	struct civil_day d;
	int64_t t;
	assert_int_equal(thai_day_parse(day, &d), 0);
	struct civil_time ct = {d.y, d.m, d.d, hour, 0, 0};
	assert_int_equal(thai_local_to_epoch(&ct, &t), 0);
	return t;
}

static int create_ruled(struct db *db, const char *unit, const struct visit_input *v,
                        const struct visit_period_rule *rule, struct visit_created *out)
{
	struct visit_create in = {
	    .v = v, .unit_code = unit, .officer_id = officer1, .now = rule->now, .rule = rule};
	return db_visit_create(db, &in, out);
}

static void test_period_rule_inside_write(void **state)
{
	struct db *db = DB(state);
	struct visit_period_rule open = {25, 3, at_local("2024-03-10", 12)};
	struct visit_input v = mk("2024-03-05", 9, 0, "นายงวด เปิด", "welfare=completed");
	struct visit_created a, b;
	assert_int_equal(create_ruled(db, "4701", &v, &open, &a), DB_OK);
	assert_int_equal(a.seq, 1);

	/* Version: an edit naming the version it read goes through once. */
	struct visit_input v2 = mk("2024-03-05", 10, 0, "นายงวด แก้", "welfare=completed");
	struct visit_update up = {.v = &v2, .user_id = admin1, .now = open.now, .version = 1, .rule = &open};
	assert_int_equal(db_visit_update(db, a.id, &up), DB_OK);
	json_t *e = db_visit_get(db, a.id);
	assert_int_equal(fresh_jint(e, "version"), 2);
	json_decref(e);
	assert_int_equal(db_visit_update(db, a.id, &up), VISIT_RC_STALE); /* still says 1 */
	assert_int_equal(db_visit_void(db, a.id, "ซ้ำ", admin1, open.now, 1, &open), VISIT_RC_STALE);

	/* Past the grace days (25 + 3): closed for create, edit and void. */
	struct visit_period_rule late = {25, 3, at_local("2024-03-29", 9)};
	int64_t before = fresh_count(db, "SELECT COUNT(*) FROM visits");
	assert_int_equal(create_ruled(db, "4701", &v, &late, &b), VISIT_RC_CLOSED);
	up.version = 0;
	up.rule = &late;
	assert_int_equal(db_visit_update(db, a.id, &up), VISIT_RC_CLOSED);
	assert_int_equal(db_visit_void(db, a.id, "ซ้ำ", admin1, late.now, 0, &late), VISIT_RC_CLOSED);
	/* Within the grace days it is still open. */
	struct visit_period_rule grace = {25, 3, at_local("2024-03-28", 9)};
	up.rule = &grace;
	assert_int_equal(db_visit_update(db, a.id, &up), DB_OK);

	/* Attested: closed at once, even on an open date. */
	assert_int_equal(db_period_attest(db, "4701", "2024-03", admin1, open.now), DB_OK);
	assert_int_equal(create_ruled(db, "4701", &v, &open, &b), VISIT_RC_CLOSED);
	up.rule = &open;
	assert_int_equal(db_visit_update(db, a.id, &up), VISIT_RC_CLOSED);
	assert_int_equal(db_visit_void(db, a.id, "ซ้ำ", admin1, open.now, 0, &open), VISIT_RC_CLOSED);
	/* Nothing was written by a refusal: no entry, no number used. */
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM visits"), before);
	assert_int_equal(fresh_count(db, "SELECT last_seq FROM visit_counters WHERE unit_code = '4701'"), 1);
	/* Another unit's same period is not attested. */
	assert_int_equal(create_ruled(db, "4702", &v, &open, &b), DB_OK);

	/* Moving an open entry into the attested period is refused too. */
	struct visit_period_rule april = {25, 3, at_local("2024-04-02", 9)};
	struct visit_input va = mk("2024-04-01", 9, 0, "นายเมษา", "welfare=completed");
	assert_int_equal(create_ruled(db, "4701", &va, &april, &b), DB_OK);
	struct visit_input back = mk("2024-03-20", 9, 0, "นายเมษา", "welfare=completed");
	struct visit_update mv = {.v = &back, .user_id = admin1, .now = april.now, .rule = &april};
	assert_int_equal(db_visit_update(db, b.id, &mv), VISIT_RC_CLOSED);
	assert_rollups_consistent(db);
}

/* A period closes (is attested) while writes race it: every entry in the
 * period was committed before the attestation, none after. The attestation
 * counts the period's entries in its own transaction; at the end the period
 * holds exactly that many. */
#define CLOSE_THREADS 4
#define CLOSE_MAX     20000 /* creates per thread, at most (they stop once refused) */

struct close_race {
	struct db *db;
	struct visit_period_rule rule;
	struct visit_input v;
	atomic_int ok, closed, other;
	atomic_bool attested;
};

static void *close_thread(void *arg)
{
	struct close_race *cr = arg;
	int refused_after = 0;
	for (int i = 0; i < CLOSE_MAX && refused_after < 3; i++) {
		struct visit_created out;
		int rc = create_ruled(cr->db, "4702", &cr->v, &cr->rule, &out);
		if (rc == DB_OK)
			atomic_fetch_add(&cr->ok, 1);
		else if (rc == VISIT_RC_CLOSED) {
			atomic_fetch_add(&cr->closed, 1);
			refused_after++;
		} else
			atomic_fetch_add(&cr->other, 1);
	}
	return NULL;
}

struct attest_count {
	int64_t n;
};

static int attest_count_fn(struct dbc *c, void *arg)
{
	struct attest_count *a = arg;
	int rc = db_exec(c,
	                 "INSERT INTO period_attestations (unit_code, period, attested_at) VALUES ('4702', "
	                 "'2024-03', 1)",
	                 "");
	if (rc != DB_OK)
		return rc;
	rc = db_query_int(c, &a->n,
	                  "SELECT COUNT(*) FROM visits WHERE unit_code = '4702' AND period = '2024-03'", "");
	return rc == DB_ROW ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

static void test_period_closes_while_writes_race(void **state)
{
	struct db *db = DB(state);
	struct close_race *cr = xcalloc(1, sizeof *cr);
	cr->db = db;
	cr->rule = (struct visit_period_rule){25, 3, at_local("2024-03-10", 12)};
	cr->v = mk("2024-03-06", 9, 0, "นางแข่ง ปิดงวด", "welfare=completed queue=referred");
	pthread_t t[CLOSE_THREADS];
	for (int i = 0; i < CLOSE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, close_thread, cr), 0);
	/* Let some writes in first (bounded wait), then close the period. */
	for (int i = 0; i < 400 && atomic_load(&cr->ok) < 20; i++)
		usleep(5000);
	struct attest_count ac = {0};
	assert_int_equal(db_tx(db, attest_count_fn, &ac), DB_OK);
	for (int i = 0; i < CLOSE_THREADS; i++)
		pthread_join(t[i], NULL);
	int64_t final =
	    fresh_count(db, "SELECT COUNT(*) FROM visits WHERE unit_code = '4702' AND period = '2024-03'");
	assert_int_equal(atomic_load(&cr->other), 0);
	assert_true(atomic_load(&cr->ok) >= 20);
	assert_true(atomic_load(&cr->closed) >= CLOSE_THREADS); /* every thread met the closed period */
	assert_int_equal(final, ac.n);                          /* none was written after it closed */
	assert_int_equal(final, atomic_load(&cr->ok));
	/* Numbers stay gap-free: refusals took none. */
	assert_int_equal(fresh_count(db, "SELECT MAX(seq) FROM visits WHERE unit_code = '4702'"), final);
	assert_rollups_consistent(db);
	free(cr);
}

/* ---- statistics (issue 10, db/stats.c) ---- */

/* A snapshot closing races writes of its period: the closing and every
 * create are serialised by the database (SQLite: the write lock; PostgreSQL:
 * SERIALIZABLE, a conflict is retried), so the snapshot holds exactly the
 * entries that were committed, and none is committed after it. */
static void test_snapshot_close_races_writes(void **state)
{
	struct db *db = DB(state);
	struct close_race *cr = xcalloc(1, sizeof *cr);
	cr->db = db;
	cr->rule = (struct visit_period_rule){25, 3, at_local("2024-03-10", 12)};
	cr->v = mk("2024-03-06", 9, 0, "นางแข่ง ปิดรอบ", "welfare=completed queue=referred");
	pthread_t t[CLOSE_THREADS];
	for (int i = 0; i < CLOSE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, close_thread, cr), 0);
	for (int i = 0; i < 400 && atomic_load(&cr->ok) < 20; i++)
		usleep(5000);
	struct stats_close c = {.period_iso = "2024-03", .cutoff = 25, .actor = "cli", .now = 1};
	assert_int_equal(db_stats_close_period(db, &c), DB_OK);
	assert_false(c.already);
	assert_false(c.busy);
	for (int i = 0; i < CLOSE_THREADS; i++)
		pthread_join(t[i], NULL);
	int64_t final =
	    fresh_count(db, "SELECT COUNT(*) FROM visits WHERE unit_code = '4702' AND period = '2024-03'");
	assert_int_equal(atomic_load(&cr->other), 0);
	assert_true(atomic_load(&cr->ok) >= 20);
	assert_true(atomic_load(&cr->closed) >= CLOSE_THREADS);
	assert_int_equal(final, atomic_load(&cr->ok));
	assert_int_equal(fresh_count(db, "SELECT users FROM stats_snapshots WHERE period = '2024-03' AND "
	                                 "unit_code = '4702'"),
	                 final);
	assert_int_equal(fresh_count(db,
	                             "SELECT transactions FROM stats_snapshots WHERE period = '2024-03' AND "
	                             "unit_code = '47'"),
	                 2 * final);
	assert_int_equal(fresh_count(db, "SELECT users FROM stats_snapshots WHERE period = '2024-03' AND "
	                                 "unit_code = '0'"),
	                 final);
	/* Closed twice: nothing more is written. */
	assert_int_equal(db_stats_close_period(db, &c), DB_OK);
	assert_true(c.already);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM period_closing_log WHERE period = '2024-03'"),
	                 1);
	/* Later edits and voids of the period are refused in their transaction. */
	int64_t id = fresh_count(db, "SELECT MIN(id) FROM visits WHERE unit_code = '4702'");
	assert_int_equal(db_visit_void(db, id, "ทดสอบ", admin1, cr->rule.now, 0, &cr->rule), VISIT_RC_CLOSED);
	struct visit_input moved = mk("2024-04-01", 9, 0, "นางแข่ง ปิดรอบ", "welfare=completed");
	struct visit_update up = {.v = &moved, .user_id = admin1, .now = cr->rule.now, .rule = &cr->rule};
	assert_int_equal(db_visit_update(db, id, &up), VISIT_RC_CLOSED);
	assert_rollups_consistent(db);
	free(cr);
}

/* Several nodes' closing jobs at once (threads on their own connections):
 * exactly one closes the period, the others find it closed or the lock
 * taken, and one log row says so. */
#define CLOSERS 4
struct closer {
	struct db *db;
	pthread_barrier_t *go;
	struct stats_close c;
	int rc;
};

static void *closer_thread(void *arg)
{
	struct closer *k = arg;
	pthread_barrier_wait(k->go);
	k->rc = db_stats_close_period(k->db, &k->c);
	return NULL;
}

static void test_stats_close_exactly_once(void **state)
{
	struct db *db = DB(state);
	struct visit_input v = mk("2024-03-06", 9, 0, "นายปิด ครั้งเดียว", "welfare=completed");
	create(db, "4701", &v, officer1, NULL);
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, CLOSERS);
	struct closer k[CLOSERS];
	pthread_t t[CLOSERS];
	for (int i = 0; i < CLOSERS; i++) {
		k[i] = (struct closer){
		    db, &go, {.period_iso = "2024-03", .cutoff = 25, .actor = "job", .now = 1}, 0};
		assert_int_equal(pthread_create(&t[i], NULL, closer_thread, &k[i]), 0);
	}
	int closed = 0;
	for (int i = 0; i < CLOSERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(k[i].rc, DB_OK);
		if (!k[i].c.already && !k[i].c.busy)
			closed++;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(closed, 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM period_closings"), 1);
	assert_int_equal(fresh_count(db, "SELECT COUNT(*) FROM period_closing_log WHERE action = 'close'"),
	                 1);
	assert_int_equal(
	    fresh_count(db, "SELECT users FROM stats_snapshots WHERE period = '2024-03' AND unit_code = '0'"),
	    1);
}

/* Period boundaries with the cut-off read at statistics time: the 25th and
 * the 26th, the year's turn, the fiscal year's turn, another cut-off. */
static void test_stats_period_boundaries(void **state)
{
	struct db *db = DB(state);
	static const char *const days[] = {"2024-03-20", "2024-03-21", "2024-03-25", "2024-03-26",
	                                   "2024-12-25", "2024-12-26", "2024-09-25", "2024-09-26"};
	/* 4701 under the default cut-off (25), 4702 under cut-off 20: the
	 * period is decided when the entry is written, as the registry does
	 * (the cut-off setting of the day), and the statistics count by it. */
	for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
		struct visit_input v = mk(days[i], 10, 0, "นายขอบ", "welfare=completed");
		create(db, "4701", &v, officer1, NULL);
		assert_int_equal(period_of_day(v.day.y, v.day.m, v.day.d, 20, &v.period), 0);
		create(db, "4702", &v, officer1, NULL);
	}
	static const struct {
		int y, m, cutoff;
		const char *unit;
		int64_t users;
	} want[] = {
	    {2024, 3, 25, "4701", 3},                             /* 03-20, 03-21, 03-25 */
	    {2024, 4, 25, "4701", 1},                             /* 03-26 */
	    {2024, 3, 20, "4702", 1},                             /* cut-off 20: 03-20 only */
	    {2024, 4, 20, "4702", 3},                             /* 03-21, 03-25, 03-26 */
	    {2024, 12, 25, "4701", 1}, {2025, 1, 25, "4701", 1},  /* the year's turn */
	    {2024, 9, 25, "4701", 1},  {2024, 10, 25, "4701", 1}, /* the fiscal year's turn */
	    {2024, 12, 20, "4702", 0}, {2025, 1, 20, "4702", 2},  /* 12-25 and 12-26: January */
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct stats_table t;
		struct period p = {want[i].y, want[i].m};
		assert_int_equal(db_stats_period_live(db, p, want[i].cutoff, NULL, &t), DB_OK);
		struct stats_row *r = stats_table_find(&t, want[i].unit);
		assert_non_null(r);
		if (r->num.users != want[i].users)
			fail_msg("period %d-%02d cut-off %d: %lld users, want %lld", want[i].y, want[i].m,
			         want[i].cutoff, (long long)r->num.users, (long long)want[i].users);
		stats_table_free(&t);
	}
	/* FY2567 ends with period 2024-09 (its 25th), FY2568 begins on the 26th. */
	assert_int_equal(period_fiscal_year((struct period){2024, 9}), 2567);
	assert_int_equal(period_fiscal_year((struct period){2024, 10}), 2568);
	/* The closing job's list: grace days after the cut-off. */
	char due[8][PERIOD_ISO_SIZE];
	struct civil_day d28 = {2024, 3, 28}, d29 = {2024, 3, 29}, d26 = {2024, 3, 26};
	int n = db_stats_due_periods(db, 25, 3, d28, due, 8);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		assert_true(strcmp(due[i], "2024-03") < 0); /* 2024-03 is still open on the 28th */
	n = db_stats_due_periods(db, 25, 3, d29, due, 8);
	assert_true(n >= 1);
	assert_string_equal(due[n - 1], "2024-03");
	n = db_stats_due_periods(db, 25, 0, d26, due, 8);
	assert_string_equal(due[n - 1], "2024-03");
	/* Closed periods leave the list. */
	struct stats_close c = {.period_iso = "2024-03", .cutoff = 25, .actor = "job", .now = 1};
	assert_int_equal(db_stats_close_period(db, &c), DB_OK);
	n = db_stats_due_periods(db, 25, 3, d29, due, 8);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(due[i], "2024-03");
}

/* The property: for random entries, edits, voids and responses, the
 * statistics of every period equal the same numbers computed by GROUP BY
 * over the raw rows, live and after closing (the snapshot), on both
 * backends. */
static uint64_t rng_state = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void random_input(struct visit_input *v)
{
	static const char *const days[] = {"2024-01-20", "2024-01-26", "2024-02-03",
	                                   "2024-02-25", "2024-02-26", "2024-03-10",
	                                   "2024-03-25", "2024-03-26", "2024-04-01"};
	static const char *const sex[] = {"", "male", "female", "other"};
	static const char *const age[] = {"", "under_20", "20_39", "40_59", "60_plus"};
	static const enum channel ch[] = {CHANNEL_TANGRAT, CHANNEL_WEB, CHANNEL_LINE, CHANNEL_OTHER};
	static const char *const svcs[] = {"welfare=completed", "welfare=referred", "queue=completed",
	                                   "welfare=not_completed queue=self_completed",
	                                   "queue=referred welfare=completed"};
	*v = mk(days[rnd(9)], 8 + (int)rnd(8), (int)rnd(60), "นายสุ่ม", svcs[rnd(5)]);
	snprintf(v->sex, sizeof v->sex, "%s", sex[rnd(4)]);
	snprintf(v->age_band, sizeof v->age_band, "%s", age[rnd(5)]);
	v->channel = ch[rnd(4)];
}

struct raw_check {
	const char *period, *first, *last;
	struct stats_table *t;
	int diffs;
};

static int64_t raw_int(struct dbc *c, const char *sql, const char *a, const char *b, const char *d)
{
	int64_t v = 0;
	int rc = d ? db_query_int(c, &v, sql, "ttt", a, b, d) : db_query_int(c, &v, sql, "tt", a, b);
	return rc == DB_ROW ? v : -1;
}

static int raw_check_fn(struct dbc *c, void *arg)
{
	struct raw_check *k = arg;
	k->diffs = 0;
	static const char *const units[] = {"4701", "4702", "47", "0"};
	for (size_t u = 0; u < 4; u++) {
		/* A unit's rows: a district's own, a province's and the nation's all. */
		char lo[8], hi[8];
		if (!strcmp(units[u], "0") || !strcmp(units[u], "47"))
			snprintf(lo, sizeof lo, "47"), snprintf(hi, sizeof hi, "48");
		else
			snprintf(lo, sizeof lo, "%s", units[u]), snprintf(hi, sizeof hi, "%s", units[u]),
			    hi[3]++;
		struct stats_row *r = stats_table_find(k->t, units[u]);
		if (!r)
			return DB_ERROR;
		int64_t users =
		    raw_int(c,
		            "SELECT COUNT(*) FROM visits WHERE status = 'active' AND period = ? AND "
		            "unit_code >= ? AND unit_code < ?",
		            k->period, lo, hi);
		int64_t tx =
		    raw_int(c,
		            "SELECT COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id WHERE "
		            "v.status = 'active' AND v.period = ? AND v.unit_code >= ? AND v.unit_code < ?",
		            k->period, lo, hi);
		int64_t sn =
		    raw_int(c,
		            "SELECT COUNT(*) FROM survey_responses WHERE period = ? AND unit_code >= ? AND "
		            "unit_code < ?",
		            k->period, lo, hi);
		int64_t ss =
		    raw_int(c,
		            "SELECT COALESCE(SUM(overall), 0) FROM survey_responses WHERE period = ? AND "
		            "unit_code >= ? AND unit_code < ?",
		            k->period, lo, hi);
		int64_t sp =
		    raw_int(c,
		            "SELECT COUNT(*) FROM survey_responses WHERE source = 'point' AND period = ? AND "
		            "unit_code >= ? AND unit_code < ?",
		            k->period, lo, hi);
		if (users != r->num.users || tx != r->num.transactions || sn != r->num.survey_n ||
		    ss != r->num.survey_sum || sp != r->num.survey_point_n) {
			fprintf(stderr,
			        "period %s unit %s: users %lld/%lld tx %lld/%lld n %lld/%lld sum %lld/%lld "
			        "point %lld/%lld\n",
			        k->period, units[u], (long long)r->num.users, (long long)users,
			        (long long)r->num.transactions, (long long)tx, (long long)r->num.survey_n,
			        (long long)sn, (long long)r->num.survey_sum, (long long)ss,
			        (long long)r->num.survey_point_n, (long long)sp);
			k->diffs++;
		}
		/* Breakdowns of the province: each key's count by GROUP BY. */
		if (strcmp(units[u], "47") != 0 || !r->bd)
			continue;
		static const struct {
			const char *dim, *sql;
		} q[] = {
		    {"channel", "SELECT COUNT(*) FROM visits WHERE status = 'active' AND period = ? AND "
		                "unit_code >= '47' "
		                "AND unit_code < '48' AND channel = ?"},
		    {"sex", "SELECT COUNT(*) FROM visits WHERE status = 'active' AND period = ? AND "
		            "unit_code >= '47' AND "
		            "unit_code < '48' AND (CASE WHEN sex = '' THEN 'unknown' ELSE sex END) = ?"},
		    {"age_band", "SELECT COUNT(*) FROM visits WHERE status = 'active' AND period = ? AND "
		                 "unit_code >= '47' "
		                 "AND unit_code < '48' AND (CASE WHEN age_band = '' THEN 'unknown' ELSE "
		                 "age_band END) = ?"},
		    {"service", "SELECT COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id "
		                "WHERE v.status = "
		                "'active' AND v.period = ? AND v.unit_code >= '47' AND v.unit_code < '48' "
		                "AND s.service_code = ?"},
		    {"outcome", "SELECT COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id "
		                "WHERE v.status = "
		                "'active' AND v.period = ? AND v.unit_code >= '47' AND v.unit_code < '48' "
		                "AND s.outcome = ?"},
		};
		static const char *const keys[] = {
		    "tangrat", "web",       "line",           "other",    "male",         "female",
		    "unknown", "under_20",  "20_39",          "40_59",    "60_plus",      "welfare",
		    "queue",   "completed", "self_completed", "referred", "not_completed"};
		for (size_t d = 0; d < sizeof q / sizeof *q; d++) {
			int64_t sum = 0;
			for (size_t kk = 0; kk < sizeof keys / sizeof *keys; kk++) {
				int64_t want = raw_int(c, q[d].sql, k->period, keys[kk], NULL);
				json_t *got = json_object_get(json_object_get(r->bd, q[d].dim), keys[kk]);
				int64_t g = got ? json_integer_value(got) : 0;
				sum += want;
				if (g != want) {
					fprintf(stderr, "period %s breakdown %s %s: %lld, by GROUP BY %lld\n",
					        k->period, q[d].dim, keys[kk], (long long)g, (long long)want);
					k->diffs++;
				}
			}
			(void)sum;
		}
	}
	return DB_OK;
}

static void check_against_raw(struct db *db, const char *iso, bool snapshot)
{
	struct period p;
	assert_int_equal(period_parse(iso, &p), 0);
	struct stats_table t;
	if (snapshot) {
		assert_int_equal(db_stats_period(db, p, 25, "47", &t), DB_OK);
		assert_true(t.closed);
	} else {
		assert_int_equal(db_stats_period_live(db, p, 25, "47", &t), DB_OK);
	}
	struct raw_check k = {iso, NULL, NULL, &t, 0};
	assert_int_equal(db_read(db, raw_check_fn, &k), DB_OK);
	stats_table_free(&t);
	assert_int_equal(k.diffs, 0);
}

/* The dashboard's trend (db_stats_unit_periods, two statements) against
 * GROUP BY over raw rows, for a district, the province and the nation, over
 * the four periods in any order, whichever of them are closed. */
struct trend_check {
	const char *unit;
	struct stats_num got[4];
	bool closed[4];
	int diffs;
};

static const char *const trend_periods[] = {"2024-03", "2024-01", "2024-04", "2024-02"};

static int trend_raw_fn(struct dbc *c, void *arg)
{
	struct trend_check *k = arg;
	k->diffs = 0;
	char lo[8] = "47", hi[8] = "48";
	if (strlen(k->unit) == 4)
		snprintf(lo, sizeof lo, "%s", k->unit), snprintf(hi, sizeof hi, "%s", k->unit), hi[3]++;
	for (size_t i = 0; i < 4; i++) {
		int64_t users = 0, n = 0, sum = 0, closed = 0;
		db_query_int(c, &users,
		             "SELECT COUNT(*) FROM visits WHERE status = 'active' AND period = ? AND "
		             "unit_code >= ? AND unit_code < ?",
		             "ttt", trend_periods[i], lo, hi);
		db_query_int(c, &n,
		             "SELECT COUNT(*) FROM survey_responses WHERE period = ? AND unit_code >= ? AND "
		             "unit_code < ?",
		             "ttt", trend_periods[i], lo, hi);
		db_query_int(c, &sum,
		             "SELECT COALESCE(SUM(overall), 0) FROM survey_responses WHERE period = ? AND "
		             "unit_code >= ? AND unit_code < ?",
		             "ttt", trend_periods[i], lo, hi);
		db_query_int(c, &closed, "SELECT COUNT(*) FROM period_closings WHERE period = ?", "t",
		             trend_periods[i]);
		if (users != k->got[i].users || n != k->got[i].survey_n || sum != k->got[i].survey_sum ||
		    (closed != 0) != k->closed[i]) {
			fprintf(stderr,
			        "trend %s %s: users %lld n %lld sum %lld closed %d, by GROUP BY %lld %lld "
			        "%lld %lld\n",
			        k->unit, trend_periods[i], (long long)k->got[i].users,
			        (long long)k->got[i].survey_n, (long long)k->got[i].survey_sum, k->closed[i],
			        (long long)users, (long long)n, (long long)sum, (long long)closed);
			k->diffs++;
		}
	}
	return DB_OK;
}

static void check_trend(struct db *db)
{
	struct period ps[4];
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(period_parse(trend_periods[i], &ps[i]), 0);
	static const char *const units[] = {"4701", "47", "0"};
	for (size_t u = 0; u < 3; u++) {
		struct trend_check k = {.unit = units[u]};
		assert_int_equal(db_stats_unit_periods(db, units[u], ps, 4, k.got, k.closed), DB_OK);
		assert_int_equal(db_read(db, trend_raw_fn, &k), DB_OK);
		assert_int_equal(k.diffs, 0);
		/* One period alone: the same numbers. */
		struct stats_num one;
		bool closed;
		assert_int_equal(db_stats_unit_periods(db, units[u], &ps[2], 1, &one, &closed), DB_OK);
		assert_int_equal(one.users, k.got[2].users);
		assert_int_equal(one.survey_sum, k.got[2].survey_sum);
		assert_true(closed == k.closed[2]);
	}
}

static void test_stats_equal_group_by_over_raw_rows(void **state)
{
	struct db *db = DB(state);
	int64_t ids[400];
	int n = 0;
	for (int round = 0; round < 400; round++) {
		unsigned op = n ? rnd(10) : 0;
		struct visit_input v;
		random_input(&v);
		if (op < 7 || n == 0) {
			struct visit_created out = create(db, rnd(2) ? "4701" : "4702", &v, officer1, NULL);
			ids[n++] = out.id;
		} else if (op < 9) {
			int rc = update(db, ids[rnd((unsigned)n)], &v, VISIT_CID_KEEP, NULL, admin1);
			assert_true(rc == DB_OK || rc == VISIT_RC_VOID);
		} else {
			int rc =
			    db_visit_void(db, ids[rnd((unsigned)n)], "ทดสอบ", admin1, 1700000000, 0, NULL);
			assert_true(rc == DB_OK || rc == VISIT_RC_VOID);
		}
		/* Between writes: the province's breakdowns come from the districts'
		 * held in memory, read again only where a write moved the version. */
		if (round % 40 == 39)
			for (size_t i = 0; i < 4; i++) {
				static const char *const live[] = {"2024-01", "2024-02", "2024-03",
				                                   "2024-04"};
				check_against_raw(db, live[i], false);
			}
	}
	/* Responses straight in the table, their roll-up as the survey keeps it. */
	static const char *const rdays[][2] = {{"2024-01-26", "2024-02"},
	                                       {"2024-02-25", "2024-02"},
	                                       {"2024-02-26", "2024-03"},
	                                       {"2024-03-25", "2024-03"}};
	struct buf sql;
	buf_init(&sql, 0);
	for (int i = 0; i < 300; i++) {
		int d = (int)rnd(4);
		buf_printf(&sql,
		           "INSERT INTO survey_responses (id, unit_code, day, period, source, mode, "
		           "qset_version, overall) "
		           "VALUES ('%032x', '%s', '%s', '%s', '%s', 'online', 1, %u);",
		           i + 1, rnd(2) ? "4701" : "4702", rdays[d][0], rdays[d][1],
		           rnd(3) ? "visit" : "point", rnd(11));
	}
	buf_puts(
	    &sql,
	    "DELETE FROM rollup_survey; INSERT INTO rollup_survey (unit_code, day, source, n, sum_overall) "
	    "SELECT unit_code, day, source, COUNT(*), SUM(overall) FROM survey_responses "
	    "GROUP BY unit_code, day, source;"
	    "DELETE FROM rollup_period_units; INSERT INTO rollup_period_units (unit_code, period, users, "
	    "transactions, survey_n, survey_point_n, survey_visit_n, survey_sum, "
	    "active_days) " VISIT_PERIOD_UNITS_SQL ";");
	assert_int_equal(fresh_exec_tx(db, buf_str(&sql)), DB_OK);
	buf_cleanup(&sql);
	assert_rollups_consistent(db);
	static const char *const periods[] = {"2024-01", "2024-03", "2024-02", "2024-04"};
	for (size_t i = 0; i < 4; i++)
		check_against_raw(db, periods[i], false);
	check_trend(db);
	for (size_t i = 0; i < 4; i++) {
		struct stats_close c = {.period_iso = periods[i], .cutoff = 25, .actor = "cli", .now = 1};
		assert_int_equal(db_stats_close_period(db, &c), DB_OK);
		check_against_raw(db, periods[i], true);
		check_trend(db); /* closed and open ones mixed, then all closed */
	}
}

/* ---- the registry book: one snapshot, in the book's order ---- */

struct book_writer {
	struct db *db;
	atomic_bool stop;
	int made;
};

static void *book_writer_thread(void *arg)
{
	struct book_writer *w = arg;
	for (int i = 0; i < 300 && !atomic_load(&w->stop); i++) {
		/* Alternate the two years of period 2025-01 (26 Dec 2024 - 25 Jan 2025). */
		struct visit_input v = mk(i % 2 ? "2025-01-03" : "2024-12-28", 8 + i % 10, i % 60, "นายหนังสือ",
		                          "welfare=completed");
		struct visit_created out;
		struct visit_create in = {
		    .v = &v, .unit_code = "4701", .officer_id = officer1, .now = v.visited_at};
		if (db_visit_create(w->db, &in, &out) == DB_OK)
			w->made++;
	}
	return NULL;
}

/* Each book read is consistent: distinct entries, each year's numbers
 * 1..n without a gap (numbers are taken in commit order), and the order is
 * B.E. year then running number. */
static void assert_book_consistent(json_t *book)
{
	int64_t last_year = 0, last_seq = 0;
	size_t i;
	json_t *e;
	json_array_foreach(book, i, e)
	{
		int64_t y = fresh_jint(e, "year_be"), q = fresh_jint(e, "seq");
		if (y != last_year) {
			assert_true(y > last_year);
			assert_int_equal(q, 1);
		} else {
			assert_int_equal(q, last_seq + 1);
		}
		last_year = y;
		last_seq = q;
	}
}

static void test_book_is_a_snapshot_in_book_order(void **state)
{
	struct db *db = DB(state);
	/* Saved in an order unlike visit time: the book follows the numbers. */
	struct visit_input late = mk("2025-01-03", 15, 0, "นางบ่าย", "welfare=completed");
	struct visit_input early = mk("2025-01-03", 8, 0, "นางเช้า", "welfare=completed");
	struct visit_input dec = mk("2024-12-30", 9, 0, "นายธันวา", "welfare=completed");
	struct visit_created a = create(db, "4701", &late, officer1, NULL);
	struct visit_created b = create(db, "4701", &early, officer1, NULL);
	struct visit_created c = create(db, "4701", &dec, officer1, NULL);
	assert_int_equal(db_visit_void(db, b.id, "ซ้ำ", admin1, early.visited_at + 60, 0, NULL), DB_OK);
	json_t *book = NULL;
	assert_int_equal(db_visits_book(db, "4701", "2025-01", &book), DB_OK);
	assert_int_equal(json_array_size(book), 3);                        /* the void one too */
	assert_int_equal(fresh_jint(json_array_get(book, 0), "id"), c.id); /* 2567 first */
	assert_int_equal(fresh_jint(json_array_get(book, 1), "id"), a.id); /* 1/2568 */
	assert_int_equal(fresh_jint(json_array_get(book, 2), "id"), b.id); /* 2/2568 */
	assert_string_equal(fresh_jstr(json_array_get(book, 2), "status"), "void");
	json_decref(book);

	/* Read while another thread writes: every read is whole. */
	assert_int_equal(fresh_exec_tx(db, "DELETE FROM visit_history; DELETE FROM visit_services; "
	                                   "DELETE FROM visits; DELETE FROM rollup_visits; "
	                                   "DELETE FROM rollup_services; DELETE FROM visit_counters"),
	                 DB_OK);
	struct book_writer w = {.db = db};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, book_writer_thread, &w), 0);
	size_t reads = 0, largest = 0;
	for (int i = 0; i < 60; i++) {
		json_t *bk = NULL;
		assert_int_equal(db_visits_book(db, "4701", "2025-01", &bk), DB_OK);
		assert_book_consistent(bk);
		if (json_array_size(bk) > largest)
			largest = json_array_size(bk);
		json_decref(bk);
		reads++;
		usleep(2000);
	}
	atomic_store(&w.stop, true);
	pthread_join(t, NULL);
	assert_int_equal(reads, 60);
	json_t *bk = NULL;
	assert_int_equal(db_visits_book(db, "4701", "2025-01", &bk), DB_OK);
	assert_int_equal((int)json_array_size(bk), w.made);
	assert_book_consistent(bk);
	json_decref(bk);
}

int main(int argc, char **argv)
{
	int rc = fresh_main(argc, argv, "test_visits");
	if (rc)
		return rc;
	backend = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_numbers_per_unit_and_year, clear),
	    cmocka_unit_test_setup(test_get_model, clear),
	    cmocka_unit_test_setup(test_create_refuses_bad_references, clear),
	    cmocka_unit_test_setup(test_idempotent_create, clear),
	    cmocka_unit_test_setup(test_idempotent_race, clear),
	    cmocka_unit_test_setup(test_concurrent_numbers_gap_free, clear),
	    cmocka_unit_test_setup(test_rollups_follow_edits_and_voids, clear),
	    cmocka_unit_test_setup(test_history_and_refusals, clear),
	    cmocka_unit_test_setup(test_edit_cid_and_officer, clear),
	    cmocka_unit_test_setup(test_list_filters, clear),
	    cmocka_unit_test_setup(test_list_pages_void_and_totals, clear),
	    cmocka_unit_test_setup(test_purge, clear),
	    cmocka_unit_test_setup(test_purge_batches, clear),
	    cmocka_unit_test_setup(test_rekey_legacy_imports, clear),
	    cmocka_unit_test_setup(test_find_by_cid, clear),
	    cmocka_unit_test_setup(test_period_attested, clear),
	    cmocka_unit_test_setup(test_period_rule_inside_write, clear),
	    cmocka_unit_test_setup(test_period_closes_while_writes_race, clear),
	    cmocka_unit_test_setup(test_book_is_a_snapshot_in_book_order, clear),
	    cmocka_unit_test_setup(test_snapshot_close_races_writes, clear),
	    cmocka_unit_test_setup(test_stats_close_exactly_once, clear),
	    cmocka_unit_test_setup(test_stats_period_boundaries, clear),
	    cmocka_unit_test_setup(test_stats_equal_group_by_over_raw_rows, clear),
	};
	const char *group = fresh_is_pg() ? "visits.postgresql" : "visits.sqlite";
	rc = cmocka_run_group_tests_name(group, tests, group_setup, group_teardown);
	const char *scale = getenv("OSSPOINT_SCALE");
	if (rc == 0 && scale && strcmp(scale, "1") == 0) {
		const struct CMUnitTest scale_tests[] = {cmocka_unit_test_setup(test_scale, clear)};
		rc = cmocka_run_group_tests_name(fresh_is_pg() ? "visits.scale.postgresql"
		                                               : "visits.scale.sqlite",
		                                 scale_tests, group_setup, group_teardown);
	}
	return rc;
}
