/* Unit tests for src/core/search.c: word segmentation and normalization,
 * matching and ranking on small made-up catalogues, natural queries against
 * the real catalogue files (data/eservices.csv with the descriptions of
 * data/eservice_details.csv), and one index queried from several threads at
 * once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "core/search.h"
#include "lib/csv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- words ---------------------------------------------------------------- */

struct wordlist {
	char text[4096]; /* words joined by '|' */
	size_t n;
};

static void add_word(const char *w, size_t len, void *arg)
{
	struct wordlist *l = arg;
	size_t used = strlen(l->text);
	snprintf(l->text + used, sizeof l->text - used, "%s%.*s", l->n ? "|" : "", (int)len, w);
	l->n++;
}

static const char *words(const char *text)
{
	static struct wordlist l;
	memset(&l, 0, sizeof l);
	size_t n = search_words(text, add_word, &l);
	assert_int_equal(n, l.n);
	return l.text;
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(words("ภาษีรถ"), "ภาษี|รถ");
	/* The thanthakhat (์) is left out: สิทธิ์ and สิทธิ are one word. */
	assert_string_equal(words("ชำระภาษีรถประจำปีออนไลน์"), "ชำระ|ภาษี|รถ|ประจำ|ปี|ออนไลน");
	assert_string_equal(words("สิทธิ์"), words("สิทธิ"));
	/* Thai digits become ASCII; dots inside a Thai abbreviation go. */
	assert_string_equal(words("ภ.ง.ด.๙๐"), "ภงด|90");
	assert_string_equal(words("(e-Filing ภ.ง.ด.90/91)"), "e|filing|ภงด|90|91");
	/* Latin words whole, lower case, split on anything not a letter or digit. */
	assert_string_equal(words("ThaID (ไทยดี)"), "thaid|ไทย|ดี");
	assert_string_equal(words("PEA Smart Plus"), "pea|smart|plus");
	assert_string_equal(words("dlt_vehicle_tax"), "dlt|vehicle|tax");
	assert_string_equal(words("สายด่วน ๑๕๖๗"), "สาย|ด่วน|1567");
	/* Zero-width space, NBSP, en dash and ๆ separate; letters of other
	 * scripts stay in their word. */
	assert_string_equal(words("ภาษี\xE2\x80\x8Bรถ"), "ภาษี|รถ");
	assert_string_equal(words("a\xC2\xA0"
	                          "b–c"),
	                    "a|b|c");
	assert_string_equal(words("อื่น ๆ"), "อื่น");
	assert_string_equal(words("Café"), "café");
	/* Typing slips: two sara e for sara ae, nikhahit + sara aa for sara am. */
	assert_string_equal(words("\xE0\xB9\x80\xE0\xB9\x80"
	                          "ปลง"),
	                    "แปลง");
	assert_string_equal(words("ชําระ"), "ชำระ");
	/* Nothing to find. */
	assert_int_equal(search_words("", add_word, NULL), 0);
	assert_int_equal(search_words(NULL, add_word, NULL), 0);
	assert_string_equal(words(" .,;:!?()[]/- ๆ ฯ ฿ "), "");
	/* Invalid UTF-8 separates, it does not stop the reading. */
	assert_string_equal(words("abc\xFF"
	                          "def\xE0\xB8"),
	                    "abc|def");
	/* fn may be NULL: only the count. */
	assert_int_equal(search_words("ภาษีรถ", NULL, NULL), 2);
}

/* A Thai run longer than the breaker's chunk is cut at word breaks and
 * loses nothing. */
static void test_words_long_run(void **state)
{
	(void)state;
	static char text[64 * 1024];
	size_t k = 0;
	for (int i = 0; i < 300; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "ชำระภาษีรถ");
	static struct wordlist l;
	memset(&l, 0, sizeof l);
	/* 900 words: too many for l.text, so count and check a sample. */
	assert_int_equal(search_words(text, NULL, NULL), 900);
	assert_string_equal(words("ชำระภาษีรถชำระภาษีรถ"), "ชำระ|ภาษี|รถ|ชำระ|ภาษี|รถ");
}

/* ---- small catalogues ---------------------------------------------------------- */

