/* libFuzzer target: the catalogue and point-profile rules (core/eservice).
 * The input is split at NUL bytes into the raw fields, in the order of
 * struct eservice_raw, then those of struct point_raw. Besides memory errors
 * it checks the contract: an accepted service or profile holds only what
 * eservice.h promises and, given back to the rules as it was stored (the
 * edit form does exactly that), is accepted again unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eservice.h"

#define CHECK(x)                                                                                             \
	do {                                                                                                 \
		if (!(x))                                                                                    \
			abort();                                                                             \
	} while (0)

#define NFIELDS 29 /* 17 service fields, 10 point fields, then the service's area and provinces */
#define TODAY   "2024-10-15"

/* Categories containing 'x' do not exist. */
static bool stub_category(const char *code, void *ctx)
{
	(void)ctx;
	CHECK(code && strlen(code) >= 2 && strlen(code) <= ESVC_CODE_MAX);
	return !strchr(code, 'x');
}

static bool no_controls(const char *s, bool lf_tab)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x7F || *p == 0xC0 || *p == 0xC1 || *p >= 0xF5)
			return false;
		if (*p < 0x20 && !(lf_tab && (*p == '\n' || *p == '\t')))
			return false;
	}
	return true;
}

static void check_errors(const struct eservice_errors *errs, size_t n)
{
	CHECK(n == errs->n && n <= ESVC_MAX_ERRORS);
	for (size_t i = 0; i < n; i++)
		CHECK(errs->e[i].field && *errs->e[i].field && errs->e[i].message && *errs->e[i].message);
}

static void check_service(const struct eservice *e)
{
	size_t n = strlen(e->code);
	CHECK(n >= 2 && n <= ESVC_CODE_MAX && e->code[0] >= 'a' && e->code[0] <= 'z');
	CHECK(strspn(e->code, "abcdefghijklmnopqrstuvwxyz0123456789_") == n);
	CHECK(*e->name_th && strlen(e->name_th) <= ESVC_NAME_MAX && no_controls(e->name_th, false));
	CHECK(*e->agency_th && no_controls(e->agency_th, false) && no_controls(e->name_en, false));
	CHECK(eservice_agency_type_label(e->agency_type) && eservice_channel_label(e->channel));
	CHECK(eservice_status_label(e->status) && !strchr(e->category, 'x') && *e->category);
	CHECK(!*e->url || !strncmp(e->url, "https://", 8) || !strncmp(e->url, "http://", 7));
	CHECK(*e->url || strcmp(e->channel, "web") != 0);
	CHECK(strpbrk(e->url, " \"'<>") == NULL && no_controls(e->url, false));
	CHECK(no_controls(e->description, true) && no_controls(e->source, true) &&
	      no_controls(e->note, true));
	CHECK(strlen(e->description) <= ESVC_DESC_MAX && *e->fees && no_controls(e->fees, false));
	CHECK(no_controls(e->steps, true) && !strchr(e->steps, '\t') && !strstr(e->steps, "\n\n"));
	CHECK(no_controls(e->documents, true) && !strchr(e->documents, '\t'));
	CHECK(e->sort_order == ESVC_SORT_AUTO || (e->sort_order >= 0 && e->sort_order <= ESVC_SORT_MAX));
	/* The area: a known kind; provinces "" for all, else two-digit codes, ascending, one space. */
	CHECK(eservice_area_label(e->area));
	size_t pl = strlen(e->area_provinces);
	CHECK(!strcmp(e->area, "all") ? pl == 0 : pl >= 2 && (pl + 1) % 3 == 0);
	for (size_t i = 0; i < pl; i += 3) {
		CHECK(e->area_provinces[i] >= '1' && e->area_provinces[i] <= '9' &&
		      e->area_provinces[i + 1] >= '0' && e->area_provinces[i + 1] <= '9');
		CHECK(i + 2 == pl || e->area_provinces[i + 2] == ' ');
		CHECK(!i || memcmp(e->area_provinces + i - 3, e->area_provinces + i, 2) < 0);
	}
}

static void check_point(const struct point_profile *p)
{
	CHECK(*p->name_th && *p->address && *p->hours && point_status_label(p->status));
	CHECK(no_controls(p->name_th, false) && no_controls(p->address, false) &&
	      no_controls(p->hours, false));
	CHECK(no_controls(p->status_note, false));
	CHECK((*p->lat == '\0') == (*p->lon == '\0'));
	CHECK(strspn(p->lat, "0123456789.") == strlen(p->lat) &&
	      strspn(p->lon, "0123456789.") == strlen(p->lon));
	CHECK(strspn(p->phone, "0123456789-, ") == strlen(p->phone));
	CHECK(!*p->opened_on || strcmp(p->opened_on, TODAY) <= 0);
	/* A status change may be announced up to POINT_SCHEDULE_DAYS (366) ahead. */
	CHECK(!*p->status_since || strcmp(p->status_since, "2025-10-16") <= 0);
	CHECK(p->scheduled == (*p->status_since && strcmp(p->status_since, TODAY) > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *f[NFIELDS] = {0};
	size_t nf = 0;
	for (char *p = buf; nf < NFIELDS && p <= buf + size; p += strlen(p) + 1)
		f[nf++] = p;

	struct eservice_raw raw = {f[0],  f[1],  f[2],  f[3],  f[4],  f[5],  f[6],  f[7],  f[8], f[9],
	                           f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[27], f[28]};
	static struct eservice e, again;
	struct eservice_errors errs;
	for (int update = 0; update < 2; update++) {
		size_t n = eservice_validate(&raw, update, stub_category, NULL, &e, &errs);
		check_errors(&errs, n);
		if (n || update)
			continue;
		check_service(&e);
		char sort[32] = "";
		if (e.sort_order != ESVC_SORT_AUTO)
			snprintf(sort, sizeof sort, "%lld", (long long)e.sort_order);
		struct eservice_raw back = {
		    e.code,        e.name_th,   e.name_en, e.agency_th,     e.agency_en,
		    e.agency_type, e.category,  e.channel, e.url,           e.description,
		    e.steps,       e.documents, e.fees,    e.status,        sort,
		    e.source,      e.note,      e.area,    e.area_provinces};
		CHECK(eservice_validate(&back, false, stub_category, NULL, &again, &errs) == 0);
		CHECK(memcmp(&e, &again, sizeof e) == 0);
	}

	struct point_raw praw = {f[17], f[18], f[19], f[20], f[21], f[22], f[23], f[24], f[25], f[26]};
	static struct point_profile p, pagain;
	size_t n = point_validate(&praw, TODAY, &p, &errs);
	check_errors(&errs, n);
	if (n == 0) {
		check_point(&p);
		struct point_raw back = {p.name_th, p.address,   p.lat,    p.lon,          p.hours,
		                         p.phone,   p.opened_on, p.status, p.status_since, p.status_note};
		CHECK(point_validate(&back, TODAY, &pagain, &errs) == 0);
		CHECK(memcmp(&p, &pagain, sizeof p) == 0);
	}
	free(buf);
	return 0;
}
