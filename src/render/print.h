/* Printed publicity (issue 4): a poster per point and the catalogue handout,
 * A4 PDFs (cairo + pango, Laksaman, Thai shaped by HarfBuzz and broken by
 * libthai). Pure renderers like export.h: a JSON model in, bytes appended to
 * a capped buf; -1 leaves out unchanged. Text extracts with pdftotext; the
 * QR codes are vector squares. Thread-safe. See docs/modules/print.md.
 *
 * Poster model:
 *   { "point": { "name_th": "จุดให้บริการ e-Service ศูนย์ดำรงธรรมอำเภอเมืองสกลนคร",
 *                "district_th": "เมืองสกลนคร", "province_th": "สกลนคร",
 *                "address": "...", "hours": "...", "phone": "..." (may be ""),
 *                "status_label": "เปิดให้บริการ" },
 *     "point_url":  { "href": "https://host/points/4701", "short": "host/p/4701" },
 *     "catalogue_url": { "href": "https://host/", "short": "host" },
 *     "services": [ "ชื่อบริการ", ... ]   (optional: names listed on the poster, first 12),
 *     "services_total": 31   (optional: how many the point offers in all, for the
 *                             line "และบริการอื่นอีก N รายการ"; default the names given),
 *     "generated_th": "25 พฤศจิกายน 2569" }
 *   One A4 portrait page: the title, the point's name, hours, phone,
 *   address, two QR codes (to the point's page and to the catalogue), each
 *   with its short URL printed under it, and the services list.
 *
 * Catalogue model:
 *   { "title": "บริการภาครัฐออนไลน์ที่จุดให้บริการ e-Service ช่วยท่านได้",
 *     "generated_th": "25 พฤศจิกายน 2569",
 *     "services": [ { "code": "...", "name_th": "...", "agency_th": "...",
 *                     "category_th": "...", "channel_label": "...",
 *                     "url": "https://official...",
 *                     "page_url": { "href": "https://host/services/code", "short": "host/s/code" } }, ... ] }
 *   A4 portrait, a header with the title and date, then one block per
 *   service (name, agency, channel, its official URL printed, the QR code
 *   of page_url.href with page_url.short under it), as many per page as fit,
 *   never split across pages; page numbers "หน้า n/N" at the foot.
 *
 * Survey slip model (issue 10: handed to the citizen with a saved entry):
 *   { "size": "80mm" | "a6",
 *     "point": { "name_th": "จุดให้บริการ e-Service ..." },
 *     "number": "15/2569",                     (the entry's running number)
 *     "survey_url": { "href": "https://host/survey/TOKEN", "short": "host/survey/TOKEN" },
 *     "show_osspoint": true,                   (false: the official survey only)
 *     "official_url": { "href": ..., "short": ... } | null   (the ก.พ.ร. survey),
 *     "valid_until_th": "3 ธ.ค. 2569", "generated_th": "26 พ.ย. 2569" }
 *   80mm: one receipt-printer page 80 mm wide (4 mm margins), as tall as
 *   its content; a6: one A6 portrait page (105 × 148 mm), the two QR codes
 *   side by side when both surveys are offered. Each QR code has its URL
 *   printed under it (the way in without a camera). */
#ifndef OSSPOINT_RENDER_PRINT_H
#define OSSPOINT_RENDER_PRINT_H

#include <jansson.h>

#include "lib/buf.h"

int print_poster_pdf(const json_t *model, struct buf *out);
int print_catalogue_pdf(const json_t *model, struct buf *out);
int print_survey_slip_pdf(const json_t *model, struct buf *out);

#endif
