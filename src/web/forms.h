/* The forms of issue 11 (contacts, channels, แจ้งปัญหา, documents) from
 * their declared fields (core/help.h): one model builder and one decoder,
 * so no handler reads a field by hand. */
#ifndef OSSPOINT_WEB_FORMS_H
#define OSSPOINT_WEB_FORMS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/help.h"
#include "http/http.h"

/* The model of list's fields: [{name, id (prefix + name), label_th, type
 * (text | tel | email | url), required, max, multiline, choice, options
 * [{value, label, selected}], value, error, invalid}]. Values come from the
 * request when r is not NULL (a form shown again with what was typed),
 * else from stored (a row; may be NULL), else the defaults. errors:
 * [{field, message}] (may be NULL). */
json_t *form_fields_model(const struct help_field *list, const char *prefix, struct req *r, json_t *stored,
                          json_t *errors);

/* Decodes list from the request (form or JSON body) into v. Returns NULL
 * (v filled; call help_values_free) or the errors as [{field, message}]
 * (v already freed). */
json_t *form_decode(struct req *r, const struct help_field *list, bool partial, struct help_values *v);

/* Adds has_errors and error_list [{label, message, href ("#" + prefix +
 * field)}] to m (a page shown again with a summary of what to fix). */
void form_error_summary(json_t *m, const struct help_field *list, const char *prefix, json_t *errors);

#endif
