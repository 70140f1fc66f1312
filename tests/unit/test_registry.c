/*
 * test_registry.c — the provider registry is the one list: every provider
 * is complete, and what the project publishes about providers (the
 * OpenAPI document's provider enums, the sandbox's prefixes) agrees with
 * it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/mem.h"
#include "metrics/metric.h"
#include "providers/provider.h"
#include "testlib.h"

/* Each provider has what every part of Sluice asks of it. */
/* WCAG 2 relative luminance of "#rrggbb" (fails the test on any other
 * form). */
static double
luminance(const char *hex)
{
	double c[3];
	unsigned v;
	int i;

	assert_non_null(hex);
	assert_int_equal(strlen(hex), 7);
	assert_int_equal(hex[0], '#');
	assert_int_equal(strspn(hex + 1, "0123456789abcdef"), 6);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sscanf(hex + 1 + 2 * i, "%2x", &v), 1);
		c[i] = v / 255.0;
		c[i] = c[i] <= 0.03928 ? c[i] / 12.92 :
		    pow((c[i] + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/* The contrast ratio of two colours, 1 to 21. */
static double
contrast(const char *a, const char *b)
{
	double la = luminance(a), lb = luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* Lowercase ASCII letters and digits, words one space apart. */
static bool
plain_words(const char *s)
{
	size_t i;

	if (*s == '\0' || *s == ' ')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == ' ' && s[i + 1] != ' ' && s[i + 1] != '\0')))
			return false;
	return true;
}

/* The rules of every provider (the list is in lib/providers/provider.h). */
static void
test_registry_providers_complete(void **state)
{
	const struct provider *const *all;
	const struct provider *p;
	const struct metric_def *d;
	const char *path;
	struct stat st;
	char env[64];
	size_t n, i, j, k, w, bases;

	(void)state;
	all = provider_all(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		p = all[i];
		assert_ptr_equal(provider_get(p->slug), p);
		for (j = 0; j < i; j++)
			assert_string_not_equal(all[j]->slug, p->slug);
		assert_non_null(p->name);
		assert_non_null(p->family);
		assert_non_null(p->accounts);
		assert_non_null(p->api_version);
		/* The pages' mark (two letters, unlike any other's) and
		 * what Sluice reads, said in plain words before connecting. */
		assert_non_null(p->mark);
		assert_int_equal(strlen(p->mark), 2);
		for (j = 0; j < i; j++)
			assert_string_not_equal(all[j]->mark, p->mark);
		/* Its colours: "#rrggbb", the letters readable on them
		 * (WCAG contrast of at least 4.5). */
		assert_true(contrast(p->mark_colour, p->mark_ink != NULL ?
		    p->mark_ink : "#ffffff") >= 4.5);
		assert_non_null(p->reads);
		assert_non_null(strstr(p->reads, "Sluice only reads"));
		assert_int_equal(p->reads[strlen(p->reads) - 1], '.');
		/* SLUICE_<ENV>_ is the slug in capitals. */
		for (k = 0; p->slug[k] != '\0' && k + 1 < sizeof(env); k++)
			env[k] = (char)(p->slug[k] >= 'a' && p->slug[k] <= 'z' ?
			    p->slug[k] - 'a' + 'A' : p->slug[k]);
		env[k] = '\0';
		assert_string_equal(p->env, env);
		assert_non_null(p->urls[PROVIDER_AUTH_URL]);
		assert_non_null(p->urls[PROVIDER_TOKEN_URL]);
		assert_non_null(p->urls[PROVIDER_API_BASE]);
		assert_true(p->restatement_days > 0);
		assert_non_null(p->list);
		assert_non_null(p->fetch);
		assert_non_null(p->metrics);
		assert_true(p->nmetrics > 0);
		for (bases = 0, k = 0; k < PROVIDER_BASES; k++)
			bases += p->sandbox[k].real != NULL;
		assert_true(bases > 0);
		/* Ad spend for attribution: a SUM of money in its own
		 * catalogue. */
		if (p->spend_metric != NULL) {
			assert_non_null(d = metric_find(p->slug,
			    p->spend_metric));
			assert_int_equal(d->agg, METRIC_SUM);
			assert_string_equal(d->unit, "currency_micros");
		}
		/* Everyday words as a question's words read them
		 * (lowercase letters, digits, single spaces), each one
		 * provider's. */
		for (k = 0; k < PROVIDER_WORDS && p->words[k] != NULL; k++) {
			assert_true(plain_words(p->words[k]));
			for (j = 0; j < n; j++)
				for (w = 0; j != i && w < PROVIDER_WORDS &&
				    all[j]->words[w] != NULL; w++)
					assert_string_not_equal(
					    all[j]->words[w], p->words[k]);
		}
		/* Its family's examples, for the sandbox conformance test. */
		path = arena_printf(testlib_arena(), "%s/tests/fixtures/"
		    "providers/%s", testlib_root(), p->family);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			fail_msg("%s: no examples in %s (README, Adding a "
			    "provider)", p->slug, path);
		for (j = 0; j < p->nmetrics; j++)
			for (k = 0; k < METRIC_WORDS &&
			    p->metrics[j].words[k] != NULL; k++)
				assert_true(plain_words(
				    p->metrics[j].words[k]));
	}
	assert_null(provider_get("crm"));
	assert_null(provider_get(NULL));
}

