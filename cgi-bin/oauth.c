/*
 * cgi-bin/oauth.c — connecting a provider: the redirect to its consent
 * page and the callback that stores the sealed tokens.
 */
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "base/log.h"
#include "base/mem.h"
#include "connections/connect.h"
#include "connections/connection.h"
#include "connections/oauthstate.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "web/app.h"
#include "web/session.h"

static enum err	page_start(struct ctx *);
static enum err	page_callback(struct ctx *);

#define OAUTH_FLAGS	(ROUTE_HTML | ROUTE_SESSION | ROUTE_ADMIN)

static const struct route routes[] = {
	{ HTTP_GET, "/oauth/:provider/start", page_start, OAUTH_FLAGS, 0 },
	{ HTTP_GET, "/oauth/:provider/callback", page_callback, OAUTH_FLAGS,
	    0 },
};

static const struct provider *
provider_of(struct ctx *ctx)
{
	return provider_get(route_capture(&ctx->match, "provider"));
}

/* The page that ends a connection attempt that did not connect. */
static enum err
result(struct ctx *ctx, int status, const struct provider *p,
    const char *heading, const char *message)
{
	struct json_object *v = app_view(ctx);

	json_object_object_add(v, "title", json_object_new_string(heading));
	json_object_object_add(v, "heading", json_object_new_string(heading));
	json_object_object_add(v, "message", json_object_new_string(message));
	json_object_object_add(v, "provider", json_object_new_string(
	    p->name));
	json_object_object_add(v, "slug", json_object_new_string(p->slug));
	return app_render(ctx, status, "pages/oauth_result", v);
}

/* An error code of OAuth's form: lower-case letters and '_'. */
static bool
plain_code(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((s[n] < 'a' || s[n] > 'z') && s[n] != '_')
			return false;
	return n >= 1 && n <= 40;
}

/*
 * The provider came back with ?error=: our own sentence, naming the code
 * only when it is a plain token; error_description is never shown (it is
 * the provider's, or anyone's who crafted the link).
 */
static enum err
provider_error(struct ctx *ctx, const struct provider *p, const char *error)
{
	if (strcmp(error, "access_denied") == 0 ||
	    strncmp(error, "user_cancelled", 14) == 0)
		return result(ctx, 200, p, "Connection cancelled",
		    arena_printf(ctx->arena, "You cancelled the connection to "
		    "%s — nothing was changed.", p->name));
	if (plain_code(error))
		return result(ctx, 400, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s did not complete the "
		    "connection (error code: %s) — nothing was changed. Try "
		    "again from the Connections page.", p->name, error));
	return result(ctx, 400, p, "Connection not completed",
	    arena_printf(ctx->arena, "%s did not complete the connection — "
	    "nothing was changed. Try again from the Connections page.",
	    p->name));
}

