/* The fault sweep (issue 8 item 16), as SQLite tests itself: each operation —
 * registry create, edit, CSV import (the background job), the three exports,
 * and login — runs through the real router and handlers without a socket
 * (harness.h), once per N with the Nth event of a kind failing (lib/fault.h:
 * allocation, database step, file write), the fault firing once or from N
 * on. After each run, with nothing armed:
 *   - the answer is a success, or a 5xx problem (a Thai title, its status,
 *     its type): never a 4xx that blames the user, never a crash or no reply;
 *   - nothing is half-written: the entry count (sessions for a login, the
 *     edited entry's fields and history for an edit, all of a file's rows for
 *     an import) is the one before or the one after; a success is "after";
 *     every entry is whole (its services, its 'create' history row); the
 *     roll-ups equal the entries (db_rollups_check, as `osspoint check`); on
 *     SQLite PRAGMA quick_check is ok;
 *   - an export that answers 200 is the whole book (every entry of the
 *     period as a CSV record; a complete zip; a complete PDF);
 *   - a create that failed but was stored is found by its idempotency key.
 * The sweep ends where the fault no longer fires, and that last run must
 * succeed.
 *
 *   test_fault sqlite|postgresql [--long] [--only=NAME]
 *
 * Short (make test): at most SHORT_POINTS values of N per operation, kind
 * and mode, spread over the events the operation makes (a few hundred runs in
 * all). --long (make fault-long): every N. In a build without OSSPOINT_FAULT
 * each operation runs once without faults, with the same checks: the
 * harness's own test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../db/fresh.h"
#include "../unit/support.h"
#include "core/period.h"
#include "db/db.h"
#include "db/visits.h"
#include "harness.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/fault.h"
#include "lib/thai.h"
#include "render/export.h"
#include "web/app.h"

#define SHORT_POINTS 8
#define LONG_LIMIT   20000 /* a sweep that has not ended by then is a bug */
#define UNIT         "4701"

static bool long_sweep;
static const char *only;    /* --only=NAME: the operations whose name starts so */
static unsigned runs_total; /* runs checked, for the closing line */

/* ---- the world the operations share ---- */

struct world {
	struct harness *h;
	struct hclient officer, admin;
	char period[PERIOD_ISO_SIZE]; /* the current period */
	int64_t entry_id;             /* the entry the edits change */
	unsigned seq;                 /* makes names and keys unique */
	/* the run being checked */
	char what[160];
	char name[80], key[80], remarks[80];
	int64_t before, before_history;
	json_t *before_entry;
};

static struct world W;

static int64_t count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t count(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return fresh_count(harness_db(W.h), sql);
}

static int64_t visits(void)
{
	return count("SELECT COUNT(*) AS n FROM visits WHERE unit_code = '" UNIT "'");
}

/* "YYYY-MM-DDTHH:MM", Bangkok time, minutes from now. */
static void bangkok(char out[24], int minutes)
{
	struct civil_time t;
	assert_int_equal(thai_epoch_to_local((int64_t)time(NULL) + minutes * 60, &t), 0);
	snprintf(out, 24, "%04d-%02d-%02dT%02d:%02d", t.y % 10000, t.m % 100, t.d % 100, t.hour % 100,
	         t.min % 100);
}

static void next_names(const char *prefix)
{
	W.seq++;
	snprintf(W.name, sizeof W.name, "%s ทดสอบ %u", prefix, W.seq);
	snprintf(W.key, sizeof W.key, "fault-%d-%u", (int)getpid(), W.seq);
	snprintf(W.remarks, sizeof W.remarks, "หมายเหตุ %u", W.seq);
}

static json_t *entry_json(const char *name, const char *key)
{
	char at[24];
	bangkok(at, -5);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}", "visited_at", at, "visitor_name",
	                 name, "cid", "1103702071838", "phone", "0812345678", "channel", "tangrat",
	                 "idempotency_key", key, "services", "code", "tangrat_signup", "outcome",
	                 "completed");
}

/* ---- checks shared by every run ---- */

static bool success(int status)
{
	return status >= 200 && status < 300;
}

/* Wrong answers to a fault that live in files this branch does not change
 * (issue 8 divides the work): each is tolerated only for its operation,
 * status and problem code, counted, and printed at the end, so that the
 * owner of the file can fix it and delete the line. Everything else that is
 * not a 5xx fails the sweep. */
static struct known {
	const char *op, *code;
	int status;
	const char *where;
	unsigned seen;
} known[] = {
    /* Failures the sweep found and tolerates until they are fixed, each
     * with where the fix goes: {op, code, status, where, 0}. The three it
     * found first (a failed read taken for a missing entry in load_entry
     * and for an unknown user at login, and an export sent without its
     * audit row) are fixed: db_visit_load, db_user_lookup, web_audit's
     * result. */
    {NULL, NULL, 0, NULL, 0},
};

