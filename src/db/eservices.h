/* Queries on the e-service catalogue (the full catalogue feature is issue 4;
 * the registry needs the list and an existence check). */
#ifndef OSSPOINT_DB_ESERVICES_H
#define OSSPOINT_DB_ESERVICES_H

#include <jansson.h>
#include <stdbool.h>

struct db;

/* Services a registry entry may use (status 'active' or 'moving'), in
 * catalogue order: [{code, name_th, channel}]. NULL on error. */
json_t *db_eservices_usable(struct db *db);

#endif
