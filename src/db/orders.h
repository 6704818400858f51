/* Official orders' queries (migration 013): orders, their numbering per
 * issuing office and B.E. calendar year, the order templates and the
 * signers. Rules are core/orders'; what a write depends on (the order is a
 * draft, the number is free) is checked inside its transaction. */
#ifndef OSSPOINT_DB_ORDERS_H
#define OSSPOINT_DB_ORDERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* The issuing office of order id into unit (cap bytes): DB_ROW, DB_DONE
 * (no such order) or negative. */
int db_order_office(struct db *db, int64_t id, char *unit, size_t cap);

/* A draft's fields (NULL text: kept on update). */
struct order_fields {
	const char *subject, *body, *period, *annex; /* annex: JSON text */
	const char *signer_name, *signer_position, *signer_capacity, *signer_for;
};

/* Creates a draft. DB_OK with *id, or negative. */
int db_order_create(struct db *db, const char *office, const char *kind, const struct order_fields *f,
                    int64_t amends, int64_t cancels, int64_t actor, int64_t *id);

/* The order with its links: every column, plus amends_order / cancels_order
 * ({id, number, year_be, issued_on, subject} | null) and amended_by /
 * cancelled_by ([{id, number, year_be, issued_on, subject, status}], the
 * orders that point at it, issued or not). NULL with *rc DB_DONE (none) or
 * negative. */
json_t *db_order_get(struct db *db, int64_t id, int *rc);

/* Edits a draft. DB_OK, DB_NOT_FOUND, DB_CONFLICT (issued or withdrawn:
 * *status names it) or negative. */
int db_order_update(struct db *db, int64_t id, const struct order_fields *f, int64_t actor, char status[16]);

enum order_issue_refusal {
	ORDER_ISSUE_OK,
	ORDER_ISSUE_NOT_DRAFT,        /* issued already (or withdrawn) */
	ORDER_ISSUE_NUMBER_TAKEN,     /* the number given is used */
	ORDER_ISSUE_TARGET_DRAFT,     /* the order it amends or cancels is not issued */
	ORDER_ISSUE_TARGET_CANCELLED, /* … is cancelled already */
};
/* Issues draft id on day (ISO; its B.E. year numbers it): number > 0 is
 * the office register's own (checked unique per office and year; the
 * counter continues after it when it is not behind), 0 takes the office's
 * next number (the counter, skipping numbers entered by hand), so numbers
 * are unique under concurrent issues and leave no gap. DB_OK with *number
 * and *year_be; DB_CONFLICT with *why; DB_NOT_FOUND; or negative. */
int db_order_issue(struct db *db, int64_t id, const char *day, int64_t number, int64_t actor,
                   int64_t *out_number, int *year_be, enum order_issue_refusal *why);

/* Withdraws a draft (never numbered). DB_OK, DB_NOT_FOUND, DB_CONFLICT
 * (not a draft) or negative. */
int db_order_withdraw(struct db *db, int64_t id, int64_t actor);

/* The register of office: [{id, kind, status, cancelled (bool), subject,
 * number, year_be, issued_on, amends, cancels}], issued first by year and
 * number (newest first), then drafts. q: a Thai substring of the subject,
 * body or number ("3/2569"), "" for all; year_be 0 for all. NULL on failure. */
json_t *db_orders_list(struct db *db, const char *office, const char *q, int year_be);

/* Sets office's next number in year_be. DB_OK, DB_CONSTRAINT (that number
 * is used) or negative. */
int db_order_counter_set(struct db *db, const char *office, int year_be, int64_t next, int64_t actor);
/* The next number the office would give in year_be (>= 1). */
int db_order_counter_get(struct db *db, const char *office, int year_be, int64_t *next);

/* The template of kind for an office: the office's province's row, then the
 * nation's ("0"); *found 0 when none (the caller uses the shipped text).
 * {unit_code, subject, body} or NULL. */
json_t *db_order_template_get(struct db *db, const char *province, const char *kind, int *rc);
/* Stores unit's template of kind. DB_OK or negative. */
int db_order_template_put(struct db *db, const char *unit, const char *kind, const char *subject,
                          const char *body, int64_t actor);

/* The signer of office's orders: {name_th, position_th, capacity,
 * for_position} or NULL (*rc DB_DONE when none). */
json_t *db_order_signer_get(struct db *db, const char *office, int *rc);
int db_order_signer_put(struct db *db, const char *office, const char *name, const char *position,
                        const char *capacity, const char *for_position, int64_t actor);

#endif