static bool tolerated_code(int status, const char *code)
{
	for (size_t i = 0; known[i].op; i++)
		if (!strncmp(W.what, known[i].op, strlen(known[i].op)) && status == known[i].status && code &&
		    !strcmp(code, known[i].code)) {
			known[i].seen++;
			return true;
		}
	return false;
}

static bool tolerated(int status, const struct hreply *rep)
{
	return tolerated_code(status, json_string_value(json_object_get(rep->json, "code")));
}

/* A failure the user can read: a 5xx problem with its status and a title. */
static void check_answer(int status, const struct hreply *rep, bool injected)
{
	if (success(status))
		return;
	if (!injected)
		fail_msg("%s: answered %d without a fault: %.400s", W.what, status, rep->body);
	if ((status < 500 || status > 599) && tolerated(status, rep))
		return;
	if (status < 500 || status > 599)
		fail_msg("%s: a fault answered %d, not 5xx: %.400s", W.what, status, rep->body);
	/* A problem document (http/reply.c; when even its encoding fails, the
	 * layer's fixed one, which has no title). */
	const char *type = json_string_value(json_object_get(rep->json, "type"));
	const json_t *title = json_object_get(rep->json, "title");
	if (!rep->json || json_integer_value(json_object_get(rep->json, "status")) != status || !type ||
	    strncmp(type, "/problems/", 10) || (title && !*json_string_value(title)))
		fail_msg("%s: a %d that is not a problem document: %.400s", W.what, status, rep->body);
}

/* Nothing half-written anywhere: whole entries, roll-ups equal to them, a
 * sound file. */
static void check_store(void)
{
	int64_t partial =
	    count("SELECT COUNT(*) AS n FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_services "
	          "s WHERE s.visit_id = v.id) OR (SELECT COUNT(*) FROM visit_history h WHERE "
	          "h.visit_id = v.id AND h.action = 'create') <> 1");
	if (partial)
		fail_msg("%s: %" PRId64 " entries without their services or 'create' history", W.what,
		         partial);
	json_t *diffs = NULL;
	int n = db_rollups_check(harness_db(W.h), &diffs);
	if (n != 0) {
		char *s = json_dumps(diffs, JSON_COMPACT);
		fail_msg("%s: osspoint check finds %d roll-up differences: %.600s", W.what, n, s ? s : "");
	}
	json_decref(diffs);
	if (!fresh_is_pg()) {
		json_t *q = fresh_query(harness_db(W.h), "PRAGMA quick_check");
		const char *ok = json_string_value(json_object_get(json_array_get(q, 0), "quick_check"));
		if (!ok || strcmp(ok, "ok"))
			fail_msg("%s: PRAGMA quick_check: %s", W.what, ok ? ok : "?");
		json_decref(q);
	}
}

/* ---- the operations ---- */

struct op {
	const char *name;
	void (*prepare)(void);                               /* fault-free: note the state before */
	int (*run)(struct hreply *rep);                      /* armed */
	void (*check)(int status, const struct hreply *rep); /* fault-free */
};

/* POST /registry as the officer. */
static void create_prepare(void)
{
	next_names("สร้าง");
	W.before = visits();
}

static int create_run(struct hreply *rep)
{
	json_t *e = entry_json(W.name, W.key);
	int status = harness_json(W.h, &W.officer, "POST", "/registry", e, rep);
	json_decref(e);
	return status;
}

static void create_check(int status, const struct hreply *rep)
{
	int64_t after = visits();
	int64_t named = count("SELECT COUNT(*) AS n FROM visits WHERE idempotency_key = '%s'", W.key);
	if (after != W.before + named || named > 1)
		fail_msg("%s: %" PRId64 " entries before, %" PRId64 " after, %" PRId64 " with the key",
		         W.what, W.before, after, named);
	if (success(status)) {
		if (status != 201 || named != 1 || json_integer_value(json_object_get(rep->json, "id")) <= 0)
			fail_msg("%s: answered %d but stored %" PRId64 ": %.300s", W.what, status, named,
			         rep->body);
		return;
	}
	if (named == 1) {
		/* Stored, then the answer failed: a retry finds it. */
		struct hreply again;
		json_t *e = entry_json(W.name, W.key);
		int st = harness_json(W.h, &W.officer, "POST", "/registry", e, &again);
		json_decref(e);
		if (st != 200 || !json_is_true(json_object_get(again.json, "existing")))
			fail_msg("%s: stored although it answered %d, and a retry answered %d: %.300s",
			         W.what, status, st, again.body);
		hreply_cleanup(&again);
		assert_int_equal(visits(), after);
	}
}

