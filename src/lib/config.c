#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "xalloc.h"

#ifndef OSSPOINT_DEFAULT_ROOT
#define OSSPOINT_DEFAULT_ROOT "."
#endif

enum kind { K_STR, K_UINT, K_LONG, K_INT, K_BOOL, K_ULONG };

struct setting {
	const char *key;
	enum kind kind;
	size_t off;
	long min, max;
	const char *help;
};

#define OFF(f) offsetof(struct config, f)
static const struct setting settings[] = {
    {"db", K_STR, OFF(db), 0, 0, "ฐานข้อมูล: sqlite:PATH หรือ postgresql://..."},
    {"listen", K_STR, OFF(listen), 0, 0, "ที่อยู่และพอร์ต host:port"},
    {"root", K_STR, OFF(root), 0, 0, "โฟลเดอร์ที่มี templates/ static/ data/"},
    {"secret_file", K_STR, OFF(secret_file), 0, 0, "ไฟล์กุญแจลับ (สร้างให้เมื่อยังไม่มี)"},
    {"threads", K_UINT, OFF(threads), 0, 256, "จำนวนเธรด HTTP (0 = 32)"},
    {"workers", K_UINT, OFF(workers), 0, 1024, "จำนวนเธรดที่ทำคำขอบันทึกข้อมูล (0 = 64)"},
    {"db_pool", K_UINT, OFF(db_pool), 0, 256, "จำนวนการเชื่อมต่อฐานข้อมูล (0 = ค่าเริ่มต้น)"},
    {"session_ttl", K_LONG, OFF(session_ttl), 60, 31L * 86400, "อายุเซสชันสูงสุด (วินาที)"},
    {"session_idle", K_LONG, OFF(session_idle), 60, 31L * 86400, "หมดเวลาเมื่อไม่ใช้งาน (วินาที)"},
    {"login_max_fails", K_INT, OFF(login_max_fails), 1, 1000,
     "จำนวนครั้งที่ใส่รหัสผิดต่อบัญชีจากที่อยู่เดียวกัน ก่อนถูกล็อกชั่วคราว"},
    {"login_window", K_LONG, OFF(login_window), 10, 86400, "ช่วงเวลานับการใส่รหัสผิด (วินาที)"},
    {"login_delay", K_LONG, OFF(login_delay), 0, 60,
     "วินาทีที่ต้องรอหลังใส่รหัสผิดครบ 5 ครั้ง (เพิ่มเป็นเท่าตัวทุกครั้ง สูงสุด 60; 0 = ไม่หน่วง)"},
    {"login_address_max_fails", K_INT, OFF(login_address_max_fails), 1, 100000,
     "จำนวนครั้งที่ใส่รหัสผิดจากที่อยู่เดียวกัน (ทุกบัญชีรวมกัน) ก่อนล็อกที่อยู่นั้น"},
    {"cutoff_day", K_INT, OFF(cutoff_day), 1, 28, "วันตัดยอดสถิติประจำเดือน"},
    {"grace_days", K_INT, OFF(grace_days), 0, 31, "จำนวนวันหลังวันตัดยอดที่ยังแก้ไขได้"},
    {"retention_days", K_INT, OFF(retention_days), 30, 36500, "เก็บข้อมูลส่วนบุคคลในทะเบียนกี่วัน ก่อนลบอัตโนมัติ"},
    {"survey_token_days", K_INT, OFF(survey_token_days), 1, 365,
     "จำนวนวันที่ลิงก์แบบสำรวจของผู้รับบริการแต่ละรายใช้ได้ นับจากวันที่มารับบริการ"},
    {"survey_point_min_seconds", K_INT, OFF(survey_point_min_seconds), 0, 600,
     "เวลาขั้นต่ำ (วินาที) ตั้งแต่เปิดแบบสำรวจของจุดให้บริการจนส่งคำตอบได้"},
    {"survey_point_window", K_LONG, OFF(survey_point_window), 60, 7L * 86400,
     "ช่วงเวลานับจำนวนคำตอบแบบสำรวจของจุดให้บริการ (วินาที)"},
    {"survey_point_per_address", K_INT, OFF(survey_point_per_address), 1, 1000000,
     "จำนวนคำตอบแบบสำรวจของจุดให้บริการสูงสุดต่อที่อยู่ IP ในแต่ละช่วงเวลา"},
    {"survey_point_per_device", K_INT, OFF(survey_point_per_device), 1, 1000000,
     "จำนวนคำตอบแบบสำรวจของจุดให้บริการสูงสุดต่ออุปกรณ์ในแต่ละช่วงเวลา"},
    /* The statistics (issue 10, web/stats.c). */
    {"rank_min_responses", K_INT, OFF(rank_min_responses), 0, 1000000,
     "จำนวนผู้ตอบแบบสำรวจขั้นต่ำในรอบ จึงจัดอันดับความพึงพอใจ"},
    {"close_job", K_BOOL, OFF(close_job), 0, 1,
     "ปิดรอบสถิติอัตโนมัติเมื่อพ้นวันตัดยอดและวันผ่อนผัน (ตรวจทุก close_job_interval วินาที)"},
    {"close_job_interval", K_LONG, OFF(close_job_interval), 5, 86400, "ตรวจรอบที่ถึงกำหนดปิดทุกกี่วินาที"},
    /* The manual's documents and แจ้งปัญหา's attachments (issue 11). */
    {"help_doc_max", K_ULONG, OFF(help_doc_max), 1024, 1L << 30, "ขนาดเอกสารคู่มือที่อัปโหลดได้สูงสุด (ไบต์)"},
    {"helpdesk_file_max", K_ULONG, OFF(helpdesk_file_max), 1024, 1L << 30,
     "ขนาดไฟล์แนบของเรื่องแจ้งปัญหาสูงสุดต่อไฟล์ (ไบต์)"},
    {"helpdesk_files_max", K_INT, OFF(helpdesk_files_max), 0, 20, "จำนวนไฟล์แนบสูงสุดต่อข้อความแจ้งปัญหา"},
    {"helpdesk_attachment_days", K_INT, OFF(helpdesk_attachment_days), 1, 36500,
     "เก็บไฟล์แนบของเรื่องแจ้งปัญหากี่วันก่อนลบอัตโนมัติ"},
    {"bangkok_in_programme", K_BOOL, OFF(bangkok_in_programme), 0, 1, "รวมเขตของกรุงเทพมหานครในโครงการ"},
    {"secure_cookies", K_BOOL, OFF(secure_cookies), 0, 1, "คุกกี้แบบ Secure (เมื่อให้บริการผ่าน HTTPS)"},
    {"access_log", K_BOOL, OFF(access_log), 0, 1, "บันทึกคำขอทุกรายการ"},
    {"max_body", K_ULONG, OFF(max_body), 1024, 1L << 30, "ขนาดข้อมูลสูงสุดต่อคำขอ (ไบต์)"},
    {"max_upload", K_ULONG, OFF(max_upload), 1024, 1L << 30, "ขนาดไฟล์อัปโหลดสูงสุด (ไบต์)"},
    {"max_connections", K_UINT, OFF(max_connections), 16, 1000000, "จำนวนการเชื่อมต่อพร้อมกันสูงสุดทั้งหมด"},
    {"max_connections_per_ip", K_UINT, OFF(max_connections_per_ip), 1, 1000000,
     "จำนวนการเชื่อมต่อพร้อมกันสูงสุดจากที่อยู่ IP เดียว (หลัง reverse proxy ให้ตั้งไม่น้อยกว่าการเชื่อมต่อของ proxy)"},
    {"request_timeout", K_UINT, OFF(request_timeout), 1, 3600,
     "วินาทีที่ให้ส่งส่วนหัวของคำขอให้ครบ นับจากเปิดการเชื่อมต่อหรือจากคำตอบก่อนหน้า เกินแล้วปิดการเชื่อมต่อ"},
    {"io_timeout", K_UINT, OFF(io_timeout), 1, 3600,
     "วินาทีที่การเชื่อมต่อเงียบได้ระหว่างรับข้อมูลหรือส่งคำตอบ เกินแล้วปิดการเชื่อมต่อ"},
    {"connection_memory", K_ULONG, OFF(connection_memory), 4096, 1L << 20,
     "หน่วยความจำต่อการเชื่อมต่อสำหรับบรรทัดคำขอและส่วนหัว (ไบต์; ส่วนหัวที่ใหญ่กว่านี้ได้รหัส 431)"},
    {"cache_max_bytes", K_ULONG, OFF(cache_max_bytes), 65536, 1L << 30,
     "ขนาดรวมสูงสุดของหน้าเว็บสาธารณะที่เก็บไว้ในแคช (ไบต์)"},
    {"order_emblem", K_STR, OFF(order_emblem), 0, 0,
     "ไฟล์ภาพ PNG ตราครุฑสำหรับพิมพ์บนคำสั่ง (สูง 3 ซม.; ไม่มีภาพให้มากับโปรแกรม)"},
    {"public_url", K_STR, OFF(public_url), 0, 0,
     "ที่อยู่เว็บสาธารณะ เช่น https://eservice.example.go.th (ใช้ในคิวอาร์โค้ดและโปสเตอร์; ค่าเริ่มต้น http:// + listen)"},
    {"trusted_proxies", K_STR, OFF(trusted_proxies), 0, 0,
     "reverse proxy ที่เชื่อถือ (ที่อยู่ IP หรือ CIDR คั่นด้วยจุลภาค) อ่านที่อยู่ผู้ใช้จาก X-Forwarded-For"},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static void set_str(struct config *cfg, size_t off, const char *v)
{
	char **p = (char **)((char *)cfg + off);
	free(*p);
	*p = xstrdup(v);
}

/* public_url is printed on paper and put in QR codes: only http(s), a host,
 * no white space or characters that would need escaping; the trailing '/'
 * is dropped so paths can be appended. */
static int set_public_url(struct config *cfg, const char *v, char *err, size_t errlen)
{
	size_t skip = !strncmp(v, "https://", 8) ? 8 : !strncmp(v, "http://", 7) ? 7 : 0;
	size_t n = strlen(v);
	bool ok = skip && n > skip && v[skip] != '/' && n <= 200;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c == 0x7F || strchr("\"'<>\\^`{|}#?", c))
			ok = false;
	}
	if (!ok) {
		snprintf(err, errlen,
		         "ค่า public_url ต้องเป็นที่อยู่เว็บแบบ http:// หรือ https:// เช่น "
		         "https://eservice.example.go.th (ได้รับ \"%s\")",
		         v);
		return -1;
	}
	while (n > skip && v[n - 1] == '/')
		n--;
	free(cfg->public_url);
	cfg->public_url = xstrndup(v, n);
	return 0;
}

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	set_str(cfg, OFF(db), "sqlite:var/osspoint.db");
	set_str(cfg, OFF(listen), "127.0.0.1:8080");
	set_str(cfg, OFF(root), OSSPOINT_DEFAULT_ROOT);
	set_str(cfg, OFF(secret_file), "var/secret.key");
	cfg->session_ttl = 12 * 3600;
	cfg->session_idle = 30 * 60;
	cfg->login_max_fails = 25;
	cfg->login_window = 15 * 60;
	cfg->login_delay = 1;
	cfg->login_address_max_fails = 100;
	cfg->cutoff_day = 25;
	cfg->grace_days = 3;
	cfg->retention_days = 730;
	cfg->survey_token_days = 7;
	cfg->survey_point_min_seconds = 5;
	cfg->survey_point_window = 3600;
	cfg->survey_point_per_address = 30;
	cfg->survey_point_per_device = 3;
	cfg->rank_min_responses = 30;
	cfg->close_job = true;
	cfg->close_job_interval = 600;
	cfg->help_doc_max = 15UL << 20;
	cfg->helpdesk_file_max = 4UL << 20;
	cfg->helpdesk_files_max = 5;
	cfg->helpdesk_attachment_days = 365;
	cfg->access_log = true;
	cfg->max_body = 1UL << 20;
	cfg->max_upload = 16UL << 20;
	cfg->max_connections = 4096;
	cfg->max_connections_per_ip = 1024;
	cfg->request_timeout = 15;
	cfg->io_timeout = 30;
	cfg->connection_memory = 16UL << 10;
	cfg->cache_max_bytes = 8UL << 20;
}

