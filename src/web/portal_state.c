/* The catalogue snapshot: see portal_state.h.
 *
 * Publishing: `current` is swapped under a mutex that is held only for the
 * pointer copy and the reference increment, so readers never wait for a
 * rebuild (which reads the database and builds the search index outside the
 * lock). Rebuilds are serialised by a second mutex. A replaced snapshot is
 * freed by whoever drops its last reference: the rebuild when no reader holds
 * it, else the last reader (a handler's portal_snap_put, or the end of a
 * request that took it with portal_snap_req). Nothing is freed on a timer and
 * no reader sees a pointer without holding a reference. */
#include "web/portal_state.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/eservice.h"
#include "core/search.h"
#include "db/catalogue.h"
#include "db/db.h"
#include "db/points.h"
#include "db/units.h"
#include "http/http.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "web/app.h"
#include "web/web.h"

#define POLL_SECONDS 2

struct snap {
	struct portal_snap pub; /* first: a struct portal_snap * is a struct snap * */
	int refs;               /* __atomic */
	pthread_mutex_t hidden_lock;
	json_t *hidden;  /* {unit_code: [codes]}, filled on demand */
	json_t *offered; /* {unit_code: [public models]}, filled on demand */
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snap *current;
static pthread_mutex_t rebuild_lock = PTHREAD_MUTEX_INITIALIZER;

/* Snapshots built and not yet freed (tests: a replaced one goes once its
 * last reader is done). */
static int live_snaps; /* __atomic */

static pthread_mutex_t poll_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poll_cond = PTHREAD_COND_INITIALIZER;
static bool poll_stop, poll_running;
static pthread_t poll_tid;

/* ---- models ---- */

static json_t *label(const char *s)
{
	return json_string(s ? s : "");
}

/* Optional text: null when empty ("" is truthy in our templates). */
static json_t *opt(const char *s)
{
	return *s ? json_string(s) : json_null();
}

/* steps / documents: arrays of strings from the db layer; a string (one item
 * per line) is split, so either shape works. */
static json_t *string_list(json_t *v)
{
	if (json_is_array(v))
		return json_incref(v);
	json_t *a = json_array();
	const char *s = json_string_value(v);
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t m = n;
		if (m && s[m - 1] == '\r')
			m--;
		if (m)
			json_array_append_new(a, json_stringn(s, m));
		s += n + (nl ? 1 : 0);
	}
	return a;
}

/* "กรุงเทพมหานคร นนทบุรี และสมุทรปราการ" for "10 11 12" (names from names,
 * a code whose name is unknown as itself). */
static void province_list_th(struct buf *b, const char *codes, json_t *names)
{
	size_t n = 0, k = 0;
	for (const char *p = codes; *p; p++)
		n += *p != ' ' && (p == codes || p[-1] == ' ');
	for (const char *p = codes; *p;) {
		size_t len = strcspn(p, " ");
		char code[8];
		snprintf(code, sizeof code, "%.*s", (int)(len < 7 ? len : 7), p);
		const char *name = json_string_value(json_object_get(names, code));
		k++;
		buf_printf(b, "%s%s%s", k == 1 ? "" : " ", k > 1 && k == n ? "และ" : "", name ? name : code);
		p += len;
		p += strspn(p, " ");
	}
}

json_t *portal_provinces_th(const char *codes, json_t *names)
{
	struct buf b;
	buf_init(&b, 16 * 1024);
	province_list_th(&b, codes, names);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

json_t *portal_area_th(const char *area, const char *codes, json_t *names)
{
	struct buf b;
	buf_init(&b, 16 * 1024);
	bool listed = !strcmp(area, "only") || !strcmp(area, "except");
	buf_puts(&b, !strcmp(area, "only")     ? "เฉพาะ"
	             : !strcmp(area, "except") ? "ทั่วประเทศ ยกเว้น"
	                                       : "ทั่วประเทศ");
	if (listed)
		province_list_th(&b, codes, names);
	json_t *j = json_string(buf_str(&b));
	buf_cleanup(&b);
	return j;
}

/* "10 11 12" -> ["10", "11", "12"] */
static json_t *code_list(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		size_t n = strcspn(s, " ");
		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s += n;
		s += strspn(s, " ");
	}
	return a;
}