static const struct search_doc small_docs[] = {
    {.name_th = "ยื่นแบบแสดงรายการภาษีเงินได้บุคคลธรรมดาออนไลน์ (e-Filing ภ.ง.ด.90/91)",
     .name_en = "Revenue Department personal income tax e-Filing",
     .code = "rd_efiling",
     .agency_th = "กรมสรรพากร"},
    {.name_th = "ชำระภาษีรถประจำปีออนไลน์",
     .name_en = "Online annual vehicle tax payment",
     .code = "dlt_vehicle_tax",
     .agency_th = "กรมการขนส่งทางบก"},
    {.name_th = "ลงทะเบียนแอปพลิเคชัน ThaID (ไทยดี)", .code = "thaid_register", .agency_th = "กรมการปกครอง"},
    {.name_th = "PEA e-Service ตรวจสอบ-ชำระค่าไฟฟ้า", .code = "pea_eservice", .agency_th = "การไฟฟ้าส่วนภูมิภาค"},
    {.name_th = "บริการอิเล็กทรอนิกส์สำหรับผู้ประกันตน สำนักงานประกันสังคม",
     .code = "sso_eservice",
     .agency_th = "สำนักงานประกันสังคม"},
};

static size_t query(const struct search_index *ix, const char *q, size_t *out, size_t max)
{
	return search_query(ix, q, out, max);
}

/* The codes of the results of q, space separated, best first. */
static const char *results(const struct search_index *ix, const struct search_doc *docs, const char *q)
{
	static char text[4096];
	size_t out[64];
	size_t n = query(ix, q, out, N(out));
	text[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(text);
		snprintf(text + used, sizeof text - used, "%s%s", i ? " " : "", docs[out[i]].code);
	}
	return text;
}

static void test_small(void **state)
{
	(void)state;
	struct search_index *ix = search_index_new(small_docs, N(small_docs));
	assert_non_null(ix);
	const struct search_doc *d = small_docs;
	/* Thai words without spaces. */
	assert_string_equal(results(ix, d, "ภาษีรถ"), "dlt_vehicle_tax");
	assert_string_equal(results(ix, d, "รถ ภาษี"), "dlt_vehicle_tax");
	/* Thai digits against ASCII digits, either way round. */
	assert_string_equal(results(ix, d, "ภ.ง.ด.๙๐"), "rd_efiling");
	assert_string_equal(results(ix, d, "ภงด 90"), "rd_efiling");
	assert_string_equal(results(ix, d, "ภ.ง.ด.๙๑"), "rd_efiling");
	/* A form number no service has: the form's word still finds the service. */
	assert_string_equal(results(ix, d, "ภ.ง.ด.๙๒"), "rd_efiling");
	/* English words, any case, whole or with the hyphen left out. */
	assert_string_equal(results(ix, d, "thaid"), "thaid_register");
	assert_string_equal(results(ix, d, "THAID"), "thaid_register");
	assert_string_equal(results(ix, d, "PEA"), "pea_eservice");
	assert_string_equal(results(ix, d, "pea"), "pea_eservice");
	assert_string_equal(results(ix, d, "efiling"), "rd_efiling");
	assert_string_equal(results(ix, d, "e-filing"), "rd_efiling");
	/* A Latin word inside another is not a match ("ea" in "pea", "line"
	 * in "online"). */
	assert_string_equal(results(ix, d, "ea"), "");
	assert_string_equal(results(ix, d, "line"), "");
	/* Prefix typing: the last word half typed. */
	assert_string_equal(results(ix, d, "ประกันสัง"), "sso_eservice");
	assert_string_equal(results(ix, d, "ประกั"), "sso_eservice");
	assert_string_equal(results(ix, d, "tha"), "thaid_register");
	/* Ranking, not filtering: two unrelated words find both services. */
	const char *both = results(ix, d, "ภาษีรถ thaid");
	assert_true(!strcmp(both, "dlt_vehicle_tax thaid_register") ||
	            !strcmp(both, "thaid_register dlt_vehicle_tax"));
	/* A word no document has takes nothing away ("ดู" here). */
	assert_string_equal(results(ix, d, "ดูภาษีรถ"), "dlt_vehicle_tax");
	/* Spelling variants: the thanthakhat is left out on both sides. */
	assert_string_equal(results(ix, d, "ประกันสังคม์"), "sso_eservice");
	/* Nothing matches. */
	assert_string_equal(results(ix, d, "ดาวอังคาร"), "");
	assert_string_equal(results(ix, d, "xyzzy"), "");
	/* Empty and all-punctuation queries match nothing. */
	size_t out[8];
	assert_int_equal(query(ix, "", out, N(out)), 0);
	assert_int_equal(query(ix, "  ...!!  ", out, N(out)), 0);
	assert_int_equal(query(ix, NULL, out, N(out)), 0);
	/* max bounds the answer; max 0 answers nothing. */
	assert_int_equal(query(ix, "ภาษี", out, N(out)), 2);
	assert_int_equal(query(ix, "ภาษี", out, 1), 1);
	assert_int_equal(query(ix, "ภาษี", out, 0), 0);
	search_index_free(ix);
	search_index_free(NULL);
}