/* POST /registry/{id} as the officer: a new name and remarks. */
static json_t *entry_now(void)
{
	json_t *e = db_visit_get(harness_db(W.h), W.entry_id);
	assert_non_null(e);
	return e;
}

static int64_t history(void)
{
	return count("SELECT COUNT(*) AS n FROM visit_history WHERE visit_id = %" PRId64, W.entry_id);
}

static void edit_prepare(void)
{
	next_names("แก้ไข");
	json_decref(W.before_entry);
	W.before_entry = entry_now();
	W.before_history = history();
}

static int edit_run(struct hreply *rep)
{
	char target[64];
	snprintf(target, sizeof target, "/registry/%" PRId64, W.entry_id);
	json_t *e = json_pack("{s:s, s:s}", "visitor_name", W.name, "remarks", W.remarks);
	int status = harness_json(W.h, &W.officer, "POST", target, e, rep);
	json_decref(e);
	return status;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void edit_check(int status, const struct hreply *rep)
{
	json_t *now = entry_now();
	int64_t h = history();
	bool old = !strcmp(jstr(now, "visitor_name"), jstr(W.before_entry, "visitor_name")) &&
	           !strcmp(jstr(now, "remarks"), jstr(W.before_entry, "remarks"));
	bool new = !strcmp(jstr(now, "visitor_name"), W.name) && !strcmp(jstr(now, "remarks"), W.remarks);
	if (!(old && h == W.before_history) && !(new &&h == W.before_history + 1))
		fail_msg("%s: half an edit: name \"%s\", remarks \"%s\", %" PRId64
		         " history rows (before: \"%s\", "
		         "\"%s\", %" PRId64 ")",
		         W.what, jstr(now, "visitor_name"), jstr(now, "remarks"), h,
		         jstr(W.before_entry, "visitor_name"), jstr(W.before_entry, "remarks"),
		         W.before_history);
	if (success(status) && !new)
		fail_msg("%s: answered %d but the edit is not stored: %.300s", W.what, status, rep->body);
	json_decref(now);
}

/* POST /registry/import (text/csv) as the district admin, then the job's
 * page until it ends. The job's events count; the polling thread's do not. */
#define IMPORT_ROWS 3
static char import_job_status[16], import_job_message[512];

static struct buf import_csv; /* built before the run: the test's own buffer must not fail */

static void import_prepare(void)
{
	next_names("นำเข้า");
	W.before = visits();
	/* A second of its own: an imported row's key is made of its time,
	 * channel and services (not the name), and rows alike are told apart
	 * only by their place in the file. */
	char at[32];
	struct civil_time t;
	static int64_t t0;
	if (!t0)
		t0 = (int64_t)time(NULL) - 600;
	assert_int_equal(thai_epoch_to_local(t0 - W.seq, &t), 0);
	snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02d", t.y % 10000, t.m % 100, t.d % 100,
	         t.hour % 100, t.min % 100, t.sec % 100);
	buf_cleanup(&import_csv);
	buf_init(&import_csv, 0);
	buf_puts(&import_csv, "visited_at,visitor_name,channel,services\r\n");
	for (int i = 0; i < IMPORT_ROWS; i++)
		buf_printf(&import_csv, "%s,%s แถว %d,web,tangrat_signup:completed\r\n", at, W.name, i + 1);
}

static int import_run(struct hreply *rep)
{
	import_job_status[0] = import_job_message[0] = '\0';
	int status = harness_request(W.h, &W.admin, "POST", "/registry/import", "text/csv",
	                             buf_str(&import_csv), import_csv.len, rep);
	if (status != 202) {
		/* The job may have started before its answer failed: let it end
		 * before the count is checked (and a retry finds its rows). */
#ifdef OSSPOINT_FAULT
		fault_thread_exempt(true);
#endif
		registry_import_jobs_wait();
#ifdef OSSPOINT_FAULT
		fault_thread_exempt(false);
#endif
		return status;
	}
	const char *href = json_string_value(json_object_get(rep->json, "href"));
	assert_non_null(href);
#ifdef OSSPOINT_FAULT
	fault_thread_exempt(true);
#endif
	for (int tries = 0; tries < 20000; tries++) {
		struct hreply page;
		int st = harness_request(W.h, &W.admin, "GET", href, NULL, NULL, 0, &page);
		json_t *job = json_object_get(page.json, "job");
		const char *s = json_string_value(json_object_get(job, "status"));
		if (st != 200 || !s)
			fail_msg("%s: the job page answered %d: %.300s", W.what, st, page.body);
		if (strcmp(s, "running")) {
			snprintf(import_job_status, sizeof import_job_status, "%s", s);
			snprintf(import_job_message, sizeof import_job_message, "%s", jstr(job, "message"));
			hreply_cleanup(&page);
			break;
		}
		hreply_cleanup(&page);
		usleep(1000);
	}
#ifdef OSSPOINT_FAULT
	fault_thread_exempt(false);
#endif
	if (!import_job_status[0])
		fail_msg("%s: the import job did not end", W.what);
	return status;
}