json_t *portal_service_model(json_t *row, json_t *province_names)
{
	const char *code = web_str(row, "code");
	const char *status = web_str(row, "status");
	json_t *updated = json_object_get(row, "updated_at");
	json_t *updated_th = json_null();
	if (json_is_integer(updated)) {
		struct buf b;
		buf_init(&b, 128);
		if (thai_epoch_format_date(&b, json_integer_value(updated), THAI_DATE_FULL, false) == 0)
			updated_th = json_string(buf_str(&b));
		buf_cleanup(&b);
	}
	json_t *m = json_object();
	json_object_set_new(m, "code", json_string(code));
	json_object_set_new(m, "name_th", json_string(web_str(row, "name_th")));
	json_object_set_new(m, "name_en", opt(web_str(row, "name_en")));
	json_object_set_new(m, "agency_th", json_string(web_str(row, "agency_th")));
	json_object_set_new(m, "agency_en", opt(web_str(row, "agency_en")));
	json_object_set_new(m, "agency_type", json_string(web_str(row, "agency_type")));
	json_object_set_new(m, "agency_type_label",
	                    label(eservice_agency_type_label(web_str(row, "agency_type"))));
	json_object_set_new(m, "category", json_string(web_str(row, "category")));
	json_object_set_new(m, "category_th", json_string(web_str(row, "category_th")));
	json_object_set_new(m, "channel", json_string(web_str(row, "channel")));
	json_object_set_new(m, "channel_label", label(eservice_channel_label(web_str(row, "channel"))));
	json_object_set_new(m, "url", opt(web_str(row, "url")));
	json_object_set_new(m, "description", opt(web_str(row, "description")));
	json_object_set_new(m, "steps", string_list(json_object_get(row, "steps")));
	json_object_set_new(m, "documents", string_list(json_object_get(row, "documents")));
	json_object_set_new(m, "fees", opt(web_str(row, "fees")));
	json_object_set_new(m, "status", json_string(status));
	json_object_set_new(m, "status_label", label(eservice_status_label(status)));
	json_object_set_new(m, "sort_order",
	                    json_integer(json_integer_value(json_object_get(row, "sort_order"))));
	json_object_set_new(m, "version", json_integer(json_integer_value(json_object_get(row, "version"))));
	json_object_set_new(m, "updated_at", json_is_integer(updated) ? json_incref(updated) : json_null());
	json_object_set_new(m, "updated_th", updated_th);
	json_object_set_new(m, "href", json_sprintf("/services/%s", code));
	json_object_set_new(m, "qr_svg", json_sprintf("/services/%s/qr.svg", code));
	const char *area = *web_str(row, "area") ? web_str(row, "area") : "all";
	json_object_set_new(m, "area", json_string(area));
	json_object_set_new(m, "area_provinces", code_list(web_str(row, "area_provinces")));
	json_object_set_new(m, "area_th",
	                    portal_area_th(area, web_str(row, "area_provinces"), province_names));
	return m;
}

bool portal_service_serves(json_t *svc, const char *unit_code)
{
	size_t i;
	json_t *c;
	char list[ESVC_AREA_TEXT + 1];
	size_t w = 0;
	json_array_foreach(json_object_get(svc, "area_provinces"), i, c)
	{
		const char *code = json_string_value(c);
		if (code && strlen(code) == 2 && w + 3 < sizeof list) {
			if (w)
				list[w++] = ' ';
			memcpy(list + w, code, 2);
			w += 2;
		}
	}
	list[w] = '\0';
	return eservice_area_serves(web_str(svc, "area"), list, unit_code);
}

static bool usable_status(const char *status)
{
	return !strcmp(status, "active") || !strcmp(status, "moving");
}

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	json_decref(s->pub.categories);
	json_decref(s->pub.all);
	json_decref(s->pub.by_code);
	json_decref(s->pub.services);
	json_decref(s->pub.groups);
	json_decref(s->pub.usable);
	json_decref(s->pub.stats);
	json_decref(s->pub.provinces);
	json_decref(s->pub.province_names);
	search_index_free(s->pub.ix);
	json_decref(s->hidden);
	json_decref(s->offered);
	pthread_mutex_destroy(&s->hidden_lock);
	free(s);
	__atomic_sub_fetch(&live_snaps, 1, __ATOMIC_RELAXED);
}

/* Reads everything and builds a snapshot; NULL (logged) when the database
 * cannot be read. The generation is read first: a change committed while we
 * read makes the poll thread rebuild again, never the other way round. */
