/* Official orders' queries (orders.h). */
#include "db/orders.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"

struct office_q {
	int64_t id;
	char *unit;
	size_t cap;
};

static int office_fn(struct dbc *c, void *arg)
{
	struct office_q *q = arg;
	int rc;
	json_t *row = db_query_row(c, &rc, "SELECT office_code FROM orders WHERE id = ?", "i", q->id);
	if (!row)
		return rc;
	const char *s = json_string_value(json_object_get(row, "office_code"));
	snprintf(q->unit, q->cap, "%s", s ? s : "");
	json_decref(row);
	return DB_ROW;
}

int db_order_office(struct db *db, int64_t id, char *unit, size_t cap)
{
	struct office_q q = {id, unit, cap};
	return db_read(db, office_fn, &q);
}
