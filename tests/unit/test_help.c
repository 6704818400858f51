/* Unit tests for issue 11's rules: the manual's section splitter
 * (core/manual.c), the declared fields and rules of contacts, channels and
 * แจ้งปัญหา (core/help.c), Markdown rendering (render/markdown.c), the file
 * checks (lib/filecheck.c) and the help links of every staff page
 * (web/help.c: each names a section the shipped manual has). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/help.h"
#include "core/manual.h"
#include "lib/buf.h"
#include "lib/filecheck.h"
#include "render/markdown.h"
#include "web/app.h"

static void test_split_ids_titles_bodies(void **state)
{
	const char *md = "# คู่มือ\n\nบทนำ\n\n## 1. บทบาท {#roles}\n\nข้อความ\n\n## 2. ไม่มีรหัส\nข้อ\n"
	                 "## 3. ซ้ำ {#roles}\n## 4. ผิดรูป {#Bad_Id}\n";
	struct manual_doc d;
	manual_split(md, strlen(md), &d);
	assert_string_equal(d.title, "คู่มือ");
	assert_int_equal(d.n, 4);
	assert_string_equal(d.s[0].id, "roles");
	assert_string_equal(d.s[0].title, "1. บทบาท");
	assert_string_equal(d.s[1].id, "s2");
	assert_string_equal(d.s[2].id, "s3"); /* "roles" was taken */
	assert_string_equal(d.s[3].id, "s4");
	assert_string_equal(d.s[3].title, "4. ผิดรูป {#Bad_Id}");
	assert_true(strncmp(md + d.intro, "\nบทนำ", strlen("\nบทนำ")) == 0);
	assert_true(strncmp(md + d.s[0].body, "\nข้อความ\n\n", d.s[0].body_len) == 0);
	assert_int_equal(d.s[0].body + d.s[0].body_len, d.s[1].head);
	assert_ptr_equal(manual_find(&d, "roles"), &d.s[0]);
	assert_null(manual_find(&d, "nope"));
}

static void test_split_fences_and_edge_cases(void **state)
{
	const char *md = "intro\n```\n## not a heading\n```\n~~~\n## nor this\n~~~\n## real\nx";
	struct manual_doc d;
	manual_split(md, strlen(md), &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.s[0].title, "real");
	assert_string_equal(d.title, "");
	assert_int_equal(d.intro, 0);
	manual_split("", 0, &d);
	assert_int_equal(d.n, 0);
	manual_split("## a\n## b", 9, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.s[1].body_len, 0);
	assert_true(manual_id_valid("helpdesk"));
	assert_false(manual_id_valid("9x"));
	assert_false(manual_id_valid(""));
	assert_false(manual_id_valid("a/b"));
}

static void test_shipped_manual_and_help_links(void **state)
{
	const struct manual_doc *d = help_manual();
	assert_true(d->n >= 12);
	const char *need[] = {"roles",  "daily", "login",    "home",     "users", "registry", "portal",
	                      "survey", "help",  "contacts", "helpdesk", "faq",   NULL};
	for (size_t i = 0; need[i]; i++)
		assert_non_null(manual_find(d, need[i]));
	/* Every help link names a section the manual has, and resolves. */
	for (const struct help_link *l = help_links; l->prefix; l++) {
		assert_non_null(manual_find(d, l->section));
		char path[128];
		snprintf(path, sizeof path, "%s", l->prefix);
		char *brace = strchr(path, '{');
		if (brace) { /* put a unit code in place of {code} */
			char tail[64];
			snprintf(tail, sizeof tail, "%s", strchr(l->prefix, '}') + 1);
			snprintf(brace, sizeof path - (size_t)(brace - path), "4701%s", tail);
		}
		json_t *j = web_help_link(path);
		assert_non_null(j);
		char href[64];
		snprintf(href, sizeof href, "/help/%s", l->section);
		assert_string_equal(json_string_value(json_object_get(j, "href")), href);
		json_decref(j);
	}
	json_t *j = web_help_link("/registry/12/edit");
	assert_string_equal(json_string_value(json_object_get(j, "section")), "registry");
	json_decref(j);
	j = web_help_link("/units/4701/contacts");
	assert_string_equal(json_string_value(json_object_get(j, "section")), "contacts");
	json_decref(j);
	j = web_help_link("/units/4701");
	assert_string_equal(json_string_value(json_object_get(j, "section")), "home");
	json_decref(j);
	assert_null(web_help_link("/registryx"));
	assert_null(web_help_link("/"));
}

