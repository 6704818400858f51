/* libFuzzer target: an order body template (web/orders.c renders it with
 * render/mustache over the order's variables). Contract: rendering returns
 * 0 or -1 and never crashes or runs away (the engine's caps); a text with
 * no "{{" renders to itself; the shipped templates (core/orders.h) render
 * with every variable filled and keep no "{{". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/orders.h"
#include "render/mustache.h"

#include "check.h"

static json_t *ctx(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "office", "อำเภอพรรณานิคม", "district",
	                 "พรรณานิคม", "province", "สกลนคร", "place", "ศูนย์ดำรงธรรมอำเภอพรรณานิคม", "period",
	                 "ประจำเดือนมกราคม พ.ศ. 2570", "effective", "ตั้งแต่บัดนี้เป็นต้นไป", "people", 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int shipped_checked;
	json_t *c = ctx();
	char err[256];
	if (!shipped_checked) {
		shipped_checked = 1;
		for (int k = 0; k < ORDER_NKINDS; k++) {
			const char *t[2] = {order_default_subject(k), order_default_body(k)};
			for (int i = 0; i < 2; i++) {
				struct buf b;
				buf_init(&b, 1u << 20);
				CHECK(tpl_render_string(t[i], strlen(t[i]), c, NULL, &b, err, sizeof err) ==
				      0);
				CHECK(!strstr(buf_str(&b), "{{") && !strstr(buf_str(&b), "}}"));
				buf_cleanup(&b);
			}
		}
	}
	struct buf b;
	buf_init(&b, 1u << 20);
	int rc = tpl_render_string((const char *)data, size, c, NULL, &b, err, sizeof err);
	CHECK(rc == 0 || rc == -1);
	bool has_tag = false;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '{' && data[i + 1] == '{')
			has_tag = true;
	if (!has_tag && !memchr(data, '\0', size)) {
		CHECK(rc == 0);
		CHECK(b.len == size && !memcmp(b.data ? b.data : "", data, size));
	}
	buf_cleanup(&b);
	json_decref(c);
	return 0;
}
