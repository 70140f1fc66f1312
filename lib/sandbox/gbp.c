/*
 * gbp.c — Google Business Profile in the sandbox: locations, reviews.
 *
 * The Account Management API's accounts (one a person; "pages": 50, one
 * a page), the Business Information API's locations (two an account, the
 * same two for an account id it does not know; "pages": one a page) and
 * the My Business API v4's reviews of a location (51 to 119, newest
 * update first, 50 a page; "empty": none), deterministic per person and
 * location.  OAuth is Google's (google.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJU		"application/json; charset=UTF-8"
#define GBP_PAGE	50	/* reviews a page, at most */
#define GBP_LOCATIONS	2	/* locations an account */

/* {error:{code,message,status}}; its 401s are the generic Google ones. */
static const struct sandbox_api gbp_api = {
	.name = "gbp",
	.prov = SANDBOX_GOOGLE_PROV,
	.invalid = "gbp-error-401-unauthenticated",
};

static long long
account_id(int user, long i)
{
	return 100000000000000000LL + (long long)(sandbox_hash("gbpacct",
	    (uint64_t)(user * 1000 + i)) % 900000000000000000ULL);
}

static long long
location_id(int user, long i, long j)
{
	return 1000000000000000000LL + (long long)(sandbox_hash("gbploc",
	    (uint64_t)(user * 100000 + i * 100 + j)) % 900000000000000000ULL);
}

/* The page offset of a "SBXp<n>" token, 0 without one. */
static long
offset(struct ctx *ctx)
{
	const char *tok = req_query(&ctx->req, "pageToken");

	if (tok != NULL && strncmp(tok, "SBXp", 4) == 0)
		return sandbox_long(tok + 4, 0, 100000);
	return 0;
}

static enum err
api_accounts(struct ctx *ctx)
{
	long off, total, size, i, end;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &gbp_api, SBX_AUTH, &sx, &rc))
		return rc;
	off = offset(ctx);
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES : 1;
	size = sandbox_is(&sx, "pages") ? 1 : 20;
	end = off + size < total ? off + size : total;
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{\"accounts\":[");
	for (i = off; i < end; i++) {
		buf_printf(sx.out, "%s{\"name\":\"accounts/%lld\","
		    "\"accountName\":", i > off ? "," : "",
		    account_id(sx.tok.user, i));
		sandbox_jstr(sx.out, arena_printf(ctx->arena, "Sandbox "
		    "business %d%s", sx.tok.user, i > 0 ? arena_printf(
		    ctx->arena, ".%ld", i) : ""));
		buf_puts(sx.out, ",\"type\":\"PERSONAL\",\"verificationState\":"
		    "\"VERIFIED\",\"vettedState\":\"NOT_VETTED\"}");
	}
	buf_puts(sx.out, "]");
	if (end < total)
		buf_printf(sx.out, ",\"nextPageToken\":\"SBXp%ld\"", end);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* The index of a person's account id; 0 for another id (any account
 * has the first account's locations). */
static long
account_index(struct sbx *sx, const char *acct)
{
	long long want = strtoll(acct, NULL, 10);
	long i;

	for (i = 0; i < SANDBOX_MANY_PAGES; i++)
		if (account_id(sx->tok.user, i) == want)
			return i;
	return 0;
}

