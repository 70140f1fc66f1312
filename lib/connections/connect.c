/* connect.c — test and disconnect, shared by the pages and the API. */
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "connections/connect.h"
#include "connections/connection.h"
#include "connections/token.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/provider.h"

enum err
connect_test(const struct token_env *env, struct arena *a,
    const struct provider *p, const struct connection *c, const char **why)
{
	struct oauth_tokens t;
	enum err rc;

	*why = NULL;
	rc = token_get(env, a, c->workspace_id, c->id, false, 0, &t, why);
	if (rc == ERR_OK)
		rc = accounts_test(env->http, a, p, env->cfg, &t, why);
	(void)connection_tested(env->db, a, c->workspace_id, c->id,
	    rc == ERR_OK, *why != NULL ? *why : err_code(rc));
	return rc;
}

enum err
connect_whoami(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, struct oauth_tokens *t, const char **note)
{
	struct oauth_failure f;
	bool asks;
	enum err rc;

	*note = NULL;
	/* The provider is asked when the token answer did not name the
	 * login and it has an identity call (oauth_whoami()). */
	asks = (t->owner == NULL || *t->owner == '\0') && p->whoami != NULL &&
	    provider_url(p, PROVIDER_WHOAMI_URL, cfg, a) != NULL;
	if ((rc = oauth_whoami(h, a, p, cfg, t, &f)) == ERR_OK)
		return ERR_OK;
	log_msg(LOG_WARN, NULL, "oauth_whoami", "%s: %s", p->slug,
	    f.message);
	t->owner = t->owner_label = NULL;
	if (asks) {
		*note = arena_printf(a, "Sluice signed in to %s, but asking "
		    "%s which login this is failed: %s Without knowing the "
		    "login Sluice cannot tell which connection to repair, so "
		    "it stored nothing: your %s connections keep the sign-in "
		    "they had. Try again in a few minutes; if it keeps "
		    "failing, check %s's status and that Sluice is allowed "
		    "in your %s account settings — nothing was changed.",
		    p->name, p->name, f.message, p->name, p->name, p->name);
		return rc;
	}
	*note = arena_printf(a, "Connected, but Sluice could not tell which "
	    "%s login this is (%s), so connecting another %s login will "
	    "replace this connection's login instead of adding one.",
	    p->name, f.message, p->name);
	return ERR_OK;
}

/* Another live connection of the workspace that shares p's login (one
 * grant for a family's providers, the same login at the provider; a row
 * whose login was never named may be anyone's), or NULL. */
static const struct provider *
sharing(const struct token_env *env, struct arena *a,
    const struct provider *p, const struct connection *c)
{
	const struct provider *q;
	struct connection *all;
	size_t i, n;

	if (p->family_env == NULL || connection_all(env->db, a,
	    c->workspace_id, &all, &n) != ERR_OK)
		return NULL;
	for (i = 0; i < n; i++)
		if (all[i].id != c->id && all[i].has_tokens &&
		    (*all[i].external_owner == '\0' ||
		    *c->external_owner == '\0' ||
		    strcmp(all[i].external_owner, c->external_owner) == 0) &&
		    (q = provider_get(all[i].provider)) != NULL &&
		    strcmp(q->family, p->family) == 0)
			return q;
	return NULL;
}

enum err
connect_disconnect(const struct token_env *env, struct arena *a,
    const struct provider *p, const struct connection *c, bool delete_data,
    enum connect_revoke *revoke, const char **note)
{
	const struct provider *other;
	struct oauth_failure f;
	struct oauth_tokens t;
	const char *why = NULL;
	bool revoked, elsewhere = false;

	*note = NULL;
	*revoke = CONNECT_REVOKE_NONE;
	if (token_get(env, a, c->workspace_id, c->id, false, 0, &t, &why) !=
	    ERR_OK)
		;	/* no usable token: nothing to revoke */
	else if ((other = sharing(env, a, p, c)) != NULL) {
		*revoke = CONNECT_REVOKE_SHARED;
		*note = arena_printf(a, "%s's access was not revoked: %s uses "
		    "the same login and would stop working too. It is "
		    "revoked when the last of them is disconnected.", p->name,
		    other->name);
	} else if (connection_login_in_use(env->db, a, p->family,
	    c->external_owner, c->id, &elsewhere) != ERR_OK || elsewhere) {
		/* A revoke ends the grant for every workspace that connected
		 * this login: not while another one uses it (or when that
		 * cannot be known). */
		*revoke = CONNECT_REVOKE_SHARED;
		*note = arena_printf(a, "%s's access was not revoked: another "
		    "workspace of this Sluice uses the same %s login and "
		    "would stop working too. It is revoked when the last of "
		    "them is disconnected.", p->name, p->name);
	} else if (oauth_revoke(env->http, a, p, env->cfg, &t, &revoked,
	    &f) != ERR_OK) {
		*revoke = CONNECT_REVOKE_FAILED;
		log_msg(LOG_WARN, NULL, "revoke", "%s: %s", p->slug,
		    f.message);
		*note = arena_printf(a, "%s The tokens are deleted here; to "
		    "be sure, remove Sluice's access in your %s account "
		    "settings.", f.message, p->name);
	} else if (revoked) {
		*revoke = CONNECT_REVOKED;
		log_msg(LOG_INFO, NULL, "revoke", "%s: access revoked",
		    p->slug);
	}
	return connection_disconnect(env->db, a, c->workspace_id, c->id,
	    delete_data);
}

enum err
connect_own_json(const struct token_env *env, struct arena *a,
    const struct provider *p, const struct connection *c, const char *what,
    const char **out, const char **why)
{
	struct oauth_tokens t;
	enum err rc;

	*why = NULL;
	if (p->own_json == NULL)
		return ERR_NOTFOUND;
	if ((rc = token_get(env, a, c->workspace_id, c->id, false, 0, &t,
	    why)) != ERR_OK)
		return rc;
	return p->own_json(env->http, a, p, env->cfg, t.access_token, what,
	    out, why);
}
