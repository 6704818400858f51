/* Reference data and demo data (osspoint seed). Both are safe to run again:
 * rows are upserted by their natural keys. */
#ifndef OSSPOINT_DB_SEED_H
#define OSSPOINT_DB_SEED_H

#include <stdbool.h>
#include <stddef.h>

struct db;

struct seed_counts {
	int provinces, districts, eservices, users;
	int categories;   /* rows of eservice_categories.csv */
	int points;       /* points added by this run (existing ones are kept as they are) */
	int search_terms; /* rows of search_synonyms.csv */
};

/* Loads the org tree (national unit '0', provinces.csv, districts.csv), the
 * e-service catalogue (eservice_categories.csv, eservices.csv with
 * eservice_details.csv) and the search vocabulary (search_synonyms.csv,
 * unless a person saved it: db_search_terms_seed) from data_dir, and adds a point for every district
 * in the programme that has none, in one transaction. Bangkok's khet
 * (province 10) are outside the programme unless bangkok_in_programme.
 * Services a person has changed are left alone (db_service_seed in
 * db/catalogue.h). Returns 0, or -1 with a message in err. */
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
