/* Rules of the manual's documents, coordination channels, contacts and
 * แจ้งปัญหา (issue 11, steps 7, 8 and 9), no I/O.
 *
 * The forms' fields are declared once (help_fields_*): name, kind, limits,
 * Thai label, choices. The forms, the page models, the JSON API, the
 * decoder (help_fields_check) and the error messages all come from those
 * lists, as the survey's do (core/survey.h). */
#ifndef OSSPOINT_CORE_HELP_H
#define OSSPOINT_CORE_HELP_H

#include <stdbool.h>
#include <stddef.h>

/* ---- fields, declared once ---- */

enum help_field_kind {
	HF_LINE,   /* one line of text, at most max characters */
	HF_TEXT,   /* several lines, at most max characters */
	HF_CHOICE, /* one of choices[] (values); labels in choice_labels[] */
	HF_PHONE,  /* phone numbers as people write them (Thai digits, spaces, '-', ',', "ต่อ") */
	HF_URL,    /* an https:// or http:// address */
	HF_EMAIL,
};

struct help_field {
	const char *name; /* form / JSON member name */
	enum help_field_kind kind;
	bool required;
	int max;                          /* characters (code points) */
	const char *label_th;             /* the label the form shows */
	const char *const *choices;       /* HF_CHOICE: NULL-terminated values */
	const char *const *choice_labels; /* HF_CHOICE: their Thai labels, same order */
	const char *def;                  /* HF_CHOICE: the value when absent ("" = required) */
};

#define HELP_FIELDS_MAX 8

/* A contact (step 9): name_th, phone, fax, email, note. */
extern const struct help_field help_fields_contact[];
/* A coordination channel (step 8): kind, name_th, url, note. */
extern const struct help_field help_fields_channel[];
/* A new แจ้งปัญหา thread: subject, urgency, to, body. */
extern const struct help_field help_fields_thread[];
/* A reply: body. */
extern const struct help_field help_fields_reply[];
/* A published document's title: title_th. */
extern const struct help_field help_fields_doc[];
/* The number of fields of a list above (it ends with a zeroed entry). */
size_t help_fields_count(const struct help_field *f);

struct help_values {
	size_t n;
	char *v[HELP_FIELDS_MAX]; /* trimmed, heap; "" when absent; in the list's order */
};

struct help_errors {
	size_t n;
	struct {
		const char *field;   /* the field's name (static) */
		const char *message; /* Thai, static */
	} e[HELP_FIELDS_MAX];
};

/* Decodes and checks every field of list with get(name, ctx) (the raw text
 * or NULL). With partial, an absent field is not required and is left ""
 * (an edit that changes only what it names: the caller keeps the stored
 * value). Every error is listed. Returns 0 (out filled) or -1; either way
 * call help_values_free. */
int help_fields_check(const struct help_field *list, const char *(*get)(const char *name, void *ctx),
                      void *ctx, bool partial, struct help_values *out, struct help_errors *errs);
void help_values_free(struct help_values *v);
/* The value of field name in v (decoded with list), or "" when none. */
const char *help_value(const struct help_field *list, const struct help_values *v, const char *name);
/* The Thai label of a choice of field name, or the value itself. */
const char *help_choice_label(const struct help_field *list, const char *name, const char *value);

/* ---- contacts ---- */

#define HELP_TEL_MAX 40
/* The tel: address of the first number in a phone text ("๐ ๒๒๒๑ ๒๑๘๘" →
 * "tel:022212188"; "042 711561 ต่อ 12" → "tel:042711561,12"), into out.
 * Returns false (out "") when there is no number of 3 to 15 digits. */
bool help_tel_href(const char *phone, char out[HELP_TEL_MAX]);

/* ---- channels ---- */

/* Whether a unit of this level keeps channels (province or national). */
bool help_channel_level_ok(int unit_level);

/* ---- แจ้งปัญหา ---- */

enum helpdesk_status { HD_OPEN, HD_ANSWERED, HD_CLOSED, HD_STATUS_INVALID };
enum helpdesk_status helpdesk_status_from(const char *s);
const char *helpdesk_status_name(enum helpdesk_status s);
const char *helpdesk_status_label(enum helpdesk_status s);
const char *helpdesk_urgency_label(const char *urgency);

/* Who a user is to a thread raised by district `unit` to `to_unit` (its
 * province or "0"). */
enum helpdesk_party {
	HD_NONE,     /* neither (an officer of another district, a province admin of another province) */
	HD_RAISER,   /* staff of the district that raised it */
	HD_ADDRESSEE /* the level it was raised to, or one above it (DOPA may step in on a province's) */
};
enum helpdesk_party helpdesk_party_of(const char *user_unit, const char *unit, const char *to_unit);
/* The status after a reply by party p (raiser: open, addressee: answered). */
enum helpdesk_status helpdesk_after_reply(enum helpdesk_party p);

/* The unit a district raises a problem to: "province" → its province's
 * code (the first two digits), "national" → "0". Returns false for
 * anything else. */
bool helpdesk_to_unit(const char *district, const char *to, char out[8]);

/* Allowed attachment types (after sniffing): images and PDF. */
bool helpdesk_attachment_type_ok(const char *mime);

#endif