static void import_check(int status, const struct hreply *rep)
{
	int64_t after = visits();
	if (after != W.before && after != W.before + IMPORT_ROWS)
		fail_msg("%s: %" PRId64 " entries before, %" PRId64 " after: part of the file", W.what,
		         W.before, after);
	if (status != 202)
		return;
	if (!strcmp(import_job_status, "done")) {
		if (after != W.before + IMPORT_ROWS)
			fail_msg("%s: the job says done but %" PRId64 " of %d rows are stored", W.what,
			         after - W.before, IMPORT_ROWS);
	} else if (!strcmp(import_job_status, "failed")) {
		if (after != W.before)
			fail_msg("%s: the job failed but stored the rows", W.what);
		if (!import_job_message[0])
			fail_msg("%s: the job failed without a message", W.what);
	} else {
		fail_msg("%s: the job ended as \"%s\"", W.what, import_job_status);
	}
	(void)rep;
}

/* GET /registry/export.{csv,xlsx,pdf} as the officer. */
static int64_t book_size;

static int64_t export_audits(void)
{
	return count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'registry.export'");
}

static void export_prepare(void)
{
	book_size = count("SELECT COUNT(*) AS n FROM visits WHERE unit_code = '" UNIT "' AND period = '%s'",
	                  W.period);
	W.before = export_audits();
}

/* An export that was sent is in the audit log (PDPA: every export of
 * personal data is). */
static void export_audited(int status)
{
	int64_t after = export_audits();
	if (after != W.before && after != W.before + 1)
		fail_msg("%s: %" PRId64 " export audit rows added", W.what, after - W.before);
	if (success(status) && after != W.before + 1 && !tolerated_code(200, "audit-missing"))
		fail_msg("%s: an export was sent without its audit row", W.what);
}

static int export_run_fmt(struct hreply *rep, const char *ext)
{
	char target[96];
	snprintf(target, sizeof target, "/registry/export.%s?unit=" UNIT "&period=%s", ext, W.period);
	return harness_request(W.h, &W.officer, "GET", target, NULL, NULL, 0, rep);
}

static int export_csv_run(struct hreply *rep)
{
	return export_run_fmt(rep, "csv");
}

static int export_xlsx_run(struct hreply *rep)
{
	return export_run_fmt(rep, "xlsx");
}

static int export_pdf_run(struct hreply *rep)
{
	return export_run_fmt(rep, "pdf");
}

static void export_csv_check(int status, const struct hreply *rep)
{
	export_audited(status);
	if (!success(status))
		return;
	struct csv c;
	csv_init(&c, rep->body, rep->len);
	int64_t records = 0;
	int rc;
	while ((rc = csv_next(&c)) == CSV_RECORD)
		records++;
	csv_cleanup(&c);
	if (rc != CSV_EOF || records != 1 + book_size)
		fail_msg("%s: a 200 CSV of %" PRId64 " records (reader %d) for %" PRId64 " entries", W.what,
		         records, rc, book_size);
}

static bool ends_with(const struct hreply *rep, const char *tail, size_t within)
{
	size_t n = strlen(tail);
	for (size_t back = 0; back + n <= rep->len && back <= within; back++)
		if (!memcmp(rep->body + rep->len - n - back, tail, n))
			return true;
	return false;
}

static void export_xlsx_check(int status, const struct hreply *rep)
{
	export_audited(status);
	/* A zip ends with its end-of-central-directory record (22 bytes, no
	 * comment). */
	if (success(status) &&
	    (rep->len < 100 || memcmp(rep->body, "PK\x03\x04", 4) || !ends_with(rep, "PK\x05\x06", 22)))
		fail_msg("%s: a 200 XLSX of %zu bytes that is not a whole zip", W.what, rep->len);
}

static void export_pdf_check(int status, const struct hreply *rep)
{
	export_audited(status);
	if (success(status) &&
	    (rep->len < 100 || memcmp(rep->body, "%PDF-", 5) || !ends_with(rep, "%%EOF", 4)))
		fail_msg("%s: a 200 PDF of %zu bytes that is not whole", W.what, rep->len);
}

/* POST /login (JSON) as the officer. */
static struct hclient login_client;

static int64_t sessions(void)
{
	return count("SELECT COUNT(*) AS n FROM sessions");
}

static void login_prepare(void)
{
	/* Each run starts unthrottled: the known wrong 401 (below) counts as a
	 * failed attempt, and enough of them would throttle the next runs. */
	assert_int_equal(fresh_exec_tx(harness_db(W.h), "DELETE FROM login_attempts"), DB_OK);
	W.before = sessions();
}

