/*
 * test_mustache.c — the template engine against the official mustache
 * spec, plus its errors (each with its exact line and column) and limits.
 *
 * The spec is third-party text and is not part of the project: its JSON
 * files are read at test time from $SLUICE_MUSTACHE_SPEC_DIR, else from
 * ../shared/mustache-spec beside the checkout.  When neither is there the
 * spec test is left out with one line saying so (the differential test
 * against mustache.js, tests/integration/mustache_diff.test.js, still
 * runs); a $SLUICE_MUSTACHE_SPEC_DIR that cannot be read fails.  The six
 * required files must pass in full, and so must the optional
 * ~dynamic-names, which the engine implements; the other optional ones
 * (~lambdas, ~inheritance) are features it leaves out and are not run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/mem.h"
#include "render/mustache.h"
#include "testlib.h"

/* --- helpers ------------------------------------------------------------- */

#define MAXPARTIALS 16

struct plist {
	const char		*name[MAXPARTIALS];
	struct mustache		*t[MAXPARTIALS];
	int			 n;
};

static const struct mustache *
pfind(void *ud, const char *name)
{
	struct plist *pl = ud;
	int i;

	for (i = 0; i < pl->n; i++)
		if (strcmp(pl->name[i], name) == 0)
			return pl->t[i];
	return NULL;
}

static void
plist_add(struct plist *pl, const char *name, const char *src)
{
	struct mustache_error e;
	enum err rc;

	assert_true(pl->n < MAXPARTIALS);
	rc = mustache_compile(name, src, strlen(src), &pl->t[pl->n], &e);
	if (rc != ERR_OK)
		print_message("partial %s: %d:%d: %s\n", name, e.line,
		    e.column, e.msg);
	assert_int_equal(rc, ERR_OK);
	pl->name[pl->n++] = name;
}

static void
plist_free(struct plist *pl)
{
	while (pl->n > 0)
		mustache_free(pl->t[--pl->n]);
}

/*
 * Compiles and renders src against the JSON text data with partials
 * (NULL-terminated name, source pairs); returns the error, the output in
 * out (caller frees) and the error detail in e.
 */
static enum err
run(const char *src, const char *data, const char **partials, char **out,
    struct mustache_error *e)
{
	struct mustache_partials p;
	struct json_object *view;
	struct mustache *t;
	struct plist pl;
	struct buf b;
	enum err rc;

	memset(&pl, 0, sizeof(pl));
	memset(e, 0, sizeof(*e));
	*out = NULL;
	while (partials != NULL && *partials != NULL) {
		plist_add(&pl, partials[0], partials[1]);
		partials += 2;
	}
	p.find = pfind;
	p.ud = &pl;
	view = json_tokener_parse(data);
	rc = mustache_compile("t", src, strlen(src), &t, e);
	if (rc == ERR_OK) {
		buf_init(&b, LIMIT_TMPL_OUTPUT * 2);
		rc = mustache_render_json(t, view, &p, &b, e);
		*out = strdup(buf_cstr(&b));
		buf_free(&b);
		mustache_free(t);
	}
	json_object_put(view);
	plist_free(&pl);
	return rc;
}

static void
expect_error(const char *src, enum err want, int line, int col,
    const char *msgpart)
{
	struct mustache_error e;
	char *out;
	enum err rc;

	rc = run(src, "{}", NULL, &out, &e);
	free(out);
	if (rc != want || e.line != line || e.column != col ||
	    strstr(e.msg, msgpart) == NULL)
		print_message("template %s: got %d %d:%d: %s\n", src, rc,
		    e.line, e.column, e.msg);
	assert_int_equal(rc, want);
	assert_int_equal(e.line, line);
	assert_int_equal(e.column, col);
	assert_non_null(strstr(e.msg, msgpart));
}

/* --- the spec ------------------------------------------------------------ */

static const char *const required[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials",
	"sections",
	"~dynamic-names",	/* optional in the spec, implemented */
};

/*
 * The spec's folder: $SLUICE_MUSTACHE_SPEC_DIR when set (*explicit is
 * then 1), else shared/mustache-spec in the checkout's parent directory.
 */
