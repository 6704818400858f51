/* Registry rules (ทะเบียนผู้มาขอรับบริการแบบอิเล็กทรอนิกส์), no I/O.
 *
 * registry_validate turns the raw text of a registry entry (form fields, JSON
 * members or an imported CSV row) into a checked struct visit_input, or a list
 * of Thai field errors. Thai digits are accepted wherever digits are. The
 * caller supplies what needs the database through struct registry_rules
 * callbacks (does this e-service exist; is this period attested). */
#ifndef OSSPOINT_CORE_REGISTRY_H
#define OSSPOINT_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/period.h"
#include "core/thai_id.h"
#include "lib/err.h"
#include "lib/thai.h"

#define VISIT_MAX_SERVICES 16
#define VISIT_NAME_MAX     200  /* bytes of UTF-8 */
#define VISIT_REMARKS_MAX  1000 /* bytes of UTF-8 */
#define VISIT_KEY_MAX      80   /* idempotency key */
#define VISIT_CODE_MAX     64   /* e-service code */

enum outcome {
	OUTCOME_NONE = 0,
	OUTCOME_COMPLETED, /* "completed": ดำเนินการให้แล้วเสร็จ */
	OUTCOME_SELF_COMPLETED, /* "self_completed": แนะนำ ผู้รับบริการดำเนินการเอง */
	OUTCOME_REFERRED,       /* "referred": ส่งต่อหน่วยงาน */
	OUTCOME_NOT_COMPLETED,  /* "not_completed": ไม่สำเร็จ */
};
enum channel {
	CHANNEL_NONE = 0,
	CHANNEL_TANGRAT, /* "tangrat": แอปพลิเคชันทางรัฐ */
	CHANNEL_WEB,     /* "web": เว็บไซต์ของหน่วยงาน */
	CHANNEL_LINE,    /* "line": LINE */
	CHANNEL_OTHER,   /* "other": อื่น ๆ */
};

/* Names are the API's values; labels are Thai. NONE/unknown → NULL. */
const char *outcome_name(enum outcome o);
const char *outcome_label_th(enum outcome o);
enum outcome outcome_from_name(const char *s); /* OUTCOME_NONE when unknown */
const char *channel_name(enum channel c);
const char *channel_label_th(enum channel c);
enum channel channel_from_name(const char *s);
/* Optional statistics fields: "" (not given) or one of these values. */
extern const char *const registry_sexes[];          /* "male", "female", "other", NULL */
extern const char *const registry_age_bands[];      /* "under_20", "20_39", "40_59", "60_plus", NULL */
const char *registry_sex_label_th(const char *sex); /* "" → "" ; unknown → NULL */
const char *registry_age_band_label_th(const char *age_band); /* "" → "" ; unknown → NULL */

/* The raw text of one entry. NULL and "" both mean "not given". */
struct registry_raw {
	const char *visited_at; /* "YYYY-MM-DDTHH:MM[:SS]" Bangkok; not given = now */
	const char *visitor_name;
	const char *cid;
	const char *phone;
	const char *sex;
	const char *age_band;
	const char *channel;
	const char *remarks;
	const char *idempotency_key;
	size_t nservices;
	struct {
		const char *code; /* a code, or (import) the service's Thai name */
		const char *outcome;
		bool outcome_column; /* import: the outcome came from the outcomes column */
	} services[VISIT_MAX_SERVICES];
	bool too_many_services; /* the caller saw more than VISIT_MAX_SERVICES */
	bool outcomes_mismatch; /* import: the outcomes column lists more items than services */
};

struct visit_service {
	char code[VISIT_CODE_MAX];
	enum outcome outcome;
};