/* In sandbox mode every real URL of every provider has a sandbox prefix. */
static void
test_registry_sandbox_covers_every_url(void **state)
{
	const struct provider *const *all;
	struct config cfg;
	struct arena *a = testlib_arena();
	const struct provider_sandbox_base *b;
	const char *url;
	size_t n, i, k, nb;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.sandbox = true;
	cfg.base_url = "http://127.0.0.1:9";
	all = provider_all(&n);
	for (i = 0; i < n; i++)
		for (k = 0; k < PROVIDER_URL__MAX; k++) {
			if (all[i]->urls[k] == NULL)
				continue;
			url = provider_url(all[i], k, &cfg, a);
			assert_non_null(url);
			if (strncmp(url, "http://127.0.0.1:9/sandbox/",
			    27) != 0)
				fail_msg("%s: %s has no sandbox prefix",
				    all[i]->slug, all[i]->urls[k]);
		}
	/* The index lists each base once: a family's shared bases once
	 * whatever the number of its providers. */
	b = provider_sandbox_bases(a, &nb);
	for (i = 0; i < nb; i++)
		for (k = 0; k < i; k++)
			assert_string_not_equal(b[i].real, b[k].real);
	for (i = 0, k = 0; i < n; i++)
		k += strcmp(all[i]->family, "google") == 0;
	assert_true(k >= 2);	/* else the check above proves nothing */
}

/* The enums of the OpenAPI document that hold a provider's slug. */
static void
walk(struct json_object *o, int *found)
{
	const struct provider *const *all;
	struct json_object *en;
	size_t i, k, n;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			walk(json_object_array_get_idx(o, i), found);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	all = provider_all(&n);
	if (json_object_object_get_ex(o, "enum", &en) &&
	    json_object_is_type(en, json_type_array))
		for (i = 0; i < json_object_array_length(en); i++)
			for (k = 0; k < n; k++)
				if (strcmp(json_object_get_string(
				    json_object_array_get_idx(en, i)),
				    all[k]->slug) == 0)
					(*found)++;
	json_object_object_foreach(o, key, val) {
		(void)key;
		walk(val, found);
	}
}

/*
 * The OpenAPI document types no list of providers (a new provider would
 * have to be added there too): a provider parameter is a slug, and GET
 * /v1/providers, which it describes, lists them from the registry.
 */
static void
test_registry_openapi_enums(void **state)
{
	struct arena *a = testlib_arena();
	struct json_object *doc, *paths, *x;
	int found = 0;

	(void)state;
	doc = testlib_json_file(a, arena_printf(a, "%s/templates/static/"
	    "openapi.json", testlib_root()));
	walk(doc, &found);
	assert_int_equal(found, 0);
	assert_true(json_object_object_get_ex(doc, "paths", &paths));
	assert_true(json_object_object_get_ex(paths, "/v1/providers", &x));
	/* The walk finds what it looks for. */
	x = json_tokener_parse("{\"a\": {\"enum\": [\"x\", \"ga4\"]}}");
	walk(x, &found);
	json_object_put(x);
	assert_int_equal(found, 1);
}

/* The rows of README's table whose header line begins with head (the
 * lines after its |---| line that begin with '|'), or NULL. */