static void test_ranking(void **state)
{
	(void)state;
	/* The first document has the word in its description only, the second
	 * in its name: the name wins although it comes later. */
	const struct search_doc docs[] = {
	    {.name_th = "บริการข้อมูลสุขภาพ", .code = "desc_only", .description = "ดูสิทธิประกันสังคมได้ด้วย"},
	    {.name_th = "ตรวจสอบสิทธิประกันสังคม", .code = "in_name"},
	    {.name_th = "สวัสดิการ", .code = "agency_only", .agency_th = "สำนักงานประกันสังคม"},
	};
	struct search_index *ix = search_index_new(docs, N(docs));
	assert_non_null(ix);
	assert_string_equal(results(ix, docs, "ประกันสังคม"), "in_name"); /* the rest under 35 % of it */
	/* Alone, a weaker match is found: the cutoff is relative to the best. */
	assert_string_equal(results(ix, docs, "ได้ด้วย"), "desc_only");
	/* Equal scores keep the catalogue order. */
	const struct search_doc same[] = {
	    {.name_th = "จองคิวทำหนังสือเดินทาง", .code = "b"},
	    {.name_th = "จองคิวทำหนังสือเดินทาง", .code = "a"},
	};
	struct search_index *ix2 = search_index_new(same, N(same));
	assert_string_equal(results(ix2, same, "จองคิว"), "b a");
	/* A whole word beats a prefix of a longer one. */
	const struct search_doc whole[] = {
	    {.name_th = "ค่าไฟฟ้า", .code = "prefix"},
	    {.name_th = "ไฟ", .code = "whole"},
	};
	struct search_index *ix3 = search_index_new(whole, N(whole));
	assert_string_equal(results(ix3, whole, "ไฟ"), "whole prefix");
	search_index_free(ix);
	search_index_free(ix2);
	search_index_free(ix3);
}

static void test_fields_and_limits(void **state)
{
	(void)state;
	/* Every field is searched; NULL fields are fine. */
	const struct search_doc docs[] = {
	    {.name_th = "ก", .name_en = "Alpha service", .code = "x_one"},
	    {.name_th = "ข", .code = "x_two", .agency_en = "Beta Agency"},
	    {.name_th = "ค", .code = "x_three", .category_th = "สุขภาพและการแพทย์"},
	    {0},
	};
	struct search_index *ix = search_index_new(docs, N(docs));
	assert_non_null(ix);
	assert_string_equal(results(ix, docs, "alpha"), "x_one");
	assert_string_equal(results(ix, docs, "beta"), "x_two");
	assert_string_equal(results(ix, docs, "สุขภาพ"), "x_three");
	assert_string_equal(results(ix, docs, "x_two"), "x_two");
	/* The query is read up to SEARCH_QUERY_MAX bytes: what follows (here a
	 * word that matches nothing) is ignored, even cut inside a letter. */
	char q[SEARCH_QUERY_MAX + 64];
	memset(q, ' ', sizeof q);
	memcpy(q, "alpha", 5);
	memcpy(q + SEARCH_QUERY_MAX - 1, "ไม่มี", 15);
	q[SEARCH_QUERY_MAX + 14] = '\0';
	assert_string_equal(results(ix, docs, q), "x_one");
	search_index_free(ix);
	/* An empty catalogue. */
	struct search_index *none = search_index_new(NULL, 0);
	assert_non_null(none);
	size_t out[4];
	assert_int_equal(search_query(none, "ภาษี", out, N(out)), 0);
	search_index_free(none);
}

