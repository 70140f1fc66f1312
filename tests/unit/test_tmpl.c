/*
 * test_tmpl.c — loading a templates directory and rendering by name; the
 * rules every file in the real templates/ must keep.
 *
 * Temporary trees are made under $TMPDIR (or /tmp) and removed.  The real
 * templates/ and the golden pages in tests/golden/ are read relative to
 * the repo root, where the tests run.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limit.h"
#include "base/mem.h"
#include "render/mustache.h"
#include "render/tmpl.h"
#include "testlib.h"

#define REAL_TEMPLATES	"templates"

/*
 * Names that may be written unescaped ({{{name}}} or {{& name}}) in
 * templates/: each only where a test proves the value was built safely
 * in C.  Empty for now; add a name here together with that test.
 */
static const char *const unescaped_allowed[] = {
	NULL,
};

/* --- a temporary tree ---------------------------------------------------- */

static char *
mktree(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/test_tmpl.XXXXXX", tmp != NULL && *tmp != '\0'
	    ? tmp : "/tmp") < 0)
		abort();
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void
put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(path, 0700);
		*slash = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rmtree(char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* A small site: layout partials, a partial, a page, ignored files. */
static char *
site(void)
{
	char *d = mktree();

	put(d, "layout/top.mustache",
	    "<html><title>{{title}}</title>\n<main>\n");
	put(d, "layout/bottom.mustache", "</main></html>\n");
	put(d, "partials/row.mustache", "<li>{{name}}</li>\n");
	put(d, "pages/home.mustache",
	    "{{>layout/top}}\n"
	    "<ul>\n"
	    "{{#rows}}\n"
	    "  {{>partials/row}}\n"
	    "{{/rows}}\n"
	    "</ul>\n"
	    "{{>layout/bottom}}\n");
	put(d, "static/style.css", "body { color: #000 }\n");
	put(d, ".hidden/x.mustache", "{{>missing}}");
	put(d, "pages/.draft.mustache", "{{>missing}}");
	put(d, "pages/notes.txt", "{{>missing}}");
	return d;
}

/* --- loading and rendering ----------------------------------------------- */

static void
test_tmpl_loads_tree_and_renders_layout(void **state)
{
	struct json_object *view;
	struct tmpl *t;
	struct buf b;
	char *d = site();
	const char *err;

	(void)state;
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_OK);
	assert_null(err);
	assert_int_equal(tmpl_count(t), 4);
	assert_non_null(tmpl_get(t, "pages/home"));
	assert_non_null(tmpl_get(t, "layout/top"));
	assert_non_null(tmpl_get(t, "partials/row"));
	assert_null(tmpl_get(t, "pages/home.mustache"));
	assert_null(tmpl_get(t, "static/style"));

	view = json_tokener_parse("{\"title\":\"A & B\",\"rows\":"
	    "[{\"name\":\"<x>\"},{\"name\":\"it's\"}]}");
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	assert_int_equal(tmpl_render_buf(t, "pages/home", view, &b), ERR_OK);
	assert_string_equal(buf_cstr(&b),
	    "<html><title>A &amp; B</title>\n<main>\n"
	    "<ul>\n"
	    "  <li>&lt;x&gt;</li>\n"
	    "  <li>it&#39;s</li>\n"
	    "</ul>\n"
	    "</main></html>\n");
	buf_reset(&b);
	assert_int_equal(tmpl_render_buf(t, "pages/nope", view, &b),
	    ERR_NOTFOUND);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	json_object_put(view);
	tmpl_free(t);
	tmpl_free(NULL);
	rmtree(d);
}

static void
test_tmpl_missing_partial_fails_load(void **state)
{
	struct tmpl *t;
	char want[PATH_MAX + 64], *d = site();
	const char *err;

	(void)state;
	put(d, "pages/bad.mustache", "<p>\n  x {{> partials/none }}\n");
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_TEMPLATE);
	assert_null(t);
	snprintf(want, sizeof(want), "%s/pages/bad.mustache:2:5: "
	    "unknown partial 'partials/none'", d);
	assert_string_equal(err, want);
	rmtree(d);
}