static void test_markdown_tables_and_safety(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	const char *md = "## หัวข้อ\n\n| ก | ข |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n"
	                 "[x](javascript:alert(1)) <b onclick=\"x\">b</b>\n";
	assert_int_equal(markdown_html(md, strlen(md), 1, &b), 0);
	const char *h = buf_str(&b);
	assert_non_null(strstr(h, "<h3>หัวข้อ</h3>"));
	assert_non_null(strstr(h, "<table>"));
	assert_non_null(strstr(h, "<td>1</td>"));
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "javascript:"));
	assert_null(strstr(h, "onclick"));
	buf_reset(&b);
	assert_int_equal(markdown_text("**ตัวหนา** และ `code`", strlen("**ตัวหนา** และ `code`"), &b), 0);
	assert_non_null(strstr(buf_str(&b), "ตัวหนา และ code"));
	buf_cleanup(&b);
}

struct kv {
	const char *const *pairs;
};

static const char *get(const char *name, void *ctx)
{
	const struct kv *k = ctx;
	for (size_t i = 0; k->pairs[i]; i += 2)
		if (!strcmp(k->pairs[i], name))
			return k->pairs[i + 1];
	return NULL;
}

static void test_fields(void **state)
{
	struct help_values v;
	struct help_errors e;
	struct kv ok = {(const char *const[]){"name_th", "  กลุ่มงานปกครอง ", "phone", "๐ ๔๒๗๑ ๑๕๖๑", "email",
	                                      "ppk@example.go.th", NULL}};
	assert_int_equal(help_fields_check(help_fields_contact, get, &ok, false, &v, &e), 0);
	assert_string_equal(help_value(help_fields_contact, &v, "name_th"), "กลุ่มงานปกครอง");
	assert_string_equal(help_value(help_fields_contact, &v, "fax"), "");
	help_values_free(&v);
	struct kv bad = {(const char *const[]){"phone", "โทรมาได้", "email", "no-at", NULL}};
	assert_int_equal(help_fields_check(help_fields_contact, get, &bad, false, &v, &e), -1);
	assert_int_equal(e.n, 3);
	assert_string_equal(e.e[0].field, "name_th");
	assert_string_equal(e.e[1].field, "phone");
	assert_string_equal(e.e[2].field, "email");
	help_values_free(&v);
	/* partial: absent fields are not required */
	struct kv part = {(const char *const[]){"note", "เวลา 8.30–16.30", NULL}};
	assert_int_equal(help_fields_check(help_fields_contact, get, &part, true, &v, &e), 0);
	help_values_free(&v);
	struct kv ch = {
	    (const char *const[]){"name_th", "กลุ่ม", "url", "javascript:alert(1)", "kind", "fax", NULL}};
	assert_int_equal(help_fields_check(help_fields_channel, get, &ch, false, &v, &e), -1);
	assert_int_equal(e.n, 2);
	help_values_free(&v);
	struct kv th = {(const char *const[]){"subject", "ระบบช้า", "body", "บันทึกไม่ได้\nตั้งแต่เช้า", NULL}};
	assert_int_equal(help_fields_check(help_fields_thread, get, &th, false, &v, &e), 0);
	assert_string_equal(help_value(help_fields_thread, &v, "urgency"), "normal");
	assert_string_equal(help_value(help_fields_thread, &v, "to"), "province");
	help_values_free(&v);
	struct kv line = {(const char *const[]){"subject", "a\nb", "body", "x", NULL}};
	assert_int_equal(help_fields_check(help_fields_thread, get, &line, false, &v, &e), -1);
	assert_string_equal(e.e[0].field, "subject");
	help_values_free(&v);
	/* Overlong UTF-8 (found by fuzz_help) and surrogates are not text. */
	struct kv over = {(const char *const[]){"subject", "\xe0\x98\xad", "body", "\xed\xa0\x80", NULL}};
	assert_int_equal(help_fields_check(help_fields_thread, get, &over, false, &v, &e), -1);
	assert_int_equal(e.n, 2);
	help_values_free(&v);
	assert_string_equal(help_choice_label(help_fields_thread, "urgency", "most_urgent"), "ด่วนที่สุด");
}

