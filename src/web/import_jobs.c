/* /registry/import: upload a registry file (CSV or XLSX); the import runs as a background job
 * whose page shows its progress (it reloads itself each second; no script) and
 * then the result or the Thai list of bad rows. Jobs live in memory: a
 * restart forgets them, which is harmless because an import is all-or-nothing
 * and importing the same file again adds nothing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/perm.h"
#include "db/sessions.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "render/export.h"
#include "web/app.h"
#include "web/scope.h"
#include "web/import.h"
#include "web/registry.h"
#include "web/web.h"

#define MAX_JOBS 32

enum job_status { JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct job {
	char id[TOKEN_LEN];
	char unit[8];
	int64_t user_id;
	enum job_status status;
	size_t done, total;
	struct import_result res;
	char *data;
	size_t len;
	time_t finished;
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_idle = PTHREAD_COND_INITIALIZER;
static struct job *jobs[MAX_JOBS];
static int running;

static void progress(size_t done, size_t total, void *ctx)
{
	struct job *j = ctx;
	pthread_mutex_lock(&jobs_lock);
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&jobs_lock);
}

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct import_result res;
	int rc = registry_import_file(j->unit, j->user_id, j->data, j->len, false, NULL, progress, j, &res);
	if (rc == 0) {
		char detail[96];
		snprintf(detail, sizeof detail, "rows=%zu added=%zu existing=%zu", res.rows, res.added,
		         res.existing);
		db_audit_add(app->db, (int64_t)time(NULL), j->user_id, "registry.import", j->unit, detail,
		             "");
	}
	pthread_mutex_lock(&jobs_lock);
	free(j->data);
	j->data = NULL;
	j->res = res;
	j->status = rc == 0 ? JOB_DONE : JOB_FAILED;
	j->finished = time(NULL);
	if (--running == 0)
		pthread_cond_broadcast(&jobs_idle);
	pthread_mutex_unlock(&jobs_lock);
	return NULL;
}

void registry_import_jobs_wait(void)
{
	pthread_mutex_lock(&jobs_lock);
	while (running > 0)
		pthread_cond_wait(&jobs_idle, &jobs_lock);
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i]) {
			json_decref(jobs[i]->res.errors);
			free(jobs[i]);
			jobs[i] = NULL;
		}
	pthread_mutex_unlock(&jobs_lock);
}

/* Caller holds jobs_lock. The job model for the page and the API. */
static json_t *job_model(const struct job *j)
{
	size_t rows_total = j->total / 2;
	size_t processed =
	    j->status == JOB_RUNNING ? (j->done > rows_total ? rows_total : j->done) : j->res.rows;
	int percent = j->status != JOB_RUNNING ? 100 : j->total ? (int)(j->done * 100 / j->total) : 0;
	static const char *const names[] = {"running", "done", "failed"};
	/* "errors" is taken (s:o): a running job has none yet, and an empty
	 * array made here and given with s:O would leak. */
	return json_pack("{s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:I, s:o, s:s, s:b, s:b, s:b}", "id", j->id,
	                 "status", names[j->status], "processed", (json_int_t)processed, "total",
	                 (json_int_t)(j->status == JOB_RUNNING ? rows_total : j->res.rows), "percent",
	                 percent, "added", (json_int_t)j->res.added, "skipped", (json_int_t)j->res.existing,
	                 "voided", (json_int_t)j->res.voided, "errors",
	                 j->res.errors ? json_incref(j->res.errors) : json_array(), "message", j->res.message,
	                 "refresh", j->status == JOB_RUNNING, "done", j->status == JOB_DONE, "failed",
	                 j->status == JOB_FAILED);
}

static bool may_import(const struct session_user *u)
{
	return u->role >= ROLE_DISTRICT_ADMIN && unit_level_of_code(u->unit_code) == UNIT_LEVEL_DISTRICT;
}

static void import_page(struct req *r)
{
	const struct session_user *u = web_user(r);
	reply_model(r, 200, "registry_import",
	            json_pack("{s:s, s:b}", "page_title", "นำเข้าทะเบียนจากไฟล์ CSV หรือ Excel", "can_upload",
	                      may_import(u)));
}

static void refuse(struct req *r, int status, const char *message)
{
	json_t *errors = json_array();
	web_field_error(errors, "file", message);
	json_t *m = json_pack("{s:s, s:b, s:{s:s}}", "page_title", "นำเข้าทะเบียนจากไฟล์ CSV หรือ Excel",
	                      "can_upload", 1, "errors_by_field", "file", message);
	(void)status;
	reply_invalid(r, "registry_import", m, errors);
}

