/* Official orders' rules (orders.h). */
#include "core/orders.h"

#include <stdio.h>
#include <string.h>

#include "core/perm.h"
#include "lib/thai.h"

static const char *const names[ORDER_NKINDS] = {"establishment", "duty"};
static const char *const labels[ORDER_NKINDS] = {"คำสั่งจัดตั้งจุดให้บริการ", "คำสั่งแต่งตั้งเจ้าหน้าที่ปฏิบัติหน้าที่"};

const char *order_kind_name(int k)
{
	return k >= 0 && k < ORDER_NKINDS ? names[k] : "";
}

const char *order_kind_label(int k)
{
	return k >= 0 && k < ORDER_NKINDS ? labels[k] : "";
}

int order_kind_parse(const char *s)
{
	for (int i = 0; s && i < ORDER_NKINDS; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

const char *order_capacity_words(const char *c)
{
	if (!c || !*c)
		return "";
	if (!strcmp(c, "acting_for"))
		return "ปฏิบัติราชการแทน";
	if (!strcmp(c, "acting_in"))
		return "รักษาราชการแทน";
	return NULL;
}

void order_number_format(struct buf *b, long number, int year_be, bool thai)
{
	char s[64];
	snprintf(s, sizeof s, "%ld/%d", number, year_be);
	if (!thai || thai_digits_from_ascii_buf(b, s) < 0)
		buf_puts(b, s);
}

bool order_office_valid(const char *unit)
{
	int l = unit_level_of_code(unit);
	return l == UNIT_LEVEL_DISTRICT || l == UNIT_LEVEL_PROVINCE;
}

bool order_may_write(int role, const char *user_unit, const char *office)
{
	if (!user_unit || !office || strcmp(user_unit, office))
		return false;
	int l = unit_level_of_code(office);
	return (l == UNIT_LEVEL_DISTRICT && role == ROLE_DISTRICT_ADMIN) ||
	       (l == UNIT_LEVEL_PROVINCE && role == ROLE_PROVINCE_ADMIN);
}

const char *order_default_subject(int k)
{
	if (k == ORDER_ESTABLISHMENT)
		return "จัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) {{{office}}} จังหวัด{{{province}}}";
	if (k == ORDER_DUTY)
		return "แต่งตั้งเจ้าหน้าที่ปฏิบัติหน้าที่ ณ จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) {{{office}}}";
	return "";
}

const char *order_default_body(int k)
{
	if (k == ORDER_ESTABLISHMENT)
		return "ตามที่กรมการปกครองได้กำหนดแนวทางการจัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) "
		       "ณ ศูนย์ดำรงธรรมอำเภอ เพื่ออำนวยความสะดวกแก่ประชาชนในการเข้าถึงบริการภาครัฐผ่านระบบอิเล็กทรอนิกส์ "
		       "และลดภาระค่าใช้จ่ายในการเดินทางมาติดต่อราชการ นั้น\n\n"
		       "เพื่อให้การให้บริการประชาชนเป็นไปตามแนวทางดังกล่าว {{{office}}}จึงจัดตั้งศูนย์บริการร่วม "
		       "จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) {{{office}}} จังหวัด{{{province}}} ขึ้น ณ {{{place}}} "
		       "โดยมีหน้าที่ให้บริการ แนะนำ และช่วยเหลือประชาชนในการใช้บริการภาครัฐผ่านระบบอิเล็กทรอนิกส์ "
		       "บันทึกทะเบียนผู้มาขอรับบริการ และรายงานผลการให้บริการตามที่กำหนด\n\n"
		       "ทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป";
	if (k == ORDER_DUTY)
		return "ตามที่{{{office}}}ได้จัดตั้งศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) ณ {{{place}}} "
		       "เพื่ออำนวยความสะดวกแก่ประชาชนในการเข้าถึงบริการภาครัฐผ่านระบบอิเล็กทรอนิกส์ นั้น\n\n"
		       "เพื่อให้การให้บริการเป็นไปด้วยความเรียบร้อยและต่อเนื่อง จึงแต่งตั้งเจ้าหน้าที่ปฏิบัติหน้าที่ "
		       "ณ จุดให้บริการ{{#period}} {{{period}}}{{/period}} ตามบัญชีแนบท้ายคำสั่งนี้ "
		       "โดยให้มีหน้าที่ให้บริการ แนะนำ และช่วยเหลือประชาชนในการใช้บริการภาครัฐผ่านระบบอิเล็กทรอนิกส์ "
		       "และบันทึกทะเบียนผู้มาขอรับบริการทุกราย\n\n"
		       "ทั้งนี้ {{{effective}}}";
	return "";
}