static struct snap *snap_build(void)
{
	int64_t gen = db_portal_generation(app->db);
	json_t *cats = db_categories(app->db);
	json_t *rows = db_services_all(app->db);
	json_t *provinces = db_point_provinces(app->db);
	json_t *all_provinces = db_unit_children(app->db, "0");
	json_t *unit_stats = db_unit_stats(app->db);
	if (gen < 0 || !cats || !rows || !provinces || !all_provinces || !unit_stats) {
		log_error("portal: could not read the catalogue");
		json_decref(cats);
		json_decref(rows);
		json_decref(provinces);
		json_decref(all_provinces);
		json_decref(unit_stats);
		return NULL;
	}
	struct snap *s = xcalloc(1, sizeof *s);
	__atomic_add_fetch(&live_snaps, 1, __ATOMIC_RELAXED);
	s->refs = 1;
	pthread_mutex_init(&s->hidden_lock, NULL);
	s->hidden = json_object();
	s->offered = json_object();
	struct portal_snap *p = &s->pub;
	p->generation = gen;
	p->built_at = (int64_t)time(NULL);
	if (db_point_next_scheduled(app->db, p->next_due) != DB_OK)
		p->next_due[0] = '\0'; /* retried at the next rebuild */
	p->categories = cats;
	p->all = json_array();
	p->by_code = json_object();
	p->services = json_array();
	p->groups = json_array();
	p->usable = json_array();
	json_int_t npoints = 0;
	size_t i;
	json_t *c;
	json_array_foreach(provinces, i, c) npoints += json_integer_value(json_object_get(c, "points"));
	/* districts_in_programme: the points' districts (kept for API users of
	 * the home page model); every district, khet included, in districts. */
	p->stats = json_pack("{s:I, s:I, s:I, s:I}", "provinces", (json_int_t)json_array_size(provinces),
	                     "points", npoints, "districts_in_programme", npoints, "districts",
	                     (json_int_t)json_integer_value(json_object_get(unit_stats, "districts")));
	json_decref(unit_stats);
	json_decref(provinces);
	p->provinces = json_array();
	p->province_names = json_object();
	json_array_foreach(all_provinces, i, c)
	{
		json_array_append_new(p->provinces, json_pack("{s:s, s:s}", "code", web_str(c, "code"),
		                                              "name_th", web_str(c, "name_th")));
		json_object_set_new(p->province_names, web_str(c, "code"),
		                    json_string(web_str(c, "name_th")));
	}
	json_decref(all_provinces);

	json_array_foreach(cats, i, c)
	    json_object_set_new(c, "href", json_sprintf("/search?category=%s", web_str(c, "code")));

	json_t *row;
	json_array_foreach(rows, i, row)
	{
		json_t *m = portal_service_model(row, p->province_names);
		const char *code = web_str(m, "code");
		json_t *admin = json_copy(m);
		json_object_set_new(admin, "source", json_string(web_str(row, "source")));
		json_object_set_new(admin, "note", json_string(web_str(row, "note")));
		json_array_append_new(p->all, admin);
		json_object_set(p->by_code, code, m);
		if (usable_status(web_str(m, "status"))) {
			json_array_append(p->services, m);
			json_array_append_new(p->usable, json_pack("{s:s, s:s, s:s}", "code", code, "name_th",
			                                           web_str(m, "name_th"), "channel",
			                                           web_str(m, "channel")));
		}
		json_decref(m);
	}
	json_decref(rows);

