/*
 * notice.h — one-off emails to one person (a password reset link).
 *
 * A message is rendered from two templates, templates/email/<name>_html
 * and <name>_text, with the caller's view, and sent once through the
 * Resend client (lib/mail/email.h) under a fresh Idempotency-Key.
 * Strings live in the caller's arena.
 */
#ifndef SLUICE_NOTICE_H
#define SLUICE_NOTICE_H

#include "base/err.h"

struct arena;
struct config;
struct httpc;
struct json_object;
struct tmpl;

struct email_msg;

/*
 * Renders templates/email/<name>_html and <name>_text with view into
 * *msg for `to` with `subject`; the text part as plain text (the
 * engine's entities turned back, tmpl_unescape()).  Strings in the
 * arena; the template errors of tmpl_render_buf().
 */
enum err	 notice_render(struct arena *, const struct tmpl *,
		    const char *name, struct json_object *view, const char *to,
		    const char *subject, struct email_msg *msg);

/*
 * Renders and sends one message to `to` with `subject`.  ERR_UNAVAILABLE
 * without SLUICE_RESEND_API_KEY (nothing rendered or sent); ERR_UPSTREAM
 * with *why (Resend's words) when Resend refused it or gave up; the
 * template errors of tmpl_render_buf(); the errors of email_send_one().
 */
enum err	 notice_send(struct httpc *, struct arena *,
		    const struct config *, const struct tmpl *,
		    const char *name, struct json_object *view,
		    const char *to, const char *subject, const char **why);

#endif
