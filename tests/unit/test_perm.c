/* Unit tests for src/core/perm.c: role names, unit codes, scope, role/unit
 * fit and the user-management rule, over every combination. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/perm.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const enum role all_roles[] = {ROLE_NONE,           ROLE_OFFICER,        ROLE_DISTRICT_ADMIN,
                                      ROLE_PROVINCE_ADMIN, ROLE_NATIONAL_ADMIN, (enum role)5,
                                      (enum role) - 1};

static void test_role_names(void **state)
{
	static const struct {
		enum role r;
		const char *name, *label;
	} rows[] = {
	    {ROLE_OFFICER, "officer", "เจ้าหน้าที่ผู้ให้บริการ"},
	    {ROLE_DISTRICT_ADMIN, "district_admin", "ผู้ดูแลระดับอำเภอ"},
	    {ROLE_PROVINCE_ADMIN, "province_admin", "ผู้ดูแลระดับจังหวัด"},
	    {ROLE_NATIONAL_ADMIN, "national_admin", "ผู้ดูแลระดับประเทศ"},
	};
	for (size_t i = 0; i < N(rows); i++) {
		assert_int_equal(role_from_name(rows[i].name), rows[i].r);
		assert_string_equal(role_name(rows[i].r), rows[i].name);
		assert_string_equal(role_label_th(rows[i].r), rows[i].label);
		assert_true(role_valid(rows[i].r));
	}
	assert_int_equal(ROLE_NONE, 0);
	assert_int_equal(ROLE_OFFICER, 1);
	assert_int_equal(ROLE_DISTRICT_ADMIN, 2);
	assert_int_equal(ROLE_PROVINCE_ADMIN, 3);
	assert_int_equal(ROLE_NATIONAL_ADMIN, 4);

	static const char *const unknown[] = {
	    "",      "none",     "Officer",          "OFFICER",         " officer", "officer ",
	    "admin", "district", "national_admin\n", "เจ้าหน้าที่ผู้ให้บริการ", NULL};
	for (size_t i = 0; i < N(unknown); i++)
		assert_int_equal(role_from_name(unknown[i]), ROLE_NONE);
	static const enum role odd[] = {ROLE_NONE, (enum role)5, (enum role) - 1, (enum role)100};
	for (size_t i = 0; i < N(odd); i++) {
		assert_string_equal(role_name(odd[i]), "none");
		assert_string_equal(role_label_th(odd[i]), "ไม่มีสิทธิ์");
		assert_false(role_valid(odd[i]));
		assert_false(role_is_admin(odd[i]));
		assert_int_equal(role_unit_level(odd[i]), UNIT_LEVEL_INVALID);
	}
	/* Round trip over every value. */
	for (size_t i = 0; i < N(all_roles); i++) {
		enum role r = all_roles[i];
		assert_int_equal(role_from_name(role_name(r)), role_valid(r) ? r : ROLE_NONE);
	}
}

static void test_role_kinds(void **state)
{
	assert_false(role_is_admin(ROLE_OFFICER));
	assert_true(role_is_admin(ROLE_DISTRICT_ADMIN));
	assert_true(role_is_admin(ROLE_PROVINCE_ADMIN));
	assert_true(role_is_admin(ROLE_NATIONAL_ADMIN));
	assert_int_equal(role_unit_level(ROLE_OFFICER), UNIT_LEVEL_DISTRICT);
	assert_int_equal(role_unit_level(ROLE_DISTRICT_ADMIN), UNIT_LEVEL_DISTRICT);
	assert_int_equal(role_unit_level(ROLE_PROVINCE_ADMIN), UNIT_LEVEL_PROVINCE);
	assert_int_equal(role_unit_level(ROLE_NATIONAL_ADMIN), UNIT_LEVEL_NATIONAL);
}