static enum err
api_locations(struct ctx *ctx)
{
	static const char *const title[GBP_LOCATIONS] = { "Caf\xc3\xa9 "
	    "Z\xc3\xbcrich", "Studio Nord" };
	static const char *const street[GBP_LOCATIONS] = { "Bahnhofstrasse 1",
	    "Hafenweg 12" };
	static const char *const city[GBP_LOCATIONS] = { "Z\xc3\xbcrich",
	    "Hamburg" };
	static const char *const country[GBP_LOCATIONS] = { "CH", "DE" };
	const char *acct = route_capture(&ctx->match, "acct");
	long i, j, off, end, size;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &gbp_api, SBX_AUTH, &sx, &rc))
		return rc;
	i = account_index(&sx, acct);
	off = offset(ctx);
	size = sandbox_long(req_query(&ctx->req, "pageSize"), 100, 100);
	if (size == 0 || sandbox_is(&sx, "pages"))
		size = 1;
	end = off + size < GBP_LOCATIONS ? off + size : GBP_LOCATIONS;
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{\"locations\":[");
	for (j = off; j < end; j++) {
		buf_printf(sx.out, "%s{\"name\":\"locations/%lld\","
		    "\"title\":", j > off ? "," : "",
		    location_id(sx.tok.user, i, j));
		sandbox_jstr(sx.out, i > 0 ? arena_printf(ctx->arena, "%s %ld",
		    title[j], i) : title[j]);
		buf_printf(sx.out, ",\"storefrontAddress\":{\"regionCode\":"
		    "\"%s\",\"languageCode\":\"de\",\"postalCode\":\"%s\","
		    "\"locality\":", country[j], j ? "20457" : "8001");
		sandbox_jstr(sx.out, city[j]);
		buf_puts(sx.out, ",\"addressLines\":[");
		sandbox_jstr(sx.out, street[j]);
		buf_puts(sx.out, "]}}");
	}
	buf_puts(sx.out, "]");
	if (end < GBP_LOCATIONS)
		buf_printf(sx.out, ",\"nextPageToken\":\"SBXp%ld\"", end);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* Review k of a location: its facts, from its seed. */
struct review {
	uint64_t	 h;
	int		 stars;		/* 1..5 */
	int64_t		 day;		/* created, days since the epoch */
	int		 minute;
	bool		 anonymous;
	bool		 comment;
	bool		 reply;
};

static void
review(const char *loc, long k, int64_t today, struct review *r)
{
	static const int stars[10] = { 5, 5, 4, 5, 3, 4, 5, 2, 5, 1 };

	r->h = sandbox_hash(loc, (uint64_t)k);
	r->stars = stars[r->h % 10];
	r->day = today - 1 - k * 3 - (int64_t)((r->h >> 8) % 3);
	r->minute = (int)((r->h >> 12) % 600);
	/* Every ten in a row hold each kind: an anonymous reviewer, a
	 * rating without comment, a reply. */
	r->anonymous = k % 7 == 3;
	r->comment = k % 5 != 4;
	r->reply = k % 3 == 0;
}

static void
when(struct buf *out, int64_t day, int minute)
{
	char d[11];

	sandbox_day_format(day, '-', d);
	buf_printf(out, "\"%sT%02d:%02d:%02d.%03dZ\"", d, 8 + minute / 60,
	    minute % 60, minute % 53, minute * 7 % 1000);
}

