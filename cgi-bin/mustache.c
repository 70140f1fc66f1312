/*
 * mustache.c — a command-line renderer for template authors (no FastCGI).
 *
 *   mustache < case.json
 *	case.json is {"template": "...", "data": {...},
 *	"partials": {"name": "...", ...}}; "data" and "partials" may be
 *	left out.  Writes the rendered text to stdout.
 *   mustache --batch < cases.json
 *	A JSON array of such cases; writes a JSON array with, per case,
 *	{"out": "..."} or {"error": "line:column: message"}.
 *
 * Exit status: 0 rendered; 1 a template error, as "line:column: message"
 * on stderr (with the partial's name when it is in one); 2 bad input
 * (not JSON, wrong shape, larger than LIMIT_JSON_SIZE) or bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "render/mustache.h"

struct partial {
	const char		*name;
	struct mustache		*t;
};

struct partials {
	struct partial		*v;
	size_t			 n;
};

static const struct mustache *
find_partial(void *ud, const char *name)
{
	struct partials *ps = ud;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return ps->v[i].t;
	return NULL;
}

static void
free_partials(struct partials *ps)
{
	while (ps->n > 0)
		mustache_free(ps->v[--ps->n].t);
	free(ps->v);
	ps->v = NULL;
}

/* Formats a template error as "line:column: message [in partial]". */
static void
format_error(struct buf *b, const struct mustache_error *e)
{
	if (e->line > 0)
		(void)buf_printf(b, "%d:%d: ", e->line, e->column);
	(void)buf_puts(b, e->msg);
	if (e->name[0] != '\0')
		(void)buf_printf(b, " (in partial '%s')", e->name);
}

/*
 * Renders one case into out.  Returns 0, 1 for a template error (message
 * in errb) or 2 for a case of the wrong shape (message in errb).
 */
static int
render_case(struct json_object *c, struct buf *out, struct buf *errb)
{
	struct json_object *tv, *data = NULL, *pv = NULL;
	struct mustache_partials mp;
	struct mustache_error e;
	struct mustache *t = NULL;
	struct partials ps;
	const char *src;
	int status = 1;

	memset(&ps, 0, sizeof(ps));
	if (!json_object_is_type(c, json_type_object) ||
	    !json_object_object_get_ex(c, "template", &tv) ||
	    !json_object_is_type(tv, json_type_string)) {
		(void)buf_puts(errb, "input must be an object with a "
		    "\"template\" string");
		return 2;
	}
	json_object_object_get_ex(c, "data", &data);
	if (json_object_object_get_ex(c, "partials", &pv) && pv != NULL) {
		if (!json_object_is_type(pv, json_type_object)) {
			(void)buf_puts(errb, "\"partials\" must be an object "
			    "of strings");
			return 2;
		}
		ps.v = xcalloc(json_object_object_length(pv) + 1,
		    sizeof(*ps.v));
		json_object_object_foreach(pv, name, sv) {
			if (!json_object_is_type(sv, json_type_string)) {
				(void)buf_printf(errb, "partial '%s' must be "
				    "a string", name);
				status = 2;
				goto out;
			}
			src = json_object_get_string(sv);
			if (mustache_compile(name, src,
			    (size_t)json_object_get_string_len(sv),
			    &ps.v[ps.n].t, &e) != ERR_OK) {
				snprintf(e.name, sizeof(e.name), "%s", name);
				format_error(errb, &e);
				goto out;
			}
			ps.v[ps.n++].name = name;
		}
	}
	if (mustache_compile(NULL, json_object_get_string(tv),
	    (size_t)json_object_get_string_len(tv), &t, &e) != ERR_OK) {
		format_error(errb, &e);
		goto out;
	}
	mp.find = find_partial;
	mp.ud = &ps;
	if (mustache_render_json(t, data, &mp, out, &e) != ERR_OK) {
		format_error(errb, &e);
		goto out;
	}
	status = 0;
out:
	mustache_free(t);
	free_partials(&ps);
	return status;
}