static void
test_tmpl_self_inclusion_fails_load(void **state)
{
	struct tmpl *t;
	char want[PATH_MAX + 64], *d = site();
	const char *err;

	(void)state;
	put(d, "partials/a.mustache", "{{>partials/b}}");
	put(d, "partials/b.mustache", "<b>\n  {{>partials/a}}\n");
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_TEMPLATE);
	snprintf(want, sizeof(want), "%s/partials/b.mustache:2:3: "
	    "partial 'partials/a' includes itself whatever the data", d);
	if (strcmp(err, want) != 0) {
		/* Found from a's side first: the same loop, the other tag. */
		snprintf(want, sizeof(want), "%s/partials/a.mustache:1:1: "
		    "partial 'partials/b' includes itself whatever the data",
		    d);
	}
	assert_string_equal(err, want);
	rmtree(d);
}

static void
test_tmpl_compile_error_names_file_and_position(void **state)
{
	struct tmpl *t;
	char want[PATH_MAX + 64], *d = site();
	const char *err;

	(void)state;
	put(d, "errors/404.mustache", "<h1>\n{{#a}}\n{{/b}}\n");
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_TEMPLATE);
	snprintf(want, sizeof(want), "%s/errors/404.mustache:3:1: "
	    "'/b' closes section 'a' opened at 2:1", d);
	assert_string_equal(err, want);
	rmtree(d);
}

static void
test_tmpl_limits_and_system_errors(void **state)
{
	struct tmpl *t;
	char *big, *d = site();
	const char *err;

	(void)state;
	big = malloc(LIMIT_TMPL_SIZE + 2);
	memset(big, 'a', LIMIT_TMPL_SIZE + 1);
	big[LIMIT_TMPL_SIZE + 1] = '\0';
	put(d, "pages/big.mustache", big);
	free(big);
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_TOOBIG);
	assert_non_null(strstr(err, "big.mustache"));
	assert_int_equal(tmpl_load(testlib_arena(), "/nonexistent/templates",
	    &t, &err), ERR_SYSTEM);
	assert_non_null(strstr(err, "/nonexistent/templates"));
	/* Not asking why is fine. */
	assert_int_equal(tmpl_load(testlib_arena(), "/nonexistent/templates",
	    &t, NULL), ERR_SYSTEM);
	rmtree(d);
}

static void
test_tmpl_render_errors_say_where(void **state)
{
	struct mustache_error e;
	struct json_object *view;
	struct tmpl *t;
	struct buf b;
	char *d = mktree();
	const char *err;

	(void)state;
	put(d, "loop.mustache", "{{#t}}\n{{>loop}}\n{{/t}}");
	put(d, "page.mustache", "[{{>loop}}]");
	assert_int_equal(tmpl_load(testlib_arena(), d, &t, &err), ERR_OK);
	view = json_tokener_parse("{\"t\":true}");
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	assert_int_equal(buf_puts(&b, "before"), ERR_OK);
	assert_int_equal(tmpl_render_err(t, "page", view, &b, &e),
	    ERR_TEMPLATE);
	assert_string_equal(e.name, "loop");
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 1);
	assert_string_equal(buf_cstr(&b), "before");
	assert_int_equal(tmpl_render_err(t, "nope", view, &b, &e),
	    ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "nope"));
	buf_free(&b);
	json_object_put(view);
	tmpl_free(t);
	rmtree(d);
}

/* --- rules for the real templates/ --------------------------------------- */

static int
allowed_unescaped(const char *name, size_t len)
{
	size_t i;

	for (i = 0; unescaped_allowed[i] != NULL; i++)
		if (strlen(unescaped_allowed[i]) == len &&
		    memcmp(unescaped_allowed[i], name, len) == 0)
			return 1;
	return 0;
}

/* The first "{{" between an open and a close marker, or NULL. */
static const char *
tag_inside(const char *s, const char *open, const char *close)
{
	const char *p, *q, *end;

	for (p = s; (p = strstr(p, open)) != NULL; p = end) {
		if ((end = strstr(p, close)) == NULL)
			end = p + strlen(p);
		if ((q = strstr(p, "{{")) != NULL && q < end)
			return q;
	}
	return NULL;
}

/*
 * Checks one template's text: returns NULL, or what is wrong.  Triple
 * braces and {{& are refused unless the name is allowed; a delimiter
 * change is refused (it could hide either); no tag inside <script>,
 * <style> or an on* event attribute.
 */
