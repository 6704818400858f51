/* Reference data and demo data (osspoint seed). Both are safe to run again:
 * rows are upserted by their natural keys. */
#ifndef OSSPOINT_DB_SEED_H
#define OSSPOINT_DB_SEED_H

#include <stdbool.h>
#include <stddef.h>

struct db;

struct seed_counts {
	int provinces, districts, eservices, users;
};

/* Loads the org tree (national unit '0', provinces.csv, districts.csv) and the
 * e-service catalogue (eservices.csv) from data_dir, in one transaction.
 * Bangkok's khet (province 10) are outside the programme unless
 * bangkok_in_programme. Returns 0, or -1 with a message in err. */
int db_seed_reference(struct db *db, const char *data_dir, bool bangkok_in_programme, struct seed_counts *n,
                      char *err, size_t errlen);

/* The demo province's accounts (Sakon Nakhon, 47), all with DEMO_PASSWORD.
 * Existing accounts are left alone. Returns 0 or -1. */
#define DEMO_PASSWORD "osspoint-demo"
struct demo_user {
	const char *username, *display_name, *role, *unit_code;
};
extern const struct demo_user demo_users[];
int db_seed_demo(struct db *db, struct seed_counts *n, char *err, size_t errlen);

#endif