	/* The home page: each category with its services, in catalogue order. */
	json_array_foreach(cats, i, c)
	{
		json_t *list = json_array();
		size_t k;
		json_t *m;
		json_array_foreach(p->services, k, m) if (!strcmp(web_str(m, "category"), web_str(c, "code")))
		    json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:O, s:O}", "code",
		                                          json_object_get(m, "code"), "name_th",
		                                          json_object_get(m, "name_th"), "agency_th",
		                                          json_object_get(m, "agency_th"), "channel_label",
		                                          json_object_get(m, "channel_label"), "href",
		                                          json_object_get(m, "href")));
		if (json_array_size(list))
			json_array_append_new(p->groups,
			                      json_pack("{s:O, s:O, s:O, s:O, s:o}", "code",
			                                json_object_get(c, "code"), "name_th",
			                                json_object_get(c, "name_th"), "name_en",
			                                json_object_get(c, "name_en"), "href",
			                                json_object_get(c, "href"), "services", list));
		else
			json_decref(list);
	}

	size_t n = json_array_size(p->services);
	/* The vocabulary admins edit: phrasings join their service's keywords
	 * (one per line), synonyms go to the index as they are. */
	json_t *terms = db_search_terms(app->db);
	if (!terms)
		log_error("portal: could not read the search vocabulary; searching without it");
	json_t *keywords = json_object(); /* code -> "phrase\nphrase" */
	json_array_foreach(json_object_get(terms, "phrases"), i, c)
	{
		const char *code = web_str(c, "service_code");
		json_t *had = json_object_get(keywords, code);
		json_object_set_new(keywords, code,
		                    had ? json_sprintf("%s\n%s", json_string_value(had), web_str(c, "phrase"))
		                        : json_string(web_str(c, "phrase")));
	}
	json_t *syn = json_object_get(terms, "synonyms");
	size_t nsyn = json_array_size(syn);
	struct search_synonym *synonyms = xcalloc(nsyn ? nsyn : 1, sizeof *synonyms);
	json_array_foreach(syn, i, c) synonyms[i] =
	    (struct search_synonym){web_str(c, "word"), web_str(c, "term")};
	struct search_doc *docs = xcalloc(n ? n : 1, sizeof *docs);
	json_t *m;
	json_array_foreach(p->services, i, m)
	{
		docs[i] = (struct search_doc){
		    .name_th = web_str(m, "name_th"),
		    .name_en = web_str(m, "name_en"),
		    .code = web_str(m, "code"),
		    .agency_th = web_str(m, "agency_th"),
		    .agency_en = web_str(m, "agency_en"),
		    .category_th = web_str(m, "category_th"),
		    .description = web_str(m, "description"),
		    .keywords = web_str(keywords, web_str(m, "code")),
		};
	}
	p->ix = search_index_build(docs, n, synonyms, nsyn);
	free(docs);
	free(synonyms);
	json_decref(keywords);
	json_decref(terms);
	if (!p->ix)
		log_error("portal: no search index (libthai dictionary?); search matches substrings only");
	return s;
}

/* ---- references ---- */

struct portal_snap *portal_snap_get(void)
{
	pthread_mutex_lock(&current_lock);
	struct snap *s = current;
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&current_lock);
	return s ? &s->pub : NULL;
}

void portal_snap_put(struct portal_snap *p)
{
	struct snap *s = (struct snap *)p;
	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		snap_free(s);
}

int portal_state_live_snapshots(void)
{
	return __atomic_load_n(&live_snaps, __ATOMIC_RELAXED);
}

/* ---- request-lifetime references ---- */

static void req_snap_release(void *arg)
{
	portal_snap_put(arg);
}

struct portal_snap *portal_snap_req(struct req *r)
{
	struct portal_snap *s = req_done_arg(r, req_snap_release);
	if (!s && (s = portal_snap_get()) != NULL)
		req_on_done(r, req_snap_release, s);
	return s;
}

json_t *web_eservices(struct req *r)
{
	struct portal_snap *s = portal_snap_req(r);
	return s ? s->usable : NULL;
}

bool portal_service_usable(const char *code)
{
	struct portal_snap *s = portal_snap_get();
	bool ok = false;
	if (s && code) {
		json_t *m = json_object_get(s->by_code, code);
		ok = m && usable_status(web_str(m, "status"));
	}
	portal_snap_put(s);
	return ok;
}

json_t *portal_service_name(const char *code)
{
	struct portal_snap *s = portal_snap_get();
	json_t *m = s && code ? json_object_get(s->by_code, code) : NULL;
	/* A reference to the snapshot's own string: jansson's counts are atomic
	 * and the string never changes, so it outlives the snapshot safely. */
	json_t *name = m ? json_incref(json_object_get(m, "name_th")) : json_string(code ? code : "");
	portal_snap_put(s);
	return name;
}

/* ---- rebuilding ---- */

