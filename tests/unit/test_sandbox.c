/* test_sandbox.c — the sandbox's series, days, tokens and registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/mem.h"
#include "providers/provider.h"
#include "sandbox/sandbox_priv.h"
#include "testlib.h"

static void
test_sandbox_series_is_deterministic(void **state)
{
	struct sandbox_day a, b;

	(void)state;
	sandbox_series("properties/312456789", 19800, 20000, 3, &a);
	sandbox_series("properties/312456789", 19800, 20000, 3, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(a.visits > 0);
}

static void
test_sandbox_series_accounts_differ(void **state)
{
	struct sandbox_day a, b;
	int64_t d;
	int same = 0;

	(void)state;
	for (d = 19800; d < 19830; d++) {
		sandbox_series("acct-a", d, 20000, 0, &a);
		sandbox_series("acct-b", d, 20000, 0, &b);
		same += a.visits == b.visits;
	}
	assert_true(same < 3);
}

static void
test_sandbox_series_ratios_hold(void **state)
{
	static const char *const accts[] = { "1234567890", "act_1", "C012",
	    "urn:li:organization:2414183", "octocat/Hello-World" };
	struct sandbox_day d;
	size_t i;
	int64_t day;

	(void)state;
	for (i = 0; i < nitems(accts); i++)
		for (day = 19000; day < 19400; day++) {
			sandbox_series(accts[i], day, 20000, 0, &d);
			assert_true(d.impressions > d.clicks);
			assert_true(d.clicks > 0);
			assert_true(d.conversions < (double)d.clicks);
			assert_true(d.reach <= d.impressions);
			assert_true(d.users <= d.visits);
			assert_true(d.pageviews >= d.visits);
			assert_true(d.bounce_rate > 0 && d.bounce_rate < 1);
			assert_true(d.unfollows < d.follows);
		}
}

static void
test_sandbox_series_has_weekly_seasonality(void **state)
{
	struct sandbox_day d;
	double wk = 0, we = 0;
	int64_t day;
	int nwk = 0, nwe = 0, dow;

	(void)state;
	for (day = 19000; day < 19364; day++) {
		sandbox_series("seasonal", day, 20000, 0, &d);
		dow = (int)((day + 4) % 7);	/* 0 Sunday */
		if (dow == 0 || dow == 6) {
			we += (double)d.visits;
			nwe++;
		} else {
			wk += (double)d.visits;
			nwk++;
		}
	}
	assert_true(we / nwe < 0.8 * (wk / nwk));
}

static void
test_sandbox_series_future_is_empty(void **state)
{
	struct sandbox_day d;

	(void)state;
	sandbox_series("acct", 20001, 20000, 3, &d);
	assert_int_equal(d.visits, 0);
	assert_int_equal(d.impressions, 0);
}

/* A day's value as "today" moves on changes at most once, ends final. */
static void
test_sandbox_series_restates_once(void **state)
{
	struct sandbox_day d, fin;
	int64_t day, today, prev;
	int changes, restated = 0;

	(void)state;
	for (day = 19500; day < 19600; day++) {
		sandbox_series("restate", day, day + 100, 30, &fin);
		changes = 0;
		prev = -1;
		for (today = day; today < day + 40; today++) {
			sandbox_series("restate", day, today, 30, &d);
			if (prev >= 0 && d.visits != prev)
				changes++;
			prev = d.visits;
		}
		assert_true(changes <= 1);
		assert_int_equal(prev, fin.visits);
		restated += changes;
	}
	assert_true(restated > 10);
}

static void
test_sandbox_series_sum_adds_counts(void **state)
{
	struct sandbox_day d, sum;
	int64_t day, visits = 0, clicks = 0;

	(void)state;
	for (day = 19800; day <= 19806; day++) {
		sandbox_series("summed", day, 20000, 3, &d);
		visits += d.visits;
		clicks += d.clicks;
	}
	sandbox_series_sum("summed", 19800, 19806, 20000, 3, &sum);
	assert_int_equal(sum.visits, visits);
	assert_int_equal(sum.clicks, clicks);
	assert_true(sum.users < sum.visits);
	assert_true(sum.bounce_rate > 0 && sum.bounce_rate < 1);
	/* days after today add nothing */
	sandbox_series_sum("summed", 19990, 20100, 20000, 3, &d);
	sandbox_series_sum("summed", 19990, 20000, 20000, 3, &sum);
	assert_int_equal(d.visits, sum.visits);
}

