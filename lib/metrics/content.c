/* content.c — the kept content and its numbers, for the API and pages. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/hex.h"
#include "base/kv.h"
#include "base/mem.h"
#include "metrics/content.h"
#include "providers/provider.h"
#include "store/db.h"

#define CONTENT_KEY_MAX	256	/* bytes of a cursor's text field */
/* The cursor: engagement (-1 for none), microseconds, provider, account,
 * item (hex_cursor_read()). */
#define CONTENT_CURSOR	"suhhh"

/*
 * Each item of workspace $1 with its latest measurement, its engagement
 * and its sort keys; the filters $2 provider, $3 account, $4 type, $5
 * since, $6 until (the workspace's days).  Shared by both statements.
 */
#define CONTENT_ROWS \
	"w AS (SELECT time_zone AS tz FROM workspaces WHERE id = $1), " \
	"c AS (SELECT c.provider, c.account_id, c.item_id, c.type, " \
	"c.caption, c.permalink, c.published_at, m.day, m.views, m.reach, " \
	"m.likes, m.comments, m.shares, m.saves, CASE WHEN " \
	"num_nonnulls(m.likes, m.comments, m.shares, m.saves) = 0 THEN " \
	"NULL ELSE coalesce(m.likes, 0) + coalesce(m.comments, 0) + " \
	"coalesce(m.shares, 0) + coalesce(m.saves, 0) END AS eng, " \
	"(extract(epoch FROM c.published_at) * 1000000)::bigint AS us, " \
	"convert_to(c.provider, 'UTF8') AS kp, convert_to(c.account_id, " \
	"'UTF8') AS ka, convert_to(c.item_id, 'UTF8') AS ki FROM content c " \
	"LEFT JOIN LATERAL (SELECT * FROM content_metrics x WHERE " \
	"x.workspace_id = c.workspace_id AND x.provider = c.provider AND " \
	"x.account_id = c.account_id AND x.item_id = c.item_id ORDER BY " \
	"x.day DESC LIMIT 1) m ON true WHERE c.workspace_id = $1 " \
	"AND ($2::text IS NULL OR c.provider = $2) " \
	"AND ($3::text IS NULL OR c.account_id = $3) " \
	"AND ($4::text IS NULL OR c.type = $4) " \
	"AND ($5::date IS NULL OR c.published_at >= $5::date::timestamp AT " \
	"TIME ZONE (SELECT tz FROM w)) " \
	"AND ($6::date IS NULL OR c.published_at < ($6::date + 1)::timestamp " \
	"AT TIME ZONE (SELECT tz FROM w))) "

/* An item as JSON (of a row of c). */
#define CONTENT_ITEM \
	"json_build_object('provider', provider, 'account', account_id, " \
	"'id', item_id, 'type', type, 'caption', caption, 'permalink', " \
	"permalink, 'published_at', to_char(published_at AT TIME ZONE " \
	"'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'measured_on', " \
	"to_char(day, 'YYYY-MM-DD'), 'views', views, 'reach', reach, " \
	"'likes', likes, 'comments', comments, 'shares', shares, 'saves', " \
	"saves, 'engagement', eng"

/*
 * A page: the filters, $7 limit, $8 sort ("engagement" or not), $9..$13
 * the cursor's key (the engagement, -1 for none, 0 when sorted by date;
 * microseconds since the epoch; provider, account and item id
 * hex-encoded); the next cursor from the last row shown when there are
 * more.
 */
static const char sql_page[] =
	"WITH " CONTENT_ROWS ", "
	"k AS (SELECT *, CASE WHEN $8 = 'engagement' THEN coalesce(eng, -1) "
	"ELSE 0 END AS ke FROM c), "
	"r AS (SELECT * FROM k WHERE $9::bigint IS NULL OR (ke, us, kp, ka, "
	"ki) < ($9::bigint, $10::bigint, decode($11, 'hex'), decode($12, "
	"'hex'), decode($13, 'hex')) ORDER BY ke DESC, us DESC, kp DESC, "
	"ka DESC, ki DESC LIMIT $7::int + 1), "
	"n AS (SELECT *, row_number() OVER (ORDER BY ke DESC, us DESC, "
	"kp DESC, ka DESC, ki DESC) AS i FROM r) "
	"SELECT json_build_object('content', coalesce((SELECT json_agg("
	CONTENT_ITEM ") ORDER BY i) FROM n WHERE i <= $7::int), '[]'), "
	"'next_cursor', (SELECT ke || '.' || us || '.' || encode(kp, 'hex') "
	"|| '.' || encode(ka, 'hex') || '.' || encode(ki, 'hex') FROM n "
	"WHERE i = $7::int AND EXISTS (SELECT 1 FROM n WHERE i > $7::int)))";

/* Top content: the items published from $5 to $6 with an engagement,
 * the $7 best overall and of each provider. */