/* Builds and publishes a new snapshot. Returns 0, or -1 (the old one stays). */
static int rebuild(void)
{
	pthread_mutex_lock(&rebuild_lock);
	struct snap *s = snap_build();
	if (!s) {
		pthread_mutex_unlock(&rebuild_lock);
		return -1;
	}
	pthread_mutex_lock(&current_lock);
	struct snap *old = current;
	current = s;
	pthread_mutex_unlock(&current_lock);
	pthread_mutex_unlock(&rebuild_lock);
	/* The published reference of the old one: freed now, or by its last reader. */
	if (old)
		portal_snap_put(&old->pub);
	return 0;
}

void portal_changed(void)
{
	rebuild();
	/* After the new snapshot is out: a request that starts now renders it. */
	http_cache_invalidate();
}

void portal_state_tick(int64_t now)
{
	int64_t gen = db_portal_generation(app->db);
	struct portal_snap *s = portal_snap_get();
	bool moved = gen >= 0 && s && gen != s->generation;
	portal_snap_put(s);
	if (moved) {
		log_info("portal: catalogue generation moved to %lld, rebuilding", (long long)gen);
		portal_changed();
	}
	/* After the rebuild: a change just announced for today by another node
	 * is due at once. */
	char today[THAI_ISO_DAY_SIZE] = "";
	struct civil_day d;
	if (thai_epoch_day(now, &d) == 0)
		thai_day_iso(d, today);
	s = portal_snap_get();
	bool due = s && s->next_due[0] && today[0] && strcmp(today, s->next_due) >= 0;
	portal_snap_put(s);
	int applied = 0;
	if (due && db_points_apply_scheduled(app->db, today, now, &applied) == DB_OK) {
		log_info("portal: %d announced point status change(s) took effect on %s", applied, today);
		portal_changed();
	}
}

/* A new Bangkok day on the clock: cached pages that show today's duty
 * roster (the point page, issue 11) are rendered again. Called by the poll
 * thread only (portal_state_tick is also driven by tests with chosen times). */
static void day_turn(int64_t now)
{
	static char last_day[THAI_ISO_DAY_SIZE];
	char today[THAI_ISO_DAY_SIZE] = "";
	struct civil_day d;
	if (thai_epoch_day(now, &d) == 0)
		thai_day_iso(d, today);
	if (today[0] && last_day[0] && strcmp(today, last_day))
		http_cache_invalidate();
	if (today[0])
		memcpy(last_day, today, sizeof last_day);
}

static void *poll_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&poll_lock);
	while (!poll_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += POLL_SECONDS;
		while (!poll_stop && pthread_cond_timedwait(&poll_cond, &poll_lock, &until) == 0)
			;
		if (poll_stop)
			break;
		pthread_mutex_unlock(&poll_lock);
		portal_state_tick((int64_t)time(NULL));
		day_turn((int64_t)time(NULL));
		pthread_mutex_lock(&poll_lock);
	}
	pthread_mutex_unlock(&poll_lock);
	return NULL;
}