static const char *
specdir(int *explicit)
{
	const char *env, *root, *slash;

	env = getenv("SLUICE_MUSTACHE_SPEC_DIR");
	*explicit = env != NULL && *env != '\0';
	if (*explicit)
		return env;
	root = testlib_root();
	slash = strrchr(root, '/');
	return arena_printf(testlib_arena(), "%.*s/shared/mustache-spec",
	    slash != NULL ? (int)(slash - root) : 0, root);
}

/* Runs every test of one spec file; returns the number that failed. */
static int
run_spec_file(const char *file)
{
	struct json_object *root, *tests, *tc, *o, *partials;
	struct mustache_partials p;
	struct mustache_error e;
	struct mustache *t;
	const char *name, *tmpl, *expected;
	struct plist pl;
	struct buf b;
	size_t i, n;
	int failed = 0, explicit;
	enum err rc;

	root = testlib_json_file(testlib_arena(), arena_printf(
	    testlib_arena(), "%s/%s.json", specdir(&explicit), file));
	assert_true(json_object_object_get_ex(root, "tests", &tests));
	n = json_object_array_length(tests);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		tc = json_object_array_get_idx(tests, i);
		json_object_object_get_ex(tc, "name", &o);
		name = json_object_get_string(o);
		json_object_object_get_ex(tc, "template", &o);
		tmpl = json_object_get_string(o);
		json_object_object_get_ex(tc, "expected", &o);
		expected = json_object_get_string(o);

		memset(&pl, 0, sizeof(pl));
		if (json_object_object_get_ex(tc, "partials", &partials)) {
			json_object_object_foreach(partials, k, v)
				plist_add(&pl, k, json_object_get_string(v));
		}
		p.find = pfind;
		p.ud = &pl;
		json_object_object_get_ex(tc, "data", &o);
		buf_init(&b, LIMIT_TMPL_OUTPUT);
		rc = mustache_compile(name, tmpl, strlen(tmpl), &t, &e);
		if (rc == ERR_OK) {
			rc = mustache_render_json(t, o, &p, &b, &e);
			mustache_free(t);
		}
		if (rc != ERR_OK || strcmp(buf_cstr(&b), expected) != 0) {
			failed++;
			print_message("FAIL %s / %s: rc %d (%d:%d %s)\n"
			    "  want [%s]\n  got  [%s]\n", file, name, rc,
			    e.line, e.column, rc == ERR_OK ? "" : e.msg,
			    expected, buf_cstr(&b));
		}
		buf_free(&b);
		plist_free(&pl);
	}
	print_message("mustache spec: %zu/%zu passed (%s)\n", n - failed, n,
	    file);
	return failed;
}

static void
test_mustache_spec(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(required); i++)
		failed += run_spec_file(required[i]);
	assert_int_equal(failed, 0);
}

/* --- behaviour beyond the spec files ------------------------------------ */

static void
check(const char *src, const char *data, const char **partials,
    const char *want)
{
	struct mustache_error e;
	char *out;
	enum err rc;

	rc = run(src, data, partials, &out, &e);
	if (rc != ERR_OK)
		print_message("%s: %d:%d: %s\n", src, e.line, e.column, e.msg);
	assert_int_equal(rc, ERR_OK);
	assert_string_equal(out, want);
	free(out);
}

static void
test_mustache_escapes_five_characters(void **state)
{
	(void)state;
	check("{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"&<>\\\"'/=`\"}", NULL,
	    "&amp;&lt;&gt;&quot;&#39;/=`|&<>\"'/=`|&<>\"'/=`");
}

/* The five entities of the engine, for the reference escaper below. */
static void
escape_ref(struct buf *b, const char *s, size_t len)
{
	const char *e;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: e = NULL; break;
		}
		assert_int_equal(e == NULL ? buf_putc(b, s[i]) :
		    buf_puts(b, e), ERR_OK);
	}
}

/*
 * Values of every length up to 80 bytes, with special characters at
 * every offset (so on both sides of each 16-byte block the engine scans
 * at a time) or none, escape as a byte-by-byte escaper does: into a
 * buffer with room for the worst case (escaped in place), and into new
 * ones that must grow, run by run, to a max that is exactly the output
 * (one byte less fails and leaves the buffer empty).
 */