int config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		if (strcmp(s->key, key) != 0)
			continue;
		void *p = (char *)cfg + s->off;
		if (s->kind == K_STR) {
			if (!*value) {
				snprintf(err, errlen, "ค่า %s ว่างไม่ได้", key);
				return -1;
			}
			if (s->off == OFF(public_url))
				return set_public_url(cfg, value, err, errlen);
			if (s->off == OFF(trusted_proxies)) {
				struct net_prefixes check;
				if (net_prefixes_parse(&check, value, err, errlen) < 0)
					return -1;
			}
			set_str(cfg, s->off, value);
			return 0;
		}
		if (s->kind == K_BOOL) {
			if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") ||
			    !strcmp(value, "on"))
				*(bool *)p = true;
			else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") ||
			         !strcmp(value, "off"))
				*(bool *)p = false;
			else {
				snprintf(err, errlen, "ค่า %s ต้องเป็น 0 หรือ 1 (ได้รับ \"%s\")", key, value);
				return -1;
			}
			return 0;
		}
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || end == value || *end || v < s->min || v > s->max) {
			snprintf(err, errlen, "ค่า %s ต้องเป็นตัวเลข %ld–%ld (ได้รับ \"%s\")", key, s->min, s->max,
			         value);
			return -1;
		}
		switch (s->kind) {
		case K_UINT: *(unsigned *)p = (unsigned)v; break;
		case K_INT: *(int *)p = (int)v; break;
		case K_LONG: *(long *)p = (long)v; break;
		case K_ULONG: *(unsigned long *)p = (unsigned long)v; break;
		default: break;
		}
		return 0;
	}
	snprintf(err, errlen, "ไม่รู้จักค่าตั้ง \"%s\"", key);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* The longest line a config file may have (a path or a URL fits many times). */