static const char *
readme_table(struct arena *a, const char *text, const char *head)
{
	const char *t, *end;

	if ((t = strstr(text, head)) == NULL ||
	    (t = strstr(t, "\n|-")) == NULL || (t = strchr(t + 1, '\n')) ==
	    NULL)
		return NULL;
	for (end = ++t; *end == '|'; end = strchr(end, '\n') + 1)
		if (strchr(end, '\n') == NULL)
			break;
	return arena_strndup(a, t, (size_t)(end - t));
}

/* Whether a row of table begins with "| " cells (the cells given, each
 * ending in " |"). */
static bool
readme_row(struct arena *a, const char *table, const char *cells)
{
	const char *row = arena_printf(a, "\n| %s |", cells);

	return table != NULL && (strncmp(table, row + 1, strlen(row) - 1) ==
	    0 || strstr(table, row) != NULL);
}

/*
 * README.md names every provider of the registry where a person looks:
 * the introduction, a row in the Providers table, in the logins table,
 * in the API versions table, in Sync's per-provider table, and exactly
 * its catalogue in Metrics (name, label, unit, aggregation); the Window
 * paragraph names each one that keeps fewer days than the default
 * backfill.  A failure lists every missing row.
 */
static void
test_registry_readme_rows(void **state)
{
	struct arena *a = testlib_arena();
	const struct provider *const *all, *p;
	const struct metric_def *m;
	const char *text, *intro, *miss = "", *names, *logins, *versions;
	const char *calls, *metrics, *window, *row, *t;
	size_t n, i, j, len, rows;

	(void)state;
	text = testlib_slurp(a, arena_printf(a, "%s/README.md",
	    testlib_root()), &len);
	intro = arena_strndup(a, text, (size_t)(strstr(text, "\n\n## ") -
	    text));
	names = readme_table(a, text, "| slug | name | variables");
	logins = readme_table(a, text, "| slug | who the login is");
	versions = readme_table(a, text, "| slug | API and version");
	calls = readme_table(a, text, "| provider | calls | rows |");
	metrics = readme_table(a, text,
	    "| provider | metric | label | unit | aggregation |");
	if (metrics != NULL)
		metrics = arena_printf(a, "\n%s", metrics);
	assert_non_null(window = strstr(text, "**Window.**"));
	window = arena_strndup(a, window, (size_t)(strstr(window, "\n\n") -
	    window));
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		p = all[i];
		if (strstr(intro, p->name) == NULL)
			miss = arena_printf(a, "%s\n  the introduction's list: "
			    "%s", miss, p->name);
		if (!readme_row(a, names, arena_printf(a, "`%s` | %s",
		    p->slug, p->name)))
			miss = arena_printf(a, "%s\n  Providers: | `%s` | %s "
			    "| ...", miss, p->slug, p->name);
		if (logins == NULL || strstr(logins, arena_printf(a, "`%s`",
		    p->slug)) == NULL)
			miss = arena_printf(a, "%s\n  Providers, the logins "
			    "table: | `%s` | ...", miss, p->slug);
		if (!readme_row(a, versions, arena_printf(a, "`%s`",
		    p->slug)))
			miss = arena_printf(a, "%s\n  Providers, the API "
			    "versions table: | `%s` | ...", miss, p->slug);
		if (!readme_row(a, calls, p->slug))
			miss = arena_printf(a, "%s\n  Sync, per provider: | "
			    "%s | ...", miss, p->slug);
		for (rows = 0, t = metrics; t != NULL && (t = strstr(t,
		    arena_printf(a, "\n| %s | `", p->slug))) != NULL; t++)
			rows++;
		if (rows != p->nmetrics)
			miss = arena_printf(a, "%s\n  Metrics: %zu rows of %s, "
			    "its catalogue has %zu", miss, rows, p->slug,
			    p->nmetrics);
		for (j = 0; j < p->nmetrics; j++) {
			m = &p->metrics[j];
			row = arena_printf(a, "%s | `%s` | %s | %s | %s",
			    p->slug, m->name, m->label, m->unit,
			    metric_agg_name(m->agg));
			if (metrics == NULL || strstr(metrics,
			    arena_printf(a, "\n| %s", row)) == NULL)
				miss = arena_printf(a, "%s\n  Metrics: | %s "
				    "...", miss, row);
		}
		if (p->keeps_days > 0 && p->keeps_days < 90 &&
		    strstr(window, arena_printf(a, "%s %d", p->name,
		    p->keeps_days)) == NULL)
			miss = arena_printf(a, "%s\n  Sync, Window: \"%s %d\" "
			    "(what it keeps)", miss, p->name, p->keeps_days);
	}
	if (*miss != '\0')
		fail_msg("README.md lacks rows of the registry's providers:%s",
		    miss);
}