static void
test_mustache_escapes_values_of_every_length(void **state)
{
	static const char alphabet[] = "ab&c<d>e\"f'g\xc3\xa9h";
	struct json_object *v;
	struct mustache *t;
	struct buf want, got, tight;
	char s[80];
	size_t len, i, mix;
	uint32_t r = 1;

	(void)state;
	assert_int_equal(mustache_compile(NULL, "[{{x}}]", 7, &t, NULL),
	    ERR_OK);
	buf_init(&want, 1024);
	buf_init(&got, 1 << 20);
	/* Room for everything below, so that it escapes in place. */
	for (i = 0; i < 64; i++)
		assert_int_equal(buf_puts(&got, "0123456789abcdef"),
		    ERR_OK);
	for (len = 0; len <= sizeof(s); len++)
		for (mix = 0; mix < 4; mix++) {
			for (i = 0; i < len; i++) {
				r = r * 1103515245 + 12345;
				/* mix 0: plain; 3: dense with specials */
				s[i] = mix == 0 ? 'a' + (char)(i % 26) :
				    alphabet[(r >> 16) % (mix == 3 ? 9 :
				    sizeof(alphabet) - 1)];
			}
			v = json_object_new_object();
			json_object_object_add(v, "x",
			    json_object_new_string_len(s, (int)len));
			buf_reset(&want);
			assert_int_equal(buf_putc(&want, '['), ERR_OK);
			escape_ref(&want, s, len);
			assert_int_equal(buf_putc(&want, ']'), ERR_OK);

			buf_reset(&got);
			assert_int_equal(mustache_render_json(t, v, NULL,
			    &got, NULL), ERR_OK);
			assert_int_equal(got.len, want.len);
			assert_memory_equal(got.data, want.data, want.len);

			buf_init(&tight, want.len);
			assert_int_equal(mustache_render_json(t, v, NULL,
			    &tight, NULL), ERR_OK);
			assert_string_equal(buf_cstr(&tight), want.data);
			buf_free(&tight);
			buf_init(&tight, want.len - 1);
			assert_int_equal(mustache_render_json(t, v, NULL,
			    &tight, NULL), ERR_TOOBIG);
			assert_string_equal(buf_cstr(&tight), "");
			buf_free(&tight);
			json_object_put(v);
		}
	buf_free(&want);
	buf_free(&got);
	mustache_free(t);
}

static void
test_mustache_values_print_like_javascript(void **state)
{
	(void)state;
	check("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{\"a\":1.210,\"b\":0.1,\"c\":-42,\"d\":true,\"e\":null,"
	    "\"f\":1e3}", NULL, "1.21 0.1 -42 true  1000");
	check("{{a}} {{b}} {{c}} {{d}}", "{\"a\":9223372036854775807,"
	    "\"b\":18446744073709551615,\"c\":-9223372036854775808,"
	    "\"d\":0}", NULL, "9223372036854775807 18446744073709551615 "
	    "-9223372036854775808 0");
	check("{{#z}}z{{/z}}{{#e}}e{{/e}}{{#l}}l{{/l}}{{^z}}!z{{/z}}"
	    "{{^e}}!e{{/e}}{{^l}}!l{{/l}}",
	    "{\"z\":0,\"e\":\"\",\"l\":[]}", NULL, "!z!e!l");
	check("{{#s}}[{{.}}]{{/s}}", "{\"s\":\"str\"}", NULL, "[str]");
}

static void
test_mustache_partial_indentation_nests(void **state)
{
	const char *partials[] = {
		"outer", "<\n  {{>inner}}\n>\n",
		"inner", "a\n{{#l}}\n{{.}}\n{{/l}}\n",
		NULL,
	};

	(void)state;
	check("  {{>outer}}\nend", "{\"l\":[1,2]}", partials,
	    "  <\n    a\n    1\n    2\n  >\nend");
	/* An inline partial is inserted as it is. */
	check("x{{>inner}}y", "{\"l\":[1]}", partials, "xa\n1\ny");
}