static const struct {
	const char *code;
	enum unit_level level;
	const char *parent; /* NULL: none */
} unit_rows[] = {
    {"0", UNIT_LEVEL_NATIONAL, NULL},       {"10", UNIT_LEVEL_PROVINCE, "0"},
    {"47", UNIT_LEVEL_PROVINCE, "0"},       {"48", UNIT_LEVEL_PROVINCE, "0"},
    {"99", UNIT_LEVEL_PROVINCE, "0"},       {"1001", UNIT_LEVEL_DISTRICT, "10"},
    {"4701", UNIT_LEVEL_DISTRICT, "47"},    {"4718", UNIT_LEVEL_DISTRICT, "47"},
    {"4799", UNIT_LEVEL_DISTRICT, "47"},    {"4810", UNIT_LEVEL_DISTRICT, "48"},
    {"", UNIT_LEVEL_INVALID, NULL},         {"4", UNIT_LEVEL_INVALID, NULL},
    {"1", UNIT_LEVEL_INVALID, NULL},        {"00", UNIT_LEVEL_INVALID, NULL},
    {"07", UNIT_LEVEL_INVALID, NULL},       {"000", UNIT_LEVEL_INVALID, NULL},
    {"470", UNIT_LEVEL_INVALID, NULL},      {"4700", UNIT_LEVEL_INVALID, NULL},
    {"0701", UNIT_LEVEL_INVALID, NULL},     {"0000", UNIT_LEVEL_INVALID, NULL},
    {"47011", UNIT_LEVEL_INVALID, NULL},    {"470101", UNIT_LEVEL_INVALID, NULL},
    {"47010101", UNIT_LEVEL_INVALID, NULL}, {"a7", UNIT_LEVEL_INVALID, NULL},
    {"47a1", UNIT_LEVEL_INVALID, NULL},     {" 47", UNIT_LEVEL_INVALID, NULL},
    {"47 ", UNIT_LEVEL_INVALID, NULL},      {"-47", UNIT_LEVEL_INVALID, NULL},
    {"๔๗", UNIT_LEVEL_INVALID, NULL},       {"0 ", UNIT_LEVEL_INVALID, NULL},
    {NULL, UNIT_LEVEL_INVALID, NULL},
};

static void test_unit_codes(void **state)
{
	for (size_t i = 0; i < N(unit_rows); i++) {
		const char *code = unit_rows[i].code;
		char parent[UNIT_CODE_SIZE];
		if (unit_level_of_code(code) != unit_rows[i].level)
			fail_msg("level of \"%s\"", code ? code : "(null)");
		assert_int_equal(unit_code_valid(code), unit_rows[i].level != UNIT_LEVEL_INVALID);
		memset(parent, 'z', sizeof parent);
		int rc = unit_parent_code(code, parent);
		if (unit_rows[i].parent) {
			assert_int_equal(rc, 0);
			assert_string_equal(parent, unit_rows[i].parent);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(parent, "");
		}
	}
}

/* Scope over every pair of the codes below. */
static const char *const scope_units[] = {"0", "47", "48", "4701", "4702", "4801"};
static const bool scope_matrix[6][6] = {
    /* target:  0      47     48     4701   4702   4801 */
    /* 0    */ {true, true, true, true, true, true},
    /* 47   */ {false, true, false, true, true, false},
    /* 48   */ {false, false, true, false, false, true},
    /* 4701 */ {false, false, false, true, false, false},
    /* 4702 */ {false, false, false, false, true, false},
    /* 4801 */ {false, false, false, false, false, true},
};
static const char *const bad_units[] = {"4",    "470", "47011", "",    "00",  "07",
                                        "4700", "a7",  "47a1",  " 47", "47 ", NULL};

static void test_scope(void **state)
{
	for (size_t u = 0; u < N(scope_units); u++)
		for (size_t t = 0; t < N(scope_units); t++)
			if (perm_unit_in_scope(scope_units[u], scope_units[t]) != scope_matrix[u][t])
				fail_msg("user %s target %s", scope_units[u], scope_units[t]);
	/* Invalid codes are in nobody's scope and have none. */
	for (size_t b = 0; b < N(bad_units); b++) {
		for (size_t u = 0; u < N(scope_units); u++) {
			assert_false(perm_unit_in_scope(scope_units[u], bad_units[b]));
			assert_false(perm_unit_in_scope(bad_units[b], scope_units[u]));
		}
		for (size_t c = 0; c < N(bad_units); c++)
			assert_false(perm_unit_in_scope(bad_units[b], bad_units[c]));
	}
	/* The tricky prefixes, spelled out. */
	assert_true(perm_unit_in_scope("47", "4701"));
	assert_false(perm_unit_in_scope("48", "4701"));
	assert_false(perm_unit_in_scope("4", "47"));
	assert_false(perm_unit_in_scope("4", "4701"));
	assert_false(perm_unit_in_scope("47", "470"));
	assert_false(perm_unit_in_scope("47", "47011"));
	assert_false(perm_unit_in_scope("4701", "47011"));
	assert_false(perm_unit_in_scope("4701", "47"));
	assert_false(perm_unit_in_scope("0", "0701"));
	assert_false(perm_unit_in_scope("0", ""));
	assert_false(perm_unit_in_scope("", "4701"));
}

