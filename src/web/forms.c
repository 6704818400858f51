/* Forms from declared fields (web/forms.h). */
#include "web/forms.h"

#include <stdio.h>
#include <string.h>

#include "web/web.h"

static const char *message_for(json_t *errors, const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!strcmp(web_str(e, "field"), field)) return web_str(e,
	                                                                                         "message");
	return NULL;
}

json_t *form_fields_model(const struct help_field *list, const char *prefix, struct req *r, json_t *stored,
                          json_t *errors)
{
	json_t *a = json_array();
	for (const struct help_field *f = list; f->name; f++) {
		const char *v = r ? req_form(r, f->name) : stored ? web_str(stored, f->name) : NULL;
		if (!v)
			v = "";
		char id[96];
		snprintf(id, sizeof id, "%s%s", prefix, f->name);
		json_t *m =
		    json_pack("{s:s, s:s, s:s, s:b, s:i, s:s, s:b, s:b}", "name", f->name, "id", id,
		              "label_th", f->label_th, "required", f->required, "max", f->max, "value", v,
		              "multiline", f->kind == HF_TEXT, "choice", f->kind == HF_CHOICE);
		json_object_set_new(m, "type",
		                    json_string(f->kind == HF_PHONE   ? "tel"
		                                : f->kind == HF_EMAIL ? "email"
		                                : f->kind == HF_URL   ? "url"
		                                                      : "text"));
		const char *err = errors ? message_for(errors, f->name) : NULL;
		if (err) {
			json_object_set_new(m, "error", json_string(err));
			json_object_set_new(m, "invalid", json_true());
		}
		if (f->kind == HF_CHOICE) {
			const char *chosen = *v ? v : f->def ? f->def : "";
			json_t *opts = json_array();
			for (size_t k = 0; f->choices[k]; k++)
				json_array_append_new(opts,
				                      json_pack("{s:s, s:s, s:b}", "value", f->choices[k],
				                                "label", f->choice_labels[k], "selected",
				                                !strcmp(chosen, f->choices[k])));
			json_object_set_new(m, "options", opts);
		}
		json_array_append_new(a, m);
	}
	return a;
}

struct getter {
	struct req *r;
};

static const char *get_field(const char *name, void *ctx)
{
	return req_form(((struct getter *)ctx)->r, name);
}

json_t *form_decode(struct req *r, const struct help_field *list, bool partial, struct help_values *v)
{
	struct getter g = {r};
	struct help_errors e;
	if (help_fields_check(list, get_field, &g, partial, v, &e) == 0)
		return NULL;
	json_t *errors = json_array();
	for (size_t i = 0; i < e.n; i++)
		web_field_error(errors, e.e[i].field, e.e[i].message);
	help_values_free(v);
	return errors;
}

void form_error_summary(json_t *m, const struct help_field *list, const char *prefix, json_t *errors)
{
	json_t *l = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *field = web_str(e, "field");
		const char *label = field;
		for (const struct help_field *f = list; f && f->name; f++)
			if (!strcmp(f->name, field))
				label = f->label_th;
		if (!strcmp(field, "file"))
			label = "ไฟล์";
		char href[96];
		snprintf(href, sizeof href, "#%s%s", prefix, field);
		json_array_append_new(l, json_pack("{s:s, s:s, s:s}", "label", label, "message",
		                                   web_str(e, "message"), "href", href));
	}
	json_object_set_new(m, "has_errors", json_boolean(json_array_size(l) > 0));
	json_object_set_new(m, "error_list", l);
}