static void
test_mustache_standalone_lines_of_several_tags(void **state)
{
	const char *partials[] = { "p", "a\nb\n", NULL };

	(void)state;
	check("<ul>\n  {{#l}}{{#.}}\n  <li>{{.}}</li>\n  {{/.}}{{/l}}\n"
	    "</ul>\n", "{\"l\":[1,0,2]}", NULL,
	    "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	/* The first tag's blanks indent a partial; a later one is inline. */
	check("  {{>p}}{{! c }}\nz", "{}", partials, "  a\n  b\nz");
	check("  {{! c }}{{>p}}\nz", "{}", partials, "a\nb\nz");
	/* Anything that shows keeps the line. */
	check("  {{#t}}{{x}}{{/t}}\n", "{\"t\":true}", NULL, "  \n");
}

static void
test_mustache_context_stack(void **state)
{
	(void)state;
	check("{{#a}}{{#b}}{{x}}{{y}}{{a.x}}{{/b}}{{/a}}",
	    "{\"x\":\"root\",\"y\":\"Y\",\"a\":{\"x\":\"A\",\"b\":{}}}", NULL,
	    "AYA");
	/* A dotted name does not fall back past its first part. */
	check("{{#a}}[{{b.c}}]{{/a}}", "{\"a\":{\"b\":{}},\"b\":{\"c\":1}}",
	    NULL, "[]");
	/* JSON null is found, and stops the lookup. */
	check("{{#a}}[{{x}}]{{/a}}", "{\"x\":1,\"a\":{\"x\":null}}", NULL,
	    "[]");
}

static void
test_mustache_template_is_reusable(void **state)
{
	struct json_object *v1, *v2;
	struct mustache *t;
	struct buf b;
	int i;

	(void)state;
	assert_int_equal(mustache_compile("r", "<{{x}}>", 7, &t, NULL),
	    ERR_OK);
	assert_string_equal(mustache_name(t), "r");
	v1 = json_tokener_parse("{\"x\":\"one\"}");
	v2 = json_tokener_parse("{\"x\":2}");
	buf_init(&b, 1024);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mustache_render_json(t, v1, NULL, &b, NULL),
		    ERR_OK);
		assert_int_equal(mustache_render_json(t, v2, NULL, &b, NULL),
		    ERR_OK);
	}
	assert_string_equal(buf_cstr(&b), "<one><2><one><2><one><2>");
	/* The ops table is usable directly, without the hash cache. */
	buf_reset(&b);
	assert_int_equal(mustache_render(t, &mustache_json_ops, NULL, v1,
	    NULL, &b, NULL), ERR_OK);
	assert_string_equal(buf_cstr(&b), "<one>");
	buf_free(&b);
	json_object_put(v1);
	json_object_put(v2);
	mustache_free(t);
	mustache_free(NULL);
}

/*
 * Another data model: json-c's operations behind a table of our own that
 * counts its calls, so that a model other than mustache_json_ops is seen
 * to be asked through its own table.
 */
static int	calls;

static bool
count_get(void *ud, void *ctx, const char *key, void **out)
{
	calls++;
	return mustache_json_ops.get(ud, ctx, key, out);
}

static const char *
count_text(void *ud, void *v, char *scratch, size_t size, size_t *lenout)
{
	calls++;
	return mustache_json_ops.text(ud, v, scratch, size, lenout);
}

static void
test_mustache_other_model_through_its_table(void **state)
{
	struct mustache_data_ops ops = mustache_json_ops;
	struct json_object *v;
	struct mustache *t;
	struct buf b;

	(void)state;
	ops.get = count_get;
	ops.text = count_text;
	assert_int_equal(mustache_compile(NULL, "{{#l}}<{{a.b}}>{{/l}}", 21,
	    &t, NULL), ERR_OK);
	v = json_tokener_parse("{\"l\":[{\"a\":{\"b\":\"&\"}},"
	    "{\"a\":{\"b\":2}}]}");
	buf_init(&b, 1024);
	calls = 0;
	assert_int_equal(mustache_render(t, &ops, NULL, v, NULL, &b, NULL),
	    ERR_OK);
	assert_string_equal(buf_cstr(&b), "<&amp;><2>");
	/* get: l, then a and b per item; text: once per item. */
	assert_int_equal(calls, 1 + 2 * 2 + 2);
	buf_free(&b);
	json_object_put(v);
	mustache_free(t);
}

/* --- errors, with line and column ---------------------------------------- */