static const char *
lint(const char *s, char *why, size_t size)
{
	const char *p, *q, *end;
	size_t len;

	for (p = s; (p = strstr(p, "{{")) != NULL; p += 2) {
		q = p + 2;
		if (*q == '=') {
			snprintf(why, size, "delimiter change at offset %zu",
			    (size_t)(p - s));
			return why;
		}
		if (*q != '{' && *q != '&')
			continue;
		q++;
		while (*q == ' ')
			q++;
		for (len = 0; q[len] != '\0' && q[len] != '}' &&
		    q[len] != ' '; len++)
			;
		if (!allowed_unescaped(q, len)) {
			snprintf(why, size, "unescaped '%.*s' at offset %zu",
			    (int)len, q, (size_t)(p - s));
			return why;
		}
	}
	if ((p = tag_inside(s, "<script", "</script")) != NULL ||
	    (p = tag_inside(s, "<style", "</style")) != NULL) {
		snprintf(why, size, "tag inside <script> or <style> at "
		    "offset %zu", (size_t)(p - s));
		return why;
	}
	for (p = s; (p = strstr(p, " on")) != NULL; p++) {
		for (q = p + 3; *q >= 'a' && *q <= 'z'; q++)
			;
		if (q == p + 3 || *q != '=')
			continue;
		end = strchr(q + 2, q[1] == '"' || q[1] == '\'' ? q[1] : ' ');
		if (end == NULL)
			end = q + strlen(q);
		if ((p = strstr(q, "{{")) != NULL && p < end) {
			snprintf(why, size, "tag inside an event attribute at "
			    "offset %zu", (size_t)(p - s));
			return why;
		}
		p = q;
	}
	return NULL;
}

static void
test_tmpl_lint_catches_unsafe_output(void **state)
{
	char why[128];

	(void)state;
	assert_null(lint("<p>{{x}} {{#a}}{{b.c}}{{/a}}</p>", why,
	    sizeof(why)));
	assert_non_null(lint("<p>{{{x}}}</p>", why, sizeof(why)));
	assert_string_equal(why, "unescaped 'x' at offset 3");
	assert_non_null(lint("<p>{{& body }}</p>", why, sizeof(why)));
	assert_non_null(lint("{{=<% %>=}}<%{x}%>", why, sizeof(why)));
	assert_non_null(lint("<script>var x = '{{x}}';</script>", why,
	    sizeof(why)));
	assert_non_null(lint("<style>p { color: {{c}} }</style>", why,
	    sizeof(why)));
	assert_non_null(lint("<a href=\"#\" onclick=\"go('{{x}}')\">", why,
	    sizeof(why)));
	assert_null(lint("<a class=\"on\" title=\"{{x}}\">", why,
	    sizeof(why)));
}

static int	 nfiles;
static char	 failure[PATH_MAX + 160];

static int
lint_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char why[128], *text;
	size_t len;
	FILE *f;

	(void)ftw;
	len = strlen(path);
	if (flag != FTW_F || len < 9 || strcmp(path + len - 9, ".mustache"))
		return 0;
	if (st->st_size > LIMIT_TMPL_SIZE)
		return 0;
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	text = calloc(1, (size_t)st->st_size + 1);
	if (fread(text, 1, (size_t)st->st_size, f) != (size_t)st->st_size)
		abort();
	fclose(f);
	nfiles++;
	if (lint(text, why, sizeof(why)) != NULL && failure[0] == '\0')
		snprintf(failure, sizeof(failure), "%s: %s", path, why);
	free(text);
	return 0;
}

static void
test_tmpl_real_templates_escape_everything(void **state)
{
	(void)state;
	nfiles = 0;
	failure[0] = '\0';
	assert_int_equal(nftw(REAL_TEMPLATES, lint_cb, 16, FTW_PHYS), 0);
	if (failure[0] != '\0')
		print_message("%s\n", failure);
	assert_string_equal(failure, "");
	assert_true(nfiles >= 13);
}