static const char sql_top[] =
	"WITH " CONTENT_ROWS ", "
	"t AS (SELECT *, to_char(published_at AT TIME ZONE (SELECT tz FROM w), "
	"'YYYY-MM-DD') AS date, coalesce((SELECT x->>'name' || CASE WHEN "
	"EXISTS (SELECT 1 FROM connections cy, jsonb_array_elements("
	"cy.accounts) y WHERE cy.workspace_id = $1 AND cy.provider = "
	"c.provider AND y->>'name' = x->>'name' AND y->>'id' <> x->>'id') "
	"THEN ' · ' || c.account_id ELSE '' END FROM connections "
	"cn, jsonb_array_elements(cn.accounts) x WHERE cn.workspace_id = $1 "
	"AND cn.provider = c.provider AND x->>'id' = c.account_id LIMIT 1), "
	"c.account_id) AS account_name, "
	"row_number() OVER (PARTITION BY provider "
	"ORDER BY eng DESC, published_at DESC, item_id) AS pi, row_number() "
	"OVER (ORDER BY eng DESC, published_at DESC, provider, item_id) AS oi "
	"FROM c WHERE eng IS NOT NULL) "
	"SELECT json_build_object('overall', coalesce((SELECT json_agg("
	CONTENT_ITEM ", 'date', date, 'account_name', account_name) ORDER BY "
	"oi) FROM t WHERE oi <= "
	"$7::int), '[]'), 'providers', coalesce((SELECT json_agg("
	"json_build_object('provider', p, 'items', (SELECT json_agg("
	CONTENT_ITEM ", 'date', date, 'account_name', account_name) ORDER BY "
	"pi) FROM t WHERE t.provider "
	"= p AND pi <= $7::int)) ORDER BY p) FROM (SELECT DISTINCT provider "
	"AS p FROM t) ps), '[]'))";

static const char *const known[] = { "provider", "account", "type",
	"since", "until", "sort", "limit", "cursor" };
static const char *const types[] = { "post", "reel", "story", "video",
	"short" };

/* Whether s is one of the n words of list. */
static bool
one_of(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

enum err
content_parse(struct arena *a, const struct kvlist *query,
    struct content_query *q, const char **param, const char **why)
{
	const struct provider *const *all, *p;
	const struct kv *stray;
	const char *key[5], *sep;
	size_t i, n;
	bool twice;

	memset(q, 0, sizeof(*q));
	*param = *why = NULL;
	if ((stray = kv_stray(query, known, nitems(known), &twice)) != NULL) {
		*param = arena_strdup(a, stray->name);
		*why = twice ? "is given twice" : "is not a parameter of "
		    "/v1/content (provider, account, type, since, until, sort, "
		    "limit, cursor)";
		return ERR_INPUT;
	}
	if ((q->provider = kv_value(query, "provider")) != NULL &&
	    ((p = provider_get(q->provider)) == NULL || !p->content)) {
		*param = "provider";
		*why = "must be a provider whose content Sluice keeps: ";
		all = provider_all(&n);
		for (i = 0, sep = ""; i < n; i++)
			if (all[i]->content) {
				*why = arena_printf(a, "%s%s%s", *why, sep,
				    all[i]->slug);
				sep = ", ";
			}
		return ERR_INPUT;
	}
	q->account = kv_value(query, "account");
	if (q->account != NULL && (*q->account == '\0' ||
	    strlen(q->account) > CONTENT_KEY_MAX)) {
		*param = "account";
		*why = "must be an account id as /v1/connections lists it";
		return ERR_INPUT;
	}
	if ((q->type = kv_value(query, "type")) != NULL &&
	    !one_of(q->type, types, nitems(types))) {
		*param = "type";
		*why = "must be post, reel, story, video or short";
		return ERR_INPUT;
	}
	q->since = kv_value(query, "since");
	q->until = kv_value(query, "until");
	if ((*param = day_span_problem(a, q->since, "since", q->until,
	    "until", why)) != NULL)
		return ERR_INPUT;
	if ((q->sort = kv_value(query, "sort")) != NULL &&
	    strcmp(q->sort, "published") != 0 &&
	    strcmp(q->sort, "engagement") != 0) {
		*param = "sort";
		*why = "must be published or engagement";
		return ERR_INPUT;
	}
	q->limit = kv_value(query, "limit");
	if (q->limit != NULL && !kv_whole(q->limit, CONTENT_PAGE_MAX)) {
		*param = "limit";
		*why = "must be 1 to 500";
		return ERR_INPUT;
	}
	q->cursor = kv_value(query, "cursor");
	if (q->cursor != NULL && (!hex_cursor_read(a, q->cursor,
	    CONTENT_CURSOR, CONTENT_KEY_MAX, key) ||
	    ((q->sort == NULL || strcmp(q->sort, "engagement") != 0) &&
	    strcmp(key[0], "0") != 0))) {
		*param = "cursor";
		*why = "is not one this API gave for this sort; start again "
		    "without it";
		return ERR_INPUT;
	}
	return ERR_OK;
}

enum err
content_json(struct db *db, struct arena *a, int64_t ws,
    const struct content_query *q, const char **out)
{
	const char *p[13], *key[5] = { NULL, NULL, NULL, NULL, NULL };

	if (q->cursor != NULL && !hex_cursor_read(a, q->cursor,
	    CONTENT_CURSOR, CONTENT_KEY_MAX, key))
		return ERR_INPUT;
	p[0] = db_int64(a, ws);
	p[1] = q->provider;
	p[2] = q->account;
	p[3] = q->type;
	p[4] = q->since;
	p[5] = q->until;
	p[6] = q->limit != NULL ? q->limit : db_int64(a,
	    CONTENT_PAGE_DEFAULT);
	p[7] = q->sort != NULL ? q->sort : "published";
	memcpy(&p[8], key, sizeof(key));
	return db_value(db, a, sql_page, 13, p, out);
}

enum err
content_top_json(struct db *db, struct arena *a, int64_t ws,
    const char *from, const char *to, int n, const char **out)
{
	const char *p[7];

	p[0] = db_int64(a, ws);
	p[1] = p[2] = p[3] = NULL;
	p[4] = from;
	p[5] = to;
	p[6] = db_int64(a, n);
	return db_value_static(db, a, sql_top, 7, p, out);
}