static void
test_mustache_error_unclosed_section(void **state)
{
	(void)state;
	expect_error("a\n  {{#list}}\n{{x}}\n", ERR_TEMPLATE, 2, 3,
	    "section 'list' is never closed");
	/* The innermost unclosed one is named. */
	expect_error("{{#a}}{{#b}}{{/b}}\n\né {{#c}}", ERR_TEMPLATE, 3, 3,
	    "'c' is never closed");
}

static void
test_mustache_error_mismatched_close(void **state)
{
	(void)state;
	expect_error("{{#a}}\n{{#b}}\nx {{/a}}", ERR_TEMPLATE, 3, 3,
	    "'/a' closes section 'b' opened at 2:1");
	expect_error("x\n\t{{/a}}", ERR_TEMPLATE, 2, 2,
	    "'/a' closes no open section");
}

static void
test_mustache_error_empty_tag(void **state)
{
	(void)state;
	expect_error("ab{{}}", ERR_TEMPLATE, 1, 3, "empty tag");
	expect_error("\n\n  {{ }}", ERR_TEMPLATE, 3, 3, "empty tag");
	expect_error("{{#}}{{/}}", ERR_TEMPLATE, 1, 1, "empty tag");
	expect_error("x{{{ }}}", ERR_TEMPLATE, 1, 2, "empty tag");
	expect_error("x{{& }}", ERR_TEMPLATE, 1, 2, "empty tag");
	expect_error("x{{> }}", ERR_TEMPLATE, 1, 2, "empty tag");
	/* Bad names and unclosed tags are errors too. */
	expect_error("{{a b}}", ERR_TEMPLATE, 1, 1, "blank inside tag name");
	expect_error("{{a..b}}", ERR_TEMPLATE, 1, 1, "empty part in name");
	expect_error("ok\nx {{name", ERR_TEMPLATE, 2, 3, "never closed");
	expect_error("{{{name}}", ERR_TEMPLATE, 1, 1, "never closed");
	expect_error("{{<parent}}{{/parent}}", ERR_TEMPLATE, 1, 1,
	    "inheritance");
}

static void
test_mustache_error_bad_delimiter(void **state)
{
	(void)state;
	expect_error("a\n{{=<% %>=}}<%x%>\n<%= | =%>", ERR_TEMPLATE, 3, 1,
	    "bad delimiter");
	expect_error("{{=a=b c=}}", ERR_TEMPLATE, 1, 1, "bad delimiter");
	expect_error("{{= a b c =}}", ERR_TEMPLATE, 1, 1, "bad delimiter");
	expect_error("{{==}}", ERR_TEMPLATE, 1, 1, "bad delimiter");
	/* After a change, an unclosed tag names the new delimiter. */
	expect_error("{{=[ ]=}}\n[x", ERR_TEMPLATE, 2, 1, "']' expected");
}

static void
test_mustache_error_unknown_partial(void **state)
{
	const char *src = "<ul>\n  {{#items}}\n    {{> row }}\n{{/items}}";
	struct mustache_partials p;
	struct mustache_error e;
	struct mustache *t;
	struct plist pl;

	(void)state;
	memset(&pl, 0, sizeof(pl));
	p.find = pfind;
	p.ud = &pl;
	assert_int_equal(mustache_compile("page", src, strlen(src), &t, &e),
	    ERR_OK);
	assert_int_equal(mustache_check_partials(t, &p, &e), ERR_TEMPLATE);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 5);
	assert_string_equal(e.name, "page");
	assert_string_equal(e.msg, "unknown partial 'row'");
	plist_add(&pl, "row", "<li>");
	assert_int_equal(mustache_check_partials(t, &p, &e), ERR_OK);
	mustache_free(t);
	plist_free(&pl);
}