/* A checked entry. Strings are NUL-terminated and trimmed. */
struct visit_input {
	int64_t visited_at;   /* UTC epoch seconds */
	struct civil_day day; /* Bangkok day of visited_at */
	struct period period; /* reporting period of day (cut-off from the rules) */
	int year_be;          /* B.E. calendar year of day: the running number's year */
	char visitor_name[VISIT_NAME_MAX + 1];
	char cid[THAI_ID_SIZE]; /* 13 ASCII digits, or "" */
	char phone[16];         /* ASCII digits only, or "" */
	char sex[8];            /* "" or a registry_sexes value */
	char age_band[12];      /* "" or a registry_age_bands value */
	enum channel channel;
	char remarks[VISIT_REMARKS_MAX + 1];
	char idempotency_key[VISIT_KEY_MAX + 1];
	size_t nservices; /* >= 1, codes distinct */
	struct visit_service services[VISIT_MAX_SERVICES];
};

#define REGISTRY_MAX_ERRORS 40
struct registry_errors {
	size_t n;
	struct {
		char field[32];      /* "visitor_name", "services[2].outcome", ... */
		const char *message; /* Thai, static */
	} e[REGISTRY_MAX_ERRORS];
};

struct registry_rules {
	int64_t now;    /* UTC epoch seconds */
	int cutoff_day; /* 1..28 */
	int grace_days;
	/* true when the e-service code exists and is not retired */
	bool (*service_exists)(const char *code, void *ctx);
	/* true when the unit's report for this period is attested (closes it) */
	bool (*period_attested)(struct period p, void *ctx);
	/* The code of the usable service whose Thai name is name (a static or
	 * long-lived string), or NULL. Asked about a service text that is not a
	 * well-formed code; NULL: services are given by code only. */
	const char *(*service_by_name)(const char *name, void *ctx);
	void *ctx;
};

/* Checks every field (collecting all errors, not only the first) and fills
 * out. Rules: visitor_name required, at most VISIT_NAME_MAX bytes, valid
 * UTF-8, no control characters; cid optional, 13 digits after normalising
 * (spaces, hyphens, Thai digits) with a valid checksum; phone optional, Thai
 * numbers: 9 digits (landline, 0 then 8) or 10 digits (mobile, 06/08/09 ...),
 * spaces/hyphens/Thai digits allowed; sex/age_band optional, from the lists;
 * channel required, one of the four; at least one service, each with a known
 * code (or a Thai name that service_by_name knows), no service twice,
 * outcome one of the four; visited_at optional (now), read by
 * thai_when_parse (B.E. or C.E., Thai digits; a time is required), not in the
 * future (a minute of clock skew allowed), and its period must be open
 * (core/period: not past grace days, not attested);
 * remarks optional, at most VISIT_REMARKS_MAX bytes; idempotency_key
 * optional, 8..VISIT_KEY_MAX of [A-Za-z0-9_-:.].
 * Returns 0 when valid, else the number of errors (errs filled). */
int registry_validate(const struct registry_raw *raw, const struct registry_rules *rules,
                      struct visit_input *out, struct registry_errors *errs);

/* "15/2567" (or with Thai digits "๑๕/๒๕๖๗"). out must hold 32 bytes. */
void registry_number_format(char out[32], int64_t seq, int year_be, bool thai_digits);