/* ---- the real catalogue ---------------------------------------------------------- */

struct catalogue {
	struct search_doc *docs;
	char **cells; /* owned strings */
	size_t n, ncells;
	struct search_synonym *syn;
	size_t nsyn;
	struct search_index *ix;
};

static struct catalogue cat;

static char *keep(const char *s)
{
	cat.cells = realloc(cat.cells, (cat.ncells + 1) * sizeof *cat.cells);
	assert_non_null(cat.cells);
	cat.cells[cat.ncells] = strdup(s ? s : "");
	return cat.cells[cat.ncells++];
}

/* The whole file at path, NUL-terminated, in a static buffer of its own. */
static char *slurp(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (tests run from the repository root)", path);
	*len = fread(buf, 1, cap - 1, f);
	fclose(f);
	assert_true(*len > 0 && *len < cap - 1);
	buf[*len] = '\0';
	return buf;
}

/* The value in column want of the record of csv text data whose column key
 * equals value, kept; NULL when there is none. */
static char *lookup(const char *data, size_t len, const char *key, const char *value, const char *want)
{
	struct csv c;
	char *found = NULL;
	csv_init(&c, data, len);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	int k = csv_column(&c, key), w = csv_column(&c, want);
	assert_true(k >= 0 && w >= 0);
	while (!found && csv_next(&c) == CSV_RECORD)
		if ((size_t)k < c.nfields && (size_t)w < c.nfields && strcmp(c.fields[k], value) == 0)
			found = keep(c.fields[w]);
	csv_cleanup(&c);
	return found;
}

/* What the portal indexes: the services of data/eservices.csv with their
 * description (data/eservice_details.csv) and category name
 * (data/eservice_categories.csv). */
static int catalogue_load(void **state)
{
	(void)state;
	static char data[1 << 20], details[1 << 20], categories[1 << 16];
	size_t len, dlen, clen;
	slurp("data/eservices.csv", data, sizeof data, &len);
	slurp("data/eservice_details.csv", details, sizeof details, &dlen);
	slurp("data/eservice_categories.csv", categories, sizeof categories, &clen);
	struct csv c;
	csv_init(&c, data, len);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	int col[5] = {csv_column(&c, "code"), csv_column(&c, "name_th"), csv_column(&c, "name_en"),
	              csv_column(&c, "agency_th"), csv_column(&c, "agency_en")};
	for (size_t i = 0; i < N(col); i++)
		assert_true(col[i] >= 0);
	while (csv_next(&c) == CSV_RECORD) {
		cat.docs = realloc(cat.docs, (cat.n + 1) * sizeof *cat.docs);
		assert_non_null(cat.docs);
		const char *code = keep(c.fields[col[0]]);
		const char *category = lookup(details, dlen, "code", code, "category");
		cat.docs[cat.n] = (struct search_doc){
		    .code = code,
		    .name_th = keep(c.fields[col[1]]),
		    .name_en = keep(c.fields[col[2]]),
		    .agency_th = keep(c.fields[col[3]]),
		    .agency_en = keep(c.fields[col[4]]),
		    .category_th = category ? lookup(categories, clen, "code", category, "name_th") : NULL,
		    .description = lookup(details, dlen, "code", code, "description"),
		};
		cat.n++;
	}
	csv_cleanup(&c);
	assert_true(cat.n >= 20);
	/* The everyday words the seed loads (data/search_synonyms.csv): synonyms
	 * for the index, phrasings appended to their service's keywords. */
	static char syn[1 << 20];
	size_t slen;
	slurp("data/search_synonyms.csv", syn, sizeof syn, &slen);
	csv_init(&c, syn, slen);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	int kind = csv_column(&c, "kind"), phrase = csv_column(&c, "phrase"),
	    target = csv_column(&c, "target");
	assert_true(kind >= 0 && phrase >= 0 && target >= 0);
	while (csv_next(&c) == CSV_RECORD) {
		const char *k = c.fields[kind], *ph = c.fields[phrase], *t = c.fields[target];
		if (!strcmp(k, "word")) {
			cat.syn = realloc(cat.syn, (cat.nsyn + 1) * sizeof *cat.syn);
			assert_non_null(cat.syn);
			cat.syn[cat.nsyn++] = (struct search_synonym){keep(ph), keep(t)};
			continue;
		}
		assert_string_equal(k, "service");
		size_t i = 0;
		while (i < cat.n && strcmp(cat.docs[i].code, t))
			i++;
		if (i == cat.n)
			fail_msg("data/search_synonyms.csv: no service %s", t);
		char *joined = NULL;
		if (asprintf(&joined, "%s%s%s", cat.docs[i].keywords ? cat.docs[i].keywords : "",
		             cat.docs[i].keywords ? "\n" : "", ph) < 0)
			fail();
		cat.docs[i].keywords = keep(joined);
		free(joined);
	}
	csv_cleanup(&c);
	assert_true(cat.nsyn >= 20);
	cat.ix = search_index_build(cat.docs, cat.n, cat.syn, cat.nsyn);
	assert_non_null(cat.ix);
	return 0;
}

