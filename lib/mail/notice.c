/*
 * notice.c — one-off emails to one person.  See notice.h.
 */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/limit.h"
#include "crypto/crypto.h"
#include "mail/email.h"
#include "mail/notice.h"
#include "render/tmpl.h"

enum err
notice_render(struct arena *a, const struct tmpl *t, const char *name,
    struct json_object *view, const char *to, const char *subject,
    struct email_msg *m)
{
	struct buf *html, *text;
	char *plain;
	enum err rc;

	html = buf_new_arena(a, LIMIT_NOTICE_BODY);
	text = buf_new_arena(a, LIMIT_NOTICE_BODY);
	if ((rc = tmpl_render_buf(t, arena_printf(a, "email/%s_html", name),
	    view, html)) != ERR_OK || (rc = tmpl_render_buf(t, arena_printf(a,
	    "email/%s_text", name), view, text)) != ERR_OK)
		return rc;
	memset(m, 0, sizeof(*m));
	m->to = to;
	m->subject = subject;
	m->html = buf_cstr(html);
	plain = arena_strdup(a, buf_cstr(text));
	tmpl_unescape(plain);	/* the text part is not HTML */
	m->text = plain;
	return ERR_OK;
}

enum err
notice_send(struct httpc *http, struct arena *a, const struct config *cfg,
    const struct tmpl *t, const char *name, struct json_object *view,
    const char *to, const char *subject, const char **why)
{
	char key[CRYPTO_TOKEN_HEX_SIZE];
	struct email_msg m;
	struct email_result res;
	struct email_call call;
	enum err rc;

	*why = NULL;
	if (!email_sending(cfg))
		return ERR_UNAVAILABLE;
	if ((rc = notice_render(a, t, name, view, to, subject, &m)) !=
	    ERR_OK || (rc = crypto_random_hex(key)) != ERR_OK)
		return rc;
	m.kind = name;
	rc = email_send_one(http, a, cfg, email_json_one(a, cfg, &m),
	    arena_printf(a, "sluice-%s-%s", name, key), &res, &call);
	if (rc != ERR_OK)
		return rc;
	if (res.outcome != EMAIL_SENT) {
		*why = res.error;
		return ERR_UPSTREAM;
	}
	return ERR_OK;
}