/* ---- additions (issue 3): messages, importer ---------------------------
 *
 * Details of registry_validate that the contract above leaves open:
 *  - Every text field is trimmed of ASCII white space (space, tab, CR, LF,
 *    VT, FF) at both ends before it is checked; out holds the trimmed text.
 *  - "Control characters" are C0 (U+0000..U+001F), DEL, C1 (U+0080..U+009F),
 *    the bidirectional overrides/isolates U+202A..U+202E and U+2066..U+2069
 *    and U+2028/U+2029. visitor_name allows none; remarks allows tab, CR and
 *    LF (several lines) and no other. Invalid UTF-8 (overlong forms,
 *    surrogates, > U+10FFFF, truncated sequences) is refused in both.
 *  - phone: a 9-digit landline starts 02..07, a 10-digit mobile 06, 08 or 09;
 *    out->phone holds the ASCII digits only.
 *  - e-service codes: 1..VISIT_CODE_MAX-1 bytes of [A-Za-z0-9_.-]. A text
 *    that is not a well-formed code is looked up as a Thai name
 *    (rules->service_by_name); a name not found, or any text with non-ASCII
 *    letters when there is no lookup, is "ไม่พบบริการชื่อนี้…", never a
 *    complaint about a code's length or letters. A service
 *    row with both code and outcome blank is skipped (a form's empty row);
 *    out->services keeps the order of the remaining rows. A code given twice
 *    is reported on the later row. service_exists is only asked about a
 *    well-formed code not seen before; when it is NULL every well-formed
 *    code is accepted (the caller then checks).
 *  - visited_at: the 60 s of allowed clock skew are REGISTRY_CLOCK_SKEW; the
 *    period is judged open on the Bangkok day of max(now, visited_at), so a
 *    visit a few seconds after midnight on the 26th is not "in a future
 *    period". period_attested is only asked about a period that is still
 *    open by date; NULL means "never attested".
 *  - out is zeroed first; out->visited_at, day, period and year_be are set
 *    whenever visited_at parsed and lies in the supported range, even when
 *    other fields (or the period check) failed, so a page can name the
 *    period (registry_error_text).
 *  - Errors follow the form's order (visited_at, visitor_name, cid, phone,
 *    sex, age_band, channel, remarks, idempotency_key, then services and
 *    services[i].*), one per field; past REGISTRY_MAX_ERRORS the rest are
 *    dropped (only services[i] errors can be, as 16 rows give 32). */

#define REGISTRY_CLOCK_SKEW 60 /* seconds a visit may lie ahead of rules->now */

/* The static messages of the two closed-period errors (field "visited_at");
 * registry_error_text replaces them with a form that names the period. */
extern const char REGISTRY_MSG_PERIOD_CLOSED[];   /* past its grace days */
extern const char REGISTRY_MSG_PERIOD_ATTESTED[]; /* its report is attested */

#define REGISTRY_MESSAGE_SIZE 512
/* The Thai text to show for errs->e[i]: its static message, except the two
 * closed-period messages, which become e.g.
 * "งวดเดือน ก.พ. 2567 ปิดแล้ว (พ้นกำหนดแก้ไขหลังวันตัดยอด) แก้ไขหรือเพิ่มรายการไม่ได้"
 * using in->period (in = the out argument of the same registry_validate call,
 * or NULL for the static message). The message of struct registry_errors is
 * static by contract, so it cannot carry the period itself. Returns out
 * (always NUL-terminated; "" when i is out of range). */
const char *registry_error_text(char out[REGISTRY_MESSAGE_SIZE], const struct registry_errors *errs, size_t i,
                                const struct visit_input *in);