static enum err
api_reviews(struct ctx *ctx)
{
	static const char *const words[5] = { "ONE", "TWO", "THREE", "FOUR",
	    "FIVE" };
	static const char *const names[6] = { "Anna M\xc3\xbcller",
	    "Luca Bernasconi", "Sophie Martin", "Jonas Weber",
	    "Chlo\xc3\xa9 <Dubois> & Co", "Marco Rossi" };
	/* By the stars they go with. */
	static const char *const texts[5] = { "Not what we had hoped for.",
	    "The prints came three weeks late.", "Friendly and quick; the "
	    "prints took a little longer than promised.", "Great light and "
	    "patient with the kids \xe2\x80\x94 thank you!", "Booked for our "
	    "wedding: \"perfect\" is the word." };
	const char *acct = route_capture(&ctx->match, "acct");
	const char *loc = route_capture(&ctx->match, "loc"), *full;
	struct review r;
	long count, k, off, end, size, sum = 0;
	int64_t today;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &gbp_api, SBX_AUTH, &sx, &rc))
		return rc;
	full = arena_printf(ctx->arena, "accounts/%s/locations/%s", acct, loc);
	today = sandbox_today(sx.now, 0);
	count = sandbox_is(&sx, "empty") ? 0 : 51 + (long)(sandbox_hash(loc,
	    7) % 69);
	size = sandbox_long(req_query(&ctx->req, "pageSize"), GBP_PAGE,
	    1000);
	if (size == 0 || size > GBP_PAGE)
		size = GBP_PAGE;
	off = offset(ctx);
	end = off + size < count ? off + size : count;
	for (k = 0; k < count; k++) {
		review(loc, k, today, &r);
		sum += r.stars;
	}
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{");
	if (off < end)
		buf_puts(sx.out, "\"reviews\":[");
	for (k = off; k < end; k++) {
		review(loc, k, today, &r);
		buf_printf(sx.out, "%s{\"name\":\"%s/reviews/%s\","
		    "\"reviewId\":\"%s\",\"reviewer\":{", k > off ? "," : "",
		    full, sandbox_hexid(&sx, arena_printf(ctx->arena, "%s%ld",
		    loc, k), 24), sandbox_hexid(&sx, arena_printf(ctx->arena,
		    "%s%ld", loc, k), 24));
		if (r.anonymous)
			buf_puts(sx.out, "\"isAnonymous\":true");
		else {
			buf_puts(sx.out, "\"displayName\":");
			sandbox_jstr(sx.out, names[(r.h >> 32) % 6]);
			buf_printf(sx.out, ",\"profilePhotoUrl\":"
			    "\"https://example.invalid/p/%s.png\"",
			    sandbox_hexid(&sx, names[(r.h >> 32) % 6], 12));
		}
		buf_printf(sx.out, "},\"starRating\":\"%s\"",
		    words[r.stars - 1]);
		if (r.comment) {
			buf_puts(sx.out, ",\"comment\":");
			sandbox_jstr(sx.out, texts[r.stars - 1]);
		}
		buf_puts(sx.out, ",\"createTime\":");
		when(sx.out, r.day, r.minute);
		buf_puts(sx.out, ",\"updateTime\":");
		when(sx.out, r.day, r.minute + (r.reply ? 90 : 0));
		if (r.reply) {
			buf_puts(sx.out, ",\"reviewReply\":{\"comment\":"
			    "\"Thank you for your kind words!\","
			    "\"updateTime\":");
			when(sx.out, r.day, r.minute + 90);
			buf_puts(sx.out, "}");
		}
		buf_puts(sx.out, "}");
	}
	if (off < end)
		buf_puts(sx.out, "],");
	/* proto3 JSON leaves zero values out: a location without reviews
	 * answers "{}". */
	if (count > 0)
		buf_printf(sx.out, "\"averageRating\":%ld.%ld,"
		    "\"totalReviewCount\":%ld", sum * 10 / count / 10,
		    sum * 10 / count % 10, count);
	if (end < count)
		buf_printf(sx.out, ",\"nextPageToken\":\"SBXp%ld\"", end);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define JU	"application/json; charset=UTF-8"

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/gbp-accounts/v1/accounts", api_accounts,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/gbp-info/v1/accounts/:acct/locations",
	    api_locations, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/gbp/v4/accounts/:acct/locations/:loc/reviews",
	    api_reviews, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &gbp_api, "gbp-error-401-unauthenticated", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials. Expected OAuth 2 access token, "
	    "login cookie or other valid authentication credential.\","
	    "\"status\":\"UNAUTHENTICATED\"}}" },
	{ &gbp_api, "reviews-error-403-permission-denied", "403", 403, NULL,
	    JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\"}}" },
	{ &gbp_api, "reviews-error-404-location-deleted", "404 deleted", 404,
	    NULL, JU,
	    "{\"error\":{\"code\":404,\"message\":\"Requested entity was not "
	    "found.\",\"status\":\"NOT_FOUND\"}}" },
	{ &gbp_api, "reviews-error-429-resource-exhausted", "429", 429,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for quota "
	    "metric 'Requests' and limit 'Requests per minute' of service "
	    "'mybusiness.googleapis.com'.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}" },
	{ &gbp_api, "gbp-error-500-internal", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Internal error "
	    "encountered.\",\"status\":\"INTERNAL\"}}" },
};

const struct sandbox_provider sandbox_gbp = {
	.slug = "gbp",
	.family = &sandbox_family_google,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
