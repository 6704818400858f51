#include "db/eservices.h"

#include "db/db.h"

static int usable_fn(struct dbc *c, void *arg)
{
	json_t **out = arg;
	*out =
	    db_query_json(c,
	                  "SELECT code, name_th, channel FROM eservices WHERE status IN ('active', 'moving') "
	                  "ORDER BY sort_order, code",
	                  "");
	return *out ? DB_OK : DB_ERROR;
}

json_t *db_eservices_usable(struct db *db)
{
	json_t *out = NULL;
	if (db_read(db, usable_fn, &out) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
