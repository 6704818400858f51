#include "core/perm.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name;
	const char *label;
} roles[] = {
    [ROLE_NONE] = {"none", "ไม่มีสิทธิ์"},
    [ROLE_OFFICER] = {"officer", "เจ้าหน้าที่ผู้ให้บริการ"},
    [ROLE_DISTRICT_ADMIN] = {"district_admin", "ผู้ดูแลระดับอำเภอ"},
    [ROLE_PROVINCE_ADMIN] = {"province_admin", "ผู้ดูแลระดับจังหวัด"},
    [ROLE_NATIONAL_ADMIN] = {"national_admin", "ผู้ดูแลระดับประเทศ"},
};

bool role_valid(enum role r)
{
	return r >= ROLE_OFFICER && r <= ROLE_NATIONAL_ADMIN;
}

bool role_is_admin(enum role r)
{
	return r >= ROLE_DISTRICT_ADMIN && r <= ROLE_NATIONAL_ADMIN;
}

enum role role_from_name(const char *name)
{
	if (!name)
		return ROLE_NONE;
	for (int r = ROLE_OFFICER; r <= ROLE_NATIONAL_ADMIN; r++)
		if (strcmp(name, roles[r].name) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	return roles[role_valid(r) ? r : ROLE_NONE].name;
}

const char *role_label_th(enum role r)
{
	return roles[role_valid(r) ? r : ROLE_NONE].label;
}

enum unit_level role_unit_level(enum role r)
{
	switch (r) {
	case ROLE_OFFICER:
	case ROLE_DISTRICT_ADMIN: return UNIT_LEVEL_DISTRICT;
	case ROLE_PROVINCE_ADMIN: return UNIT_LEVEL_PROVINCE;
	case ROLE_NATIONAL_ADMIN: return UNIT_LEVEL_NATIONAL;
	case ROLE_NONE: break;
	}
	return UNIT_LEVEL_INVALID;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum unit_level unit_level_of_code(const char *code)
{
	if (!code)
		return UNIT_LEVEL_INVALID;
	size_t n = strnlen(code, UNIT_CODE_SIZE);
	for (size_t i = 0; i < n; i++)
		if (!is_digit(code[i]))
			return UNIT_LEVEL_INVALID;
	switch (n) {
	case 1: return code[0] == '0' ? UNIT_LEVEL_NATIONAL : UNIT_LEVEL_INVALID;
	/* A province never starts with 0: "0x" would read as below national
	 * "0" by prefix, and DOPA numbers provinces from 10. */
	case 2: return code[0] != '0' ? UNIT_LEVEL_PROVINCE : UNIT_LEVEL_INVALID;
	/* District numbers run from 01 within each province. */
	case 4:
		return code[0] != '0' && (code[2] != '0' || code[3] != '0') ? UNIT_LEVEL_DISTRICT
		                                                            : UNIT_LEVEL_INVALID;
	default: return UNIT_LEVEL_INVALID; /* 0, 3 or 5+ characters */
	}
}

bool unit_code_valid(const char *code)
{
	return unit_level_of_code(code) != UNIT_LEVEL_INVALID;
}

int unit_parent_code(const char *code, char out[UNIT_CODE_SIZE])
{
	switch (unit_level_of_code(code)) {
	case UNIT_LEVEL_DISTRICT:
		out[0] = code[0];
		out[1] = code[1];
		out[2] = '\0';
		return 0;
	case UNIT_LEVEL_PROVINCE:
		out[0] = '0';
		out[1] = '\0';
		return 0;
	case UNIT_LEVEL_NATIONAL:
	case UNIT_LEVEL_INVALID: break;
	}
	out[0] = '\0';
	return -1;
}

bool perm_unit_in_scope(const char *user_unit, const char *target_unit)
{
	enum unit_level ul = unit_level_of_code(user_unit), tl = unit_level_of_code(target_unit);
	if (ul == UNIT_LEVEL_INVALID || tl == UNIT_LEVEL_INVALID)
		return false;
	switch (ul) {
	case UNIT_LEVEL_NATIONAL: return true;
	/* Compare whole codes, never prefixes of unknown length: "4" must not
	 * cover "47", nor "47" cover "4801". */
	case UNIT_LEVEL_PROVINCE:
		return (tl == UNIT_LEVEL_PROVINCE && strcmp(user_unit, target_unit) == 0) ||
		       (tl == UNIT_LEVEL_DISTRICT && memcmp(user_unit, target_unit, 2) == 0);
	case UNIT_LEVEL_DISTRICT: return tl == UNIT_LEVEL_DISTRICT && strcmp(user_unit, target_unit) == 0;
	case UNIT_LEVEL_INVALID: break;
	}
	return false;
}

bool perm_role_fits_unit(enum role r, const char *unit)
{
	enum unit_level want = role_unit_level(r);
	return want != UNIT_LEVEL_INVALID && unit_level_of_code(unit) == want;
}

bool perm_can_manage_user(enum role actor_role, const char *actor_unit, enum role target_role,
                          const char *target_unit)
{
	return role_is_admin(actor_role) && perm_role_fits_unit(actor_role, actor_unit) &&
	       perm_role_fits_unit(target_role, target_unit) && perm_unit_in_scope(actor_unit, target_unit) &&
	       target_role <= actor_role;
}