static int catalogue_free(void **state)
{
	(void)state;
	search_index_free(cat.ix);
	for (size_t i = 0; i < cat.ncells; i++)
		free(cat.cells[i]);
	free(cat.cells);
	free(cat.docs);
	free(cat.syn);
	memset(&cat, 0, sizeof cat);
	return 0;
}

/* The rank (0 = best) of code in the results of q, or -1. */
static int rank_of(const char *q, const char *code)
{
	size_t out[128];
	size_t n = search_query(cat.ix, q, out, N(out));
	for (size_t i = 0; i < n; i++)
		if (strcmp(cat.docs[out[i]].code, code) == 0)
			return (int)i;
	return -1;
}

static size_t count_of(const char *q)
{
	size_t out[128];
	return search_query(cat.ix, q, out, N(out));
}

static void expect_top(const char *q, const char *code, int within)
{
	int r = rank_of(q, code);
	if (r < 0 || r >= within)
		fail_msg("query \"%s\": %s is at rank %d, expected within the first %d", q, code, r, within);
}

/* Queries written as a citizen types them at a point, and the service a
 * reasonable search must put first (or near the top when several fit). */
static void test_catalogue_queries(void **state)
{
	(void)state;
	static const struct {
		const char *q, *code;
		int within; /* 1 = first */
	} cases[] = {
	    {"ภาษีรถ", "dlt_vehicle_tax", 1},
	    {"ต่อภาษีรถยนต์", "dlt_vehicle_tax", 1},
	    {"ต่อภาษีรถยนต์ออนไลน์", "dlt_vehicle_tax", 1},
	    {"ภาษีมอเตอร์ไซค์", "dlt_vehicle_tax", 1},
	    {"ตรวจสิทธิรักษา", "nhso_rights_check", 1},
	    {"เช็คสิทธิบัตรทอง", "nhso_rights_check", 1},
	    {"สิทธิรักษาพยาบาล", "nhso_rights_check", 1},
	    {"เลือกตั้งล่วงหน้า", "dopa_election_outvote", 1},
	    {"เลือกตั้งนอกเขต", "dopa_election_outvote", 1},
	    {"ตรวจสอบรายชื่อผู้มีสิทธิเลือกตั้ง", "dopa_election_check", 1},
	    {"จองคิวพาสปอร์ต", "mfa_passport_queue", 1},
	    {"วิธีจองคิวพาสปอร์ต", "mfa_passport_queue", 1},
	    {"ทำหนังสือเดินทาง", "mfa_passport_queue", 1},
	    {"passport", "mfa_passport_queue", 1},
	    {"ประกันสังคม", "sso_eservice", 1},
	    {"ประกันสัง", "sso_eservice", 1},
	    {"ว่างงาน", "doe_unemployment", 1},
	    {"ขึ้นทะเบียนว่างงาน", "doe_unemployment", 1},
	    {"ยื่นภาษี", "rd_efiling", 1},
	    {"ภ.ง.ด.๙๐", "rd_efiling", 1},
	    {"ภงด90", "rd_efiling", 1},
	    {"efiling", "rd_efiling", 1},
	    {"thaid", "thaid_register", 1},
	    {"ไทยดี", "thaid_register", 1},
	    {"ทางรัฐ", "tangrat_signup", 1},
	    {"แอพทางรัฐ", "tangrat_signup", 1},
	    {"แจ้งความออนไลน์", "rtp_police_online_report", 1},
	    {"บัตรคนจน", "mof_state_welfare_card", 1},
	    {"บัตรสวัสดิการแห่งรัฐ", "mof_state_welfare_card", 1},
	    {"ทะเบียนเกษตรกร", "doae_farmer_registration", 2},
	    {"ทะเบียนเกษตรกร", "doae_farmbook_app", 2},
	    {"PEA", "pea_eservice", 1},
	    {"ค่าไฟ", "pea_eservice", 2},
	    {"ค่าไฟ", "mea_eservice", 2},
	    {"จ่ายค่าไฟ", "pea_eservice", 2},
	    {"ค่าน้ำ", "pwa_1662_app", 2},
	    {"ค่าน้ำประปา", "mwa_onmobile_app", 2},
	    {"กยศ", "slf_dsl_loan", 1},
	    {"กู้เงินเรียน", "slf_dsl_loan", 1},
	    {"ใบขับขี่", "dlt_smart_queue", 2},
	    {"ใบขับขี่ดิจิทัล", "dlt_qr_licence", 1},
	    {"จองคิวใบขับขี่", "dlt_smart_queue", 1},
	    {"เช็คใบสั่ง", "rtp_ptm_eticket", 1},
	    {"ค้นหาโฉนด", "dol_landsmaps", 1},
	    {"ร้องเรียนศูนย์ดำรงธรรม", "moi_damrongdham", 1},
	    {"1567", "moi_damrongdham", 1},
	    {"๑๑๑๑", "opm_1111", 1},
	    {"ร้องเรียน สคบ", "ocpb_consumer_complaint", 1},
	    {"ร้องเรียนผู้บริโภค", "ocpb_consumer_complaint", 1},
	    {"เงินเด็กแรกเกิด", "dcy_child_support_grant", 1},
	    {"ออมเงิน กอช", "nsf_savings", 1},
	    {"หมอพร้อม", "moph_morprom_line", 1},
	    {"traffy", "nectec_traffy_fondue", 1},
	    {"ค่าจ้าง", "dlpw_labour_complaint", 1},
	};
	for (size_t i = 0; i < N(cases); i++)
		expect_top(cases[i].q, cases[i].code, cases[i].within);
	/* Precision: a query about one thing does not list unrelated ones (a
	 * few that share its words, ranked below, at most). */
	assert_true(count_of("ตรวจสิทธิรักษา") <= 3);
	assert_int_equal(count_of("จองคิวพาสปอร์ต"), 2); /* and the other queue booking */
	assert_int_equal(count_of("ภาษีรถ"), 1);
	assert_int_equal(count_of("ค่าไฟ"), 2);
	assert_int_equal(count_of("PEA"), 1);
	/* Nothing in the catalogue. */
	assert_int_equal(count_of("ดาวอังคาร"), 0);
	assert_int_equal(count_of("สั่งพิซซ่า"), 0);
	assert_int_equal(count_of("xyzzy"), 0);
	assert_int_equal(count_of("!!!"), 0);
}

