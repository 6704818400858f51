/* Roles, org units and who may see or manage what.
 *
 * Units are DOPA geocodes (ASCII digits only):
 *   "0"        national (DOPA, กรมการปกครอง)        level 0
 *   "PP"       province, PP = 10..99                 level 1
 *   "PPDD"     district of province PP, DD = 01..99  level 2
 * Anything else is invalid: "", "4", "00", "07", "470", "4700", "47011",
 * " 47", "4a01". (Which codes exist is data, in the units table; these rules
 * only need the shape.) A unit's parent: district → its province (first two
 * digits), province → "0", national → none.
 *
 * Roles, each tied to one level of unit:
 *   ROLE_OFFICER         duty officer of a district        (district unit)
 *   ROLE_DISTRICT_ADMIN  district administrator            (district unit)
 *   ROLE_PROVINCE_ADMIN  province administrator (ทปค.จ.)     (province unit)
 *   ROLE_NATIONAL_ADMIN  DOPA administrator                (unit "0")
 * Roles are ordered: a higher value is a higher role. ROLE_NONE is no role
 * (unknown name, anonymous) and is granted nothing.
 *
 * Scope: a user sees their own unit and every unit below it: national sees
 * every valid unit, a province itself and its districts, a district only
 * itself. Invalid codes are in nobody's scope and have no scope.
 *
 * Managing users (create, edit, reset password, disable), all must hold:
 *   1. the actor is an admin (district, province or national) whose role fits
 *      the actor's unit;
 *   2. the target role is a real role and fits the target unit;
 *   3. the target unit is in the actor's scope;
 *   4. the target role is not above the actor's role (peers may be managed).
 * So a district admin manages officers and district admins of their own
 * district only; a province admin also the province admins of their own
 * province; a national admin everyone. Changing a user's role or unit needs
 * this to hold for both the current and the new (role, unit). Rules about
 * the actor's own account (not disabling yourself, keeping one admin) belong
 * to the caller, which knows the user ids.
 *
 * String parameters are borrowed; NULL is accepted and treated as invalid. */
#ifndef OSSPOINT_CORE_PERM_H
#define OSSPOINT_CORE_PERM_H

#include <stdbool.h>

enum role {
	ROLE_NONE = 0,
	ROLE_OFFICER = 1,
	ROLE_DISTRICT_ADMIN = 2,
	ROLE_PROVINCE_ADMIN = 3,
	ROLE_NATIONAL_ADMIN = 4,
};

enum unit_level {
	UNIT_LEVEL_INVALID = -1,
	UNIT_LEVEL_NATIONAL = 0,
	UNIT_LEVEL_PROVINCE = 1,
	UNIT_LEVEL_DISTRICT = 2,
};

#define UNIT_CODE_NATIONAL "0"
#define UNIT_CODE_SIZE     5 /* longest code "PPDD" + NUL */

/* "officer", "district_admin", "province_admin", "national_admin" (exact,
 * lower case) → the role; anything else, NULL included → ROLE_NONE. */
enum role role_from_name(const char *name);
/* The name role_from_name accepts; "none" for ROLE_NONE and values outside
 * the enum. Never NULL. */
const char *role_name(enum role r);
/* Thai label: "เจ้าหน้าที่ผู้ให้บริการ", "ผู้ดูแลระดับอำเภอ", "ผู้ดูแลระดับจังหวัด",
 * "ผู้ดูแลระดับประเทศ"; "ไม่มีสิทธิ์" for ROLE_NONE and other values. Never NULL. */
const char *role_label_th(enum role r);
/* True for ROLE_OFFICER..ROLE_NATIONAL_ADMIN. */
bool role_valid(enum role r);
/* True for the three admin roles. */
bool role_is_admin(enum role r);
/* The unit level a role belongs to; UNIT_LEVEL_INVALID for ROLE_NONE and
 * other values. */
enum unit_level role_unit_level(enum role r);

/* Level of a unit code, UNIT_LEVEL_INVALID when it is not one (see above). */
enum unit_level unit_level_of_code(const char *code);
bool unit_code_valid(const char *code);
/* Writes the parent's code into out. Returns 0, or -1 for the national unit
 * and invalid codes (out = ""). */
int unit_parent_code(const char *code, char out[UNIT_CODE_SIZE]);

/* True when target_unit is user_unit or below it (see Scope). */
bool perm_unit_in_scope(const char *user_unit, const char *target_unit);
/* True when role r may belong to unit: officers and district admins to a
 * district, province admins to a province, national admins to "0". */
bool perm_role_fits_unit(enum role r, const char *unit);
/* The user-management rule above. */
bool perm_can_manage_user(enum role actor_role, const char *actor_unit, enum role target_role,
                          const char *target_unit);

#endif
