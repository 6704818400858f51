/* Rules of the manual's documents, channels, contacts and แจ้งปัญหา (core/help.h). */
#include "core/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "lib/thai.h"
#include "lib/xalloc.h"

/* ---- the fields ---- */

static const char *const channel_kinds[] = {"line_group", "line_openchat", "web", "other", NULL};
static const char *const channel_kind_labels[] = {"กลุ่มไลน์", "ไลน์ OpenChat", "เว็บไซต์", "อื่น ๆ", NULL};
static const char *const urgencies[] = {"normal", "urgent", "very_urgent", "most_urgent", NULL};
static const char *const urgency_labels[] = {"ปกติ", "ด่วน", "ด่วนมาก", "ด่วนที่สุด", NULL};
static const char *const tos[] = {"province", "national", NULL};
static const char *const to_labels[] = {"ที่ทำการปกครองจังหวัด", "กรมการปกครอง (กลุ่มพัฒนาระบบบริหาร)", NULL};

const struct help_field help_fields_contact[] = {
    {"name_th", HF_LINE, true, 200, "ชื่อหน่วยงานหรือผู้ติดต่อ", NULL, NULL, NULL},
    {"phone", HF_PHONE, false, 100, "โทรศัพท์", NULL, NULL, NULL},
    {"fax", HF_PHONE, false, 100, "โทรสาร", NULL, NULL, NULL},
    {"email", HF_EMAIL, false, 200, "อีเมล", NULL, NULL, NULL},
    {"note", HF_TEXT, false, 500, "หมายเหตุ (เวลาทำการ เรื่องที่ติดต่อ)", NULL, NULL, NULL},
    {0},
};

const struct help_field help_fields_channel[] = {
    {"kind", HF_CHOICE, true, 32, "ชนิดช่องทาง", channel_kinds, channel_kind_labels, "line_group"},
    {"name_th", HF_LINE, true, 200, "ชื่อช่องทาง", NULL, NULL, NULL},
    {"url", HF_URL, true, 500, "ลิงก์ (https://…)", NULL, NULL, NULL},
    {"note", HF_TEXT, false, 500, "หมายเหตุ", NULL, NULL, NULL},
    {0},
};

const struct help_field help_fields_thread[] = {
    {"subject", HF_LINE, true, 200, "เรื่อง", NULL, NULL, NULL},
    {"urgency", HF_CHOICE, true, 32, "ความเร่งด่วน", urgencies, urgency_labels, "normal"},
    {"to", HF_CHOICE, true, 32, "แจ้งถึง", tos, to_labels, "province"},
    {"body", HF_TEXT, true, 4000, "รายละเอียดของปัญหา", NULL, NULL, NULL},
    {0},
};

const struct help_field help_fields_reply[] = {
    {"body", HF_TEXT, true, 4000, "ข้อความ", NULL, NULL, NULL},
    {0},
};

const struct help_field help_fields_doc[] = {
    {"title_th", HF_LINE, true, 300, "ชื่อเอกสาร", NULL, NULL, NULL},
    {0},
};

size_t help_fields_count(const struct help_field *f)
{
	size_t n = 0;
	while (f[n].name)
		n++;
	return n;
}

/* Code points of valid UTF-8 s (no overlong form, surrogate or code point
 * past U+10FFFF), or -1 when it is not. */
static long utf8_chars(const char *s)
{
	long n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = *p < 0x80                    ? 1
		           : (*p >= 0xC2 && *p < 0xE0)  ? 2
		           : (*p >= 0xE0 && *p < 0xF0)  ? 3
		           : (*p >= 0xF0 && *p <= 0xF4) ? 4
		                                        : 0;
		if (!k)
			return -1;
		unsigned cp = k == 1 ? *p : *p & (k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07);
		for (size_t i = 1; i < k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return -1;
		p += k;
		n++;
	}
	return n;
}