/* The real templates load, and every error page renders with the id. */
static void
test_tmpl_real_templates_load_and_render(void **state)
{
	static const char *const codes[] = { "400", "401", "403", "404",
	    "405", "413", "429", "500", "503" };
	struct json_object *view;
	struct tmpl *t;
	struct buf b;
	char name[32];
	const char *err;
	size_t i;

	(void)state;
	if (tmpl_load(testlib_arena(), REAL_TEMPLATES, &t, &err) != ERR_OK)
		print_message("%s\n", err);
	assert_non_null(t);
	view = json_tokener_parse("{\"title\":\"Not <Found>\","
	    "\"request_id\":\"r-1<2>\"}");
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	for (i = 0; i < nitems(codes); i++) {
		snprintf(name, sizeof(name), "errors/%s", codes[i]);
		buf_reset(&b);
		assert_int_equal(tmpl_render_buf(t, name, view, &b), ERR_OK);
		assert_non_null(strstr(buf_cstr(&b), "<!doctype html>"));
		assert_non_null(strstr(buf_cstr(&b),
		    "<title>Not &lt;Found&gt; · Sluice</title>"));
		assert_non_null(strstr(buf_cstr(&b), "<main id=\"main\">"));
		assert_non_null(strstr(buf_cstr(&b), "<h1"));
		assert_non_null(strstr(buf_cstr(&b),
		    "<code>r-1&lt;2&gt;</code>"));
		assert_non_null(strstr(buf_cstr(&b), "</html>"));
		assert_null(strstr(buf_cstr(&b), "{{"));
	}
	/* Without a request id, no empty paragraph for it. */
	json_object_object_del(view, "request_id");
	buf_reset(&b);
	assert_int_equal(tmpl_render_buf(t, "errors/500", view, &b), ERR_OK);
	assert_null(strstr(buf_cstr(&b), "reqid"));
	buf_free(&b);
	json_object_put(view);
	tmpl_free(t);
}

/*
 * Golden pages: each error page, rendered with its reason phrase as title
 * and a fixed request id, must equal tests/golden/errors/NNN.html, so a
 * change to a template shows as a change to those files.  Run with
 * SLUICE_GOLDEN_UPDATE=1 to rewrite them, then review the diff.
 */
static void
test_tmpl_error_pages_match_golden(void **state)
{
	static const int codes[] = { 400, 401, 403, 404, 405, 413, 429, 500,
	    503 };
	const char *update = getenv("SLUICE_GOLDEN_UPDATE");
	struct json_object *view;
	struct tmpl *t;
	struct buf b;
	char name[32], path[64], *want;
	const char *err;
	size_t i;
	long len;
	FILE *f;
	int failed = 0;

	(void)state;
	assert_int_equal(tmpl_load(testlib_arena(), REAL_TEMPLATES, &t, &err),
	    ERR_OK);
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	for (i = 0; i < nitems(codes); i++) {
		view = json_object_new_object();
		json_object_object_add(view, "title",
		    json_object_new_string(err_reason(codes[i])));
		json_object_object_add(view, "request_id",
		    json_object_new_string("req-0123456789abcdef"));
		snprintf(name, sizeof(name), "errors/%d", codes[i]);
		snprintf(path, sizeof(path), "tests/golden/errors/%d.html",
		    codes[i]);
		buf_reset(&b);
		assert_int_equal(tmpl_render_buf(t, name, view, &b), ERR_OK);
		json_object_put(view);
		if (update != NULL && strcmp(update, "1") == 0) {
			assert_non_null(f = fopen(path, "w"));
			assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
			assert_int_equal(fclose(f), 0);
			continue;
		}
		if ((f = fopen(path, "r")) == NULL) {
			print_message("%s is missing: run with "
			    "SLUICE_GOLDEN_UPDATE=1\n", path);
			failed++;
			continue;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		want = calloc(1, (size_t)len + 1);
		if (fread(want, 1, (size_t)len, f) != (size_t)len)
			abort();
		fclose(f);
		if ((size_t)len != b.len || memcmp(want, b.data, b.len) != 0) {
			print_message("%s differs from what %s renders now; "
			    "if the change is meant, run with "
			    "SLUICE_GOLDEN_UPDATE=1 and review the diff\n",
			    path, name);
			failed++;
		}
		free(want);
	}
	buf_free(&b);
	tmpl_free(t);
	assert_int_equal(failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl_loads_tree_and_renders_layout),
		cmocka_unit_test(test_tmpl_missing_partial_fails_load),
		cmocka_unit_test(test_tmpl_self_inclusion_fails_load),
		cmocka_unit_test(
		    test_tmpl_compile_error_names_file_and_position),
		cmocka_unit_test(test_tmpl_limits_and_system_errors),
		cmocka_unit_test(test_tmpl_render_errors_say_where),
		cmocka_unit_test(test_tmpl_lint_catches_unsafe_output),
		cmocka_unit_test(test_tmpl_real_templates_escape_everything),
		cmocka_unit_test(test_tmpl_real_templates_load_and_render),
		cmocka_unit_test(test_tmpl_error_pages_match_golden),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