static void
test_mustache_error_unconditional_recursion(void **state)
{
	struct mustache_partials p;
	struct mustache_error e;
	struct mustache *t;
	struct plist pl;

	(void)state;
	memset(&pl, 0, sizeof(pl));
	p.find = pfind;
	p.ud = &pl;
	plist_add(&pl, "a", "x{{>b}}");
	plist_add(&pl, "b", "{{#c}}{{>a}}{{/c}}\n {{>a}}");
	plist_add(&pl, "tree", "{{#kids}}{{>tree}}{{/kids}}{{^x}}{{>tree}}"
	    "{{/x}}");
	assert_int_equal(mustache_compile("page", "{{>tree}}{{>a}}", 15, &t,
	    &e), ERR_OK);
	assert_int_equal(mustache_check_partials(t, &p, &e), ERR_TEMPLATE);
	assert_string_equal(e.name, "b");
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 2);
	assert_string_equal(e.msg,
	    "partial 'a' includes itself whatever the data");
	mustache_free(t);
	/* Recursion under a section is the data's to end. */
	assert_int_equal(mustache_compile("page", "{{>tree}}", 9, &t, &e),
	    ERR_OK);
	assert_int_equal(mustache_check_partials(t, &p, &e), ERR_OK);
	mustache_free(t);
	plist_free(&pl);
}

static void
test_mustache_error_recursion_cap(void **state)
{
	const char *self[] = { "self", "x\n {{>self}}", NULL };
	const char *pair[] = { "a", "{{>b}}", "b", "a{{#t}}{{>a}}{{/t}}",
	    NULL };
	const char *fan[] = { "fan", "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
	    "{{.}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}", NULL };
	struct mustache_error e;
	char *out, deep[12 * (LIMIT_TMPL_DEPTH + 1) + 1];
	enum err rc;
	int i;

	(void)state;
	rc = run("{{>self}}", "{}", self, &out, &e);
	assert_int_equal(rc, ERR_TEMPLATE);
	assert_string_equal(out, "");
	free(out);
	assert_string_equal(e.name, "self");
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 2);
	assert_non_null(strstr(e.msg, "partials nested deeper than 16"));
	rc = run("{{>a}}", "{\"t\":true}", pair, &out, &e);
	free(out);
	assert_int_equal(rc, ERR_TEMPLATE);
	assert_string_equal(e.name, "b");
	/* Recursion that ends is fine. */
	check("{{>a}}", "{\"t\":false}", pair, "a");
	/* Fan-out that prints nothing still stops, on the work bound. */
	rc = run("{{#l}}{{#l}}{{>fan}}{{/l}}{{/l}}",
	    "{\"l\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"]}",
	    fan, &out, &e);
	free(out);
	assert_int_equal(rc, ERR_TOOBIG);
	assert_non_null(strstr(e.msg, "steps"));

	/* Sections: LIMIT_TMPL_DEPTH compile, one more does not. */
	deep[0] = '\0';
	for (i = 0; i < LIMIT_TMPL_DEPTH; i++)
		strcat(deep, "{{#t}}");
	for (i = 0; i < LIMIT_TMPL_DEPTH; i++)
		strcat(deep, "{{/t}}");
	check(deep, "{\"t\":true}", NULL, "");
	memmove(deep + 6, deep, strlen(deep) + 1);
	memcpy(deep, "{{#t}}", 6);
	strcat(deep, "{{/t}}");
	expect_error(deep, ERR_TEMPLATE, 1, 6 * LIMIT_TMPL_DEPTH + 1,
	    "sections nested deeper than 64");
}

static void
test_mustache_error_output_cap(void **state)
{
	const char *big[] = { "p", "{{#l}}{{x}}{{x}}{{x}}{{x}}{{/l}}", NULL };
	struct mustache_error e;
	struct json_object *v, *l;
	struct mustache *t;
	struct buf b;
	char *x, *data, *out;
	enum err rc;
	int i;

	(void)state;
	/* 1024 items x 4 x 1 KiB escaped to 1.2 KiB: past 4 MiB. */
	x = malloc(1025);
	for (i = 0; i < 1024; i++)
		x[i] = i % 8 == 0 ? '<' : 'a';
	x[1024] = '\0';
	v = json_object_new_object();
	json_object_object_add(v, "x", json_object_new_string(x));
	l = json_object_new_array();
	for (i = 0; i < 1024; i++)
		json_object_array_add(l, json_object_new_int(i));
	json_object_object_add(v, "l", l);
	data = strdup(json_object_to_json_string(v));
	free(x);
	rc = run("head{{>p}}", data, big, &out, &e);
	assert_int_equal(rc, ERR_TOOBIG);
	assert_string_equal(out, "");
	assert_non_null(strstr(e.msg, "limit of 4194304 bytes"));
	/* "head" + 2978 x of 1408 bytes fit; the 2979th, the third {{x}}. */
	assert_string_equal(e.name, "p");
	assert_int_equal(e.line, 1);
	assert_int_equal(e.column, 17);
	free(out);
	free(data);

	/* A smaller buffer: its own max, and it is left as it was. */
	assert_int_equal(mustache_compile(NULL, "{{x}}{{x}}", 10, &t, NULL),
	    ERR_OK);
	buf_init(&b, 2000);
	assert_int_equal(buf_puts(&b, "kept"), ERR_OK);
	rc = mustache_render_json(t, v, NULL, &b, &e);
	assert_int_equal(rc, ERR_TOOBIG);
	assert_non_null(strstr(e.msg, "limit of 1996 bytes"));
	assert_int_equal(e.column, 6);
	assert_string_equal(buf_cstr(&b), "kept");
	buf_free(&b);
	mustache_free(t);
	json_object_put(v);
}