/* ---- importing a registry file (pure: the caller reads the file) ----
 *
 * An import reads records (a CSV record, or an XLSX row: the caller hands
 * both over as a struct csv's fields/nfields). The first record is a header
 * naming the columns, in any order. A header cell is matched after trimming,
 * ASCII case folded, spaces dropped and the dashes - – — made one: by the API
 * name, by the Thai label, or by the header our own CSV/XLSX export writes:
 *
 *   column          names accepted (API, Thai)                       needed
 *   visited_at      วันเวลาที่มารับบริการ, วันเวลา, วันที่และเวลา            required
 *   visitor_name    ชื่อผู้มารับบริการ, ชื่อ–สกุล, ชื่อ-นามสกุล             required
 *   cid             เลขประจำตัวประชาชน, เลขบัตรประชาชน                   optional
 *   phone           เบอร์โทรศัพท์, โทรศัพท์, หมายเลขโทรศัพท์              optional
 *   sex             เพศ                                               optional
 *   age_band        ช่วงอายุ                                            optional
 *   channel         ช่องทาง, ช่องทางที่ใช้                                required
 *   services        บริการ, บริการ e-Service                            required
 *   outcomes        ผลการให้บริการ                                       optional
 *   remarks         หมายเหตุ                                            optional
 *   idempotency_key รหัสกันส่งซ้ำ                                        optional
 *   status          สถานะ                                              optional
 *   number          ลำดับที่                                            optional
 * Other columns (the export's เจ้าหน้าที่) are ignored, and so is the number
 * (the importing district numbers its entries anew), except that a row whose
 * number cell is "รวม" is our XLSX export's totals line.
 *
 * Cells:
 *  - visited_at: anything thai_when_parse reads, with a time ("27/11/2569
 *    09:15", "27 พ.ย. 2569 09:15 น." as our CSV writes it, "2026-11-27
 *    09:15"; an XLSX date cell arrives as ISO text from lib/xlsx_read).
 *  - services: items separated by ";" or line breaks (empty items skipped);
 *    an item is a code or a Thai service name, optionally followed by
 *    ":outcome". An item without ":outcome" takes the outcomes column's item
 *    at the same position (our export lists names in บริการ and outcomes in
 *    ผลการให้บริการ, both joined by "; ").
 *  - channel, sex, age_band and outcomes: the API name or the Thai label
 *    (channel_label_th, ...).
 *  - cid: a masked ID as our exports write it ("X-XXXX-XXXX1-83-8": digits,
 *    X, x, * and separators only, with at least one mask letter) is not an
 *    ID: the row is taken without one.
 *  - any cell: a leading apostrophe before = + - @ TAB or CR (our CSV's
 *    formula-injection guard) is dropped.
 *  - status: "" / "ปกติ" / "active" is an entry to import; "ยกเลิก…" /
 *    "void" a voided entry of an export, which is not imported
 *    (registry_record_status). */
struct csv;

enum registry_column {
	REGISTRY_COL_VISITED_AT,
	REGISTRY_COL_VISITOR_NAME,
	REGISTRY_COL_CID,
	REGISTRY_COL_PHONE,
	REGISTRY_COL_SEX,
	REGISTRY_COL_AGE_BAND,
	REGISTRY_COL_CHANNEL,
	REGISTRY_COL_SERVICES,
	REGISTRY_COL_REMARKS,
	REGISTRY_COL_IDEMPOTENCY_KEY,
	REGISTRY_COL_OUTCOMES,
	REGISTRY_COL_STATUS,
	REGISTRY_COL_NUMBER,
	REGISTRY_COL__COUNT
};
/* API names and Thai labels (the first Thai name above), indexed by enum
 * registry_column. */
extern const char *const registry_column_names[REGISTRY_COL__COUNT];
extern const char *const registry_column_labels_th[REGISTRY_COL__COUNT];

#define REGISTRY_HEADER_MAX 96
struct registry_columns {
	int idx[REGISTRY_COL__COUNT]; /* field index in a record, or -1 (absent) */
	/* Each found column's header cell as the file writes it (trimmed; cut
	 * at a character boundary when longer), for messages. */
	char header[REGISTRY_COL__COUNT][REGISTRY_HEADER_MAX];
};

/* Finds the columns in a header record. Returns 0, or -1 with a Thai message
 * in err naming the first missing required column ("ไม่พบคอลัมน์ visitor_name
 * (ชื่อผู้มารับบริการ) ในแถวหัวตาราง") or a column given twice. err may be
 * NULL when errlen is 0. */
int registry_columns_find(const struct csv *header, struct registry_columns *out, char *err, size_t errlen);

#define REGISTRY_SCRATCH_SIZE 16384
/* Maps one data record into raw, whose strings then point into rec's fields
 * (valid until the next csv_next) and into scratch (the services and
 * outcomes cells split into items). A record shorter than the header leaves
 * the missing cells not given. More than VISIT_MAX_SERVICES items set
 * raw->too_many_services (the first 16 are kept). Returns 0, or -1 when the
 * services or outcomes cell does not fit in scratch (raw then has no
 * services; REGISTRY_SCRATCH_SIZE bytes hold any pair that could be valid). */
