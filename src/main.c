/* osspoint: CLI and wiring only. */
#include <errno.h>
#include <stdbool.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/perm.h"
#include "core/throttle.h"
#include "db/db.h"
#include "db/help.h"
#include "db/eservices.h"
#include "db/seed.h"
#include "db/sessions.h"
#include "db/stats.h"
#include "db/survey.h"
#include "db/units.h"
#include "db/users.h"
#include "db/visits.h"
#include "render/export.h"
#include "web/import.h"
#include "http/http.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/filecheck.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/thai.h"
#include "lib/xalloc.h"
#include "render/mustache.h"
#include "web/app.h"
#include "web/external.h"
#include "web/scope.h"
#include "web/portal_state.h"

/* libmicrohttpd threads: more than the CPUs keeps p99 low on a shared machine (bench/RESULTS.md). */
#define DEFAULT_HTTP_THREADS 32

static const char usage[] =
    "osspoint — ระบบศูนย์บริการร่วม จุดให้บริการแบบอิเล็กทรอนิกส์ (e-Service) ของอำเภอ\n"
    "\n"
    "การใช้งาน: osspoint [ตัวเลือก] คำสั่ง [ตัวเลือกของคำสั่ง]\n"
    "\n"
    "คำสั่ง:\n"
    "  serve [--banner]        เปิดให้บริการเว็บ (Ctrl-C หรือ SIGTERM เพื่อหยุดอย่างนุ่มนวล)\n"
    "  migrate                 สร้าง/ปรับปรุงโครงสร้างฐานข้อมูล\n"
    "  seed [--demo]           โหลดข้อมูลอ้างอิง (หน่วยงาน, บริการ e-Service); --demo เพิ่มบัญชีตัวอย่าง\n"
    "  user add --username U --role ROLE --unit CODE [--display-name N] --password-stdin\n"
    "                          เพิ่มผู้ใช้ (ROLE: officer, district_admin, province_admin, national_admin;\n"
    "                          CODE: รหัสหน่วยงานของกรมการปกครอง หรือ 0 สำหรับส่วนกลาง)\n"
    "  user passwd --username U --password-stdin   เปลี่ยนรหัสผ่าน\n"
    "  user disable --username U                   ระงับบัญชี\n"
    "  close-period YYYY-MM [--early]\n"
    "                          ปิดรอบสถิติด้วยมือ (บันทึกตัวเลขของทุกหน่วยงานไว้คงที่ หลังจากนี้แก้ไขรายการในรอบไม่ได้);\n"
    "                          รอบที่ยังไม่สิ้นสุดปิดได้เมื่อระบุ --early\n"
    "  import --unit CODE --officer U --file F [--allow-closed --reason TEXT]\n"
    "                          นำเข้าทะเบียน; --allow-closed นำเข้ารอบที่ปิดแล้ว (คำนวณสถิติของรอบนั้นใหม่ "
    "บันทึกผู้ทำและเหตุผล)\n"
    "  import-external FILE [--source LABEL] [--by USERNAME]\n"
    "                          นำเข้าตัวเลขจากแหล่งภายนอก (แบบสำรวจระดับประเทศ) จากไฟล์ CSV หรือ XLSX\n"
    "                          ทุกแถวหรือไม่มีเลย (docs/external.md)\n"
    "  routes                  แสดงตารางเส้นทาง (JSON)\n"
    "  help                    แสดงข้อความนี้\n"
    "\n"
    "ตัวเลือกทั่วไป:\n"
    "  --db URL                ฐานข้อมูล (sqlite:PATH หรือ postgresql://...)\n"
    "  --listen HOST:PORT      ที่อยู่ที่ให้บริการ (พอร์ต 0 = เลือกให้อัตโนมัติ)\n"
    "  --config FILE           ไฟล์ค่าตั้ง key = value\n"
    "  --KEY=VALUE             ค่าตั้งอื่นตามตารางด้านล่าง\n"
    "\n";

static void help(void)
{
	fputs(usage, stdout);
	config_print_help();
}

/* Flags of the form --key value or --key=value. Returns the value, NULL if absent. */
struct args {
	int argc;
	char **argv;
	int *used;
};

static const char *flag(struct args *a, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < a->argc; i++) {
		const char *s = a->argv[i];
		if (strncmp(s, "--", 2) || strncmp(s + 2, name, n))
			continue;
		if (s[2 + n] == '=') {
			a->used[i] = 1;
			return s + 3 + n;
		}
		if (s[2 + n] == '\0' && i + 1 < a->argc) {
			a->used[i] = a->used[i + 1] = 1;
			return a->argv[i + 1];
		}
	}
	return NULL;
}

static int has_flag(struct args *a, const char *name)
{
	for (int i = 0; i < a->argc; i++)
		if (!strncmp(a->argv[i], "--", 2) && !strcmp(a->argv[i] + 2, name)) {
			a->used[i] = 1;
			return 1;
		}
	return 0;
}

/* Switches without a value, read by the commands themselves. */
static int is_switch(const char *key)
{
	return !strcmp(key, "demo") || !strcmp(key, "banner") || !strcmp(key, "password_stdin") ||
	       !strcmp(key, "allow_closed") || !strcmp(key, "early");
}

/* Flags with a value that belong to a command, not to the settings. */
static int is_command_flag(const char *key)
{
	return !strcmp(key, "username") || !strcmp(key, "role") || !strcmp(key, "unit") ||
	       !strcmp(key, "display_name") || !strcmp(key, "config") || !strcmp(key, "officer") ||
	       !strcmp(key, "file") || !strcmp(key, "reason") || !strcmp(key, "source") || !strcmp(key, "by");
}

