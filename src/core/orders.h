/* Official orders' rules (คำสั่ง, issue 11), no I/O: kinds, numbers as
 * printed ("3/2569", "๓/๒๕๖๙"), who may draft and issue, the signer's
 * acting-capacity lines, and the wording shipped as the default templates. */
#ifndef OSSPOINT_CORE_ORDERS_H
#define OSSPOINT_CORE_ORDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

enum order_kind { ORDER_ESTABLISHMENT, ORDER_DUTY, ORDER_NKINDS };

/* "establishment", "duty"; "" otherwise. */
const char *order_kind_name(int k);
/* "คำสั่งจัดตั้ง", "คำสั่งแต่งตั้งเจ้าหน้าที่" */
const char *order_kind_label(int k);
/* The kind named s, or -1. */
int order_kind_parse(const char *s);

/* The capacity a signer signs in: "", "acting_for" (ปฏิบัติราชการแทน),
 * "acting_in" (รักษาราชการแทน). Returns the Thai words ("" for none) or
 * NULL for an unknown name. */
const char *order_capacity_words(const char *capacity);

/* "n/yyyy" (B.E.) appended to b, in Thai digits when thai. */
void order_number_format(struct buf *b, long number, int year_be, bool thai);

/* Whether a user (role from core/perm.h, unit user_unit) drafts, edits and
 * issues the orders of office: a district admin its district's, a province
 * admin its province's. */
bool order_may_write(int role, const char *user_unit, const char *office);
/* Whether a unit issues orders at all (a district or a province). */
bool order_office_valid(const char *unit);

/* The shipped wording (Mustache; triple braces, the text is not HTML):
 * subject and body of kind k. Variables: office ("อำเภอพรรณานิคม"), district,
 * province, place, period ("ประจำเดือน… พ.ศ. …" or ""), effective
 * ("ตั้งแต่วันที่ … ถึงวันที่ …" or "ตั้งแต่บัดนี้เป็นต้นไป"), people (the
 * annex's count). Paragraphs are separated by a blank line. */
const char *order_default_subject(int k);
const char *order_default_body(int k);

#endif