/* The test set of tests/search/queries.csv (shared with the API test): at
 * least 50 queries written the way people ask, not taken from the service
 * names; each must find its service within the first three. Prints the
 * recall. */
static void test_query_set(void **state)
{
	(void)state;
	static char data[1 << 18];
	size_t len;
	slurp("tests/search/queries.csv", data, sizeof data, &len);
	struct csv c;
	csv_init(&c, data, len);
	assert_int_equal(csv_next(&c), CSV_RECORD);
	int qc = csv_column(&c, "query"), cc = csv_column(&c, "code");
	assert_true(qc >= 0 && cc >= 0);
	size_t total = 0, found = 0, first = 0;
	char misses[8192] = "";
	while (csv_next(&c) == CSV_RECORD) {
		total++;
		int r = rank_of(c.fields[qc], c.fields[cc]);
		found += r >= 0 && r < 3;
		first += r == 0;
		if (r < 0 || r >= 3) {
			size_t used = strlen(misses);
			snprintf(misses + used, sizeof misses - used, "  %s → %s at rank %d\n", c.fields[qc],
			         c.fields[cc], r);
		}
	}
	csv_cleanup(&c);
	printf("search recall: %zu/%zu queries find their service in the first three (%.1f %%), %zu first\n",
	       found, total, total ? 100.0 * (double)found / (double)total : 0.0, first);
	if (misses[0])
		printf("misses:\n%s", misses);
	assert_true(total >= 50);
	assert_int_equal(found, total);
}