static void test_role_fits_unit(void **state)
{
	static const char *const units[] = {"0", "47", "4701"};
	static const struct {
		enum role r;
		bool fits[3]; /* "0", "47", "4701" */
	} rows[] = {
	    {ROLE_NONE, {false, false, false}},          {ROLE_OFFICER, {false, false, true}},
	    {ROLE_DISTRICT_ADMIN, {false, false, true}}, {ROLE_PROVINCE_ADMIN, {false, true, false}},
	    {ROLE_NATIONAL_ADMIN, {true, false, false}}, {(enum role)5, {false, false, false}},
	    {(enum role) - 1, {false, false, false}},
	};
	for (size_t i = 0; i < N(rows); i++) {
		for (size_t u = 0; u < N(units); u++)
			if (perm_role_fits_unit(rows[i].r, units[u]) != rows[i].fits[u])
				fail_msg("role %d unit %s", rows[i].r, units[u]);
		for (size_t b = 0; b < N(bad_units); b++)
			assert_false(perm_role_fits_unit(rows[i].r, bad_units[b]));
	}
}

static void test_manage_table(void **state)
{
	static const struct {
		enum role ar;
		const char *au;
		enum role tr;
		const char *tu;
		bool ok;
	} rows[] = {
	    /* national admin: everyone whose role fits the unit */
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, "4701", true},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_DISTRICT_ADMIN, "4801", true},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_PROVINCE_ADMIN, "47", true},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_NATIONAL_ADMIN, "0", true},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, "47", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, "0", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_PROVINCE_ADMIN, "4701", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_NATIONAL_ADMIN, "47", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_NONE, "4701", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, "470", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, "4700", false},
	    {ROLE_NATIONAL_ADMIN, "0", (enum role)5, "0", false},
	    /* province admin: own districts, own province's admins */
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_OFFICER, "4701", true},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_DISTRICT_ADMIN, "4702", true},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_PROVINCE_ADMIN, "47", true},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_PROVINCE_ADMIN, "48", false},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_OFFICER, "4801", false},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_DISTRICT_ADMIN, "4801", false},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_NATIONAL_ADMIN, "0", false},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_OFFICER, "47", false},
	    {ROLE_PROVINCE_ADMIN, "47", ROLE_OFFICER, "47011", false},
	    /* district admin: officers and district admins of own district */
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_OFFICER, "4701", true},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_DISTRICT_ADMIN, "4701", true},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_OFFICER, "4702", false},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_DISTRICT_ADMIN, "4702", false},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_OFFICER, "4801", false},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_PROVINCE_ADMIN, "47", false},
	    {ROLE_DISTRICT_ADMIN, "4701", ROLE_NATIONAL_ADMIN, "0", false},
	    /* officers and no-role users manage nobody */
	    {ROLE_OFFICER, "4701", ROLE_OFFICER, "4701", false},
	    {ROLE_NONE, "4701", ROLE_OFFICER, "4701", false},
	    {ROLE_NONE, "0", ROLE_OFFICER, "4701", false},
	    /* an actor whose role does not fit its unit manages nobody */
	    {ROLE_DISTRICT_ADMIN, "47", ROLE_OFFICER, "4701", false},
	    {ROLE_DISTRICT_ADMIN, "0", ROLE_OFFICER, "4701", false},
	    {ROLE_PROVINCE_ADMIN, "4701", ROLE_OFFICER, "4701", false},
	    {ROLE_PROVINCE_ADMIN, "0", ROLE_OFFICER, "4701", false},
	    {ROLE_NATIONAL_ADMIN, "47", ROLE_OFFICER, "4701", false},
	    {ROLE_NATIONAL_ADMIN, "4701", ROLE_OFFICER, "4701", false},
	    /* invalid codes */
	    {ROLE_PROVINCE_ADMIN, "4", ROLE_OFFICER, "4701", false},
	    {ROLE_PROVINCE_ADMIN, "470", ROLE_OFFICER, "4701", false},
	    {ROLE_DISTRICT_ADMIN, "47011", ROLE_OFFICER, "47011", false},
	    {ROLE_NATIONAL_ADMIN, "", ROLE_OFFICER, "4701", false},
	    {ROLE_NATIONAL_ADMIN, NULL, ROLE_OFFICER, "4701", false},
	    {ROLE_NATIONAL_ADMIN, "0", ROLE_OFFICER, NULL, false},
	};
	for (size_t i = 0; i < N(rows); i++)
		if (perm_can_manage_user(rows[i].ar, rows[i].au, rows[i].tr, rows[i].tu) != rows[i].ok)
			fail_msg("row %zu", i);
}