static int mkdir_p(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Files that hold personal data are the owner's alone (0600). main sets
 * umask 077, so what this program creates is born so (SQLite gives its -wal
 * and -shm the main file's mode); a file found open to group or others (an
 * older version, a copy, a restore) is closed to them here, with a note. The
 * secret key is not corrected but refused (crypto_secret_load): a key that
 * others could read may have been copied, which an operator must know. */
static void private_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 077))
		return;
	mode_t mode = st.st_mode & 0600;
	if (chmod(path, mode) < 0)
		fprintf(stderr, "osspoint: ไฟล์ %s เปิดให้กลุ่มหรือผู้อื่นเข้าถึงได้ (สิทธิ์ %04o) และแก้สิทธิ์ไม่ได้: %s\n", path,
		        (unsigned)(st.st_mode & 07777), strerror(errno));
	else
		fprintf(stderr, "osspoint: ไฟล์ %s เปิดให้กลุ่มหรือผู้อื่นเข้าถึงได้ (สิทธิ์ %04o) แก้เป็น %04o แล้ว\n", path,
		        (unsigned)(st.st_mode & 07777), (unsigned)mode);
}

/* The SQLite file of a database URL (as db_open reads it) into out, or
 * false for PostgreSQL and ":memory:". */
static bool sqlite_file(const char *url, char *out, size_t cap)
{
	const char *path = NULL;
	size_t n = strlen(url);
	if (!strncmp(url, "sqlite:", 7))
		path = url + 7;
	else if (n > 3 && !strcmp(url + n - 3, ".db") && !strstr(url, "://"))
		path = url;
	if (!path || !*path || !strcmp(path, ":memory:"))
		return false;
	return snprintf(out, cap, "%s", path) < (int)cap;
}

/* The database file and its side files (WAL, shared memory, rollback
 * journal). */
static void private_db_files(const char *url)
{
	static const char *const side[] = {"", "-wal", "-shm", "-journal"};
	char base[1024], path[1100];
	if (!sqlite_file(url, base, sizeof base))
		return;
	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		snprintf(path, sizeof path, "%s%s", base, side[i]);
		private_file(path);
	}
}

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "osspoint: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static struct db *open_db(const struct config *cfg)
{
	char err[512] = "", path[1024];
	if (sqlite_file(cfg->db, path, sizeof path)) {
		/* Create the directory of a relative SQLite file (var/ by default). */
		const char *slash = strrchr(path, '/');
		if (slash && slash != path) {
			char dir[1024];
			snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
			if (mkdir_p(dir) < 0)
				fprintf(stderr, "osspoint: สร้างโฟลเดอร์ %s ไม่ได้: %s\n", dir, strerror(errno));
		}
	}
	/* Before opening, so SQLite copies a corrected mode to the -wal and -shm
	 * it creates; after, for those that already existed. */
	private_db_files(cfg->db);
	struct db *db = db_open(cfg->db, cfg->db_pool, err, sizeof err);
	if (!db)
		fprintf(stderr, "osspoint: เปิดฐานข้อมูลไม่ได้: %s\n", err);
	else
		private_db_files(cfg->db);
	return db;
}