static enum err
page_start(struct ctx *ctx)
{
	const struct provider *p = provider_of(ctx);
	struct oauthstate st;
	struct connection c;
	const char *url, *login, *hint;
	enum err rc;

	if (p == NULL)
		return app_fail(ctx, ERR_NOTFOUND, "Sluice does not know that "
		    "provider.");
	if (provider_mode(p, ctx->cfg) == PROVIDER_UNCONFIGURED)
		return result(ctx, 409, p, arena_printf(ctx->arena, "%s is not "
		    "configured", p->name), arena_printf(ctx->arena, "Set %s "
		    "and restart Sluice, or turn on the sandbox "
		    "(SLUICE_SANDBOX=1).", provider_setup_hint(p, ctx->arena)));
	if (ctx->app->keys == NULL)
		return app_fail(ctx, ERR_UNAVAILABLE, "Tokens cannot be stored "
		    "safely: SLUICE_ENCRYPTION_KEYS is not set.");
	/* Reconnect (?login=<its address>): the provider is told which of
	 * the workspace's logins to suggest. */
	hint = NULL;
	if ((login = req_query(&ctx->req, "login")) != NULL &&
	    connection_find(ctx->db, ctx->arena, ctx->workspace_id, login,
	    &c) == ERR_OK && strcmp(c.provider, p->slug) == 0 &&
	    c.owner_label != NULL && *c.owner_label != '\0')
		hint = c.owner_label;
	if ((rc = oauthstate_new(ctx->db, ctx->arena, ctx->session, p->slug,
	    &st)) != ERR_OK ||
	    (rc = oauth_authorize_url(p, ctx->cfg, ctx->arena, st.state,
	    st.challenge, hint, &url)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, url);
}

/*
 * Whether the workspace has a live connection of provider p that token
 * set t would replace (the same login, or an unnamed row it adopts): a
 * reconnect, whose old sign-in may well work.  False on a database error
 * (the caller then stores, as for a first connection).
 */
static bool
replaces_live(struct ctx *ctx, const struct provider *p,
    const struct oauth_tokens *t)
{
	struct connection *c;
	size_t i, n;

	if (connection_all(ctx->db, ctx->arena, ctx->workspace_id, &c, &n) !=
	    ERR_OK)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(c[i].provider, p->slug) == 0 &&
		    c[i].has_tokens && strcmp(c[i].status, "disconnected") !=
		    0 && (c[i].external_owner == NULL ||
		    *c[i].external_owner == '\0' || t->owner == NULL ||
		    strcmp(c[i].external_owner, t->owner) == 0))
			return true;
	return false;
}