static void
test_sandbox_days_parse_and_format(void **state)
{
	char out[11];

	(void)state;
	assert_int_equal(sandbox_day_parse("1970-01-01"), 0);
	assert_int_equal(sandbox_day_parse("19700102"), 1);
	assert_int_equal(sandbox_day_parse("2024-05-01"), 19844);
	assert_int_equal(sandbox_day_parse("2024-05-01x"), -1);
	assert_int_equal(sandbox_day_parse("2024-13-01"), -1);
	assert_int_equal(sandbox_day_parse(NULL), -1);
	sandbox_day_format(19844, '-', out);
	assert_string_equal(out, "2024-05-01");
	sandbox_day_format(sandbox_day_parse("2024-02-29"), 0, out);
	assert_string_equal(out, "20240229");
	assert_int_equal(sandbox_today(86399, 0), 0);
	assert_int_equal(sandbox_today(86399, 1), 1);
	assert_int_equal(sandbox_today(3600, -2), -1);
}

static void
test_sandbox_token_round_trip_and_tamper(void **state)
{
	struct sandbox_token t, u;
	struct ctx ctx;
	struct arena a;
	struct sbx sx;
	const char *s;
	char *bad;

	(void)state;
	arena_init(&a);
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = &a;
	memset(&sx, 0, sizeof(sx));
	sx.ctx = &ctx;
	memset(&t, 0, sizeof(t));
	t.prov = SANDBOX_GOOGLE_PROV;
	t.kind = SBXK_REFRESH;
	t.user = 2;
	t.iat = 1780000000;
	strcpy(t.scope, "openid email https://x.example/a.b");
	strcpy(t.fault, "invalid_grant");
	s = sandbox_token_make(&sx, "1//0g", &t);
	assert_non_null(strstr(s, "-fault-invalid_grant-"));
	assert_true(sandbox_token_parse(s, &u));
	assert_int_equal(u.prov, SANDBOX_GOOGLE_PROV);
	assert_int_equal(u.kind, SBXK_REFRESH);
	assert_int_equal(u.user, 2);
	assert_int_equal(u.iat, 1780000000);
	assert_string_equal(u.scope, t.scope);
	assert_string_equal(u.fault, "invalid_grant");
	bad = arena_strdup(&a, s);
	bad[strlen(bad) - 20] ^= 1;
	assert_false(sandbox_token_parse(bad, &u));
	assert_false(sandbox_token_parse("ya29.garbage", &u));
	assert_false(sandbox_token_parse(NULL, &u));
	t.kind = SBXK_CODE;
	assert_null(strstr(sandbox_token_make(&sx, "4/0", &t), "-fault-"));
	arena_free(&a);
}