#define CONFIG_LINE_MAX 4096

int config_read_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "เปิดไฟล์ค่าตั้ง %s ไม่ได้: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;
	/* getline, not a fixed buffer: a long line must be refused whole, not
	 * cut into a shortened value and a "line" made of its rest. */
	for (;;) {
		errno = 0;
		if ((len = getline(&line, &cap, f)) < 0)
			break;
		lineno++;
		if (len > CONFIG_LINE_MAX || memchr(line, '\0', (size_t)len)) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno,
			         len > CONFIG_LINE_MAX ? "บรรทัดยาวเกิน 4096 ไบต์" : "มีอักขระ NUL ในบรรทัด");
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: ต้องอยู่ในรูป key = value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char sub[512];
		if (config_set(cfg, trim(s), trim(eq + 1), sub, sizeof sub) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && (ferror(f) || errno)) {
		snprintf(err, errlen, "อ่านไฟล์ค่าตั้ง %s ไม่ได้: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int config_load(struct config *cfg, char *err, size_t errlen)
{
	defaults(cfg);
	const char *file = getenv("OSSPOINT_CONFIG");
	if (file && *file && config_read_file(cfg, file, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < NSETTINGS; i++) {
		char name[64] = "OSSPOINT_";
		size_t n = strlen(name);
		for (const char *k = settings[i].key; *k && n + 1 < sizeof name; k++)
			name[n++] = (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
		name[n] = '\0';
		const char *v = getenv(name);
		if (v && *v) {
			char sub[512];
			if (config_set(cfg, settings[i].key, v, sub, sizeof sub) < 0) {
				snprintf(err, errlen, "%s: %s", name, sub);
				return -1;
			}
		}
	}
	return 0;
}

void config_cleanup(struct config *cfg)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].kind == K_STR) {
			char **p = (char **)((char *)cfg + settings[i].off);
			free(*p);
			*p = NULL;
		}
}

void config_print_help(void)
{
	printf("ค่าตั้ง (ไฟล์ค่าตั้ง key = value / ตัวแปรสภาพแวดล้อม / ตัวเลือก --key=value):\n");
	for (size_t i = 0; i < NSETTINGS; i++) {
		char env[64] = "OSSPOINT_";
		size_t n = strlen(env);
		for (const char *k = settings[i].key; *k && n + 1 < sizeof env; k++)
			env[n++] = (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
		env[n] = '\0';
		printf("  %-22s %-32s %s\n", settings[i].key, env, settings[i].help);
	}
}
