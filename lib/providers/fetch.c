/* fetch.c — a fetch hook's services, by name. */
#include <string.h>

#include "base/log.h"

#include "providers/fetch.h"
#include "providers/pcall.h"
#include "providers/syncnorm.h"

enum err
fetch_get(struct fetch *f, const char *url, struct pcall_result *out)
{
	struct pcall c;

	memset(&c, 0, sizeof(c));
	c.url = url;
	return f->ops->call(f, &c, out);
}

enum err
fetch_post(struct fetch *f, const char *url, const char *body,
    struct pcall_result *out)
{
	struct pcall c;

	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.url = url;
	c.body = body;
	return f->ops->call(f, &c, out);
}

enum err
fetch_call(struct fetch *f, struct pcall *c, struct pcall_result *out)
{
	return f->ops->call(f, c, out);
}

enum err
fetch_window(struct fetch *f, const char *tz, long days, const char **from,
    const char **to)
{
	return f->ops->window(f, tz, days, from, to);
}

const char *
fetch_account(struct fetch *f, const char *id, const char *key)
{
	return f->ops->account(f, id, key);
}

enum err
fetch_local_days(struct fetch *f, const char *tz, const char *const *ts,
    size_t n, const char ***days)
{
	return f->ops->local_days(f, tz, ts, n, days);
}

enum err
fetch_items_store(struct fetch *f, const struct fetch_items *it)
{
	return f->ops->items_store(f, it);
}

enum err
fetch_items_due(struct fetch *f, const struct fetch_items *it,
    const char **due)
{
	return f->ops->items_due(f, it, due);
}

const char *
fetch_base(struct fetch *f, enum provider_url which)
{
	return provider_url(f->p, which, f->cfg, f->a);
}

enum err
fetch_norm_failed(struct fetch *f, struct syncnorm *n, enum err rc)
{
	f->why = n->why;
	return rc;
}

enum err
fetch_optional(struct fetch *f, enum err rc, const char *what,
    const char *account)
{
	if (rc == ERR_OK || rc == ERR_DB)
		return rc;
	log_msg(LOG_WARN, NULL, "sync", "%s %s: %s left out (%s): %s",
	    f->p->name, account, what, err_code(rc), f->why != NULL ?
	    f->why : "no reason given");
	f->why = NULL;
	return ERR_OK;
}