static int login_run(struct hreply *rep)
{
	return harness_login(W.h, &login_client, "officer4701", rep);
}

static void login_check(int status, const struct hreply *rep)
{
	int64_t after = sessions();
	if (after != W.before && after != W.before + 1)
		fail_msg("%s: %" PRId64 " sessions before, %" PRId64 " after", W.what, W.before, after);
	if (!success(status))
		return;
	if (after != W.before + 1)
		fail_msg("%s: logged in without a stored session", W.what);
	struct hreply home;
	int st = harness_request(W.h, &login_client, "GET", "/home", NULL, NULL, 0, &home);
	if (st != 200)
		fail_msg("%s: the new session does not open /home: %d", W.what, st);
	hreply_cleanup(&home);
	(void)rep;
}

/* POST /helpdesk as the officer (issue 11): a แจ้งปัญหา thread with a PDF
 * attachment, multipart. All or nothing: the thread, its first message,
 * the attachment row and the blob with every chunk, or none of them. */
static const char hd_boundary[] = "----osspointfault";
static char hd_body[2048];
static size_t hd_len;
static int64_t hd_threads, hd_blobs;

static void helpdesk_prepare(void)
{
	next_names("แจ้ง");
	static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	                          "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
	                          "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
	                          "trailer<</Root 1 0 R>>\n%%EOF\n";
	int n =
	    snprintf(hd_body, sizeof hd_body,
	             "--%s\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n%s\r\n"
	             "--%s\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nรายละเอียด %u\r\n"
	             "--%s\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\n"
	             "Content-Type: application/pdf\r\n\r\n%s %u\r\n--%s--\r\n",
	             hd_boundary, W.name, hd_boundary, W.seq, hd_boundary, pdf, W.seq, hd_boundary);
	assert_true(n > 0 && (size_t)n < sizeof hd_body);
	hd_len = (size_t)n;
	hd_threads = count("SELECT COUNT(*) AS n FROM helpdesk_threads");
	hd_blobs = count("SELECT COUNT(*) AS n FROM blobs");
}

static int helpdesk_run(struct hreply *rep)
{
	char ct[96];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", hd_boundary);
	return harness_request(W.h, &W.officer, "POST", "/helpdesk", ct, hd_body, hd_len, rep);
}

static void helpdesk_check(int status, const struct hreply *rep)
{
	int64_t threads = count("SELECT COUNT(*) AS n FROM helpdesk_threads");
	int64_t named = count("SELECT COUNT(*) AS n FROM helpdesk_threads WHERE subject = '%s'", W.name);
	if (threads != hd_threads + named || named > 1)
		fail_msg("%s: %" PRId64 " threads before, %" PRId64 " after", W.what, hd_threads, threads);
	if (success(status) && (status != 201 || named != 1))
		fail_msg("%s: answered %d but stored %" PRId64 ": %.300s", W.what, status, named, rep->body);
	int64_t half = count("SELECT COUNT(*) AS n FROM helpdesk_threads t WHERE NOT EXISTS (SELECT 1 FROM "
	                     "helpdesk_messages m WHERE m.thread_id = t.id) OR NOT EXISTS (SELECT 1 FROM "
	                     "helpdesk_attachments a WHERE a.thread_id = t.id)");
	int64_t lost =
	    count("SELECT COUNT(*) AS n FROM helpdesk_attachments a WHERE a.blob_hash IS NOT NULL AND "
	          "(SELECT COUNT(*) FROM blob_chunks c WHERE c.hash = a.blob_hash) = 0");
	int64_t orphans =
	    count("SELECT COUNT(*) AS n FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM "
	          "helpdesk_attachments a WHERE a.blob_hash = b.hash) AND NOT EXISTS (SELECT 1 FROM "
	          "help_docs d WHERE d.blob_hash = b.hash)");
	if (half || lost || orphans)
		fail_msg("%s: %" PRId64 " threads without their message or file, %" PRId64
		         " files without bytes, %" PRId64 " blobs nothing names",
		         W.what, half, lost, orphans);
	if (count("SELECT COUNT(*) AS n FROM blobs") != hd_blobs + named)
		fail_msg("%s: the blob count moved by other than the thread's file", W.what);
}

/* External aggregates (issue 10, web/external.c): POST /stats/external as
 * the national admin, three rows under a source label no run used before,
 * so a run adds all three with their import row or nothing; and the rows as XLSX
 * through the generic table export (render/table.c, web/table_export.c). */
static struct hclient ext_admin;
static struct buf ext_body;
static int64_t ext_before_imports;
#define EXT_BOUNDARY "osspointfaultsweep"

static int64_t ext_rows(void)
{
	return count("SELECT COUNT(*) AS n FROM external_aggregates");
}