static int read_password_stdin(char *out, size_t cap)
{
	if (!fgets(out, (int)cap, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int load_secret(const struct config *cfg);

/* The data step of migration 005: idempotency keys of imports made before
 * it are an unkeyed hash of the row, clear Thai ID included; they become a
 * keyed value (registry_import_legacy_key). Needs the server's secret, so it
 * runs here, not in SQL, and only loads the key when there is something to
 * re-key (a database-only host needs no key file otherwise). Returns 0 or 1. */
static int rekey_legacy_imports(const struct config *cfg, struct db *db)
{
	int64_t legacy = 0, changed = 0;
	if (db_visits_legacy_imports(db, &legacy) != DB_OK)
		return die("%s", "ตรวจรหัสกันส่งซ้ำของรายการนำเข้าเดิมไม่สำเร็จ");
	if (!legacy)
		return 0;
	struct stat st;
	if (stat(cfg->secret_file, &st) < 0) {
		fprintf(stderr,
		        "osspoint: มีรายการนำเข้าเดิม %lld รายการที่ต้องเปลี่ยนรหัสกันส่งซ้ำด้วยกุญแจลับ แต่ไม่พบไฟล์กุญแจ %s — "
		        "รัน osspoint migrate บนเครื่องที่มีไฟล์กุญแจของเซิร์ฟเวอร์ (ค่าตั้ง secret_file)\n",
		        (long long)legacy, cfg->secret_file);
		return 1;
	}
	if (load_secret(cfg) < 0)
		return 1;
	int rc = db_visits_rekey_legacy_imports(db, registry_import_legacy_key, &changed);
	crypto_secret_forget();
	if (rc != DB_OK)
		return die("%s", "เปลี่ยนรหัสกันส่งซ้ำของรายการนำเข้าเดิมไม่สำเร็จ (เรียก osspoint migrate อีกครั้งได้)");
	printf("osspoint: เปลี่ยนรหัสกันส่งซ้ำของรายการนำเข้าเดิมเป็นรหัสที่ใช้กุญแจลับแล้ว %lld รายการ\n",
	       (long long)changed);
	return 0;
}

static int cmd_migrate(const struct config *cfg)
{
	struct db *db = open_db(cfg);
	if (!db)
		return 1;
	int n = db_migrate(db);
	int v = db_schema_version(db);
	int rk = n >= 0 ? rekey_legacy_imports(cfg, db) : 1;
	db_close(db);
	if (n < 0)
		return die("ปรับปรุงฐานข้อมูลไม่สำเร็จ", "");
	if (rk)
		return rk;
	printf("osspoint: ฐานข้อมูล %s — ปรับปรุง %d ขั้น, รุ่นโครงสร้าง %d\n", cfg->db, n, v);
	return 0;
}

static int cmd_seed(const struct config *cfg, struct args *a)
{
	int demo = has_flag(a, "demo");
	struct db *db = open_db(cfg);
	if (!db)
		return 1;
	char err[1024] = "", data[1024];
	snprintf(data, sizeof data, "%s/data", cfg->root);
	struct seed_counts n = {0};
	int rc = db_seed_reference(db, data, cfg->bangkok_in_programme, &n, err, sizeof err);
	if (rc == 0)
		printf("osspoint: ข้อมูลอ้างอิง — %d จังหวัด, %d อำเภอ/เขต, %d บริการ e-Service\n", n.provinces,
		       n.districts, n.eservices);
	int contacts = 0; /* DOPA's contact from the letter (issue 11, step 9) */
	if (rc == 0 && db_seed_contacts(db, &contacts) != DB_OK)
		rc = -1, snprintf(err, sizeof err, "บันทึกรายชื่อติดต่อของกรมการปกครองไม่สำเร็จ");
	else if (rc == 0 && contacts)
		printf("osspoint: รายชื่อติดต่อ — กลุ่มพัฒนาระบบบริหาร กรมการปกครอง\n");
	if (rc == 0 && demo) {
		rc = db_seed_demo(db, &n, err, sizeof err);
		if (rc == 0)
			printf("osspoint: บัญชีตัวอย่าง — เพิ่มใหม่ %d บัญชี\n", n.users);
	}
	db_close(db);
	if (rc < 0)
		return die("%s", err);
	return 0;
}

static int cmd_user(const struct config *cfg, struct args *a, const char *sub)
{
	const char *username = flag(a, "username");
	if (!sub || !username)
		return die("%s", "ต้องระบุ user add|passwd|disable --username U (ดู osspoint help)");
	struct db *db = NULL;
	int rc = 1;
	char pw[512] = "", hash[PASSWORD_HASH_LEN];
	if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
		if (!has_flag(a, "password-stdin"))
			return die("%s", "ต้องใช้ --password-stdin แล้วป้อนรหัสผ่านทางอินพุตมาตรฐาน");
		if (read_password_stdin(pw, sizeof pw) < 0)
			return die("%s", "อ่านรหัสผ่านจากอินพุตมาตรฐานไม่ได้");
		const char *perr = password_policy_error(pw);
		if (perr)
			return die("%s", perr);
		if (password_hash(hash, pw) < 0)
			return die("%s", "สร้างรหัสผ่านไม่ได้");
	}
	if (!(db = open_db(cfg)))
		return 1;
	int64_t now = (int64_t)time(NULL);
	if (!strcmp(sub, "add")) {
		const char *role = flag(a, "role"), *unit = flag(a, "unit");
		const char *name = flag(a, "display-name");
		int r = role ? role_from_name(role) : ROLE_NONE;
		if (r == ROLE_NONE) {
			rc = die(
			    "บทบาท \"%s\" ไม่ถูกต้อง (officer, district_admin, province_admin, national_admin)",
			    role ? role : "");
			goto out;
		}
		if (!unit || !unit_code_valid(unit) || !perm_role_fits_unit(r, unit)) {
			rc = die("รหัสหน่วยงาน \"%s\" ไม่ถูกต้องหรือไม่ตรงกับบทบาท", unit ? unit : "");
			goto out;
		}
		int64_t id;
		int d = db_user_create(db, username, name ? name : username, role, unit, hash, now, &id);
		if (d == DB_CONSTRAINT) {
			rc = die("ชื่อผู้ใช้ \"%s\" มีอยู่แล้ว หรือไม่พบหน่วยงาน (รัน osspoint seed ก่อน)", username);
			goto out;
		}
		if (d != DB_OK) {
			rc = die("%s", "บันทึกผู้ใช้ไม่ได้");
			goto out;
		}
		db_audit_add(db, now, 0, "user.create", username, "cli", "");
		printf("osspoint: เพิ่มผู้ใช้ %s (%s, หน่วยงาน %s) แล้ว\n", username, role, unit);
		rc = 0;
	} else if (!strcmp(sub, "passwd")) {
		int d = db_user_set_password(db, username, hash, now);
		if (d == DB_DONE)
			rc = die("ไม่พบผู้ใช้ \"%s\"", username);
		else if (d != DB_OK)
			rc = die("%s", "เปลี่ยนรหัสผ่านไม่ได้");
		else {
			db_audit_add(db, now, 0, "user.passwd", username, "cli", "");
			printf("osspoint: เปลี่ยนรหัสผ่านของ %s แล้ว (ออกจากระบบทุกเครื่อง)\n", username);
			rc = 0;
		}
	} else if (!strcmp(sub, "disable")) {
		json_t *u = db_user_find_by_name(db, username);
		if (!u) {
			rc = die("ไม่พบผู้ใช้ \"%s\"", username);
			goto out;
		}
		int64_t id = json_integer_value(json_object_get(u, "id"));
		json_decref(u);
		if (db_user_set_disabled(db, id, 1, now) != DB_OK) {
			rc = die("%s", "ระงับบัญชีไม่ได้");
			goto out;
		}
		db_audit_add(db, now, 0, "user.disable", username, "cli", "");
		printf("osspoint: ระงับบัญชี %s แล้ว\n", username);
		rc = 0;
	} else {
		rc = die("ไม่รู้จักคำสั่ง user %s", sub);
	}
out:
	if (pw[0])
		explicit_bzero(pw, sizeof pw);
	db_close(db);
	return rc;
}

static int load_secret(const struct config *cfg)
{
	char err[512];
	if (crypto_secret_load(cfg->secret_file, err, sizeof err) < 0) {
		fprintf(stderr, "osspoint: กุญแจลับ: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_check(const struct config *cfg)
{
	struct db *db = open_db(cfg);
	if (!db)
		return 1;
	json_t *diffs = NULL, *sdiffs = NULL;
	int n = db_rollups_check(db, &diffs);
	int sn = n < 0 ? 0 : db_survey_rollups_check(db, &sdiffs);
	db_close(db);
	if (sn < 0)
		n = sn;
	else if (n >= 0 && sn > 0) {
		size_t i;
		json_t *d;
		json_array_foreach(sdiffs, i, d) json_array_append(diffs, d);
		n += sn;
	}
	json_decref(sdiffs);
	if (n < 0) {
		json_decref(diffs);
		return die("%s", "ตรวจยอดสรุปไม่สำเร็จ");
	}
	if (n == 0) {
		printf("osspoint: ยอดสรุปรายวันตรงกับทะเบียนทุกรายการ\n");
		json_decref(diffs);
		return 0;
	}
	char *s = json_dumps(diffs, JSON_INDENT(2));
	printf("osspoint: ยอดสรุปไม่ตรงกับทะเบียน %d รายการ:\n%s\n", n, s ? s : "");
	free(s);
	json_decref(diffs);
	return 1;
}

/* The retention purge: registry entries' personal fields, then the survey's
 * comments (personal data too: they may hold names and phone numbers) of
 * responses answered before the Bangkok day retention_days ago, and the
 * point QR's ended throttle windows. */
static int purge_now(const struct config *cfg, struct db *db, int64_t *erased, int64_t *comments,
                     const atomic_int *stop)
{
	int64_t now = (int64_t)time(NULL);
	int64_t before = now - (int64_t)cfg->retention_days * 86400;
	int rc = db_visits_purge_until(db, before, now, erased, stop);
	if (rc == DB_OK && *erased > 0) {
		char detail[64];
		snprintf(detail, sizeof detail, "%lld", (long long)*erased);
		db_audit_add(db, now, 0, "registry.purge", "visits", detail, "");
	}
	struct civil_day d;
	char day[THAI_ISO_DAY_SIZE];
	*comments = 0;
	int src = thai_epoch_day(before, &d) == 0 && thai_day_iso(d, day) == 0
	              ? db_survey_purge(db, day, now - cfg->survey_point_window, comments)
	              : DB_ERROR;
	if (src == DB_OK && *comments > 0) {
		char detail[64];
		snprintf(detail, sizeof detail, "%lld", (long long)*comments);
		db_audit_add(db, now, 0, "survey.purge", "survey_responses", detail, "");
	}
	/* แจ้งปัญหา's attachments (issue 11): erased after helpdesk_attachment_days. */
	int64_t files = 0;
	int hrc = db_hd_purge(db, now - (int64_t)cfg->helpdesk_attachment_days * 86400, now, &files);
	if (hrc == DB_OK && files > 0) {
		char detail[64];
		snprintf(detail, sizeof detail, "%lld", (long long)files);
		db_audit_add(db, now, 0, "helpdesk.purge", "helpdesk_attachments", detail, "");
	}
	return rc != DB_OK ? rc : src != DB_OK ? src : hrc;
}

static int cmd_purge(const struct config *cfg)
{
	struct db *db = open_db(cfg);
	if (!db)
		return 1;
	int64_t erased = 0, comments = 0;
	int rc = purge_now(cfg, db, &erased, &comments, NULL);
	db_close(db);
	if (rc != DB_OK) {
		fprintf(
		    stderr,
		    "osspoint: ลบข้อมูลส่วนบุคคลไม่สำเร็จครบถ้วน (ลบแล้ว %lld รายการ) กรุณารัน osspoint purge อีกครั้ง\n",
		    (long long)erased);
		return 1;
	}
	printf("osspoint: ลบข้อมูลส่วนบุคคลของรายการที่เก่ากว่า %d วันแล้ว %lld รายการ "
	       "และข้อเสนอแนะจากแบบสำรวจ %lld รายการ (ยอดสถิติยังอยู่ครบ)\n",
	       cfg->retention_days, (long long)erased, (long long)comments);
	return 0;
}

static void import_progress(size_t done, size_t total, void *ctx)
{
	fprintf(stderr, "\rosspoint: นำเข้า %zu/%zu (%zu%%)", done, total, total ? done * 100 / total : 100);
}

static int cmd_import(const struct config *cfg, struct args *a)
{
	const char *unit = flag(a, "unit"), *officer = flag(a, "officer"), *file = flag(a, "file");
	int allow_closed = has_flag(a, "allow-closed");
	const char *reason = flag(a, "reason");
	if (!unit || !officer || !file)
		return die("%s", "ต้องระบุ --unit CODE --officer USERNAME --file FILE.csv|FILE.xlsx");
	if (allow_closed && (!reason || !*reason))
		reason = "นำเข้าข้อมูลย้อนหลัง (ไม่ได้ระบุเหตุผล)";
	if (unit_level_of_code(unit) != UNIT_LEVEL_DISTRICT)
		return die("รหัสอำเภอ \"%s\" ไม่ถูกต้อง", unit);
	FILE *f = fopen(file, "rb");
	if (!f)
		return die("เปิดไฟล์ %s ไม่ได้", file);
	struct buf data;
	buf_init(&data, 512u * 1024 * 1024);
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&data, chunk, got) < 0) {
			fclose(f);
			buf_cleanup(&data);
			return die("%s", "ไฟล์ใหญ่เกินไป");
		}
	fclose(f);
	if (load_secret(cfg) < 0) {
		buf_cleanup(&data);
		return 1;
	}
	struct app the = {.cfg = cfg};
	app = &the;
	int rc = 1, portal = 0;
	if (!(the.db = open_db(cfg)))
		goto out;
	/* The rules check services against the catalogue snapshot. */
	if (portal_state_start() < 0)
		goto out;
	portal = 1;
	json_t *u = db_user_find_by_name(the.db, officer);
	if (!u || strcmp(json_string_value(json_object_get(u, "unit_code")), unit)) {
		json_decref(u);
		rc = die("ไม่พบเจ้าหน้าที่ \"%s\" ในอำเภอนี้", officer);
		goto out;
	}
	int64_t officer_id = json_integer_value(json_object_get(u, "id"));
	json_decref(u);
	struct import_result res;
	int r = registry_import_file(unit, officer_id, buf_str(&data), data.len, allow_closed, reason,
	                             import_progress, NULL, &res);
	fputc('\n', stderr);
	if (r < 0) {
		fprintf(stderr, "osspoint: นำเข้าไม่สำเร็จ: %s\n", res.message);
		size_t i;
		json_t *e;
		/* Each message names its row and column as the file writes them. */
		json_array_foreach(res.errors, i, e)
		    fprintf(stderr, "  %s\n", json_string_value(json_object_get(e, "message")));
	} else {
		db_audit_add(the.db, (int64_t)time(NULL), officer_id, "registry.import", unit, file, "cli");
		printf("osspoint: นำเข้า %zu แถว — เพิ่มใหม่ %zu รายการ, มีอยู่แล้ว %zu รายการ, ข้ามรายการที่ยกเลิก %zu "
		       "รายการ\n",
		       res.rows, res.added, res.existing, res.voided);
		if (res.recomputed)
			printf("osspoint: คำนวณสถิติของรอบที่ปิดแล้วใหม่ %zu รอบ\n", res.recomputed);
		rc = 0;
	}
	json_decref(res.errors);
out:
	if (portal)
		portal_state_stop();
	db_close(the.db);
	app = NULL;
	buf_cleanup(&data);
	crypto_secret_forget();
	return rc;
}

/* Closes one period (stats): the snapshot of every unit, under the closing
 * lock. Prints what happened; returns the db_rc. */
static int close_one(const struct config *cfg, struct db *db, const char *iso, const char *actor, bool quiet)
{
	struct stats_close c = {
	    .period_iso = iso, .cutoff = cfg->cutoff_day, .actor = actor, .now = (int64_t)time(NULL)};
	int rc = db_stats_close_period(db, &c);
	if (rc != DB_OK)
		log_error("close-period %s: failed (%d)", iso, rc);
	else if (c.busy)
		log_info("close-period %s: another node is closing", iso);
	else if (!c.already) {
		log_info("close-period %s: closed, %zu units in %lld ms", iso, c.units,
		         (long long)c.elapsed_ms);
		db_audit_add(db, c.now, 0, "stats.close", iso, actor, "");
	}
	if (!quiet && rc == DB_OK)
		printf(c.already ? "osspoint: รอบ %s ปิดไว้แล้ว\n"
		       : c.busy  ? "osspoint: มีเครื่องอื่นกำลังปิดรอบ %s อยู่ ลองใหม่ภายหลัง\n"
		                 : "osspoint: ปิดรอบ %s แล้ว\n",
		       iso);
	if (!quiet && rc == DB_OK && !c.already && !c.busy)
		printf("osspoint: บันทึกสถิติของ %zu หน่วยงาน ใช้เวลา %lld มิลลิวินาที\n", c.units,
		       (long long)c.elapsed_ms);
	return rc == DB_OK && c.busy ? DB_BUSY : rc;
}

static int cmd_close_period(const struct config *cfg, const char *iso, bool early)
{
	struct period p;
	if (!iso || period_parse(iso, &p) != 0)
		return die("%s", "ระบุรอบเป็น YYYY-MM เช่น osspoint close-period 2024-02");
	char norm[PERIOD_ISO_SIZE];
	period_iso(p, norm);
	/* A period that has not ended still receives entries and per-visit
	 * survey answers (counted on the day they are answered): closing it
	 * freezes numbers that are not final, so only on purpose (--early). */
	struct civil_day first, last, today;
	if (period_range(p, cfg->cutoff_day, &first, &last) != 0 ||
	    thai_epoch_day((int64_t)time(NULL), &today) != 0)
		return die("ปิดรอบ %s ไม่สำเร็จ", norm);
	if (!early &&
	    thai_days_from_civil(today.y, today.m, today.d) <= thai_days_from_civil(last.y, last.m, last.d)) {
		char msg[768];
		snprintf(msg, sizeof msg,
		         "รอบ %s ยังไม่สิ้นสุด (ถึงวันที่ %d/%d/%d): ปิดได้ตั้งแต่วันถัดไป หรือใช้ --early "
		         "เพื่อปิดก่อนกำหนด (รายการและคำตอบแบบสำรวจที่ยังเข้ามาในรอบนี้จะไม่อยู่ในตัวเลขที่ปิดแล้ว)",
		         norm, last.d, last.m, last.y + 543);
		return die("%s", msg);
	}
	struct db *db = open_db(cfg);
	if (!db)
		return 1;
	int rc = close_one(cfg, db, norm, "cli", false);
	db_close(db);
	return rc == DB_OK ? 0 : die("ปิดรอบ %s ไม่สำเร็จ", norm);
}

/* The closing job: at start and every close_job_interval seconds, the
 * periods whose grace days are over are closed (each node runs it; the
 * closing lock lets exactly one close each period). */
static pthread_mutex_t close_lock_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t close_cond = PTHREAD_COND_INITIALIZER;
static int close_stop;

static void *close_thread(void *arg)
{
	struct app *a = arg;
	pthread_mutex_lock(&close_lock_m);
	while (!close_stop) {
		pthread_mutex_unlock(&close_lock_m);
		struct civil_day today;
		char due[24][PERIOD_ISO_SIZE];
		int n =
		    thai_epoch_day((int64_t)time(NULL), &today) == 0
		        ? db_stats_due_periods(a->db, a->cfg->cutoff_day, a->cfg->grace_days, today, due, 24)
		        : 0;
		for (int i = 0; i < n; i++) {
			pthread_mutex_lock(&close_lock_m);
			int stop = close_stop;
			pthread_mutex_unlock(&close_lock_m);
			if (stop)
				break;
			close_one(a->cfg, a->db, due[i], "job", true);
		}
		pthread_mutex_lock(&close_lock_m);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += a->cfg->close_job_interval;
		while (!close_stop && pthread_cond_timedwait(&close_cond, &close_lock_m, &until) == 0)
			;
	}
	pthread_mutex_unlock(&close_lock_m);
	return NULL;
}

/* osspoint import-external FILE [--source LABEL] [--by USERNAME]: the
 * national survey's figures (web/external.h), all rows or none. */
static int cmd_import_external(const struct config *cfg, struct args *a, const char *file)
{
	const char *source = flag(a, "source"), *by = flag(a, "by");
	if (!file)
		return die("%s", "ต้องระบุไฟล์: osspoint import-external FILE.csv|FILE.xlsx [--source LABEL]");
	FILE *f = fopen(file, "rb");
	if (!f)
		return die("เปิดไฟล์ %s ไม่ได้", file);
	struct buf data;
	buf_init(&data, 64u * 1024 * 1024);
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&data, chunk, got) < 0) {
			fclose(f);
			buf_cleanup(&data);
			return die("%s", "ไฟล์ใหญ่เกินไป");
		}
	fclose(f);
	int rc = 1;
	struct db *db = open_db(cfg);
	if (!db)
		goto out;
	int64_t user_id = 0;
	if (by) {
		json_t *u = db_user_find_by_name(db, by);
		if (!u || strcmp(json_string_value(json_object_get(u, "role")), "national_admin")) {
			json_decref(u);
			rc = die("ไม่พบผู้ดูแลระดับส่วนกลาง \"%s\"", by);
			goto out;
		}
		user_id = json_integer_value(json_object_get(u, "id"));
		json_decref(u);
	}
	const char *base = strrchr(file, '/');
	struct external_outcome o;
	if (external_import_run(db, buf_str(&data), data.len, source, base ? base + 1 : file, user_id,
	                        cfg->cutoff_day, &o) < 0) {
		fprintf(stderr, "osspoint: นำเข้าไม่สำเร็จ: %s\n", o.message);
		size_t i;
		json_t *e;
		/* Each message names its row and column as the file writes them. */
		json_array_foreach(o.errors, i, e)
		    fprintf(stderr, "  %s\n", json_string_value(json_object_get(e, "message")));
	} else {
		char target[48], detail[64];
		snprintf(target, sizeof target, "external_import:%lld", (long long)o.res.import_id);
		snprintf(detail, sizeof detail, "rows=%zu added=%zu replaced=%zu", o.rows, o.res.added,
		         o.res.replaced);
		db_audit_add(db, (int64_t)time(NULL), user_id, "external.import", target, detail, "cli");
		printf("osspoint: นำเข้าตัวเลขจากแหล่งภายนอก %zu แถว — เพิ่มใหม่ %zu แถว, แทนที่ของเดิม %zu แถว\n",
		       o.rows, o.res.added, o.res.replaced);
		rc = 0;
	}
	json_decref(o.errors);
out:
	db_close(db);
	buf_cleanup(&data);
	return rc;
}

/* Once a day (and at start) personal data past the retention age is erased.
 * The thread is stopped and joined before the database closes. */
static pthread_mutex_t purge_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t purge_cond = PTHREAD_COND_INITIALIZER;
static atomic_int purge_stop; /* also read between the purge's batches */

static void *purge_thread(void *arg)
{
	struct app *a = arg;
	pthread_mutex_lock(&purge_lock);
	while (!purge_stop) {
		pthread_mutex_unlock(&purge_lock);
		int64_t erased = 0, comments = 0;
		if (purge_now(a->cfg, a->db, &erased, &comments, &purge_stop) != DB_OK)
			log_error("purge: failed, will retry tomorrow");
		else if (erased || comments)
			log_info("purge: erased personal data of %lld entries and %lld survey comments",
			         (long long)erased, (long long)comments);
		/* Expired sessions, and login attempts older than throttling or
		 * telling a known address (core/throttle.h) needs. */
		int64_t now = (int64_t)time(NULL);
		if (db_session_purge(a->db, now, now - (int64_t)THROTTLE_KNOWN_DAYS * 86400) != DB_OK)
			log_error("purge: expired sessions and old login attempts not removed");
		pthread_mutex_lock(&purge_lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 86400;
		while (!purge_stop && pthread_cond_timedwait(&purge_cond, &purge_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&purge_lock);
	return NULL;
}

static void print_route(const struct route *r, void *arg)
{
	json_t *list = arg;
	json_t *methods = json_array();
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{HTTP_GET, "GET"},        {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},
	             {HTTP_PUT, "PUT"},        {HTTP_DELETE, "DELETE"}, {HTTP_PATCH, "PATCH"},
	             {HTTP_OPTIONS, "OPTIONS"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (r->methods & names[i].bit)
			json_array_append_new(methods, json_string(names[i].name));
	/* scope: the route's declared scope resolver (web/scope.h) by name;
	 * scoped: whether the unit depends on the request (not "none"). */
	json_array_append_new(list, json_pack("{s:s, s:o, s:s, s:s, s:b, s:s, s:b, s:b, s:b}", "name",
	                                      r->name, "methods", methods, "pattern", r->pattern, "min_role",
	                                      (r->flags & ROUTE_PUBLIC) ? "public" : role_name(r->min_role),
	                                      "public", (r->flags & ROUTE_PUBLIC) != 0, "scope",
	                                      r->scope->name, "scoped", r->scope != &scope_none, "csrf",
	                                      !(r->flags & (ROUTE_NO_CSRF | ROUTE_PUBLIC)), "cached",
	                                      (r->flags & ROUTE_CACHED) != 0));
}

static int cmd_routes(void)
{
	struct router *rt = web_router_new();
	if (!rt)
		return 1;
	json_t *list = json_array();
	router_each(rt, print_route, list);
	char *s = json_dumps(list, JSON_INDENT(2));
	puts(s);
	free(s);
	json_decref(list);
	router_free(rt);
	return 0;
}

static int cmd_serve(const struct config *cfg, struct args *a)
{
	int banner = has_flag(a, "banner");
	int rc = 1, portal_started = 0;
	char *public_url = NULL, *bound_url = NULL;
	struct app the = {.cfg = cfg};
	app = &the;
	char err[1024] = "", dir[1024];
	if (load_secret(cfg) < 0)
		return 1;
	if (!(the.db = open_db(cfg)))
		return 1;
	if (db_schema_version(the.db) <= 0) {
		fprintf(stderr,
		        "osspoint: ฐานข้อมูล %s ยังไม่ได้เตรียม — รัน osspoint migrate และ osspoint seed ก่อน\n",
		        cfg->db);
		goto out;
	}
	the.tpl = tpl_set_new();
	snprintf(dir, sizeof dir, "%s/templates", cfg->root);
	if (tpl_set_load_dir(the.tpl, dir, err, sizeof err) <= 0) {
		fprintf(stderr, "osspoint: โหลดแม่แบบจาก %s ไม่ได้: %s\n", dir, err);
		goto out;
	}
	the.public_stats = db_unit_stats(the.db);
	if (!the.public_stats)
		the.public_stats = json_object();
	/* The catalogue snapshot (also the registry's list of services). */
	if (portal_state_start() < 0) {
		fprintf(stderr, "osspoint: อ่านรายการบริการ e-Service จากฐานข้อมูลไม่ได้ — รัน osspoint migrate และ "
		                "osspoint seed ก่อน\n");
		goto out;
	}
	portal_started = 1;
	if (!(the.router = web_router_new()))
		goto out;
	snprintf(dir, sizeof dir, "%s/static", cfg->root);
	/* Checked when the setting was read; parsed here for the server, which
	 * borrows it until http_stop below. */
	struct net_prefixes trusted;
	if (net_prefixes_parse(&trusted, cfg->trusted_proxies, err, sizeof err) < 0) {
		fprintf(stderr, "osspoint: %s\n", err);
		goto out;
	}
	struct http_config hc = {
	    .listen = cfg->listen,
	    .static_dir = dir,
	    .max_body = cfg->max_body,
	    .max_upload = cfg->max_upload,
	    /* Write handlers wait for the group commit on the workers, with
	     * their connection suspended, so libmicrohttpd's own threads never
	     * sleep on a commit; the workers must be as many as the writer's
	     * batch for concurrent entries to share an fsync. */
	    .threads = cfg->threads ? cfg->threads : DEFAULT_HTTP_THREADS,
	    .workers = cfg->workers,
	    .secure_cookies = cfg->secure_cookies,
	    .access_log = cfg->access_log,
	    .render = web_render,
	    .authorize = web_authorize,
	    .trusted_proxies = &trusted,
	    .cache_max_bytes = cfg->cache_max_bytes,
	    .max_connections = cfg->max_connections,
	    .max_connections_per_ip = cfg->max_connections_per_ip,
	    .request_timeout = cfg->request_timeout,
	    .io_timeout = cfg->io_timeout,
	    .connection_memory = cfg->connection_memory,
	};
	public_url = cfg->public_url ? xstrdup(cfg->public_url) : xasprintf("http://%s", cfg->listen);
	the.public_url = public_url;
	struct http_server *srv = http_start(&hc, the.router);
	if (!srv)
		goto out;
	const char *host = cfg->listen;
	const char *colon = strrchr(host, ':');
	int hostlen = colon ? (int)(colon - host) : (int)strlen(host);
	/* With port 0 the default public URL names the port actually bound. The
	 * first string stays allocated: a request may be reading it. */
	if (!cfg->public_url && colon && !strcmp(colon, ":0")) {
		bound_url = xasprintf("http://%.*s:%u", hostlen, host, http_port(srv));
		__atomic_store_n(&the.public_url, bound_url, __ATOMIC_RELEASE);
	}
	printf("osspoint: listening on http://%.*s:%u\n", hostlen, host, http_port(srv));
	if (banner) {
		printf("\nosspoint พร้อมใช้งานที่ http://%.*s:%u  (ฐานข้อมูล %s)\n", hostlen, host, http_port(srv),
		       cfg->db);
		printf("บัญชีตัวอย่าง (รหัสผ่าน %s):\n", DEMO_PASSWORD);
		for (const struct demo_user *u = demo_users; u->username; u++)
			printf("  %-12s %-16s หน่วยงาน %-4s %s\n", u->username, u->role, u->unit_code,
			       u->display_name);
		printf("กด Ctrl-C เพื่อหยุด\n\n");
	}
	fflush(stdout);
	pthread_t purger;
	int purging = pthread_create(&purger, NULL, purge_thread, &the) == 0;
	pthread_t closer;
	int closing = cfg->close_job && pthread_create(&closer, NULL, close_thread, &the) == 0;
	http_wait_for_signal();
	log_info("shutting down");
	http_stop(srv);
	if (purging) {
		pthread_mutex_lock(&purge_lock);
		purge_stop = 1;
		pthread_cond_signal(&purge_cond);
		pthread_mutex_unlock(&purge_lock);
		pthread_join(purger, NULL);
	}
	if (closing) {
		pthread_mutex_lock(&close_lock_m);
		close_stop = 1;
		pthread_cond_signal(&close_cond);
		pthread_mutex_unlock(&close_lock_m);
		pthread_join(closer, NULL);
	}
	registry_import_jobs_wait();
	filecheck_shutdown(); /* libvips' threads and caches (issue 11's image attachments) */
	rc = 0;
out:
	if (portal_started)
		portal_state_stop();
	free(public_url);
	free(bound_url);
	router_free(the.router);
	json_decref(the.public_stats);
	tpl_set_free(the.tpl);
	db_close(the.db);
	app = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* jansson allocates through xmalloc: out of memory aborts with the one
	 * message (lib/xalloc.h) rather than handing back a NULL. */
	json_set_alloc_funcs(xmalloc, free);
	/* Everything this program creates (database, its WAL, the key, exports
	 * written by a command) is the owner's alone: it holds personal data. */
	umask(077);
	/* Keep up to 8 MiB of freed heap per arena instead of returning it to
	 * the kernel after every request (profiled: heap_trim → madvise took
	 * 7-8 % of the server under a write load). */
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	if (crypto_setup() < 0)
		return die("%s", "libsodium เริ่มต้นไม่ได้");
	struct config cfg;
	char err[1024];
	if (config_load(&cfg, err, sizeof err) < 0)
		return die("%s", err);
	int used[256] = {0};
	if (argc > 256)
		return die("%s", "อาร์กิวเมนต์มากเกินไป");
	struct args a = {argc - 1, argv + 1, used};
	int rc = 0;
	const char *file = flag(&a, "config");
	if (file && config_read_file(&cfg, file, err, sizeof err) < 0) {
		rc = die("%s", err);
		goto out;
	}
	/* Every other --key=value / --key value is a setting (db, listen, ...). */
	const char *cmd = NULL, *sub = NULL;
	for (int i = 0; i < a.argc; i++) {
		const char *s = a.argv[i];
		if (used[i])
			continue;
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			help();
			goto out;
		}
		if (!strncmp(s, "--", 2)) {
			char key[64];
			const char *eq = strchr(s, '=');
			size_t kl = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			if (kl >= sizeof key)
				continue;
			for (size_t k = 0; k < kl; k++)
				key[k] = s[2 + k] == '-' ? '_' : s[2 + k];
			key[kl] = '\0';
			if (is_switch(key))
				continue; /* a command's own switch, read by the command */
			const char *val = eq ? eq + 1 : NULL;
			if (!val && i + 1 < a.argc)
				val = a.argv[++i];
			if (!val) {
				rc = die("ตัวเลือก %s ต้องมีค่า", s);
				goto out;
			}
			char sub_err[512];
			if (config_set(&cfg, key, val, sub_err, sizeof sub_err) < 0 &&
			    !is_command_flag(key)) {
				rc = die("%s", sub_err);
				goto out;
			}
			continue;
		}
		if (!cmd)
			cmd = s, used[i] = 1;
		else if (!sub)
			sub = s, used[i] = 1;
	}
	if (!cmd || !strcmp(cmd, "help")) {
		help();
		rc = cmd ? 0 : 2;
	} else if (!strcmp(cmd, "serve"))
		rc = cmd_serve(&cfg, &a);
	else if (!strcmp(cmd, "migrate"))
		rc = cmd_migrate(&cfg);
	else if (!strcmp(cmd, "seed"))
		rc = cmd_seed(&cfg, &a);
	else if (!strcmp(cmd, "user"))
		rc = cmd_user(&cfg, &a, sub);
	else if (!strcmp(cmd, "check"))
		rc = cmd_check(&cfg);
	else if (!strcmp(cmd, "purge"))
		rc = cmd_purge(&cfg);
	else if (!strcmp(cmd, "import"))
		rc = cmd_import(&cfg, &a);
	else if (!strcmp(cmd, "close-period"))
		rc = cmd_close_period(&cfg, sub, has_flag(&a, "early"));
	else if (!strcmp(cmd, "import-external"))
		rc = cmd_import_external(&cfg, &a, sub);
	else if (!strcmp(cmd, "routes"))
		rc = cmd_routes();
	else
		rc = die("ไม่รู้จักคำสั่ง \"%s\" (ดู osspoint help)", cmd);
out:
	config_cleanup(&cfg);
	export_pdf_shutdown();
	return rc;
}
