#include <ctype.h>
#include <string.h>

#include "web/web.h"

const char *web_level_label(int level, const char *code)
{
	switch (level) {
	case 0: return "ส่วนกลาง";
	case 1: return "จังหวัด";
	case 2: return code && strncmp(code, "10", 2) == 0 ? "เขต" : "อำเภอ";
	default: return "";
	}
}

void web_field_error(json_t *errors, const char *field, const char *message)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

const char *web_field(struct req *r, const char *name)
{
	const char *v = req_form(r, name);
	if (!v)
		return "";
	while (*v && isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	char *s = req_alloc(r, n + 1);
	memcpy(s, v, n);
	s[n] = '\0';
	return s;
}

void web_url_encode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
}