static int64_t ext_imports(void)
{
	return count("SELECT COUNT(*) AS n FROM external_imports");
}

static void ext_import_prepare(void)
{
	if (!ext_admin.cookie[0])
		assert_int_equal(harness_login(W.h, &ext_admin, "nadmin", NULL), 200);
	/* A source label of its own (the rows' key is unit, period and source),
	 * so each run adds three rows however many runs a sweep makes. */
	static unsigned run;
	run++;
	buf_cleanup(&ext_body);
	buf_init(&ext_body, 0);
	buf_printf(
	    &ext_body,
	    "--" EXT_BOUNDARY "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
	    "--" EXT_BOUNDARY "\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\nก.พ.ร. รอบที่ %u\r\n"
	    "--" EXT_BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\n"
	    "รหัสหน่วยงาน,งวด,ผู้มารับบริการ,ผู้ตอบแบบสำรวจ,คะแนนรวม\r\n47,2024-02,1671,1000,9173\r\n"
	    "4701,2024-02,412,300,2790\r\n0,2024-02,98000,,\r\n\r\n--" EXT_BOUNDARY "--\r\n",
	    ext_admin.csrf, run);
	W.before = ext_rows();
	ext_before_imports = ext_imports();
}

static int ext_import_run(struct hreply *rep)
{
	return harness_request(W.h, &ext_admin, "POST", "/stats/external",
	                       "multipart/form-data; boundary=" EXT_BOUNDARY, ext_body.data, ext_body.len,
	                       rep);
}

static void ext_import_check(int status, const struct hreply *rep)
{
	int64_t rows = ext_rows(), imports = ext_imports();
	bool none = rows == W.before && imports == ext_before_imports;
	bool all = rows == W.before + 3 && imports == ext_before_imports + 1;
	if (!none && !all)
		fail_msg("%s: half an import: %" PRId64 " rows and %" PRId64 " imports added", W.what,
		         rows - W.before, imports - ext_before_imports);
	if (success(status) && !all)
		fail_msg("%s: answered %d but stored nothing", W.what, status);
	(void)rep;
}

static void ext_export_prepare(void)
{
	if (!ext_admin.cookie[0])
		assert_int_equal(harness_login(W.h, &ext_admin, "nadmin", NULL), 200);
}

static int ext_export_run(struct hreply *rep)
{
	return harness_request(W.h, &ext_admin, "GET", "/stats/external?format=xlsx&table=external", NULL,
	                       NULL, 0, rep);
}

static void ext_export_check(int status, const struct hreply *rep)
{
	if (success(status) &&
	    (rep->len < 100 || memcmp(rep->body, "PK\x03\x04", 4) || !ends_with(rep, "PK\x05\x06", 22)))
		fail_msg("%s: a 200 XLSX of %zu bytes that is not a whole zip", W.what, rep->len);
}

/* POST /orders/{id}/issue as the district admin (issue 11): a fresh draft
 * each run. Numbering stays gap-free and unique whatever fails: the issued
 * orders of the office are numbered 1..n, the counter's next number is n + 1,
 * and the draft is either still a draft without a number or issued with
 * n + 1; a success says so. */
static int64_t ord_id, ord_issued;

static int64_t ord_count_issued(void)
{
	return count("SELECT COUNT(*) AS n FROM orders WHERE office_code = '" UNIT "' AND status = 'issued'");
}

static void order_issue_prepare(void)
{
	struct hreply rep;
	json_t *b = json_pack("{s:s}", "kind", "establishment");
	assert_int_equal(harness_json(W.h, &W.admin, "POST", "/orders", b, &rep), 201);
	json_decref(b);
	ord_id = json_integer_value(json_object_get(rep.json, "id"));
	hreply_cleanup(&rep);
	assert_true(ord_id > 0);
	ord_issued = ord_count_issued();
}

static int order_issue_run(struct hreply *rep)
{
	char path[64];
	snprintf(path, sizeof path, "/orders/%" PRId64 "/issue", ord_id);
	json_t *b = json_object();
	int status = harness_json(W.h, &W.admin, "POST", path, b, rep);
	json_decref(b);
	return status;
}

