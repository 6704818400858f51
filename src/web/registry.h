/* Shared by the registry handlers and the importer. */
#ifndef OSSPOINT_WEB_REGISTRY_H
#define OSSPOINT_WEB_REGISTRY_H

#include "core/registry.h"

/* Fills the rules for entries of unit_code (borrowed, must outlive rules):
 * now, the configured cut-off and grace days, and callbacks that check the
 * catalogue and the unit's attested periods. */
void registry_rules_init(struct registry_rules *rules, const char *unit_code);

#endif