/* An independent oracle for the rule, written from the header with its own
 * table of units, checked against every combination of roles and units. */
static const struct {
	const char *code;
	int level;        /* -1 invalid */
	const char *prov; /* province of a district, the code of a province */
} oracle_units[] = {
    {"0", 0, NULL},     {"47", 1, "47"},  {"48", 1, "48"},   {"4701", 2, "47"},   {"4702", 2, "47"},
    {"4801", 2, "48"},  {"4", -1, NULL},  {"470", -1, NULL}, {"47011", -1, NULL}, {"", -1, NULL},
    {"4700", -1, NULL}, {"07", -1, NULL}, {NULL, -1, NULL},
};

static int oracle_role_level(enum role r)
{
	switch ((int)r) {
	case 1:
	case 2: return 2;
	case 3: return 1;
	case 4: return 0;
	default: return -1;
	}
}

static bool oracle_in_scope(size_t u, size_t t)
{
	int ul = oracle_units[u].level, tl = oracle_units[t].level;
	if (ul < 0 || tl < 0)
		return false;
	if (ul == 0)
		return true;
	if (ul == 1)
		return strcmp(oracle_units[u].prov, oracle_units[t].prov ? oracle_units[t].prov : "") == 0;
	return u == t;
}

static void test_manage_exhaustive(void **state)
{
	int allowed = 0;
	for (size_t ar = 0; ar < N(all_roles); ar++)
		for (size_t au = 0; au < N(oracle_units); au++)
			for (size_t tr = 0; tr < N(all_roles); tr++)
				for (size_t tu = 0; tu < N(oracle_units); tu++) {
					enum role a = all_roles[ar], t = all_roles[tr];
					int alevel = oracle_role_level(a), tlevel = oracle_role_level(t);
					bool admin = a == ROLE_DISTRICT_ADMIN || a == ROLE_PROVINCE_ADMIN ||
					             a == ROLE_NATIONAL_ADMIN;
					bool want = admin && alevel == oracle_units[au].level &&
					            tlevel >= 0 && tlevel == oracle_units[tu].level &&
					            oracle_in_scope(au, tu) && (int)t <= (int)a;
					bool got = perm_can_manage_user(a, oracle_units[au].code, t,
					                                oracle_units[tu].code);
					if (got != want)
						fail_msg(
						    "actor %d@%s target %d@%s: got %d", a,
						    oracle_units[au].code ? oracle_units[au].code : "(null)",
						    t,
						    oracle_units[tu].code ? oracle_units[tu].code : "(null)",
						    got);
					allowed += got;
					/* Scope agrees with the oracle too. */
					if (ar == 0 && tr == 0 &&
					    perm_unit_in_scope(oracle_units[au].code,
					                       oracle_units[tu].code) !=
					        oracle_in_scope(au, tu))
						fail_msg(
						    "scope %s → %s",
						    oracle_units[au].code ? oracle_units[au].code : "(null)",
						    oracle_units[tu].code ? oracle_units[tu].code : "(null)");
				}
	/* national@0: 1 national + 2 province admins + 3 districts × 2 roles = 9;
	 * province@47: itself + 2 districts × 2 = 5; province@48: 1 + 1 × 2 = 3;
	 * district admins at 4701, 4702, 4801: 2 each. */
	assert_int_equal(allowed, 9 + 5 + 3 + 2 * 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_role_names),        cmocka_unit_test(test_role_kinds),
	    cmocka_unit_test(test_unit_codes),        cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_role_fits_unit),    cmocka_unit_test(test_manage_table),
	    cmocka_unit_test(test_manage_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