static void order_issue_check(int status, const struct hreply *rep)
{
	int64_t issued = ord_count_issued();
	int64_t mine =
	    count("SELECT COUNT(*) AS n FROM orders WHERE id = %" PRId64 " AND status = 'issued'", ord_id);
	int64_t numbered =
	    count("SELECT COUNT(*) AS n FROM orders WHERE id = %" PRId64 " AND number IS NOT NULL", ord_id);
	if (issued != ord_issued + mine || mine != numbered)
		fail_msg("%s: %" PRId64 " issued before, %" PRId64 " after; this draft issued %" PRId64
		         ", numbered %" PRId64,
		         W.what, ord_issued, issued, mine, numbered);
	int64_t top = count("SELECT COALESCE(MAX(number), 0) AS n FROM orders WHERE office_code = '" UNIT
	                    "' AND status = 'issued'");
	int64_t distinct = count("SELECT COUNT(DISTINCT number) AS n FROM orders WHERE office_code = '" UNIT
	                         "' AND status = 'issued'");
	int64_t next = count(
	    "SELECT COALESCE(MAX(next_number), 1) AS n FROM order_counters WHERE office_code = '" UNIT "'");
	if (top != issued || distinct != issued || next != issued + 1)
		fail_msg("%s: numbers not 1..%" PRId64 " (max %" PRId64 ", %" PRId64
		         " distinct, counter's next %" PRId64 ")",
		         W.what, issued, top, distinct, next);
	if (success(status) && (mine != 1 || !json_is_string(json_object_get(rep->json, "number")) ||
	                        atoll(json_string_value(json_object_get(rep->json, "number"))) != issued))
		fail_msg("%s: answered %d but the order is issued %" PRId64 " with number %" PRId64
		         ": %.300s",
		         W.what, status, mine, issued, rep->body);
}

static const struct op ops[] = {
    {"helpdesk raise", helpdesk_prepare, helpdesk_run, helpdesk_check},
    {"registry create", create_prepare, create_run, create_check},
    {"registry edit", edit_prepare, edit_run, edit_check},
    {"registry import", import_prepare, import_run, import_check},
    {"registry export csv", export_prepare, export_csv_run, export_csv_check},
    {"registry export xlsx", export_prepare, export_xlsx_run, export_xlsx_check},
    {"registry export pdf", export_prepare, export_pdf_run, export_pdf_check},
    {"login", login_prepare, login_run, login_check},
    {"external import", ext_import_prepare, ext_import_run, ext_import_check},
    {"external export xlsx", ext_export_prepare, ext_export_run, ext_export_check},
    {"order issue", order_issue_prepare, order_issue_run, order_issue_check},
};

/* One run of op: prepare, the armed part, the checks. Returns whether a
 * fault fired. */
static bool run_once(const struct op *op, int kind, unsigned long nth, bool persistent, unsigned long *events)
{
	struct hreply rep = {0};
	op->prepare();
#ifdef OSSPOINT_FAULT
	if (kind >= 0)
		fault_arm((enum fault_kind)kind, nth, persistent);
#endif
	int status = op->run(&rep);
	bool injected = false;
#ifdef OSSPOINT_FAULT
	if (kind >= 0) {
		*events = fault_events((enum fault_kind)kind);
		injected = fault_injected((enum fault_kind)kind) > 0;
		fault_disarm();
	}
#else
	(void)nth;
	(void)persistent;
	*events = 0;
#endif
	check_answer(status, &rep, injected);
	op->check(status, &rep);
	check_store();
	hreply_cleanup(&rep);
	return injected;
}

static void setup_world(void)
{
	W.h = harness_new();
	assert_int_equal(harness_login(W.h, &W.officer, "officer4701", NULL), 200);
	assert_int_equal(harness_login(W.h, &W.admin, "dadmin4701", NULL), 200);
	struct civil_day today;
	struct period p;
	assert_int_equal(thai_epoch_day((int64_t)time(NULL) - 300, &today), 0);
	assert_int_equal(period_of_day(today.y, today.m, today.d, 25, &p), 0);
	period_iso(p, W.period);
	/* The entry the edits change, and a few for the book. */
	snprintf(W.what, sizeof W.what, "setup");
	for (int i = 0; i < 3; i++) {
		struct hreply rep;
		next_names("ตั้งต้น");
		json_t *e = entry_json(W.name, W.key);
		assert_int_equal(harness_json(W.h, &W.officer, "POST", "/registry", e, &rep), 201);
		json_decref(e);
		W.entry_id = json_integer_value(json_object_get(rep.json, "id"));
		hreply_cleanup(&rep);
	}
	assert_true(W.entry_id > 0);
}

static void teardown_world(void)
{
	buf_cleanup(&import_csv);
	buf_cleanup(&ext_body);
	memset(&ext_admin, 0, sizeof ext_admin);
	json_decref(W.before_entry);
	W.before_entry = NULL;
	harness_free(W.h);
	W.h = NULL;
}

#ifdef OSSPOINT_FAULT

static const char *const mode_names[] = {"once", "from N on"};