static void
test_sandbox_pkce_rfc7636_vector(void **state)
{
	(void)state;
	assert_true(sandbox_pkce_ok("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
	assert_false(sandbox_pkce_ok("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
	assert_false(sandbox_pkce_ok("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8U"
	    "RWbuGJSstw-cM"));
	assert_false(sandbox_pkce_ok(NULL, "x"));
}

/*
 * Each family's letter in its codes and tokens (its struct sandbox_family,
 * defined in its own file): [a-z0-9], unlike every other family's, and
 * the letter of every API its providers' fault rows answer for.
 */
static void
test_sandbox_families_have_their_own_letter(void **state)
{
	const struct sandbox_provider *const *all;
	const struct sandbox_family *fam[16], *f;
	size_t i, j, k, n, nfam = 0;

	(void)state;
	all = sandbox_all(&n);
	for (i = 0; i < n; i++) {
		f = all[i]->family;
		assert_non_null(f);
		for (j = 0; j < all[i]->nfaults; j++)
			if (all[i]->faults[j].api != NULL &&
			    all[i]->faults[j].api->prov != f->prov)
				fail_msg("%s: the API of fault row %s takes "
				    "'%c' tokens, its family %s '%c'",
				    all[i]->slug, all[i]->faults[j].name,
				    all[i]->faults[j].api->prov, f->id,
				    f->prov);
		for (k = 0; k < nfam && fam[k] != f; k++)
			;
		if (k < nfam)
			continue;
		if (!((f->prov >= 'a' && f->prov <= 'z') ||
		    (f->prov >= '0' && f->prov <= '9')))
			fail_msg("family %s: its letter must be [a-z0-9]",
			    f->id);
		for (k = 0; k < nfam; k++)
			if (fam[k]->prov == f->prov)
				fail_msg("families %s and %s both mark their "
				    "tokens '%c': give %s another letter",
				    fam[k]->id, f->id, f->prov, f->id);
		for (j = 0; j < f->nfaults; j++)
			if (f->faults[j].api != NULL &&
			    f->faults[j].api->prov != f->prov)
				fail_msg("family %s: the API of fault row %s "
				    "takes '%c' tokens", f->id,
				    f->faults[j].name, f->faults[j].api->prov);
		assert_true(nfam < nitems(fam));
		fam[nfam++] = f;
	}
	assert_true(nfam > 1);
}

/* Every fault row of the registry, each family's once, into rows[]. */
static size_t
all_faults(const struct sandbox_fault **rows, size_t size)
{
	const struct sandbox_provider *const *all;
	const struct sandbox_family *fam[16];
	size_t i, j, k, n, nfam = 0, len = 0;

	all = sandbox_all(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < nfam && fam[k] != all[i]->family; k++)
			;
		if (k == nfam) {
			assert_true(nfam < nitems(fam));
			fam[nfam++] = all[i]->family;
			for (j = 0; j < all[i]->family->nfaults; j++) {
				assert_true(len < size);
				rows[len++] = &all[i]->family->faults[j];
			}
		}
		for (j = 0; j < all[i]->nfaults; j++) {
			assert_true(len < size);
			rows[len++] = &all[i]->faults[j];
		}
	}
	return len;
}

/* Whether word (space-separated) is in list. */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return 1;
	return 0;
}

/*
 * The fault rows, spread over the provider files, still answer one row
 * per API and name: no two rows of an API share a name or an alias, and
 * sandbox_fault_find() finds each row by its name and its API's
 * answers to a missing, garbled or expired token exist.
 */
static void
test_sandbox_faults_answer_once_per_api(void **state)
{
	const struct sandbox_fault *f[200];
	const struct sandbox_api *api;
	char words[256], *w, *save;
	size_t n, i, j;

	(void)state;
	n = all_faults(f, nitems(f));
	assert_true(n > 80);
	for (i = 0; i < n; i++) {
		api = f[i]->api;
		assert_non_null(api);
		assert_true(f[i]->status >= 200 && f[i]->status < 600);
		assert_non_null(f[i]->body);
		assert_ptr_equal(sandbox_fault_find(api, f[i]->name), f[i]);
		snprintf(words, sizeof(words), "%s %s", f[i]->name,
		    f[i]->aliases != NULL ? f[i]->aliases : "");
		for (j = 0; j < n; j++) {
			if (j == i || f[j]->api != api)
				continue;
			for (w = strtok_r(words, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				assert_false(strcmp(f[j]->name, w) == 0 ||
				    has_word(f[j]->aliases, w));
			snprintf(words, sizeof(words), "%s %s", f[i]->name,
			    f[i]->aliases != NULL ? f[i]->aliases : "");
		}
		if (api->missing != NULL)
			assert_non_null(sandbox_fault_find(api, api->missing));
		if (api->invalid != NULL)
			assert_non_null(sandbox_fault_find(api, api->invalid));
		if (api->expired != NULL)
			assert_non_null(sandbox_fault_find(api, api->expired));
	}
}

/*
 * The sandbox's registry against the product's: every provider_all()
 * slug has exactly one simulator, with a route (or a Graph entry) and a
 * fault row, in the provider's family; every simulator names a product
 * provider.
 */
static void
test_sandbox_registry_matches_providers(void **state)
{
	const struct sandbox_provider *const *sb;
	const struct provider *const *all, *p;
	size_t i, j, n, nsb, found;

	(void)state;
	all = provider_all(&n);
	sb = sandbox_all(&nsb);
	for (i = 0; i < n; i++) {
		for (found = 0, j = 0; j < nsb; j++)
			if (strcmp(sb[j]->slug, all[i]->slug) == 0) {
				found++;
				assert_true(sb[j]->nroutes + sb[j]->ngraph >
				    0);
				assert_true(sb[j]->nfaults > 0);
			}
		if (found != 1)
			fail_msg("%s: %zu simulators", all[i]->slug, found);
	}
	for (j = 0; j < nsb; j++) {
		if ((p = provider_get(sb[j]->slug)) == NULL)
			fail_msg("%s: no such provider", sb[j]->slug);
		assert_string_equal(sb[j]->family->id, p->family);
	}
}

/* Whether route pattern r lies under the sandbox base path (its
 * "{dc}" a capture). */
static int
under_base(const char *r, const char *path)
{
	char want[128], *p;

	snprintf(want, sizeof(want), "%s", path);
	if ((p = strchr(want, '{')) != NULL) {
		*p = ':';
		if ((p = strchr(p, '}')) != NULL)
			memmove(p, p + 1, strlen(p));
	}
	return strncmp(r, want, strlen(want)) == 0 &&
	    (r[strlen(want)] == '/' || r[strlen(want)] == '\0');
}

/* Whether a route of sb (or of its family) lies under a base of its
 * own provider or family. */
static void
assert_routes_under_bases(const struct sandbox_provider *sb,
    const struct route *r, size_t nr)
{
	const struct provider_sandbox_base *b;
	size_t i, j, nb;
	int ok;

	b = provider_sandbox_bases(testlib_arena(), &nb);
	for (i = 0; i < nr; i++) {
		for (ok = 0, j = 0; j < nb && !ok; j++)
			ok = (strcmp(b[j].owner, sb->slug) == 0 ||
			    strcmp(b[j].owner, sb->family->id) == 0) &&
			    under_base(r[i].pattern, b[j].path);
		if (!ok)
			fail_msg("%s: %s is under no base of its own",
			    sb->slug, r[i].pattern);
	}
}

/*
 * The program's table is the registry's: the sandbox's own two pages,
 * then each family's routes once and each provider's, every one under
 * its provider's sandbox prefix, no method and pattern twice.
 */
static void
test_sandbox_routes_are_the_registrys(void **state)
{
	const struct sandbox_provider *const *sb;
	const struct route *r;
	size_t i, j, n, nsb, want = 2;

	(void)state;
	sb = sandbox_all(&nsb);
	for (i = 0; i < nsb; i++) {
		for (j = 0; j < i && sb[j]->family != sb[i]->family; j++)
			;
		if (j == i)
			want += sb[i]->family->nroutes;
		want += sb[i]->nroutes;
		assert_routes_under_bases(sb[i], sb[i]->routes,
		    sb[i]->nroutes);
		assert_routes_under_bases(sb[i], sb[i]->family->routes,
		    sb[i]->family->nroutes);
	}
	r = sandbox_routes(&n);
	assert_int_equal(n, want);
	assert_ptr_equal(sandbox_routes(&j), r);
	assert_string_equal(r[0].pattern, "/sandbox/bases");
	assert_string_equal(r[1].pattern, "/sandbox/consent");
	for (i = 0; i < n; i++) {
		assert_non_null(r[i].fn);
		assert_true(r[i].flags & ROUTE_NODB);
		for (j = i + 1; j < n; j++)
			assert_false(r[i].methods == r[j].methods &&
			    strcmp(r[i].pattern, r[j].pattern) == 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sandbox_series_is_deterministic),
		cmocka_unit_test(test_sandbox_series_accounts_differ),
		cmocka_unit_test(test_sandbox_series_ratios_hold),
		cmocka_unit_test(test_sandbox_series_has_weekly_seasonality),
		cmocka_unit_test(test_sandbox_series_future_is_empty),
		cmocka_unit_test(test_sandbox_series_restates_once),
		cmocka_unit_test(test_sandbox_series_sum_adds_counts),
		cmocka_unit_test(test_sandbox_days_parse_and_format),
		cmocka_unit_test(test_sandbox_token_round_trip_and_tamper),
		cmocka_unit_test(test_sandbox_pkce_rfc7636_vector),
		cmocka_unit_test(test_sandbox_faults_answer_once_per_api),
		cmocka_unit_test(test_sandbox_registry_matches_providers),
		cmocka_unit_test(test_sandbox_families_have_their_own_letter),
		cmocka_unit_test(test_sandbox_routes_are_the_registrys),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