int registry_raw_from_record(const struct csv *rec, const struct registry_columns *cols,
                             struct registry_raw *raw, char *scratch, size_t scratch_len);

/* registry_raw_from_record + registry_validate for one imported row, with the
 * importer's extra rules: visited_at is required (an import has no "now"),
 * a services cell too long to hold is an error on "services", an outcomes
 * column with more items than services one on "outcomes"; an outcome taken
 * from the outcomes column is reported as "outcomes[i]".
 * Returns 0 when valid, else the number of errors, as registry_validate. */
int registry_validate_record(const struct csv *rec, const struct registry_columns *cols,
                             const struct registry_rules *rules, struct visit_input *out,
                             struct registry_errors *errs);

enum registry_row_status {
	REGISTRY_ROW_ACTIVE,     /* an entry to import */
	REGISTRY_ROW_VOID,       /* a voided entry of an export: skipped, counted */
	REGISTRY_ROW_TOTALS,     /* the export's totals line ("รวม"): skipped */
	REGISTRY_ROW_BAD_STATUS, /* a status cell that is none of these: an error */
};
/* What the row's status and number cells say (no such columns: active). */
enum registry_row_status registry_record_status(const struct csv *rec, const struct registry_columns *cols);
/* The message of a bad status cell (field "status"). */
extern const char REGISTRY_MSG_STATUS[];

/* The column an error of registry_validate_record is about: its field
 * ("visited_at", "services[2].code", "outcomes[1]", "status", ...) mapped to
 * the column, *item set to the 0-based service item or -1.
 * REGISTRY_COL__COUNT for a field that names no column. */
enum registry_column registry_error_column(const char *field, int *item);

/* The Thai line an import report shows for errs->e[i] of row `row` (as a
 * spreadsheet numbers it, the header being row 1), naming the row and the
 * column header as the file writes it, and the service item if any:
 *   แถวที่ 4 คอลัมน์ "บริการ" รายการที่ 2: ไม่พบบริการชื่อนี้ในรายการบริการ
 * The message is registry_error_text's. Returns out (NUL-terminated). */
#define REGISTRY_REPORT_SIZE (REGISTRY_MESSAGE_SIZE + REGISTRY_HEADER_MAX + 64)
const char *registry_record_error_text(char out[REGISTRY_REPORT_SIZE], const struct registry_columns *cols,
                                       const struct registry_errors *errs, size_t i,
                                       const struct visit_input *in, size_t row);

/* ---- who may change or reveal an entry: one rule, used both by the entry's
 * page (can_edit, can_void, can_reveal) and by the actions themselves ---- */

enum registry_action { REGISTRY_EDIT, REGISTRY_VOID, REGISTRY_REVEAL };

/* What the rule needs to know about the user and the entry. */
struct registry_entry_facts {
	int role;          /* the user's enum role (core/perm.h) */
	bool own_district; /* the entry belongs to the user's own district */
	bool active;       /* not void */
	bool purged;       /* personal data erased (retention) */
	bool has_cid;      /* a Thai ID is stored */
	bool period_open;  /* the entry's period still takes changes */
};

/* ERR_OK when the action is allowed, else the refusal, checked in this order:
 *   edit:   ERR_NOT_OWN_DISTRICT, ERR_ALREADY_VOID, ERR_PURGED, ERR_PERIOD_CLOSED;
 *   void:   ERR_NOT_OWN_DISTRICT, ERR_ALREADY_VOID, ERR_PERIOD_CLOSED;
 *   reveal: ERR_FORBIDDEN (below district_admin), ERR_ALREADY_VOID (a voided
 *           entry's ID is never shown again), ERR_NO_CID (none stored,
 *           or purged).
 * (The storage checks void, purged, version and period again inside the
 * write's transaction; this decides what the page offers and refuses early.) */
enum err registry_may(enum registry_action a, const struct registry_entry_facts *f);

#endif