/* Every N (long) or SHORT_POINTS values spread over the dry run's events. */
static void sweep(const struct op *op, enum fault_kind k, bool persistent, unsigned *runs)
{
	unsigned long events = 0, ev = 0;
	/* Two dry runs: the first may prepare statements and fill caches that
	 * later runs find ready; the second's count is the operation's. */
	snprintf(W.what, sizeof W.what, "%s, %s fault: dry run", op->name, fault_kind_name(k));
	for (int dry = 0; dry < 2; dry++)
		if (run_once(op, (int)k, 0, false, &events))
			fail_msg("%s: a fault fired in the dry run", W.what);
	unsigned points = 0;
	unsigned long last = 0;
	for (unsigned i = 0;; i++) {
		unsigned long nth;
		if (long_sweep || events < SHORT_POINTS)
			nth = i + 1;
		else if (i < SHORT_POINTS)
			nth = 1 + (unsigned long)i * (events - 1) / (SHORT_POINTS - 1);
		else /* past the dry run's events: the sweep ends where nothing fires */
			nth = last + 1 > events + 1 ? last + 1 : events + 1;
		if (nth <= last)
			continue;
		last = nth;
		if (nth > LONG_LIMIT)
			fail_msg("%s: still injecting at event %lu", W.what, nth);
		snprintf(W.what, sizeof W.what, "%s, %s fault at event %lu%s", op->name, fault_kind_name(k),
		         nth, persistent ? " and after" : "");
		(*runs)++;
		if (!run_once(op, (int)k, nth, persistent, &ev))
			break; /* past the operation's last event: it succeeded (checked) */
		points++;
	}
	print_message("fault: %-22s %-8s %-10s %5lu events, %3u injections\n", op->name, fault_kind_name(k),
	              mode_names[persistent], events, points);
}

static void test_sweep(void **state)
{
	(void)state;
	unsigned runs = 0;
	time_t t0 = time(NULL);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		for (int k = 0; k < FAULT__COUNT && (!only || !strncmp(ops[i].name, only, strlen(only))); k++)
			for (int persistent = 0; persistent < 2; persistent++)
				sweep(&ops[i], (enum fault_kind)k, persistent, &runs);
	runs_total = runs;
	print_message("fault: %u runs in %lld s (%s sweep)\n", runs, (long long)(time(NULL) - t0),
	              long_sweep ? "long" : "short");
	for (size_t i = 0; known[i].op; i++)
		if (known[i].seen)
			print_message("fault: KNOWN, to fix: %s answered %d %s %u times: %s\n", known[i].op,
			              known[i].status, known[i].code, known[i].seen, known[i].where);
}

/* Our own file write: the secret key file, created on first start. A failed
 * write refuses to start (-1 with a Thai message) and leaves neither the key
 * nor its temporary file behind: the next start creates it whole. */
static void test_secret_key_write_fault(void **state)
{
	(void)state;
	char dir[] = "/tmp/osspoint-fault-key-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/secret.key", dir);
	unsigned injected = 0;
	for (unsigned long nth = 1;; nth++) {
		char err[512] = "";
		fault_arm(FAULT_WRITE, nth, false);
		int rc = crypto_secret_load(path, err, sizeof err);
		bool fired = fault_injected(FAULT_WRITE) > 0;
		fault_disarm();
		char *left = support_run(false, "ls -A %s", dir);
		if (!fired) {
			assert_int_equal(rc, 0);
			assert_string_equal(left, "secret.key\n");
			free(left);
			break;
		}
		injected++;
		if (rc != -1 || !err[0] || left[0])
			fail_msg("key write fault %lu: rc %d, message \"%s\", left behind: %s", nth, rc, err,
			         left);
		free(left);
	}
	assert_true(injected >= 1);
	crypto_secret_forget();
	unlink(path);
	rmdir(dir);
}

#else

static void test_secret_key_write_fault(void **state)
{
	(void)state; /* needs OSSPOINT_FAULT */
}

/* Without OSSPOINT_FAULT: every operation once, with the same checks. */
static void test_sweep(void **state)
{
	(void)state;
	unsigned long events;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		snprintf(W.what, sizeof W.what, "%s (no fault build)", ops[i].name);
		run_once(&ops[i], -1, 0, false, &events);
		runs_total++;
	}
}

#endif

static int setup(void **state)
{
	(void)state;
	setup_world();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	teardown_world();
	return 0;
}

int main(int argc, char **argv)
{
	support_glib_malloc(argc, argv);
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--long"))
			long_sweep = true;
		else if (!strncmp(argv[i], "--only=", 7))
			only = argv[i] + 7;
	int rc = fresh_main(argc > 2 ? 2 : argc, argv, "fault");
	if (rc)
		return rc;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_secret_key_write_fault),
	    cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};
	rc = cmocka_run_group_tests_name("fault", tests, NULL, NULL);
	export_pdf_shutdown();
	/* The closing line scripts/test.sh counts. */
	printf("%u passed, %d failed\n", rc ? 0 : runs_total, rc ? 1 : 0);
	return rc;
}