static enum err
page_callback(struct ctx *ctx)
{
	const struct provider *p = provider_of(ctx);
	const char *error, *code, *why = NULL, *accounts, *missing, *lost,
	    *unnamed;
	long nlost;
	bool listed;
	struct oauthstate_taken taken;
	struct oauth_tokens t;
	struct oauth_failure f;
	int64_t id;
	enum err rc;

	if (p == NULL)
		return app_fail(ctx, ERR_NOTFOUND, "Sluice does not know that "
		    "provider.");
	rc = oauthstate_take(ctx->db, ctx->arena, ctx->session, p->slug,
	    req_query(&ctx->req, "state"), &taken, &why);
	if ((error = req_query(&ctx->req, "error")) != NULL)
		return provider_error(ctx, p, error);
	if (rc == ERR_AUTH || rc == ERR_FORBIDDEN || rc == ERR_CONFLICT)
		return result(ctx, rc == ERR_CONFLICT ? 400 : err_status(rc) ==
		    401 ? 400 : 403, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s Start again from the "
		    "Connections page — nothing was changed.", why));
	if (rc != ERR_OK)
		return rc;
	/* Tokens belong to the workspace the flow started in, and the
	 * request may act for the session's current workspace only. */
	if (taken.workspace_id != ctx->workspace_id)
		return result(ctx, 409, p, "Connection not completed",
		    arena_printf(ctx->arena, "This connection was started in "
		    "the workspace “%s”, but you have switched to “%s” since. "
		    "Switch back to “%s” and connect again — nothing was "
		    "changed.", taken.workspace_name != NULL ?
		    taken.workspace_name : "another one",
		    ctx->session->workspace_name, taken.workspace_name !=
		    NULL ? taken.workspace_name : "it"));
	if ((code = req_query(&ctx->req, "code")) == NULL || *code == '\0')
		return result(ctx, 400, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s sent no authorization code "
		    "— nothing was changed.", p->name));
	rc = oauth_exchange(ctx->app->http, ctx->arena, p, ctx->cfg, code,
	    taken.verifier, &t, &f);
	if (rc != ERR_OK) {
		log_msg(LOG_WARN, ctx->req.request_id, "oauth_exchange",
		    "%s: %s", p->slug, f.message);
		return result(ctx, 502, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s — nothing was changed.",
		    f.message));
	}
	/* Granular consent: a permission left unticked is no connection
	 * that syncs nothing; say which and store nothing. */
	if ((missing = oauth_missing_scopes(ctx->arena, p, t.scope)) != NULL)
		return result(ctx, 403, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s did not give Sluice every "
		    "permission it asked for: %s %s not allowed. Connect "
		    "again and leave every permission ticked on %s's screen "
		    "— nothing was changed.", p->name, missing,
		    strchr(missing, ',') != NULL ? "were" : "was", p->name));
	/* Who the login is: the same login reconnects its connection,
	 * another one becomes a connection of its own.  A failed identity
	 * call stores nothing (which connection it repairs is unknown). */
	if ((rc = connect_whoami(ctx->app->http, ctx->arena, p, ctx->cfg, &t,
	    &unnamed)) != ERR_OK)
		return result(ctx, 502, p, "Connection not completed",
		    unnamed);
	/* The accounts, before anything is stored: a provider that refuses
	 * the new token outright (401), or a reconnect whose listing fails
	 * at all (the sign-in it would replace may well work), stores
	 * nothing.  A first connection whose listing failed otherwise is
	 * stored, and says so. */
	rc = accounts_list(ctx->app->http, ctx->arena, p, ctx->cfg, &t,
	    &accounts, &why);
	if (rc == ERR_AUTH)
		return result(ctx, 502, p, "Connection not completed",
		    arena_printf(ctx->arena, "%s refused the new sign-in "
		    "when Sluice asked for its accounts (%s) — it stored "
		    "nothing: your %s connections keep the sign-in they had. "
		    "Try again in a moment, or sign in with another login.",
		    p->name, why != NULL ? why : "HTTP 401", p->name));
	if (rc != ERR_OK && rc != ERR_DB && replaces_live(ctx, p, &t))
		return result(ctx, 502, p, "Connection not completed",
		    arena_printf(ctx->arena, "Listing the accounts with the "
		    "new sign-in failed: %s. Sluice stored nothing: your %s "
		    "connection keeps the sign-in it had. Try again in a "
		    "moment.", why != NULL ? why : err_code(rc), p->name));
	listed = rc == ERR_OK;
	if ((rc = connection_store(ctx->db, ctx->arena, ctx->app->keys,
	    taken.workspace_id, p->slug, &t, provider_mode(p, ctx->cfg) ==
	    PROVIDER_SANDBOX, &id)) != ERR_OK)
		return rc;
	log_msg(LOG_INFO, ctx->req.request_id, "connected", "%s connected "
	    "(connection %lld)", p->slug, (long long)id);
	/* The page's notice says the listing failed, not just "Connected". */
	if (!listed)
		rc = connection_set_status(ctx->db, ctx->arena,
		    taken.workspace_id, id, "connected", arena_printf(
		    ctx->arena, "Connected, but listing accounts failed: %s",
		    why != NULL ? why : "unknown error"));
	else if ((rc = connection_set_accounts(ctx->db, ctx->arena,
	    taken.workspace_id, id, accounts, &lost, &nlost)) == ERR_OK &&
	    lost != NULL)
		/* Reconnected as a login that does not see what was chosen:
		 * said on the page until a sync succeeds, never silent. */
		rc = connection_set_status(ctx->db, ctx->arena,
		    taken.workspace_id, id, "connected", arena_printf(
		    ctx->arena, "This login cannot see %s, chosen before: "
		    "%s no longer synced (the numbers already stored stay). "
		    "Reconnect with the login that has %s, or choose others "
		    "below.", lost, nlost > 1 ? "they are" : "it is",
		    nlost > 1 ? "them" : "it"));
	else if (rc == ERR_OK && unnamed != NULL)
		rc = connection_set_status(ctx->db, ctx->arena,
		    taken.workspace_id, id, "connected", unnamed);
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, arena_printf(ctx->arena,
	    "/connections/%s?%s", connection_ref(ctx->db, ctx->arena,
	    taken.workspace_id, p->slug, id), listed ? "connected=1" :
	    "msg=connected_unlisted"));
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		.name = "oauth", .routes = routes, .nroutes = nitems(routes),
	};

	return app_main(&def, argc, argv);
}