/* A misspelling gets a corrected query ("หมายถึง …"); a good query none. */
static void test_suggestions(void **state)
{
	(void)state;
	char out[SEARCH_QUERY_MAX + 1];
	assert_true(search_suggest(cat.ix, "ภาษีรด", out, sizeof out) > 0);
	assert_string_equal(out, "ภาษีรถ");
	expect_top(out, "dlt_vehicle_tax", 1);
	assert_int_equal(search_suggest(cat.ix, "ภาษีรถ", out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(search_suggest(cat.ix, "ประกันสังคม", out, sizeof out), 0);
	/* A misspelt word the breaker cuts into pieces. */
	assert_true(search_suggest(cat.ix, "ทะเบียนเกษตรกน", out, sizeof out) > 0);
	assert_string_equal(out, "ทะเบียนเกษตรกร");
	assert_true(search_suggest(cat.ix, "เลือกตั้งล่วงหนา", out, sizeof out) > 0);
	expect_top(out, "dopa_election_outvote", 1);
	assert_true(search_suggest(cat.ix, "passprot", out, sizeof out) > 0);
	assert_string_equal(out, "passport");
	assert_true(search_suggest(cat.ix, "ประกันสังคน", out, sizeof out) > 0);
	expect_top(out, "sso_eservice", 1);
	/* Nothing close: no suggestion. */
	assert_int_equal(search_suggest(cat.ix, "ฆฌฎฏฐฑฒ", out, sizeof out), 0);
	assert_int_equal(search_suggest(cat.ix, "zzqxjv", out, sizeof out), 0);
	assert_int_equal(search_suggest(cat.ix, "", out, sizeof out), 0);
	assert_int_equal(search_suggest(NULL, "ภาษีรด", out, sizeof out), 0);
	/* Too small a buffer: no (cut) suggestion. */
	assert_int_equal(search_suggest(cat.ix, "ภาษีรด", out, 4), 0);
	assert_string_equal(out, "");
}

/* ---- threads -------------------------------------------------------------------- */

static const char *const thread_queries[] = {
    "ภาษีรถ", "ตรวจสิทธิรักษา", "จองคิวพาสปอร์ต", "ค่าไฟ", "thaid", "ประกันสัง", "ภ.ง.ด.๙๐", "ดาวอังคาร", "เลือกตั้ง",
};

struct expected {
	size_t n;
	size_t out[64];
};

static struct expected expected[N(thread_queries)];

struct worker {
	int id, mismatches;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	for (int round = 0; round < 150; round++) {
		size_t k = (size_t)(round + w->id) % N(thread_queries);
		size_t out[64];
		size_t n = search_query(cat.ix, thread_queries[k], out, N(out));
		if (n != expected[k].n || memcmp(out, expected[k].out, n * sizeof *out) != 0)
			w->mismatches++;
	}
	return NULL;
}

/* One index, eight threads querying it at once (more threads than the
 * breaker pool holds), every answer the same as the one-thread answer. */
static void test_threads(void **state)
{
	(void)state;
	for (size_t k = 0; k < N(thread_queries); k++)
		expected[k].n = search_query(cat.ix, thread_queries[k], expected[k].out, N(expected[k].out));
	assert_true(expected[0].n > 0);
	pthread_t t[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].mismatches, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_words_long_run),
	    cmocka_unit_test(test_small),
	    cmocka_unit_test(test_ranking),
	    cmocka_unit_test(test_fields_and_limits),
	    cmocka_unit_test_setup_teardown(test_catalogue_queries, catalogue_load, catalogue_free),
	    cmocka_unit_test_setup_teardown(test_query_set, catalogue_load, catalogue_free),
	    cmocka_unit_test_setup_teardown(test_suggestions, catalogue_load, catalogue_free),
	    cmocka_unit_test_setup_teardown(test_threads, catalogue_load, catalogue_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