static bool has_control(const char *s, bool lines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7F)
			return true;
	return false;
}

static char *trimmed(const char *s)
{
	if (!s)
		return xstrdup("");
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	char *out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static bool url_ok(const char *s)
{
	size_t skip = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
	if (!skip || !s[skip] || s[skip] == '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7F || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return false;
	return s[strlen(s) - 1] != '.';
}

static size_t phone_digits(const char *s, char *out, size_t cap);

static void add_err(struct help_errors *e, const char *field, const char *msg)
{
	if (e->n < HELP_FIELDS_MAX) {
		e->e[e->n].field = field;
		e->e[e->n].message = msg;
		e->n++;
	}
}

int help_fields_check(const struct help_field *list, const char *(*get)(const char *name, void *ctx),
                      void *ctx, bool partial, struct help_values *out, struct help_errors *errs)
{
	memset(out, 0, sizeof *out);
	errs->n = 0;
	for (size_t i = 0; list[i].name && i < HELP_FIELDS_MAX; i++) {
		const struct help_field *f = &list[i];
		const char *raw = get(f->name, ctx);
		char *v = trimmed(raw);
		out->v[i] = v;
		out->n = i + 1;
		if (!*v && f->kind == HF_CHOICE && f->def && !(partial && !raw)) {
			free(v);
			v = out->v[i] = xstrdup(f->def);
		}
		if (!*v) {
			if (f->required && !(partial && !raw))
				add_err(errs, f->name, "กรุณากรอกข้อมูลช่องนี้");
			continue;
		}
		long chars = utf8_chars(v);
		if (chars < 0 || has_control(v, f->kind == HF_TEXT)) {
			add_err(errs, f->name, "มีอักขระที่ใช้ไม่ได้");
			continue;
		}
		if (chars > f->max) {
			add_err(errs, f->name, "ข้อความยาวเกินกำหนด");
			continue;
		}
		switch (f->kind) {
		case HF_CHOICE: {
			bool ok = false;
			for (size_t k = 0; f->choices[k]; k++)
				ok = ok || !strcmp(f->choices[k], v);
			if (!ok)
				add_err(errs, f->name, "กรุณาเลือกจากรายการ");
			break;
		}
		case HF_URL:
			if (!url_ok(v))
				add_err(errs, f->name, "ลิงก์ต้องขึ้นต้นด้วย https:// หรือ http:// และไม่มีช่องว่าง");
			break;
		case HF_EMAIL:
			if (!email_ok(v))
				add_err(errs, f->name, "รูปแบบอีเมลไม่ถูกต้อง");
			break;
		case HF_PHONE: {
			char d[HELP_TEL_MAX];
			if (phone_digits(v, d, sizeof d) < 3)
				add_err(errs, f->name, "กรุณากรอกหมายเลขโทรศัพท์ (อย่างน้อย 3 หลัก)");
			break;
		}
		default: break;
		}
	}
	return errs->n ? -1 : 0;
}

void help_values_free(struct help_values *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

const char *help_value(const struct help_field *list, const struct help_values *v, const char *name)
{
	for (size_t i = 0; i < v->n && list[i].name; i++)
		if (!strcmp(list[i].name, name))
			return v->v[i] ? v->v[i] : "";
	return "";
}

const char *help_choice_label(const struct help_field *list, const char *name, const char *value)
{
	for (size_t i = 0; list[i].name; i++)
		if (!strcmp(list[i].name, name) && list[i].kind == HF_CHOICE)
			for (size_t k = 0; list[i].choices[k]; k++)
				if (value && !strcmp(list[i].choices[k], value))
					return list[i].choice_labels[k];
	return value ? value : "";
}

/* ---- contacts ---- */

/* The digits of the first number in s (a leading '+' kept), ASCII, into
 * out; stops at ',', '/', ';' or "ต่อ" (an extension). Returns how many
 * digits. */
static size_t phone_digits(const char *s, char *out, size_t cap)
{
	size_t n = 0, digits = 0;
	out[0] = '\0';
	while (*s == ' ')
		s++;
	if (*s == '+' && n + 1 < cap)
		out[n++] = *s++;
	while (*s) {
		int d;
		int k = thai_digit_scan(s, strlen(s), &d);
		if (k > 0) {
			if (n + 1 < cap) {
				out[n++] = (char)('0' + d);
				digits++;
			}
			s += k;
		} else if (*s == ' ' || *s == '-' || *s == '.' || *s == '(' || *s == ')') {
			s++;
		} else {
			break;
		}
	}
	out[n] = '\0';
	return digits;
}

bool help_tel_href(const char *phone, char out[HELP_TEL_MAX])
{
	char d[24];
	out[0] = '\0';
	if (!phone)
		return false;
	size_t n = phone_digits(phone, d, sizeof d);
	if (n < 3 || n > 15)
		return false;
	/* An extension after the number ("ต่อ 12") dials after a pause (','). */
	const char *ext = strstr(phone, "ต่อ");
	char e[12] = "";
	if (ext) {
		char tmp[12];
		if (phone_digits(ext + strlen("ต่อ"), tmp, sizeof tmp) > 0 && tmp[0] != '+')
			memcpy(e, tmp, sizeof e);
	}
	int len = snprintf(out, HELP_TEL_MAX, "tel:%s%s%s", d, e[0] ? "," : "", e);
	if (len < 0 || len >= HELP_TEL_MAX) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* ---- channels ---- */

bool help_channel_level_ok(int unit_level)
{
	return unit_level == UNIT_LEVEL_PROVINCE || unit_level == UNIT_LEVEL_NATIONAL;
}

/* ---- แจ้งปัญหา ---- */

static const char *const status_names[] = {"open", "answered", "closed"};
static const char *const status_labels[] = {"รอตอบ", "ตอบแล้ว", "ปิดเรื่อง"};

enum helpdesk_status helpdesk_status_from(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, status_names[i]))
			return (enum helpdesk_status)i;
	return HD_STATUS_INVALID;
}

const char *helpdesk_status_name(enum helpdesk_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "";
}

const char *helpdesk_status_label(enum helpdesk_status s)
{
	return (unsigned)s < 3 ? status_labels[s] : "";
}

const char *helpdesk_urgency_label(const char *urgency)
{
	return help_choice_label(help_fields_thread, "urgency", urgency);
}

enum helpdesk_party helpdesk_party_of(const char *user_unit, const char *unit, const char *to_unit)
{
	if (!user_unit || !unit || !to_unit)
		return HD_NONE;
	if (!strcmp(user_unit, unit))
		return HD_RAISER;
	/* The addressee, or a unit above it (the nation over a province). */
	if (unit_level_of_code(user_unit) != UNIT_LEVEL_DISTRICT && perm_unit_in_scope(user_unit, to_unit))
		return HD_ADDRESSEE;
	return HD_NONE;
}

enum helpdesk_status helpdesk_after_reply(enum helpdesk_party p)
{
	return p == HD_ADDRESSEE ? HD_ANSWERED : HD_OPEN;
}

bool helpdesk_to_unit(const char *district, const char *to, char out[8])
{
	out[0] = '\0';
	if (!district || unit_level_of_code(district) != UNIT_LEVEL_DISTRICT || !to)
		return false;
	if (!strcmp(to, "province")) {
		memcpy(out, district, 2);
		out[2] = '\0';
		return true;
	}
	if (!strcmp(to, "national")) {
		snprintf(out, 8, "%s", "0");
		return true;
	}
	return false;
}

bool helpdesk_attachment_type_ok(const char *mime)
{
	return mime && (!strcmp(mime, "application/pdf") || !strcmp(mime, "image/jpeg") ||
	                !strcmp(mime, "image/png") || !strcmp(mime, "image/webp"));
}
