/* Exporting any table of a page model (render/table.h) from the page's own
 * URL: GET <page>?format=csv|xlsx&table=<name> answers the file instead of the
 * page. A handler builds its model as for the page, then:
 *
 *     if (web_table_export(r, model, "stats-4701-2024-02"))
 *         { json_decref(model); return; }   // answered: a file or an error
 *     reply_model(r, 200, "stats", model);
 *
 * and shows the links with web_table_links (templates/chart.mustache renders
 * a chart's "export" member). The route's role and scope are the page's: a
 * file holds exactly what the page shows. Tables are aggregate figures; a
 * table with personal data would need its export audited by its handler
 * (web_audit) before calling this. */
#ifndef OSSPOINT_WEB_TABLE_EXPORT_H
#define OSSPOINT_WEB_TABLE_EXPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"

/* When the request has no "format" query parameter: false, nothing done.
 * Otherwise answers and returns true: the file of model.tables[table] as
 * CSV or XLSX (200, Content-Disposition attachment
 * "<stem>-<table>.<csv|xlsx>", stem and table reduced to [A-Za-z0-9_.-]),
 * or 400 export-format (field "format"), 404 table-not-found (field
 * "table"), 500 when it cannot be rendered. The model is borrowed. */
bool web_table_export(struct req *r, const json_t *model, const char *stem);

/* {csv, xlsx}: base (the page's path and query, e.g. "/stats/47?period=2024-02")
 * with format and table appended (caller owns the object). */
json_t *web_table_links(const char *base, const char *table);

#endif
