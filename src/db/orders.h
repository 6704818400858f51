/* Official orders' queries (migration 013). */
#ifndef OSSPOINT_DB_ORDERS_H
#define OSSPOINT_DB_ORDERS_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* The issuing office of order id into unit (cap bytes): DB_ROW, DB_DONE
 * (no such order) or negative. */
int db_order_office(struct db *db, int64_t id, char *unit, size_t cap);

#endif
