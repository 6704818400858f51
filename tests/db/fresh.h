/* Fresh databases for the database suites (test_db, test_visits): each test
 * gets a new SQLite file in a temporary directory, or a new database in the
 * throwaway PostgreSQL cluster named by OSSPOINT_TEST_PG. */
#ifndef OSSPOINT_TESTS_DB_FRESH_H
#define OSSPOINT_TESTS_DB_FRESH_H

#include <stdbool.h>

struct fresh {
	char *url;
	char *dir;  /* sqlite: the temporary directory */
	char *name; /* postgresql: the database name */
};

/* backend: "sqlite" or "postgresql"; pg_base: OSSPOINT_TEST_PG (may be NULL
 * for sqlite). Both borrowed for the life of the program. */
void fresh_setup(const char *backend, const char *pg_base);
bool fresh_is_pg(void);
/* A suite's main: checks argv ("sqlite" | "postgresql"), calls fresh_setup,
 * and for PostgreSQL requires OSSPOINT_TEST_PG (the suite fails, it never
 * skips). Returns 0 to run the tests, else the exit status. */
int fresh_main(int argc, char **argv, const char *suite);
/* Runs sql on the cluster's maintenance database, outside a transaction
 * (CREATE / DROP DATABASE refuse to run inside one). Returns a db_rc. */
int fresh_pg_admin(const char *sql);
/* Returns 0, or -1 (message on stderr). */
int fresh_create(struct fresh *f);
/* Removes the database (kept when OSSPOINT_TEST_KEEP=1) and frees f. */
void fresh_drop(struct fresh *f);

struct dbc;
/* db_tx / db_read callback running a script: arg is a struct script. */
struct script {
	const char *sql;
};
int script_fn(struct dbc *c, void *arg);

#endif