int portal_state_start(void)
{
	if (rebuild() < 0)
		return -1;
	portal_state_tick((int64_t)time(NULL));
	poll_stop = false;
	/* The thread starts with every signal blocked: SIGTERM and SIGINT are
	 * for http_wait_for_signal, and a thread that may take them would let
	 * them kill the process instead. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	poll_running = pthread_create(&poll_tid, NULL, poll_thread, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!poll_running)
		log_error("portal: could not start the generation poll thread");
	return 0;
}

void portal_state_stop(void)
{
	if (poll_running) {
		pthread_mutex_lock(&poll_lock);
		poll_stop = true;
		pthread_cond_signal(&poll_cond);
		pthread_mutex_unlock(&poll_lock);
		pthread_join(poll_tid, NULL);
		poll_running = false;
	}
	pthread_mutex_lock(&rebuild_lock);
	pthread_mutex_lock(&current_lock);
	struct snap *s = current;
	current = NULL;
	pthread_mutex_unlock(&current_lock);
	if (s)
		portal_snap_put(&s->pub);
	pthread_mutex_unlock(&rebuild_lock);
}

/* ---- lookups ---- */

json_t *portal_snap_service(const struct portal_snap *s, const char *code)
{
	return code ? json_object_get(s->by_code, code) : NULL;
}

json_t *portal_snap_category(const struct portal_snap *s, const char *code)
{
	size_t i;
	json_t *c;
	if (code)
		json_array_foreach(s->categories, i, c) if (!strcmp(web_str(c, "code"), code)) return c;
	return NULL;
}

/* The entry key of a per-snapshot cache (s->hidden or s->offered), borrowed
 * from s; NULL when there is none yet. */
static json_t *cache_get(struct snap *s, json_t *cache, const char *key)
{
	pthread_mutex_lock(&s->hidden_lock);
	json_t *v = json_object_get(cache, key);
	pthread_mutex_unlock(&s->hidden_lock);
	return v;
}

/* Stores fresh (taken) under key unless another reader stored one first (the
 * first stored wins: both were built from the same snapshot). Returns the
 * entry, borrowed from s. */
static json_t *cache_put(struct snap *s, json_t *cache, const char *key, json_t *fresh)
{
	pthread_mutex_lock(&s->hidden_lock);
	json_t *v = json_object_get(cache, key);
	if (!v) {
		json_object_set_new(cache, key, fresh);
		v = fresh;
	} else {
		json_decref(fresh);
	}
	pthread_mutex_unlock(&s->hidden_lock);
	return v;
}

json_t *portal_snap_hidden(struct portal_snap *p, const char *unit_code)
{
	struct snap *s = (struct snap *)p;
	json_t *h = cache_get(s, s->hidden, unit_code);
	if (h)
		return h;
	/* Read outside the lock; two readers may both ask. */
	json_t *fresh = db_unit_hidden_services(app->db, unit_code);
	return fresh ? cache_put(s, s->hidden, unit_code, fresh) : NULL;
}

json_t *portal_snap_offered(struct portal_snap *p, const char *unit_code)
{
	struct snap *s = (struct snap *)p;
	json_t *o = cache_get(s, s->offered, unit_code);
	if (o)
		return o;
	json_t *hidden = portal_snap_hidden(p, unit_code);
	if (!hidden)
		return NULL;
	json_t *fresh = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(p->services, i, m)
	{
		if (portal_service_serves(m, unit_code) && !web_code_in(hidden, web_str(m, "code")))
			json_array_append(fresh, m);
	}
	return cache_put(s, s->offered, unit_code, fresh);
}

json_t *web_unit_eservices(struct req *r, const char *unit_code)
{
	struct portal_snap *s = portal_snap_req(r);
	return s && unit_code ? portal_snap_offered(s, unit_code) : NULL;
}

bool portal_service_usable_at(const char *unit_code, const char *code)
{
	struct portal_snap *s = portal_snap_get();
	json_t *o = s && unit_code && code ? portal_snap_offered(s, unit_code) : NULL;
	bool ok = false;
	size_t i;
	json_t *m;
	json_array_foreach(o, i, m) if (!strcmp(web_str(m, "code"), code)) ok = true;
	portal_snap_put(s);
	return ok;
}

/* ASCII-lower-case substring test, for when there is no index. */
static bool contains_folded(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return false;
	for (; *hay; hay++) {
		size_t k = 0;
		while (k < n && hay[k]) {
			char a = hay[k], b = needle[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			k++;
		}
		if (k == n)
			return true;
	}
	return false;
}

size_t portal_snap_suggest(const struct portal_snap *s, const char *q, char *out, size_t cap)
{
	if (cap)
		out[0] = '\0';
	return s->ix && q ? search_suggest(s->ix, q, out, cap) : 0;
}

size_t portal_snap_search(const struct portal_snap *s, const char *q, const char *category, size_t *out,
                          size_t max)
{
	size_t n = json_array_size(s->services);
	if (!n || !max || !q)
		return 0;
	size_t *hits = xmalloc(n * sizeof *hits);
	size_t nhits = 0;
	if (s->ix) {
		nhits = search_query(s->ix, q, hits, n);
	} else {
		char ascii[SEARCH_QUERY_MAX + 1];
		snprintf(ascii, sizeof ascii, "%s", q);
		thai_digits_to_ascii(ascii, sizeof ascii, ascii);
		for (size_t i = 0; i < n; i++) {
			json_t *m = json_array_get(s->services, i);
			if (contains_folded(web_str(m, "name_th"), ascii) ||
			    contains_folded(web_str(m, "name_en"), ascii) ||
			    contains_folded(web_str(m, "code"), ascii))
				hits[nhits++] = i;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < nhits && w < max; i++) {
		json_t *m = json_array_get(s->services, hits[i]);
		if (!m)
			continue;
		if (category && *category && strcmp(web_str(m, "category"), category))
			continue;
		out[w++] = hits[i];
	}
	free(hits);
	return w;
}
