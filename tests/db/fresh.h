/* Fresh databases for the database suites (test_db, test_visits,
 * test_catalogue): each test gets a new SQLite file in a temporary directory,
 * or a new database in the throwaway PostgreSQL cluster named by
 * OSSPOINT_TEST_PG; and the small query helpers the suites share. */
#ifndef OSSPOINT_TESTS_DB_FRESH_H
#define OSSPOINT_TESTS_DB_FRESH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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

struct db;
/* Runs sql (no parameters) in its own transaction. Returns a db_rc. */
int fresh_exec_tx(struct db *db, const char *sql);
/* The first column of the first row of sql (no parameters), read with
 * db_read; the test fails when there is no row. */
int64_t fresh_count(struct db *db, const char *sql);
/* Every row of sql (no parameters) as db_query_json gives it (caller
 * decrefs); the test fails when the query does. */
json_t *fresh_query(struct db *db, const char *sql);
/* The integer / string member key of o; the test fails when it is missing
 * or of another type. The string is borrowed from o. */
int64_t fresh_jint(const json_t *o, const char *key);
const char *fresh_jstr(const json_t *o, const char *key);

#endif