static void
test_mustache_error_too_large_source(void **state)
{
	struct mustache_error e;
	struct mustache *t;
	char *src;

	(void)state;
	src = calloc(1, LIMIT_TMPL_SIZE + 2);
	memset(src, 'a', LIMIT_TMPL_SIZE + 1);
	assert_int_equal(mustache_compile(NULL, src, LIMIT_TMPL_SIZE + 1, &t,
	    &e), ERR_TOOBIG);
	assert_null(t);
	assert_int_equal(e.line, 0);
	assert_int_equal(mustache_compile(NULL, src, LIMIT_TMPL_SIZE, &t,
	    &e), ERR_OK);
	mustache_free(t);
	free(src);
}

/* Truncations of tricky templates: every prefix compiles or fails cleanly. */
static void
test_mustache_prefixes_never_crash(void **state)
{
	static const char *const srcs[] = {
		"{{=<% %>=}}<%#a%>x<%/a%><%={{ }}=%>{{{b}}}{{&c}}{{! d }}",
		"  {{>p}}\r\n{{^x}}\n{{.}}\n{{/x}}\n{{a.b.c}}",
	};
	const char *partials[] = { "p", "{{>p}}", NULL };
	struct mustache_error e;
	size_t i, len;
	char *out, *s;

	(void)state;
	for (i = 0; i < 2; i++)
		for (len = 0; len <= strlen(srcs[i]); len++) {
			s = strndup(srcs[i], len);
			(void)run(s, "{\"a\":[1],\"x\":[]}", partials, &out,
			    &e);
			free(out);
			free(s);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mustache_spec),
		cmocka_unit_test(test_mustache_escapes_five_characters),
		cmocka_unit_test(test_mustache_escapes_values_of_every_length),
		cmocka_unit_test(test_mustache_values_print_like_javascript),
		cmocka_unit_test(test_mustache_partial_indentation_nests),
		cmocka_unit_test(
		    test_mustache_standalone_lines_of_several_tags),
		cmocka_unit_test(test_mustache_context_stack),
		cmocka_unit_test(test_mustache_template_is_reusable),
		cmocka_unit_test(test_mustache_other_model_through_its_table),
		cmocka_unit_test(test_mustache_error_unclosed_section),
		cmocka_unit_test(test_mustache_error_mismatched_close),
		cmocka_unit_test(test_mustache_error_empty_tag),
		cmocka_unit_test(test_mustache_error_bad_delimiter),
		cmocka_unit_test(test_mustache_error_unknown_partial),
		cmocka_unit_test(test_mustache_error_unconditional_recursion),
		cmocka_unit_test(test_mustache_error_recursion_cap),
		cmocka_unit_test(test_mustache_error_output_cap),
		cmocka_unit_test(test_mustache_error_too_large_source),
		cmocka_unit_test(test_mustache_prefixes_never_crash),
	};
	struct stat st;
	const char *dir;
	int explicit;

	/* Without the spec (and not asked for it), say so once and go on. */
	dir = specdir(&explicit);
	if (!explicit && (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))) {
		printf("mustache spec: skipped, not found at %s (set "
		    "SLUICE_MUSTACHE_SPEC_DIR to the spec's folder to run "
		    "it)\n", dir);
		fflush(stdout);
		cmocka_set_skip_filter("test_mustache_spec");
	}
	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
