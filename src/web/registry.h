/* Shared by the registry handlers and the importer. */
#ifndef OSSPOINT_WEB_REGISTRY_H
#define OSSPOINT_WEB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/registry.h"

struct visit_period_rule;

/* Fills the rules for entries of unit_code (borrowed, must outlive rules):
 * now, the configured cut-off and grace days, and callbacks that check the
 * catalogue and the unit's attested periods. */
void registry_rules_init(struct registry_rules *rules, const char *unit_code);
/* The open-period rule the storage checks inside each write's transaction
 * (db/visits.h): the configured cut-off and grace days, and now. */
void registry_period_rule_init(struct visit_period_rule *rule);
/* The district of import job id into unit (cap bytes); false when there is
 * no such job (the scope resolver of /registry/import/{job}). */
bool registry_import_job_unit(const char *id, char *unit, size_t cap);
/* The import jobs of unit that failed at or after since (epoch seconds), kept
 * in memory until the server restarts: [{id, href, finished_at, message}]. */
json_t *registry_import_jobs_failed(const char *unit, int64_t since);

#endif
