/* connect.c — test and disconnect, shared by the pages and the API. */
#include <string.h>

#include "accounts.h"
#include "connect.h"
#include "connection.h"
#include "log.h"
#include "oauth.h"
#include "provider.h"
#include "token.h"

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
connect_disconnect(const struct token_env *env, struct arena *a,
    const struct provider *p, const struct connection *c, bool delete_data)
{
	struct oauth_failure f;
	struct oauth_tokens t;
	const char *why = NULL;

	if (token_get(env, a, c->workspace_id, c->id, false, 0, &t, &why) ==
	    ERR_OK && oauth_revoke(env->http, a, p, env->cfg, &t, &f) !=
	    ERR_OK)
		log_msg(LOG_WARN, NULL, "revoke", "%s: %s", p->slug,
		    f.message);
	return connection_disconnect(env->db, a, c->workspace_id, c->id,
	    delete_data);
}