/* Reads all of stdin, at most LIMIT_JSON_SIZE bytes. */
static int
read_input(struct buf *in)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "mustache: reading input: %s\n",
			    strerror(errno));
			return 2;
		}
		if (buf_append(in, chunk, (size_t)n) != ERR_OK) {
			fprintf(stderr, "mustache: input larger than %d "
			    "bytes\n", LIMIT_JSON_SIZE);
			return 2;
		}
	}
}

static int
write_all(const char *p, size_t len)
{
	if (len > 0 && fwrite(p, 1, len, stdout) != len)
		return 2;
	return fflush(stdout) == 0 ? 0 : 2;
}

static int
batch(struct json_object *root)
{
	struct buf out, one, errb;
	size_t i, n;
	int rc, status = 0;

	if (!json_object_is_type(root, json_type_array)) {
		fputs("mustache: --batch wants a JSON array of cases\n",
		    stderr);
		return 2;
	}
	buf_init(&out, (size_t)LIMIT_TMPL_OUTPUT * 64);
	buf_init(&one, LIMIT_TMPL_OUTPUT);
	buf_init(&errb, 1024);
	(void)buf_putc(&out, '[');
	n = json_object_array_length(root);
	for (i = 0; i < n && status == 0; i++) {
		buf_reset(&one);
		buf_reset(&errb);
		rc = render_case(json_object_array_get_idx(root, i), &one,
		    &errb);
		if (rc == 2) {
			fprintf(stderr, "mustache: case %zu: %s\n", i,
			    buf_cstr(&errb));
			status = 2;
			break;
		}
		if (buf_puts(&out, i > 0 ? ",{\"" : "{\"") != ERR_OK ||
		    buf_puts(&out, rc == 0 ? "out\":" : "error\":") !=
		    ERR_OK ||
		    (rc == 0 ? buf_put_json_string(&out, one.data == NULL ?
		    "" : one.data, one.len) : buf_put_json_string(&out,
		    buf_cstr(&errb), errb.len)) != ERR_OK ||
		    buf_putc(&out, '}') != ERR_OK) {
			fputs("mustache: batch output too large\n", stderr);
			status = 2;
		}
	}
	if (status == 0 && (buf_puts(&out, "]\n") != ERR_OK ||
	    write_all(out.data, out.len) != 0)) {
		fputs("mustache: writing output failed\n", stderr);
		status = 2;
	}
	buf_free(&out);
	buf_free(&one);
	buf_free(&errb);
	return status;
}

static int
single(struct json_object *root)
{
	struct buf out, errb;
	int rc;

	buf_init(&out, LIMIT_TMPL_OUTPUT);
	buf_init(&errb, 1024);
	rc = render_case(root, &out, &errb);
	if (rc == 0 && write_all(out.data, out.len) != 0) {
		fputs("mustache: writing output failed\n", stderr);
		rc = 2;
	} else if (rc == 1)
		fprintf(stderr, "%s\n", buf_cstr(&errb));
	else if (rc == 2)
		fprintf(stderr, "mustache: %s\n", buf_cstr(&errb));
	buf_free(&out);
	buf_free(&errb);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct json_object *root;
	struct arena a;
	struct buf in;
	const char *jerr;
	int rc, isbatch = 0;

	if (argc == 2 && strcmp(argv[1], "--batch") == 0)
		isbatch = 1;
	else if (argc != 1) {
		fputs("usage: mustache [--batch] < input.json\n"
		    "  input: {\"template\": \"...\", \"data\": {...}, "
		    "\"partials\": {\"name\": \"...\"}}\n"
		    "  --batch: a JSON array of inputs; prints a JSON array "
		    "of {\"out\"} or {\"error\"}\n", stderr);
		return 2;
	}
	arena_init(&a);
	buf_init(&in, LIMIT_JSON_SIZE);
	if ((rc = read_input(&in)) != 0)
		goto out;
	if (jsonx_parse(&a, buf_cstr(&in), in.len, &root, &jerr) != ERR_OK) {
		fprintf(stderr, "mustache: input is not valid JSON: %s\n",
		    jerr);
		rc = 2;
		goto out;
	}
	rc = isbatch ? batch(root) : single(root);
out:
	buf_free(&in);
	arena_free(&a);
	return rc;
}