/* The row of README's versions table that begins with slug's cell, or
 * NULL. */
static const char *
version_row(struct arena *a, const char *table, const char *slug)
{
	const char *t, *end;

	if (table == NULL || (t = strstr(table, arena_printf(a, "| `%s` |",
	    slug))) == NULL)
		return NULL;
	end = strchr(t, '\n');
	return arena_strndup(a, t, end != NULL ? (size_t)(end - t) :
	    strlen(t));
}

/*
 * The API versions a provider speaks agree everywhere: a URL that names
 * a version (Meta's OAuth dialog and token exchange, /v27.0/) names the
 * default one, a header sent with the version's variable defaults to
 * it, and README's versions row names it and its sunset.  The defaults
 * are the ones chosen from the changelogs (README, Providers): Graph and
 * Marketing API v27.0, LinkedIn-Version 202607, each with its projected
 * sunset.
 */
static void
test_registry_versions_agree(void **state)
{
	static const struct {
		const char	*slug, *version, *sunset;
	} pinned[] = {
		{ "facebook", "v27.0", NULL },
		{ "instagram", "v27.0", NULL },
		{ "meta_ads", "v27.0", "2027-11-04" },
		{ "linkedin", "202607", "2027-07-15" },
	};
	struct arena *a = testlib_arena();
	const struct provider *const *all, *p;
	const char *text, *versions, *row, *u, *miss = "";
	size_t n, i, k, len;
	char v[16];

	(void)state;
	text = testlib_slurp(a, arena_printf(a, "%s/README.md",
	    testlib_root()), &len);
	versions = readme_table(a, text, "| slug | API and version");
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		p = all[i];
		if (p->version == NULL)
			continue;
		for (k = 0; k < PROVIDER_URL__MAX; k++) {
			u = p->urls[k];
			if (u == NULL || (u = strstr(u, "/v")) == NULL ||
			    sscanf(u, "/%15[v0-9.]/", v) != 1 ||
			    strchr(v, '.') == NULL)
				continue;
			if (strcmp(v, p->version) != 0)
				miss = arena_printf(a, "%s\n  %s: URL %s names "
				    "%s, the default version is %s", miss,
				    p->slug, p->urls[k], v, p->version);
		}
		for (k = 0; k < PROVIDER_HEADERS; k++)
			if (p->headers[k].env != NULL && p->version_env !=
			    NULL && strcmp(p->headers[k].env,
			    p->version_env) == 0 && strcmp(p->headers[k].value,
			    p->version) != 0)
				miss = arena_printf(a, "%s\n  %s: header %s "
				    "defaults to %s, the version to %s", miss,
				    p->slug, p->headers[k].name,
				    p->headers[k].value, p->version);
		row = version_row(a, versions, p->slug);
		if (row == NULL || strstr(row, p->version) == NULL ||
		    (p->api_sunset != NULL && strstr(row, p->api_sunset) ==
		    NULL))
			miss = arena_printf(a, "%s\n  README versions row of "
			    "%s: lacks %s or its sunset %s", miss,
			    p->slug, p->version, p->api_sunset != NULL ?
			    p->api_sunset : "(none)");
	}
	for (i = 0; i < nitems(pinned); i++) {
		assert_non_null(p = provider_get(pinned[i].slug));
		if (strcmp(p->version, pinned[i].version) != 0 ||
		    (pinned[i].sunset == NULL) != (p->api_sunset == NULL) ||
		    (pinned[i].sunset != NULL &&
		    strcmp(p->api_sunset, pinned[i].sunset) != 0))
			miss = arena_printf(a, "%s\n  %s speaks %s (sunset "
			    "%s), not %s (%s)", miss, p->slug, p->version,
			    p->api_sunset != NULL ? p->api_sunset : "none",
			    pinned[i].version, pinned[i].sunset != NULL ?
			    pinned[i].sunset : "none");
	}
	if (*miss != '\0')
		fail_msg("API versions disagree:%s", miss);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_providers_complete),
		cmocka_unit_test(test_registry_sandbox_covers_every_url),
		cmocka_unit_test(test_registry_openapi_enums),
		cmocka_unit_test(test_registry_readme_rows),
		cmocka_unit_test(test_registry_versions_agree),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