static void test_tel_and_rules(void **state)
{
	char t[HELP_TEL_MAX];
	assert_true(help_tel_href("๐ ๒๒๒๑ ๒๑๘๘", t));
	assert_string_equal(t, "tel:022212188");
	assert_true(help_tel_href("042-711561 ต่อ 12", t));
	assert_string_equal(t, "tel:042711561,12");
	assert_true(help_tel_href("+66 2 221 2188, 02 111 1111", t));
	assert_string_equal(t, "tel:+6622212188");
	assert_false(help_tel_href("ไม่มี", t));
	assert_false(help_tel_href("12", t));
	assert_true(help_channel_level_ok(0));
	assert_true(help_channel_level_ok(1));
	assert_false(help_channel_level_ok(2));
	assert_int_equal(helpdesk_party_of("4701", "4701", "47"), HD_RAISER);
	assert_int_equal(helpdesk_party_of("47", "4701", "47"), HD_ADDRESSEE);
	assert_int_equal(helpdesk_party_of("0", "4701", "47"), HD_ADDRESSEE);
	assert_int_equal(helpdesk_party_of("47", "4701", "0"),
	                 HD_NONE); /* raised to DOPA: the province reads */
	assert_int_equal(helpdesk_party_of("48", "4701", "47"), HD_NONE);
	assert_int_equal(helpdesk_party_of("4702", "4701", "47"), HD_NONE);
	assert_int_equal(helpdesk_after_reply(HD_ADDRESSEE), HD_ANSWERED);
	assert_int_equal(helpdesk_after_reply(HD_RAISER), HD_OPEN);
	char to[8];
	assert_true(helpdesk_to_unit("4701", "province", to));
	assert_string_equal(to, "47");
	assert_true(helpdesk_to_unit("4701", "national", to));
	assert_string_equal(to, "0");
	assert_false(helpdesk_to_unit("47", "province", to));
	assert_int_equal(helpdesk_status_from("answered"), HD_ANSWERED);
	assert_int_equal(helpdesk_status_from("x"), HD_STATUS_INVALID);
}

/* A 2x2 PNG (no metadata) and a minimal one-page PDF. */
static const unsigned char png2x2[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd,
    0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
    0xcf, 0xc0, 0xf0, 0x1f, 0x08, 0x19, 0x18, 0xfe, 0x03, 0x00, 0x27, 0xf6, 0x04, 0xfc, 0x5f,
    0x1e, 0x6f, 0x94, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static const char pdf1[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                           "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                           "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
                           "trailer<</Root 1 0 R>>\n%%EOF\n";

static void test_filecheck(void **state)
{
	char mime[FILECHECK_MIME_MAX];
	assert_int_equal(filecheck_sniff(png2x2, sizeof png2x2, mime), 0);
	assert_string_equal(mime, "image/png");
	assert_int_equal(filecheck_sniff(pdf1, strlen(pdf1), mime), 0);
	assert_string_equal(mime, "application/pdf");
	assert_int_equal(filecheck_pdf_pages(pdf1, strlen(pdf1)), 1);
	assert_int_equal(filecheck_pdf_pages("%PDF-1.4 garbage", 16), -1);
	assert_int_equal(filecheck_pdf_pages("hello", 5), -1);
	struct buf out;
	buf_init(&out, 1 << 20);
	char om[FILECHECK_MIME_MAX];
	assert_int_equal(filecheck_image_clean(png2x2, sizeof png2x2, "image/png", &out, om), 0);
	assert_string_equal(om, "image/png");
	assert_int_equal(filecheck_sniff(buf_str(&out), out.len, mime), 0);
	assert_string_equal(mime, "image/png");
	buf_reset(&out);
	assert_int_equal(filecheck_image_clean(png2x2, 20, "image/png", &out, om), -1); /* cut short */
	assert_int_equal(filecheck_image_clean(pdf1, strlen(pdf1), "application/pdf", &out, om), -2);
	buf_cleanup(&out);
	assert_true(filecheck_text_ok("# หัวข้อ\n\tข้อความ\r\n", strlen("# หัวข้อ\n\tข้อความ\r\n")));
	assert_false(filecheck_text_ok("a\0b", 3));
	assert_false(filecheck_text_ok("\xff\xfe", 2));
	assert_false(filecheck_text_ok("\xed\xa0\x80", 3)); /* a surrogate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_ids_titles_bodies),
	    cmocka_unit_test(test_split_fences_and_edge_cases),
	    cmocka_unit_test(test_shipped_manual_and_help_links),
	    cmocka_unit_test(test_markdown_tables_and_safety),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_tel_and_rules),
	    cmocka_unit_test(test_filecheck),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	filecheck_shutdown();
	return rc;
}