static void import_start(struct req *r)
{
	const struct session_user *u = web_user(r);
	if (!may_import(u)) {
		reply_error(r, ERR_FORBIDDEN, "file", "นำเข้าได้เฉพาะผู้ดูแลระดับอำเภอ");
		return;
	}
	const char *data = NULL;
	size_t len = 0;
	const struct form_field *f = req_file(r, "file");
	if (f) {
		data = f->value;
		len = f->len;
	} else {
		/* A raw body: CSV, or XLSX (told apart by its bytes). */
		const char *ct = req_header(r, "Content-Type");
		if (ct &&
		    (!strncmp(ct, "text/csv", 8) || !strncmp(ct, EXPORT_XLSX_TYPE, strlen(EXPORT_XLSX_TYPE))))
			data = req_body(r, &len);
	}
	if (!data || len == 0) {
		refuse(r, 422, "กรุณาเลือกไฟล์ CSV หรือ Excel (.xlsx) ที่จะนำเข้า");
		return;
	}
	struct job *j = xcalloc(1, sizeof *j);
	token_new(j->id);
	snprintf(j->unit, sizeof j->unit, "%s", u->unit_code);
	j->user_id = u->id;
	j->data = xmalloc(len + 1);
	memcpy(j->data, data, len);
	j->data[len] = '\0';
	j->len = len;
	pthread_mutex_lock(&jobs_lock);
	int slot = -1;
	time_t oldest = 0;
	for (int i = 0; i < MAX_JOBS; i++) {
		if (!jobs[i]) {
			slot = i;
			break;
		}
		if (jobs[i]->status != JOB_RUNNING && (slot < 0 || jobs[i]->finished < oldest)) {
			slot = i;
			oldest = jobs[i]->finished;
		}
	}
	if (slot < 0) {
		pthread_mutex_unlock(&jobs_lock);
		free(j->data);
		free(j);
		reply_error(r, ERR_UNAVAILABLE, "file", "มีงานนำเข้ากำลังทำอยู่มาก กรุณารอสักครู่");
		return;
	}
	if (jobs[slot]) {
		json_decref(jobs[slot]->res.errors);
		free(jobs[slot]);
	}
	jobs[slot] = j;
	running++;
	pthread_t t;
	if (pthread_create(&t, NULL, job_run, j) != 0) {
		running--;
		jobs[slot] = NULL;
		pthread_mutex_unlock(&jobs_lock);
		free(j->data);
		free(j);
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	pthread_detach(t);
	char href[96];
	snprintf(href, sizeof href, "/registry/import/%s", j->id);
	json_t *model = job_model(j);
	pthread_mutex_unlock(&jobs_lock);
	if (req_wants_json(r)) {
		reply_json(r, 202, json_pack("{s:o, s:s}", "job", model, "href", href));
		return;
	}
	json_decref(model);
	reply_redirect(r, 303, href);
}

/* The job named id, or NULL. Call with jobs_lock held. */
static struct job *job_find(const char *id)
{
	for (int i = 0; id && i < MAX_JOBS; i++)
		if (jobs[i] && strlen(id) == strlen(jobs[i]->id) && crypto_str_eq(jobs[i]->id, id))
			return jobs[i];
	return NULL;
}

bool registry_import_job_unit(const char *id, char *unit, size_t cap)
{
	pthread_mutex_lock(&jobs_lock);
	struct job *j = job_find(id);
	bool found = j && strlen(j->unit) < cap;
	if (found)
		memcpy(unit, j->unit, strlen(j->unit) + 1);
	pthread_mutex_unlock(&jobs_lock);
	return found;
}

json_t *registry_import_jobs_failed(const char *unit, int64_t since)
{
	json_t *out = json_array();
	pthread_mutex_lock(&jobs_lock);
	for (int i = 0; i < MAX_JOBS; i++) {
		const struct job *j = jobs[i];
		if (!j || j->status != JOB_FAILED || strcmp(j->unit, unit) || (int64_t)j->finished < since)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s+, s:I, s:s}", "id", j->id, "href",
		                                     "/registry/import/", j->id, "finished_at",
		                                     (json_int_t)j->finished, "message", j->res.message));
	}
	pthread_mutex_unlock(&jobs_lock);
	return out;
}

/* GET /registry/import/{job}: the route's scope resolver (import job {job})
 * has found the job and checked its district against the user's scope. */
static void import_job(struct req *r)
{
	const struct session_user *u = web_user(r);
	pthread_mutex_lock(&jobs_lock);
	struct job *j = job_find(req_param(r, "job"));
	if (!j) {
		pthread_mutex_unlock(&jobs_lock);
		reply_error(r, ERR_NOT_FOUND, "job", "ไม่พบงานนำเข้านี้ (งานเก่าจะถูกลบเมื่อเริ่มระบบใหม่)");
		return;
	}
	json_t *model = job_model(j);
	pthread_mutex_unlock(&jobs_lock);
	reply_model(r, 200, "registry_import",
	            json_pack("{s:s, s:b, s:o}", "page_title", "นำเข้าทะเบียนจากไฟล์ CSV หรือ Excel",
	                      "can_upload", may_import(u), "job", model));
}

const struct route import_routes[] = {
    {HTTP_GET, "/registry/import", ROLE_OFFICER, 0, import_page, "registry.import_page", &scope_own},
    {HTTP_POST, "/registry/import", ROLE_DISTRICT_ADMIN, 0, import_start, "registry.import",
     &scope_own_district},
    {HTTP_GET, "/registry/import/{job}", ROLE_OFFICER, 0, import_job, "registry.import_job",
     &scope_import_job},
    {0, NULL, 0, 0, NULL, NULL, NULL},
};
