/*
 * cgi-bin/pages.c — the pages people use in the browser: first-run setup,
 * login and logout, dashboard, connections, settings.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/config.h"
#include "base/arena.h"
#include "base/hex.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "business/attribution.h"
#include "business/booking.h"
#include "business/inquiry.h"
#include "connections/connect.h"
#include "connections/connection.h"
#include "connections/token.h"
#include "hooks/outbox.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "mail/notice.h"
#include "metrics/content.h"
#include "metrics/export.h"
#include "metrics/reporting.h"
#include "metrics/tiles.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/alerts.h"
#include "sync/schedule.h"
#include "sync/syncq.h"
#include "tenancy/account.h"
#include "views/views.h"
#include "web/apikey.h"
#include "web/app.h"
#include "web/session.h"

static enum err	page_root(struct ctx *);
static enum err	page_setup(struct ctx *);
static enum err	form_setup(struct ctx *);
static enum err	page_login(struct ctx *);
static enum err	form_login(struct ctx *);
static enum err	form_logout(struct ctx *);
static enum err	page_dashboard(struct ctx *);
static enum err	page_dashboard_csv(struct ctx *);
static enum err	page_connection_csv(struct ctx *);
static enum err	page_connections(struct ctx *);
static enum err	page_digest_preview(struct ctx *);
static enum err	page_connection(struct ctx *);
static enum err	form_accounts(struct ctx *);
static enum err	form_test(struct ctx *);
static enum err	form_sync(struct ctx *);
static enum err	form_disconnect(struct ctx *);

static enum err	api_sync_status(struct ctx *);
static enum err	page_settings(struct ctx *);
static enum err	form_invite(struct ctx *);
static enum err	form_key_create(struct ctx *);
static enum err	form_key_revoke(struct ctx *);
static enum err	form_sql_login(struct ctx *);
static enum err	form_sql_login_revoke(struct ctx *);
static enum err	form_digest(struct ctx *);
static enum err	form_alerts(struct ctx *);
static enum err	form_delete_data(struct ctx *);
static enum err	form_time_zone(struct ctx *);
static enum err	form_schedule(struct ctx *);
static enum err	form_switch(struct ctx *);
static enum err	form_workspace_create(struct ctx *);
static enum err	page_invite(struct ctx *);
static enum err	form_invite_accept(struct ctx *);
static enum err	form_member_remove(struct ctx *);
static enum err	form_member_role(struct ctx *);
static enum err	form_invite_revoke(struct ctx *);
static enum err	page_password(struct ctx *);
static enum err	form_password(struct ctx *);
/* Inquiries and bookings (issue 24): their block is at the end. */
static enum err	page_inquiries(struct ctx *);
static enum err	page_inquiry(struct ctx *);
static enum err	form_inquiry_change(struct ctx *);
static enum err	form_inquiry_note(struct ctx *);
static enum err	form_inquiry_booking(struct ctx *);
static enum err	page_bookings(struct ctx *);
static enum err	page_booking(struct ctx *);
static enum err	form_booking_create(struct ctx *);
static enum err	form_booking_change(struct ctx *);
static enum err	page_inquiry_form(struct ctx *);
static enum err	form_inquiry_form(struct ctx *);
static enum err	form_inquiry_form_rotate(struct ctx *);
static enum err	page_attribution(struct ctx *);
static enum err	form_attribution_rules(struct ctx *);
static void	nav_counts(struct ctx *, struct json_object *);
static enum err	page_webhooks(struct ctx *);
static enum err	form_webhook_add(struct ctx *);
static enum err	form_webhook(struct ctx *);
static void	notice_from_query(struct ctx *, struct json_object *);
static enum err	page_forgot(struct ctx *);
static enum err	form_forgot(struct ctx *);
static enum err	page_reset(struct ctx *);
static enum err	form_reset(struct ctx *);
static enum err	page_marks_css(struct ctx *);

#define PAGE	(ROUTE_HTML | ROUTE_SESSION)
#define FORM	(ROUTE_HTML | ROUTE_CSRF | ROUTE_ADMIN)

static const struct route routes[] = {
	{ HTTP_GET, "/", page_root, ROUTE_HTML, 0 },
	{ HTTP_GET, "/marks.css", page_marks_css, ROUTE_NODB, 0 },
	{ HTTP_GET, "/setup", page_setup, ROUTE_HTML, 0 },
	{ HTTP_POST, "/setup", form_setup, ROUTE_HTML, 0 },
	{ HTTP_GET, "/login", page_login, ROUTE_HTML, 0 },
	{ HTTP_POST, "/login", form_login, ROUTE_HTML, 0 },
	/* Forms before a login: the pre-session token is their CSRF check. */
	{ HTTP_GET, "/password/forgot", page_forgot, ROUTE_HTML, 0 },
	{ HTTP_POST, "/password/forgot", form_forgot, ROUTE_HTML, 0 },
	{ HTTP_GET, "/password/reset/:token", page_reset, ROUTE_HTML, 0 },
	{ HTTP_POST, "/password/reset/:token", form_reset, ROUTE_HTML, 0 },
	{ HTTP_POST, "/logout", form_logout, ROUTE_HTML | ROUTE_CSRF, 0 },
	{ HTTP_GET, "/dashboard", page_dashboard, PAGE, 0 },
	{ HTTP_GET, "/dashboard/export.csv", page_dashboard_csv, PAGE, 0 },
	{ HTTP_GET, "/connections/:provider/export.csv", page_connection_csv,
	    PAGE, 0 },
	{ HTTP_GET, "/connections", page_connections, PAGE, 0 },
	{ HTTP_GET, "/connections/:provider", page_connection, PAGE, 0 },
	{ HTTP_POST, "/connections/:provider/accounts", form_accounts, FORM, 0 },
	{ HTTP_POST, "/connections/:provider/test", form_test, FORM, 0 },
	{ HTTP_POST, "/connections/:provider/sync", form_sync, FORM, 0 },
	{ HTTP_POST, "/connections/:provider/disconnect", form_disconnect, FORM,
	    0 },
	{ HTTP_GET, "/connections/:provider/status", api_sync_status,
	    ROUTE_SESSION, 0 },
	{ HTTP_GET, "/settings", page_settings, PAGE, 0 },
	{ HTTP_POST, "/settings/invite", form_invite, FORM, 0 },
	{ HTTP_POST, "/settings/invites/:invite/revoke", form_invite_revoke,
	    FORM, 0 },
	{ HTTP_POST, "/settings/members/:user/remove", form_member_remove, FORM,
	    0 },
	{ HTTP_POST, "/settings/members/:user/role", form_member_role, FORM,
	    0 },
	/* Outside the workspace's scope: the handler checks the session and
	 * its CSRF token (form_password). */
	{ HTTP_GET, "/settings/password", page_password, PAGE, 0 },
	{ HTTP_POST, "/settings/password", form_password, ROUTE_HTML, 0 },
	{ HTTP_POST, "/settings/keys", form_key_create, FORM, 0 },
	{ HTTP_POST, "/settings/keys/:id/revoke", form_key_revoke, FORM, 0 },
	{ HTTP_POST, "/settings/sql-logins", form_sql_login, FORM, 0 },
	{ HTTP_POST, "/settings/sql-logins/revoke", form_sql_login_revoke,
	    FORM, 0 },
	{ HTTP_POST, "/settings/digest", form_digest, ROUTE_HTML | ROUTE_CSRF,
	    0 },
	{ HTTP_POST, "/settings/alerts", form_alerts, FORM, 0 },
	{ HTTP_POST, "/settings/data/delete", form_delete_data, FORM, 0 },
	{ HTTP_POST, "/settings/time-zone", form_time_zone, FORM, 0 },
	{ HTTP_POST, "/settings/schedule", form_schedule, FORM, 0 },
	{ HTTP_GET, "/settings/webhooks", page_webhooks, PAGE | ROUTE_ADMIN,
	    0 },
	{ HTTP_POST, "/settings/webhooks", form_webhook_add, FORM, 0 },
	{ HTTP_POST, "/settings/webhooks/:id/test", form_webhook, FORM, 0 },
	{ HTTP_POST, "/settings/webhooks/:id/enable", form_webhook, FORM, 0 },
	{ HTTP_POST, "/settings/webhooks/:id/disable", form_webhook, FORM, 0 },
	{ HTTP_POST, "/settings/webhooks/:id/rotate", form_webhook, FORM, 0 },
	{ HTTP_POST, "/settings/webhooks/:id/delete", form_webhook, FORM, 0 },
	{ HTTP_POST, "/workspace/switch", form_switch, ROUTE_HTML | ROUTE_CSRF,
	    0 },
	{ HTTP_POST, "/settings/workspaces", form_workspace_create,
	    ROUTE_HTML | ROUTE_CSRF, 0 },
	{ HTTP_GET, "/invite/:token", page_invite, ROUTE_HTML, 0 },
	{ HTTP_POST, "/invite/:token", form_invite_accept, ROUTE_HTML, 0 },
	{ HTTP_GET, "/digest/preview", page_digest_preview, PAGE, 0 },
	{ HTTP_GET, "/inquiries", page_inquiries, PAGE, 0 },
	{ HTTP_GET, "/inquiries/:id", page_inquiry, PAGE, 0 },
	{ HTTP_POST, "/inquiries/:id", form_inquiry_change, FORM, 0 },
	{ HTTP_POST, "/inquiries/:id/notes", form_inquiry_note, FORM, 0 },
	{ HTTP_POST, "/inquiries/:id/booking", form_inquiry_booking, FORM, 0 },
	{ HTTP_GET, "/bookings", page_bookings, PAGE, 0 },
	{ HTTP_POST, "/bookings", form_booking_create, FORM, 0 },
	{ HTTP_GET, "/bookings/:id", page_booking, PAGE, 0 },
	{ HTTP_POST, "/bookings/:id", form_booking_change, FORM, 0 },
	{ HTTP_GET, "/settings/inquiry-form", page_inquiry_form, PAGE, 0 },
	{ HTTP_POST, "/settings/inquiry-form", form_inquiry_form, FORM, 0 },
	{ HTTP_POST, "/settings/inquiry-form/rotate", form_inquiry_form_rotate,
	    FORM, 0 },
	{ HTTP_GET, "/attribution", page_attribution, PAGE, 0 },
	{ HTTP_POST, "/attribution/rules", form_attribution_rules, FORM, 0 },
};

/* Notices a redirect may ask for (?msg=…): fixed texts, never echoed. */
static const struct {
	const char	*key;
	const char	*kind;
	const char	*text;
} notices[] = {
	{ "connected", "notice", "Connected. Choose what Sluice should "
	    "collect, then sync." },
	{ "connected_unlisted", "error", "Connected, but listing the "
	    "accounts failed, so there is nothing to choose yet: see the "
	    "error below." },
	{ "saved", "notice", "Selection saved." },
	{ "tested", "notice", "The connection works." },
	{ "test_failed", "error", "The test call failed; see the error "
	    "below." },
	{ "queued", "notice", "Sync queued." },
	{ "sync_done", "notice", "The sync has finished; its result is the "
	    "first line of the history below." },
	{ "running", "notice", "A sync is already queued or running." },
	{ "disconnected", "notice", "Disconnected. The tokens are deleted." },
	{ "disconnected_unrevoked", "error", "Disconnected and the tokens are "
	    "deleted, but the provider did not confirm that it revoked "
	    "Sluice's access (see the log): remove Sluice in your account's "
	    "settings at the provider." },
	{ "disconnected_shared", "notice", "Disconnected. The tokens are "
	    "deleted; the access at the provider stays while another "
	    "connection uses the same login, and is revoked when the last of "
	    "them is disconnected." },
	{ "digest_on", "notice", "You will get the weekly digest." },
	{ "digest_off", "notice", "You will no longer get the digest." },
	{ "digest_monthly", "notice", "You will get the monthly digest "
	    "(on the 1st, for the month before) instead of the weekly one." },
	{ "digest_both", "notice", "You will get the weekly and the monthly "
	    "digest." },
	{ "alerts_on", "notice", "You will get an email when a source needs "
	    "attention." },
	{ "alerts_off", "notice", "You will no longer get alert emails; the "
	    "pages still show open alerts." },
	{ "revoked", "notice", "The key is revoked." },
	{ "sql_login_revoked", "notice", "The SQL login is revoked: it can "
	    "no longer connect, and its open connections were ended." },
	{ "deleted", "notice", "The synced data is deleted." },
	{ "time_zone", "notice", "Time zone saved. Days, weeks and the digest "
	    "follow it from now on." },
	{ "schedule", "notice", "Sync hour saved. The next daily sync "
	    "follows it." },
	{ "switched", "notice", "Switched workspace." },
	{ "workspace_created", "notice", "Workspace created, and you are its "
	    "owner. Connect its first accounts here." },
	{ "joined", "notice", "Welcome! You joined the workspace." },
	{ "member_removed", "notice", "The member is removed: their sessions "
	    "in this workspace have ended and the API keys they created here "
	    "are revoked." },
	{ "role", "notice", "Role changed. A member made a viewer keeps no "
	    "admin API key they created here." },
	{ "invite_revoked", "notice", "The invitation is revoked; its link no "
	    "longer works." },
	{ "password", "notice", "Password changed. Your other sessions have "
	    "ended." },
	{ "hook_test", "notice", "Test event queued: the worker posts it "
	    "within a few seconds; its delivery shows below." },
	{ "hook_enable", "notice", "Endpoint enabled: it gets new events." },
	{ "hook_disable", "notice", "Endpoint disabled: it gets no new events, "
	    "and its pending deliveries are not sent." },
	{ "hook_delete", "notice", "Endpoint deleted." },
	{ "password_reset", "notice", "Your new password is set, and every "
	    "session you had has ended. Log in with it." },
};

static void
set(struct json_object *v, const char *k, const char *s)
{
	if (s != NULL)
		json_object_object_add(v, k, json_object_new_string(s));
}

static void
put_bool(struct json_object *o, const char *k, bool b)
{
	json_object_object_add(o, k, json_object_new_boolean(b));
}

static void
flash(struct json_object *v, const char *kind, const char *message)
{
	struct json_object *f = json_object_new_object();

	set(f, "kind", kind);
	set(f, "message", message);
	json_object_object_add(v, "flash", f);
}

/*
 * A redirect target from a form or query (?next=, already decoded once):
 * a path of this site, or fallback.  Allowed: one leading '/' not followed
 * by '/' or a backslash, then only ASCII letters, digits and
 * -._~!$&'()*+,;=:@/? (RFC 3986's pchar, '/' and '?'), no "//" anywhere,
 * and percent escapes of anything but '/', backslash, '%' and control
 * characters; at most LIMIT_NEXT_PATH bytes.  Everything a WHATWG URL
 * parser strips or bends (TAB, CR, LF, backslashes, spaces, non-ASCII) is
 * refused, not cleaned, so such a path resolves to this origin in every
 * browser.
 */
static const char *
local_path(const char *next, const char *fallback)
{
	const char *p;
	int c;

	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strlen(next) > LIMIT_NEXT_PATH ||
	    strstr(next, "//") != NULL)
		return fallback;
	for (p = next; *p != '\0'; p++) {
		if (*p == '%') {
			if (hex_digit((unsigned char)p[1]) < 0 ||
			    hex_digit((unsigned char)p[2]) < 0)
				return fallback;
			c = hex_digit((unsigned char)p[1]) * 16 +
			    hex_digit((unsigned char)p[2]);
			if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' ||
			    c == '%')
				return fallback;
			p += 2;
		} else if (!((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~!$&'()*+,;=:@/?", *p) != NULL))
			return fallback;
	}
	return next;
}

/* Where a visitor belongs: setup, login or the dashboard. */
/* The providers' mark colours, from the registry; cached a day. */
static enum err
page_marks_css(struct ctx *ctx)
{
	const char *css = views_marks_css(ctx->arena);

	resp_header(&ctx->resp, "Cache-Control", "public, max-age=86400");
	return resp_body(&ctx->resp, 200, "text/css; charset=utf-8", css,
	    strlen(css));
}

static enum err
page_root(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	if (!any)
		return resp_redirect(&ctx->resp, 303, "/setup");
	if (app_session(ctx) == ERR_OK)
		return resp_redirect(&ctx->resp, 303, "/dashboard");
	return resp_redirect(&ctx->resp, 303, "/login");
}

/* Setup exists only while nobody has an account. */
static enum err
setup_open(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	return any ? app_fail(ctx, ERR_NOTFOUND, "Sluice is already set "
	    "up; log in instead.") : ERR_OK;
}

static enum err
render_setup(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);
	const char *pre;
	enum err rc;

	if ((rc = session_pre_new(&ctx->resp, ctx->cfg, app_https(ctx),
	    &pre)) != ERR_OK)
		return rc;
	set(v, "title", "Set up");
	set(v, "pre", pre);
	set(v, "email", req_form(&ctx->req, "email"));
	set(v, "workspace", req_form(&ctx->req, "workspace"));
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/setup", v);
}

static enum err
page_setup(struct ctx *ctx)
{
	enum err rc;

	if ((rc = setup_open(ctx)) != ERR_OK)
		return rc;
	return render_setup(ctx, 200, NULL);
}

static enum err
form_setup(struct ctx *ctx)
{
	const char *email, *pw, *ws, *why = NULL, *cookie;
	int64_t user, workspace;
	enum err rc;

	if ((rc = setup_open(ctx)) != ERR_OK)
		return rc;
	if (!session_pre_ok(&ctx->req, ctx->cfg, app_https(ctx),
	    req_form(&ctx->req, "pre")))
		return render_setup(ctx, 403, "This form expired; please "
		    "submit it again.");
	email = req_form(&ctx->req, "email");
	pw = req_form(&ctx->req, "password");
	ws = req_form(&ctx->req, "workspace");
	rc = account_setup(ctx->db, ctx->arena, email ? email : "",
	    pw ? pw : "", ws ? ws : "", &user, &workspace, &why);
	if (rc == ERR_INPUT)
		return render_setup(ctx, 422, why);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, ERR_NOTFOUND, "Sluice is already set up; "
		    "log in instead.");
	if (rc != ERR_OK)
		return rc;
	if ((rc = session_create(ctx->db, ctx->arena, user, workspace,
	    &cookie)) != ERR_OK ||
	    (rc = session_set_cookie(&ctx->resp, app_https(ctx), cookie)) !=
	    ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/connections");
}

static enum err
render_login(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);
	const char *pre, *next;
	enum err rc;

	if ((rc = session_pre_new(&ctx->resp, ctx->cfg, app_https(ctx),
	    &pre)) != ERR_OK)
		return rc;
	next = req_form(&ctx->req, "next");
	if (next == NULL)
		next = req_query(&ctx->req, "next");
	set(v, "title", "Log in");
	set(v, "pre", pre);
	set(v, "next", local_path(next, "/dashboard"));
	set(v, "email", req_form(&ctx->req, "email"));
	if (error != NULL)
		flash(v, "error", error);
	else
		notice_from_query(ctx, v);
	return app_render(ctx, status, "pages/login", v);
}

static enum err
page_login(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	if (!any)
		return resp_redirect(&ctx->resp, 303, "/setup");
	return render_login(ctx, 200, NULL);
}

/* Starts a fresh session and sends the browser to next (or fallback). */
static enum err
login_as(struct ctx *ctx, int64_t user, int64_t workspace, const char *next)
{
	const char *cookie, *old;
	bool https = app_https(ctx);
	enum err rc;

	/* A fresh session id at every login; the old one is gone. */
	if ((old = req_cookie(&ctx->req, session_cookie_name(https))) != NULL)
		(void)session_destroy(ctx->db, ctx->arena, old);
	if ((rc = session_create(ctx->db, ctx->arena, user, workspace,
	    &cookie)) != ERR_OK ||
	    (rc = session_set_cookie(&ctx->resp, https, cookie)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, next);
}

/*
 * The right password of a person who belongs to no workspace any more (an
 * admin removed them).  Coming from an invitation to that person, the
 * login accepts it and opens its workspace; otherwise the page says so.
 */
static enum err
login_no_workspace(struct ctx *ctx, int64_t user)
{
	const char *next = req_form(&ctx->req, "next"), *token, *why;
	int64_t joined, ws;
	enum err rc;

	if (next != NULL && strncmp(next, "/invite/", 8) == 0) {
		token = arena_strndup(ctx->arena, next + 8,
		    strcspn(next + 8, "?#/"));
		rc = account_invite_accept(ctx->db, ctx->arena, token, user,
		    NULL, &joined, &ws, &why);
		if (rc == ERR_OK)
			return login_as(ctx, joined, ws,
			    "/dashboard?msg=joined");
		if (rc != ERR_NOTFOUND && rc != ERR_AUTH)
			return rc;
	}
	return render_login(ctx, 403, "You are not a member of any workspace "
	    "now. Ask an admin to invite you, then open the invitation's "
	    "link and log in from there.");
}

static enum err
form_login(struct ctx *ctx)
{
	const char *email, *pw, *addr;
	int64_t user, workspace;
	int retry = 0;
	bool https = app_https(ctx);
	enum err rc;

	if (!session_pre_ok(&ctx->req, ctx->cfg, https,
	    req_form(&ctx->req, "pre")))
		return render_login(ctx, 403, "This form expired; please log "
		    "in again.");
	email = req_form(&ctx->req, "email");
	pw = req_form(&ctx->req, "password");
	if (email == NULL || pw == NULL)
		return render_login(ctx, 422, "Enter your email and password.");
	/* The attempt is counted before the password is checked. */
	addr = config_client_addr(ctx->cfg, ctx->arena, ctx->req.remote_addr,
	    req_header(&ctx->req, "x-forwarded-for"));
	rc = session_login_take(ctx->db, ctx->arena, email, addr, &retry);
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%d", retry));
		return render_login(ctx, 429, arena_printf(ctx->arena,
		    "Too many failed attempts for this account or from this "
		    "address; wait %d minutes and try again.",
		    (retry + 59) / 60));
	}
	if (rc != ERR_OK)
		return rc;
	rc = account_authenticate(ctx->db, ctx->arena, email, pw, &user,
	    &workspace);
	if (rc == ERR_AUTH)
		return render_login(ctx, 401, "Wrong email or password.");
	if (rc == ERR_NOTFOUND) {
		(void)session_login_refund(ctx->db, ctx->arena, email, addr);
		return login_no_workspace(ctx, user);
	}
	if (rc != ERR_OK)
		return rc;
	(void)session_login_refund(ctx->db, ctx->arena, email, addr);
	return login_as(ctx, user, workspace, local_path(req_form(&ctx->req,
	    "next"), "/dashboard"));
}

/*
 * "Forgot your password?": the address form (sent is true once a request
 * went through: the page then says what happens next, the same whether
 * or not the address has an account).
 */
static enum err
render_forgot(struct ctx *ctx, int status, const char *error, bool sent)
{
	struct json_object *v = app_view(ctx);
	const char *pre;
	enum err rc;

	if ((rc = session_pre_new(&ctx->resp, ctx->cfg, app_https(ctx),
	    &pre)) != ERR_OK)
		return rc;
	set(v, "title", "Forgot your password?");
	set(v, "pre", pre);
	set(v, "email", req_form(&ctx->req, "email"));
	put_bool(v, "sent", sent);
	put_bool(v, "mails", email_sending(ctx->cfg));
	put_bool(v, "mail_files", *ctx->cfg->resend_api_key == '\0' &&
	    email_sending(ctx->cfg));
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/password_forgot", v);
}

static enum err
page_forgot(struct ctx *ctx)
{
	return render_forgot(ctx, 200, NULL, false);
}

/* A reset link to mail once the answer is out. */
struct reset_mail {
	const char	*to;
	const char	*token;
};

/*
 * Mails the link, after the answer has gone (app_after()): the answer
 * takes the same time whether or not the address has an account.  A
 * failure is the log's, never the page's.
 */
static void
mail_reset_link(struct ctx *ctx, void *arg)
{
	const struct reset_mail *m = arg;
	const char *to = m->to, *token = m->token;
	struct json_object *v = jsonx_own(ctx->arena,
	    json_object_new_object());
	const char *why;
	enum err rc;

	set(v, "url", arena_printf(ctx->arena, "%s/password/reset/%s",
	    ctx->cfg->base_url, token));
	set(v, "email", to);
	json_object_object_add(v, "minutes", json_object_new_int(
	    LIMIT_RESET_VALID_S / 60));
	rc = notice_send(ctx->app->http, ctx->arena, ctx->cfg, ctx->app->tmpl,
	    "password_reset", v, to, "Set a new password for Sluice", &why);
	if (rc == ERR_UNAVAILABLE)
		log_msg(LOG_WARN, ctx->req.request_id, "password_reset_unsent",
		    "a password reset link was asked for, but neither "
		    "SLUICE_RESEND_API_KEY nor SLUICE_MAIL_DIR is set: make a "
		    "link with `make password-link EMAIL=…`");
	else if (rc != ERR_OK)
		log_msg(LOG_ERROR, ctx->req.request_id, "password_reset_unsent",
		    "the password reset mail failed: %s", why != NULL ? why :
		    err_code(rc));
}

static enum err
form_forgot(struct ctx *ctx)
{
	struct reset_mail *m;
	const char *client, *token, *to;
	int retry;
	enum err rc;

	if (!session_pre_ok(&ctx->req, ctx->cfg, app_https(ctx),
	    req_form(&ctx->req, "pre")))
		return render_forgot(ctx, 403, "This form expired; please try "
		    "again.", false);
	client = config_client_addr(ctx->cfg, ctx->arena, ctx->req.remote_addr,
	    req_header(&ctx->req, "x-forwarded-for"));
	rc = account_reset_request(ctx->db, ctx->arena, req_form(&ctx->req,
	    "email"), client, &token, &to, &retry);
	if (rc == ERR_INPUT)
		return render_forgot(ctx, 422, "Enter the email address you "
		    "log in with.", false);
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%d", retry));
		return render_forgot(ctx, 429, arena_printf(ctx->arena,
		    "Too many links were asked for this address or from this "
		    "network; wait %d minutes and try again.",
		    (retry + 59) / 60), false);
	}
	if (rc != ERR_OK)
		return rc;
	if (token != NULL) {
		m = arena_calloc(ctx->arena, 1, sizeof(*m));
		m->to = to;
		m->token = token;
		app_after(ctx, mail_reset_link, m);
	}
	return render_forgot(ctx, 200, NULL, true);
}

/* The new-password form of a reset link, or the page saying it is over. */
static enum err
render_reset(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);
	const char *token = route_capture(&ctx->match, "token"), *email, *pre;
	enum err rc;

	rc = account_reset_peek(ctx->db, ctx->arena, token, &email);
	if (rc != ERR_OK && rc != ERR_NOTFOUND)
		return rc;
	set(v, "title", "Set a new password");
	if (rc == ERR_NOTFOUND) {
		put_bool(v, "over", true);
		return app_render(ctx, 404, "pages/password_reset", v);
	}
	if ((rc = session_pre_new(&ctx->resp, ctx->cfg, app_https(ctx),
	    &pre)) != ERR_OK)
		return rc;
	set(v, "pre", pre);
	set(v, "email", email);
	set(v, "token", token);
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/password_reset", v);
}

static enum err
page_reset(struct ctx *ctx)
{
	return render_reset(ctx, 200, NULL);
}

static enum err
form_reset(struct ctx *ctx)
{
	const char *pw = req_form(&ctx->req, "password"), *again, *why;
	int64_t user;
	enum err rc;

	if (!session_pre_ok(&ctx->req, ctx->cfg, app_https(ctx),
	    req_form(&ctx->req, "pre")))
		return render_reset(ctx, 403, "This form expired; please try "
		    "again.");
	again = req_form(&ctx->req, "password2");
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0)
		return render_reset(ctx, 422, "The two passwords differ; type "
		    "the same one twice.");
	rc = account_reset_use(ctx->db, ctx->arena, route_capture(&ctx->match,
	    "token"), pw, &user, &why);
	if (rc == ERR_INPUT)
		return render_reset(ctx, 422, why);
	if (rc == ERR_NOTFOUND)
		return render_reset(ctx, 404, NULL);
	if (rc != ERR_OK)
		return rc;
	/* Whatever session this browser had is one of those ended. */
	if ((rc = session_clear_cookie(&ctx->resp, app_https(ctx))) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/login?msg=password_reset");
}

static enum err
form_logout(struct ctx *ctx)
{
	bool https = app_https(ctx);
	enum err rc;

	if ((rc = session_destroy(ctx->db, ctx->arena, req_cookie(&ctx->req,
	    session_cookie_name(https)))) != ERR_OK ||
	    (rc = session_clear_cookie(&ctx->resp, https)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/login");
}

static bool
can_edit(const struct ctx *ctx)
{
	return ctx->role != NULL && strcmp(ctx->role, "viewer") != 0;
}

static void
notice_from_query(struct ctx *ctx, struct json_object *v)
{
	const char *msg = req_query(&ctx->req, "msg");
	size_t i;

	if (req_query(&ctx->req, "connected") != NULL)
		msg = "connected";
	for (i = 0; msg != NULL && i < nitems(notices); i++)
		if (strcmp(msg, notices[i].key) == 0)
			flash(v, notices[i].kind, notices[i].text);
}

/* The workspace's open alerts as "alerts" (partials/alerts). */
static enum err
alerts_into(struct ctx *ctx, struct json_object *v)
{
	struct json_object *list;
	enum err rc;

	if ((rc = alerts_banner(ctx->db, ctx->arena, ctx->workspace_id,
	    &list)) != ERR_OK)
		return rc;
	json_object_object_add(v, "alerts", json_object_get(list));
	return ERR_OK;
}

/* The workspace's schedule (next sync, a stuck scheduler) as "schedule". */
static enum err
schedule_into(struct ctx *ctx, struct json_object *v)
{
	struct schedule_cfg sc;
	struct schedule_view sv;
	const char *why;
	enum err rc;

	if (schedule_cfg_load(ctx->arena, &sc, &why) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "%s", why);
	if ((rc = schedule_workspace(ctx->db, ctx->arena, &sc,
	    email_sending(ctx->cfg), ctx->workspace_id, &sv)) !=
	    ERR_OK)
		return rc;
	json_object_object_add(v, "schedule", json_object_get(
	    views_schedule(ctx->arena, &sv)));
	return ERR_OK;
}

/*
 * The cards of provider p (its connections among conns, or one card of
 * it never connected) into cards: each with "ref", its address (the slug
 * while it is p's only connection, else its id), and, once p is
 * connected, "can_add" for "Connect another login".  How many cards.
 */
static size_t
provider_cards(struct ctx *ctx, const struct provider *p,
    const struct connection *conns, size_t nc, struct json_object *cards)
{
	struct json_object *card;
	size_t j, mine = 0;

	for (j = 0; j < nc; j++)
		mine += strcmp(conns[j].provider, p->slug) == 0;
	if (mine == 0) {
		card = views_connection_card(ctx->arena, p, NULL, ctx->cfg,
		    can_edit(ctx));
		set(card, "ref", p->slug);
		json_object_array_add(cards, json_object_get(card));
		return 1;
	}
	for (j = 0; j < nc; j++) {
		if (strcmp(conns[j].provider, p->slug) != 0)
			continue;
		card = views_connection_card(ctx->arena, p, &conns[j],
		    ctx->cfg, can_edit(ctx));
		set(card, "ref", mine > 1 ? arena_printf(ctx->arena, "%lld",
		    (long long)conns[j].id) : p->slug);
		put_bool(card, "can_add", json_object_get_boolean(
		    json_object_object_get(card, "can_reconnect")));
		json_object_array_add(cards, json_object_get(card));
	}
	return mine;
}

static enum err
page_connections(struct ctx *ctx)
{
	struct json_object *v = app_view(ctx), *cards;
	const struct provider *const *all;
	struct connection *conns;
	size_t n, nc, i;
	enum err rc;

	if ((rc = connection_all(ctx->db, ctx->arena, ctx->workspace_id,
	    &conns, &nc)) != ERR_OK)
		return rc;
	all = provider_all(&n);
	cards = json_object_new_array();
	for (i = 0; i < n; i++)
		(void)provider_cards(ctx, all[i], conns, nc, cards);
	json_object_object_add(v, "cards", cards);
	if ((rc = schedule_into(ctx, v)) != ERR_OK ||
	    (rc = alerts_into(ctx, v)) != ERR_OK)
		return rc;
	set(v, "title", "Connections");
	notice_from_query(ctx, v);
	return app_render(ctx, 200, "pages/connections", v);
}

/*
 * A slug that names several connections (several logins of p): the
 * Connections page with only p's cards, each linking to its own.
 */
static enum err
page_choose(struct ctx *ctx, const struct provider *p)
{
	struct json_object *v = app_view(ctx), *cards;
	struct connection *conns;
	size_t nc, n;
	enum err rc;

	if ((rc = connection_all(ctx->db, ctx->arena, ctx->workspace_id,
	    &conns, &nc)) != ERR_OK)
		return rc;
	cards = json_object_new_array();
	n = provider_cards(ctx, p, conns, nc, cards);
	json_object_object_add(v, "cards", cards);
	set(v, "choose", arena_printf(ctx->arena, "%s is connected with %zu "
	    "logins here: choose one.", p->name, n));
	set(v, "title", p->name);
	return app_render(ctx, 200, "pages/connections", v);
}

/*
 * The connection the path names (:provider: a provider's slug, or a
 * connection's id) and its provider.  ERR_OK with *have false when a
 * slug names a provider never connected here; ERR_NOTFOUND (the message
 * set) for an unknown slug or an id that is not this workspace's;
 * ERR_CONFLICT, no message set, when a slug names several connections.
 */
static enum err
connection_arg(struct ctx *ctx, const struct provider **p,
    struct connection *c, bool *have)
{
	const char *ref = route_capture(&ctx->match, "provider");
	enum err rc;

	*have = false;
	if (connection_ref_is_id(ref)) {
		rc = connection_find(ctx->db, ctx->arena, ctx->workspace_id,
		    ref, c);
		if (rc == ERR_OK && (*p = provider_get(c->provider)) == NULL)
			rc = ERR_NOTFOUND;
		if (rc == ERR_NOTFOUND)
			return app_fail(ctx, rc, "There is no such connection "
			    "in this workspace.");
		*have = rc == ERR_OK;
		return rc;
	}
	if ((*p = provider_get(ref)) == NULL)
		return app_fail(ctx, ERR_NOTFOUND, "Sluice does not know that "
		    "provider.");
	rc = connection_find(ctx->db, ctx->arena, ctx->workspace_id, ref, c);
	*have = rc == ERR_OK;
	return rc == ERR_NOTFOUND ? ERR_OK : rc;
}

/* The words of a slug that names several connections, for a form. */
static enum err
several(struct ctx *ctx, const struct provider *p)
{
	return app_fail(ctx, ERR_CONFLICT, "%s is connected with several "
	    "logins here: open the one you mean from the Connections page.",
	    p->name);
}

/* A picker longer than this offers its filter (?q=). */
#define PICKER_FILTER_FROM	8

/* Whether needle (ASCII letters compared without case) is in hay. */
static bool
contains_nocase(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return true;
	}
	return n == 0;
}

/*
 * What an account's numbers are counted in, when its provider said: the
 * zone its days are (GA4, Google Ads, Meta Ads, Mailchimp) and its
 * currency, "Europe/Berlin, EUR"; "" when neither (the key is always set,
 * so that the template never finds the workspace's zone instead).
 */
static const char *
zone_note(struct arena *a, struct json_object *acc)
{
	const char *tz = NULL, *cur = NULL;

	(void)jsonx_get_string(acc, "time_zone", &tz);
	(void)jsonx_get_string(acc, "currency", &cur);
	if (tz != NULL && cur != NULL)
		return arena_printf(a, "%s, %s", tz, cur);
	return tz != NULL ? tz : cur != NULL ? cur : "";
}

/*
 * The picker: "accounts" with their selected flag, show_id (the id
 * when it is not the name already: GitHub's "owner/repo") and zone_note
 * (zone_note()), only those
 * whose name or id contains the filter q when one is given; "kept" the
 * selected ones the filter hides (hidden inputs, so saving a filtered
 * list keeps them); "filter" {q, note} for a long or filtered list.
 * Returns the number of accounts the connection has.
 */
static size_t
account_rows(struct ctx *ctx, struct json_object *v,
    const struct connection *c)
{
	struct json_object *accounts, *selected, *rows, *kept, *acc, *row, *f;
	const char *id, *name, *q = req_query(&ctx->req, "q");
	size_t i, j, n = 0;
	bool on;

	rows = json_object_new_array();
	kept = json_object_new_array();
	json_object_object_add(v, "accounts", rows);
	json_object_object_add(v, "kept", kept);
	if (q != NULL && *q == '\0')
		q = NULL;
	if (jsonx_parse(ctx->arena, c->accounts, strlen(c->accounts),
	    &accounts, NULL) != ERR_OK || jsonx_parse(ctx->arena,
	    c->selected, strlen(c->selected), &selected, NULL) != ERR_OK ||
	    !json_object_is_type(accounts, json_type_array) ||
	    !json_object_is_type(selected, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(accounts); i++) {
		acc = json_object_array_get_idx(accounts, i);
		if (jsonx_get_string(acc, "id", &id) != ERR_OK)
			continue;
		if (jsonx_get_string(acc, "name", &name) != ERR_OK)
			name = id;
		n++;
		for (on = false, j = 0; j < json_object_array_length(selected);
		    j++)
			on = on || strcmp(id, json_object_get_string(
			    json_object_array_get_idx(selected, j))) == 0;
		if (q != NULL && !contains_nocase(name, q) &&
		    !contains_nocase(id, q)) {
			if (on) {
				row = json_object_new_object();
				set(row, "id", id);
				json_object_array_add(kept, row);
			}
			continue;
		}
		row = json_object_get(acc);
		put_bool(row, "selected", on);
		put_bool(row, "show_id", strcmp(id, name) != 0);
		set(row, "zone_note", zone_note(ctx->arena, acc));
		json_object_array_add(rows, row);
	}
	if (q != NULL || n > PICKER_FILTER_FROM) {
		f = json_object_new_object();
		set(f, "q", q);
		set(f, "note", q == NULL ? arena_printf(ctx->arena, "%zu in "
		    "all.", n) : arena_printf(ctx->arena, "%zu of %zu match "
		    "\u201c%s\u201d; ticked ones not shown stay chosen.",
		    json_object_array_length(rows), n, q));
		json_object_object_add(v, "filter", f);
	}
	return n;
}

/* A run's status in words. */
static const char *
run_status_words(const char *status)
{
	static const struct {
		const char	*status, *words;
	} names[] = {
		{ "ok", "ok" },
		{ "partial", "partly failed" },
		{ "error", "failed" },
		{ "rate_limited", "paused by a rate limit" },
		{ "auth", "needs reconnecting" },
		{ "running", "running" },
	};
	size_t i;

	for (i = 0; status != NULL && i < nitems(names); i++)
		if (strcmp(names[i].status, status) == 0)
			return names[i].words;
	return status;
}

/* A run's numbers as people read them: separators, seconds, words. */
static void
run_view(struct ctx *ctx, struct json_object *run)
{
	struct arena *a = ctx->arena;
	const char *status = NULL;
	int64_t ms = -1, n;

	(void)jsonx_get_string(run, "status", &status);
	set(run, "status_words", run_status_words(status));
	if (jsonx_get_int64(run, "duration_ms", &ms) == ERR_OK && ms >= 0)
		set(run, "duration", views_duration(a, ms));
	if (jsonx_get_int64(run, "pages", &n) == ERR_OK)
		set(run, "pages_text", numfmt_value(a, (double)n,
		    "count", NULL));
	if (jsonx_get_int64(run, "rows_fetched", &n) == ERR_OK)
		set(run, "fetched_text", numfmt_value(a, (double)n,
		    "count", NULL));
	if (jsonx_get_int64(run, "rows_changed", &n) == ERR_OK)
		set(run, "changed_text", numfmt_value(a, (double)n,
		    "count", NULL));
}

/*
 * Sync history and the rows-per-day chart, from the history document;
 * what a running sync has done so far, and, on a page opened after a Sync
 * now (?msg=queued or sync_done) once it is over, what it came to.
 */
static void
history_view(struct ctx *ctx, const struct provider *p, struct json_object *v,
    const char *text)
{
	struct json_object *h, *runs, *daily, *counts, *accts, *rows, *chart;
	const char *msg = req_query(&ctx->req, "msg"), *live, *result;
	size_t i;
	bool any, failed, after;

	if (jsonx_parse(ctx->arena, text, strlen(text), &h, NULL) != ERR_OK)
		return;
	after = msg != NULL && (strcmp(msg, "queued") == 0 ||
	    strcmp(msg, "sync_done") == 0);
	views_sync_state(ctx->arena, p, h, after, &live, &result, &failed);
	set(v, "sync_live", live);
	if (result != NULL)
		flash(v, failed ? "error" : "notice", result);
	else if (live != NULL && after)	/* the live line says it */
		json_object_object_del(v, "flash");
	if (jsonx_get_array(h, "runs", &runs) == ERR_OK) {
		for (i = 0; i < json_object_array_length(runs); i++)
			run_view(ctx, json_object_array_get_idx(runs, i));
		json_object_object_add(v, "runs", json_object_get(runs));
		json_object_object_add(v, "has_runs", json_object_new_boolean(
		    json_object_array_length(runs) > 0));
	}
	if (jsonx_get_array(h, "daily", &daily) == ERR_OK &&
	    json_object_array_length(daily) > 0) {
		counts = jsonx_own(ctx->arena, json_object_new_array());
		for (any = false, i = 0; i < json_object_array_length(daily);
		    i++) {
			rows = json_object_object_get(
			    json_object_array_get_idx(daily, i), "rows");
			any = any || json_object_get_int64(rows) > 0;
			json_object_array_add(counts, json_object_get(rows));
		}
		/* No flat line before anything was synced: the empty
		 * state says so instead. */
		chart = views_chart(ctx->arena, any ? counts : NULL, NULL,
		    json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(daily, 0), "day")),
		    "Rows changed", "count", NULL);
		set(chart, "id", "chart-rows");
		set(chart, "empty", "No rows synced in the last 30 days yet: "
		    "the chart fills after the first sync.");
		json_object_object_add(v, "daily_chart",
		    json_object_get(chart));
	}
	if (jsonx_get_array(h, "accounts", &accts) == ERR_OK &&
	    json_object_array_length(accts) > 0) {
		json_object_object_add(v, "account_outcomes",
		    json_object_get(accts));
		json_object_object_add(v, "has_account_outcomes",
		    json_object_new_boolean(true));
	}
	json_object_object_add(v, "job", json_object_get(
	    json_object_object_get(h, "job")));
	json_object_object_add(v, "time_zone", json_object_get(
	    json_object_object_get(h, "time_zone")));
}

static enum err
page_connection(struct ctx *ctx)
{
	struct json_object *v = app_view(ctx), *card;
	const char *text, *ref = route_capture(&ctx->match, "provider");
	const struct provider *p;
	struct connection c;
	bool have;
	enum err rc;

	if ((rc = connection_arg(ctx, &p, &c, &have)) == ERR_CONFLICT)
		return page_choose(ctx, p);
	if (rc != ERR_OK)
		return rc;
	card = views_connection_card(ctx->arena, p, have ? &c : NULL,
	    ctx->cfg, can_edit(ctx));
	put_bool(card, "can_add", have && json_object_get_boolean(
	    json_object_object_get(card, "can_reconnect")));
	json_object_object_add(v, "card", json_object_get(card));
	if (have && strcmp(c.status, "disconnected") != 0 &&
	    account_rows(ctx, v, &c) > 0)
		put_bool(v, "has_accounts", true);
	else if (have && strcmp(c.status, "disconnected") != 0 &&
	    c.accounts != NULL && strcmp(c.accounts, "[]") == 0)
		/* Listed, and the login has none: say so, not nothing. */
		set(v, "no_accounts", arena_printf(ctx->arena, "%s lists no "
		    "%s for this login, so there is nothing to sync: give "
		    "this login access to one at %s, then Reconnect (Sluice "
		    "lists them again), or Reconnect as a login that has "
		    "one.", p->name,
		    p->accounts != NULL ? p->accounts : "accounts", p->name));
	notice_from_query(ctx, v);
	if (have && (rc = connection_history_json(ctx->db, ctx->arena,
	    ctx->workspace_id, c.id, &text)) == ERR_OK)
		history_view(ctx, p, v, text);
	json_object_object_add(v, "can_edit", json_object_new_boolean(
	    can_edit(ctx)));
	if ((rc = schedule_into(ctx, v)) != ERR_OK)
		return rc;
	set(v, "slug", p->slug);
	set(v, "ref", ref);
	set(v, "title", have && *c.owner_label != '\0' ? arena_printf(
	    ctx->arena, "%s — %s", p->name, c.owner_label) : p->name);
	return app_render(ctx, 200, "pages/connection", v);
}

/* The live connection the path names, or a clear error. */
static enum err
live_connection(struct ctx *ctx, const struct provider **p,
    struct connection *c)
{
	bool have;
	enum err rc;

	if ((rc = connection_arg(ctx, p, c, &have)) == ERR_CONFLICT)
		return several(ctx, *p);
	if (rc != ERR_OK)
		return rc;
	if (!have || !c->has_tokens)
		return app_fail(ctx, ERR_CONFLICT, "%s is not connected.",
		    (*p)->name);
	return ERR_OK;
}

/* Back to the connection's page, addressed as the form's path was. */
static const char *
back(struct ctx *ctx, const struct provider *p, const char *msg)
{
	(void)p;
	return arena_printf(ctx->arena, "/connections/%s?msg=%s",
	    route_capture(&ctx->match, "provider"), msg);
}

static enum err
form_accounts(struct ctx *ctx)
{
	struct json_object *sel = jsonx_own(ctx->arena,
	    json_object_new_array());
	const struct provider *p;
	struct connection c;
	size_t i;
	enum err rc;

	if ((rc = live_connection(ctx, &p, &c)) != ERR_OK)
		return rc;
	for (i = 0; i < ctx->req.form.n; i++)
		if (strcmp(ctx->req.form.v[i].name, "account") == 0)
			json_object_array_add(sel, json_object_new_string(
			    ctx->req.form.v[i].value));
	if ((rc = connection_select(ctx->db, ctx->arena, ctx->workspace_id,
	    c.id, jsonx_string(ctx->arena, sel))) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, back(ctx, p, "saved"));
}

static struct token_env
token_env(struct ctx *ctx)
{
	struct token_env env = { ctx->db, ctx->app->http, ctx->app->keys,
	    ctx->cfg };

	return env;
}

static enum err
form_test(struct ctx *ctx)
{
	struct token_env env = token_env(ctx);
	const struct provider *p;
	struct connection c;
	const char *why;
	enum err rc;

	if ((rc = live_connection(ctx, &p, &c)) != ERR_OK)
		return rc;
	rc = connect_test(&env, ctx->arena, p, &c, &why);
	return resp_redirect(&ctx->resp, 303, back(ctx, p, rc == ERR_OK ?
	    "tested" : "test_failed"));
}

/* JSON for the page's small polling script: the sync's state. */
static enum err
api_sync_status(struct ctx *ctx)
{
	const struct provider *p;
	struct connection c;
	struct json_object *h;
	const char *text, *live, *result;
	bool failed, have;
	enum err rc;

	if ((rc = connection_arg(ctx, &p, &c, &have)) == ERR_CONFLICT)
		return several(ctx, p);
	if (rc == ERR_OK && !have)
		return app_fail(ctx, ERR_NOTFOUND, "%s is not connected.",
		    p->name);
	if (rc != ERR_OK || (rc = connection_history_json(ctx->db, ctx->arena,
	    ctx->workspace_id, c.id, &text)) != ERR_OK)
		return rc;
	/* The words the page shows while it runs, made where the page's
	 * are. */
	if (jsonx_parse(ctx->arena, text, strlen(text), &h, NULL) == ERR_OK) {
		views_sync_state(ctx->arena, p, h, false, &live, &result,
		    &failed);
		set(h, "live", live);
		text = json_object_to_json_string_ext(h,
		    JSON_C_TO_STRING_PLAIN);
	}
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	return resp_body(&ctx->resp, 200, "application/json", text,
	    strlen(text));
}

static enum err
form_sync(struct ctx *ctx)
{
	const struct provider *p;
	struct connection c;
	int64_t job;
	bool created;
	enum err rc;

	if ((rc = live_connection(ctx, &p, &c)) != ERR_OK)
		return rc;
	rc = syncq_enqueue_now(ctx->db, ctx->arena, ctx->workspace_id, c.id,
	    &job, &created);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "%s must be connected before it can "
		    "sync.", p->name);
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, back(ctx, p, created ?
	    "queued" : "running"));
}

static enum err
form_disconnect(struct ctx *ctx)
{
	struct token_env env = token_env(ctx);
	const struct provider *p;
	struct connection c;
	const char *confirm, *note;
	enum connect_revoke rv;
	enum err rc;

	if ((rc = live_connection(ctx, &p, &c)) != ERR_OK)
		return rc;
	confirm = req_form(&ctx->req, "confirm");
	if (confirm == NULL || strcmp(confirm, "1") != 0)
		return app_fail(ctx, ERR_UNPROCESSABLE, "Tick the box to "
		    "confirm that %s should be disconnected.", p->name);
	if ((rc = connect_disconnect(&env, ctx->arena, p, &c,
	    req_form(&ctx->req, "delete_data") != NULL, &rv, &note)) !=
	    ERR_OK)
		return rc;
	(void)note;	/* in the log; the notice is a fixed text */
	return resp_redirect(&ctx->resp, 303, rv == CONNECT_REVOKE_FAILED ?
	    "/connections?msg=disconnected_unrevoked" :
	    rv == CONNECT_REVOKE_SHARED ?
	    "/connections?msg=disconnected_shared" :
	    "/connections?msg=disconnected");
}

/* A tile's place on the dashboard (dashboard_order). */
struct tile_place {
	const char	*name;		/* the provider's display name */
	bool		 custom;	/* an ingest source, not a provider */
	size_t		 i;		/* its place in the API's answer */
};

static int
tile_place_cmp(const void *x, const void *y)
{
	const struct tile_place *a = x, *b = y;
	int c;

	if (a->custom != b->custom)
		return a->custom ? 1 : -1;
	if ((c = strcasecmp(a->name, b->name)) != 0)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * The tiles document, parsed, with its tiles in the dashboard's order:
 * the providers Sluice knows by display name ("Facebook Pages" before
 * "GitHub"), then the ingest API's custom sources by name; each
 * provider's tiles keep their order.  The API's own order (by slug) is
 * unchanged; the document as it came when it has no tiles, NULL when it
 * cannot be read.  Arena-owned.
 */
static struct json_object *
dashboard_order(struct ctx *ctx, const char *text)
{
	struct json_object *doc, *tiles, *sorted, *t;
	const struct provider *p;
	struct tile_place *pl;
	const char *slug;
	size_t i, n;

	if (jsonx_parse(ctx->arena, text, strlen(text), &doc, NULL) !=
	    ERR_OK)
		return NULL;
	if (jsonx_get_array(doc, "tiles", &tiles) != ERR_OK)
		return doc;
	n = json_object_array_length(tiles);
	pl = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*pl));
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(tiles, i);
		if (jsonx_get_string(t, "provider", &slug) != ERR_OK)
			slug = "";
		p = provider_get(slug);
		pl[i].name = p != NULL ? p->name : slug;
		pl[i].custom = p == NULL;
		pl[i].i = i;
	}
	qsort(pl, n, sizeof(*pl), tile_place_cmp);
	sorted = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(sorted, json_object_get(
		    json_object_array_get_idx(tiles, pl[i].i)));
	json_object_object_add(doc, "tiles", sorted);
	return doc;
}

/*
 * The days the range form can pick: "range_min", the first day a range
 * may start (2000-01-01, tiles_range()), and "range_max", the last it may
 * end on: yesterday in the workspace's zone (today is not over).
 */
static enum err
dashboard_bounds(struct ctx *ctx, struct json_object *v)
{
	const char *last;
	enum err rc;

	if ((rc = account_yesterday(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &last)) != ERR_OK)
		return rc;
	set(v, "range_min", "2000-01-01");
	/* "YYYY-MM-DD (zone)": the day alone. */
	set(v, "range_max", arena_printf(ctx->arena, "%.10s", last));
	return ERR_OK;
}

/*
 * The dashboard again with what was wrong with the period or range asked
 * for, the range form holding what was typed (400).
 */
static enum err
dashboard_error(struct ctx *ctx, const char *from, const char *to,
    const char *why)
{
	struct json_object *v;
	enum err rc;

	v = views_dashboard(ctx->arena, "", "custom");
	if ((rc = dashboard_bounds(ctx, v)) != ERR_OK)
		return rc;
	set(v, "error", why);
	set(v, "range_from", from);
	set(v, "range_to", to);
	set(v, "title", "Dashboard");
	return app_render(ctx, 400, "pages/dashboard", v);
}

/* dashboard_error() for a range that ends today or later: the last day
 * it can end on, yesterday in the workspace's zone, named. */
static enum err
dashboard_future(struct ctx *ctx, const char *from, const char *to)
{
	const char *last;
	enum err rc;

	if ((rc = account_yesterday(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &last)) != ERR_OK)
		return rc;
	return dashboard_error(ctx, from, to, arena_printf(ctx->arena, "The "
	    "range must end on %s or earlier: yesterday in the workspace's "
	    "time zone (today is not over).", last));
}

static void	money_texts(struct ctx *, struct json_object *, const char *);

/*
 * Inquiries by the channel that brought them, over the dashboard's days
 * (lib/business/attribution.h), as "attribution" {channels[] with
 * inquiries, bookings and cost_per_inquiry_text; query (the same days on
 * the Attribution page)}; when none came in these days, {recent,
 * recent_text} when some came in the 28 days to today; else nothing.
 */
static enum err
attribution_into(struct ctx *ctx, struct json_object *v)
{
	struct json_object *doc, *list, *c, *shown, *o;
	const char *from = jsonx_str(v, "from"), *to = jsonx_str(v, "to");
	const char *json;
	int64_t in_days, recent;
	size_t i, n;
	enum err rc;

	if (from == NULL || to == NULL)
		return ERR_OK;
	/* Two counts first: with no inquiry in these days (most
	 * workspaces) the report has nothing to show; those of the 28 days
	 * to today are said instead, so that one of today is not missed. */
	if ((rc = views_inquiries_counted(ctx, from, to, &in_days,
	    &recent)) != ERR_OK)
		return rc;
	if (in_days == 0) {
		views_attribution_recent(ctx->arena, v, recent);
		return ERR_OK;
	}
	if ((rc = attribution_report_json(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, from, to, &json)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, json, strlen(json), &doc, NULL) !=
	    ERR_OK || (list = jsonx_member(doc, "channels")) == NULL)
		return ERR_OK;
	shown = jsonx_own(ctx->arena, json_object_new_array());
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(list, i);
		if (json_object_get_int64(jsonx_member(c, "inquiries")) <= 0)
			continue;
		money_texts(ctx, c, "cost_per_inquiry");
		json_object_array_add(shown, json_object_get(c));
	}
	/* None after all (a read replica behind the primary's count). */
	if (json_object_array_length(shown) == 0) {
		views_attribution_recent(ctx->arena, v, recent);
		return ERR_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "channels", json_object_get(shown));
	set(o, "query", arena_printf(ctx->arena, "from=%s&to=%s", from, to));
	json_object_object_add(v, "attribution", o);
	return ERR_OK;
}

/* A count for the pages, "–" when unknown (null). */
static const char *
count_text(struct ctx *ctx, struct json_object *o, const char *k)
{
	struct json_object *n = jsonx_member(o, k);

	return n == NULL || json_object_is_type(n, json_type_null) ? "\xe2\x80"
	    "\x93" : numfmt_value(ctx->arena, json_object_get_double(n),
	    "count", NULL);
}

/* Top content's items, as the template draws them. */
static void
content_items(struct ctx *ctx, struct json_object *list)
{
	static const char *const k[] = { "engagement", "views", "reach",
	    "likes", "comments", "shares", "saves" };
	const struct provider *p;
	struct json_object *it;
	size_t i, j;

	for (i = 0; list != NULL && i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		for (j = 0; j < nitems(k); j++)
			set(it, arena_printf(ctx->arena, "%s_text", k[j]),
			    count_text(ctx, it, k[j]));
		p = provider_get(jsonx_str(it, "provider"));
		set(it, "provider_name", p != NULL ? p->name :
		    jsonx_str(it, "provider"));
		/* A link only to a web page (a source's odd value is text). */
		if (jsonx_str(it, "permalink") != NULL &&
		    strncmp(jsonx_str(it, "permalink"), "https://", 8) != 0)
			json_object_object_del(it, "permalink");
	}
}

/*
 * Top content of the dashboard's days (lib/metrics/content.h), by
 * engagement, overall and per provider, as "content" {overall[],
 * providers[] {name, items[]}}; when none of those days has numbers, an
 * empty state when a source that keeps content is connected (of the
 * workspace's connections conns[0..n), which the page has read already);
 * nothing otherwise.
 */
static enum err
content_into(struct ctx *ctx, struct json_object *v,
    const struct connection *conns, size_t n)
{
	struct json_object *doc, *o, *list, *pr;
	struct db *rd = app_read_db(ctx);
	const char *from = jsonx_str(v, "from"), *to = jsonx_str(v, "to");
	const char *json;
	const struct provider *p;
	size_t i;
	bool keeping;
	enum err rc;

	if (from == NULL || to == NULL)
		return ERR_OK;
	if ((rc = content_top_json(rd, ctx->arena, ctx->workspace_id,
	    from, to, 5, &json)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, json, strlen(json), &doc, NULL) != ERR_OK)
		return ERR_DB;
	list = jsonx_member(doc, "overall");
	if (list == NULL || json_object_array_length(list) == 0) {
		/* A live source whose fetch keeps content (its provider
		 * file's flag): say none is in these days yet. */
		for (i = 0, keeping = false; i < n; i++)
			keeping |= (p = provider_get(conns[i].provider)) !=
			    NULL && p->content && strcmp(conns[i].status,
			    "disconnected") != 0;
		if (!keeping)
			return ERR_OK;
		o = json_object_new_object();
		json_object_object_add(o, "empty", json_object_new_boolean(1));
		json_object_object_add(v, "content", o);
		return ERR_OK;
	}
	content_items(ctx, list);
	list = jsonx_member(doc, "providers");
	for (i = 0; list != NULL && i < json_object_array_length(list); i++) {
		pr = json_object_array_get_idx(list, i);
		content_items(ctx, jsonx_member(pr, "items"));
		p = provider_get(jsonx_str(pr, "provider"));
		set(pr, "name", p != NULL ? p->name : jsonx_str(pr,
		    "provider"));
	}
	json_object_object_add(v, "content", json_object_get(doc));
	return ERR_OK;
}

static enum err
page_dashboard(struct ctx *ctx)
{
	const char *period = req_query(&ctx->req, "period"), *tiles, *why;
	const char *from = req_query(&ctx->req, "from");
	const char *to = req_query(&ctx->req, "to"), *status;
	struct connection *conns;
	struct json_object *v, *reviews;
	size_t i, n, live = 0;
	int days;
	enum err rc;

	if (from != NULL && *from == '\0' && to != NULL && *to == '\0')
		from = to = NULL;	/* the range form sent empty */
	if (period != NULL && (from != NULL || to != NULL))
		return dashboard_error(ctx, from, to, "Pick a period (7, 28 "
		    "or 90 days) or a range of days; not both.");
	if (from != NULL || to != NULL) {
		tiles_range(ctx->arena, from, to, &days, &why);
		if (why != NULL)
			return dashboard_error(ctx, from, to, arena_printf(
			    ctx->arena, "The range: %s.", why));
		period = "custom";
	} else {
		if (period == NULL)
			period = "28d";
		if ((days = tiles_period(period)) == 0)
			return dashboard_error(ctx, NULL, NULL, "The period "
			    "must be 7d, 28d or 90d.");
	}
	rc = tiles_json(app_read_db(ctx), ctx->arena, ctx->workspace_id,
	    days, from != NULL ? to : NULL, NULL, req_no_cache(&ctx->req),
	    &tiles);
	if (rc == ERR_UNPROCESSABLE)
		return dashboard_future(ctx, from, to);
	if (rc != ERR_OK)
		return rc;
	v = views_dashboard_doc(ctx->arena, dashboard_order(ctx, tiles),
	    period);
	if ((rc = dashboard_bounds(ctx, v)) != ERR_OK)
		return rc;
	/* Every connected source, also one without numbers in these days,
	 * and the zones its days follow. */
	if ((rc = connection_all(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &conns, &n)) != ERR_OK ||
	    (rc = syncq_status_ws_json(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &status)) != ERR_OK)
		return rc;
	/* Running totals stated as of the last sync only, dated. */
	if ((rc = views_dashboard_latest(ctx, v)) != ERR_OK)
		return rc;
	views_dashboard_sources(ctx->arena, v, conns, n, status);
	/* Nothing in these days: say whether sources are connected. */
	if (!json_object_get_boolean(json_object_object_get(v, "has_tiles"))) {
		for (i = 0; i < n; i++)
			live += strcmp(conns[i].status, "disconnected") != 0;
		if (live > 0)
			set(v, "connected", arena_printf(ctx->arena, "%zu "
			    "source%s connected", live, live == 1 ? " is" :
			    "s are"));
	}
	if ((rc = alerts_into(ctx, v)) != ERR_OK)
		return rc;
	/* The kept reviews and the rating's trend (lib/views/views.h). */
	if ((rc = views_reviews(ctx, days, &reviews)) != ERR_OK)
		return rc;
	if (reviews != NULL)
		json_object_object_add(v, "reviews", json_object_get(reviews));
	if ((rc = content_into(ctx, v, conns, n)) != ERR_OK)
		return rc;
	if ((rc = attribution_into(ctx, v)) != ERR_OK)
		return rc;
	set(v, "title", "Dashboard");
	return app_render(ctx, 200, "pages/dashboard", v);
}

/*
 * The dashboard's days as a CSV download (lib/metrics/export.h): every
 * source's rows, one per account and day, of the period or range the
 * dashboard shows; a bad one gives the dashboard again with the reason.
 */
static enum err
page_dashboard_csv(struct ctx *ctx)
{
	const char *period = req_query(&ctx->req, "period"), *why;
	const char *from = req_query(&ctx->req, "from");
	const char *to = req_query(&ctx->req, "to");
	struct export_query q;
	int days = 28;
	enum err rc;

	if (from != NULL || to != NULL) {
		tiles_range(ctx->arena, from, to, &days, &why);
		if (why != NULL)
			return dashboard_error(ctx, from, to, arena_printf(
			    ctx->arena, "The range: %s.", why));
	} else if (period != NULL && (days = tiles_period(period)) == 0)
		return dashboard_error(ctx, NULL, NULL, "The period must be "
		    "7d, 28d or 90d.");
	export_query_days(&q, days, from, to, NULL);
	q.latest = true;	/* the dated tiles the page shows, too */
	if ((rc = views_download(ctx, &q)) == ERR_UNPROCESSABLE)
		return dashboard_future(ctx, from, to);
	return rc;
}

/* One source's last 90 days as a CSV download, each account's rows. */
static enum err
page_connection_csv(struct ctx *ctx)
{
	const struct provider *p;
	struct export_query q;
	struct json_object *sel;
	struct connection c;
	size_t i;
	bool have;
	enum err rc;

	if ((rc = connection_arg(ctx, &p, &c, &have)) == ERR_CONFLICT)
		return several(ctx, p);
	if (rc != ERR_OK)
		return rc;
	if (!have)
		return app_fail(ctx, ERR_NOTFOUND, "%s was never connected "
		    "here: there is nothing of it to download.", p->name);
	export_query_days(&q, 90, NULL, NULL, p->slug);
	/* Another login of the provider: this one's accounts only (the
	 * rows of an account two logins select are the same rows). */
	if (strcmp(connection_ref(ctx->db, ctx->arena, ctx->workspace_id,
	    p->slug, c.id), p->slug) != 0 && jsonx_parse(ctx->arena,
	    c.selected, strlen(c.selected), &sel, NULL) == ERR_OK &&
	    json_object_is_type(sel, json_type_array)) {
		for (i = 0; i < json_object_array_length(sel) &&
		    q.naccounts < EXPORT_MAX_NAMES; i++)
			q.accounts[q.naccounts++] = json_object_get_string(
			    json_object_array_get_idx(sel, i));
		if (q.naccounts == 0)	/* none chosen: nothing of it */
			q.accounts[q.naccounts++] = "\x01";
	}
	return views_download(ctx, &q);
}

/* Parses a JSON array text from the database into the view under key. */
static struct json_object *
add_json(struct ctx *ctx, struct json_object *v, const char *key,
    const char *text)
{
	struct json_object *o = NULL;

	if (text != NULL && jsonx_parse(ctx->arena, text, strlen(text), &o,
	    NULL) == ERR_OK)
		json_object_object_add(v, key, json_object_get(o));
	return o;
}

/*
 * The members' rows: is_me (and the view's me_digest), the role as
 * flags for the role form, and can_manage: an owner or admin may change
 * or remove a member, an owner only if they are an owner too, and the
 * only owner never.
 */
static void
member_rows(struct ctx *ctx, struct json_object *v,
    struct json_object *members)
{
	struct json_object *m;
	const char *role;
	size_t i, n, owners = 0;
	int64_t uid;
	bool owner;

	n = members != NULL ? json_object_array_length(members) : 0;
	for (i = 0; i < n; i++)
		if (jsonx_get_string(json_object_array_get_idx(members, i),
		    "role", &role) == ERR_OK && strcmp(role, "owner") == 0)
			owners++;
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(members, i);
		if (jsonx_get_int64(m, "user_id", &uid) != ERR_OK ||
		    jsonx_get_string(m, "role", &role) != ERR_OK)
			continue;
		owner = strcmp(role, "owner") == 0;
		put_bool(m, "is_me", uid == ctx->session->user_id);
		put_bool(m, "is_owner_role", owner);
		put_bool(m, "is_admin_role", strcmp(role, "admin") == 0);
		put_bool(m, "is_viewer_role", strcmp(role, "viewer") == 0);
		put_bool(m, "can_manage", can_edit(ctx) && (!owner ||
		    (strcmp(ctx->role, "owner") == 0 && owners > 1)));
		if (uid == ctx->session->user_id)
			json_object_object_add(v, "me_digest", json_object_get(
			    json_object_object_get(m, "digest")));
	}
}

/*
 * Settings' "Direct SQL" view (admins): {available, database, port,
 * host, tcp, logins[], has_logins, new_login}; new_login (or NULL) is
 * a login just made, its password shown this once.
 */
static enum err
sql_logins_into(struct ctx *ctx, struct json_object *v,
    struct json_object *new_login)
{
	struct json_object *r = json_object_new_object();
	const char *dbname, *port, *listen, *text;
	bool available;
	enum err rc;

	json_object_object_add(v, "reporting", r);
	if (new_login != NULL)
		json_object_object_add(r, "new_login", new_login);
	if ((rc = reporting_status(ctx->db, ctx->arena, &available, &dbname,
	    &port, &listen)) != ERR_OK)
		return rc;
	put_bool(r, "available", available);
	set(r, "database", dbname);
	set(r, "port", port);
	put_bool(r, "tcp", *listen != '\0');
	set(r, "host", strchr(listen, '*') != NULL || strstr(listen,
	    "0.0.0.0") != NULL ? "this server's address" : listen);
	if ((rc = reporting_logins_json(ctx->db, ctx->arena,
	    ctx->workspace_id, &text)) != ERR_OK)
		return rc;
	put_bool(r, "has_logins", strcmp(text, "[]") != 0);
	add_json(ctx, r, "logins", text);
	return ERR_OK;
}

/* The member's digests as the form's choice: digest_cadence {weekly,
 * monthly, both, none}, one of them true. */
static enum err
digest_choice_into(struct ctx *ctx, struct json_object *v)
{
	struct digest_env e = { ctx->db, ctx->arena, ctx->cfg,
	    ctx->app->tmpl, ctx->app->http };
	struct json_object *c;
	bool weekly, monthly;
	enum err rc;

	if ((rc = digest_preferences(&e, ctx->workspace_id,
	    ctx->session->email, &weekly, &monthly)) != ERR_OK)
		return rc;
	c = json_object_new_object();
	put_bool(c, "weekly", weekly && !monthly);
	put_bool(c, "monthly", monthly && !weekly);
	put_bool(c, "both", weekly && monthly);
	put_bool(c, "none", !weekly && !monthly);
	json_object_object_add(v, "digest_cadence", c);
	return ERR_OK;
}

static enum err
render_settings_with(struct ctx *ctx, int status, const char *new_key,
    const char *invite_link, const char *error, struct json_object *login)
{
	struct json_object *v = app_view(ctx), *members, *wss, *w;
	const char *text;
	bool on = false;
	int64_t wid;
	size_t i;
	enum err rc;

	if ((rc = account_members_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &text)) != ERR_OK)
		return rc;
	members = add_json(ctx, v, "members", text);
	member_rows(ctx, v, members);
	/* Without a Resend key no email goes out: the digest and alert
	 * choices say so. */
	put_bool(v, "mails", email_sending(ctx->cfg));
	put_bool(v, "mail_files", *ctx->cfg->resend_api_key == '\0' &&
	    email_sending(ctx->cfg));
	if (can_edit(ctx)) {
		if ((rc = account_invites_json(ctx->db, ctx->arena,
		    ctx->workspace_id, &text)) != ERR_OK)
			return rc;
		json_object_object_add(v, "has_invites",
		    json_object_new_boolean(strcmp(text, "[]") != 0));
		add_json(ctx, v, "invites", text);
		if ((rc = account_time_zones(ctx->db, ctx->arena, &text)) !=
		    ERR_OK)
			return rc;
		add_json(ctx, v, "zones", text);
		if ((rc = sql_logins_into(ctx, v, login)) != ERR_OK)
			return rc;
	}
	if ((rc = apikey_list_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &text)) != ERR_OK)
		return rc;
	json_object_object_add(v, "has_keys", json_object_new_boolean(
	    strcmp(text, "[]") != 0));
	add_json(ctx, v, "keys", text);
	if ((rc = account_workspaces_json(ctx->db, ctx->arena,
	    ctx->session->user_id, &text)) != ERR_OK)
		return rc;
	wss = add_json(ctx, v, "workspaces", text);
	for (i = 0; wss != NULL && i < json_object_array_length(wss); i++) {
		w = json_object_array_get_idx(wss, i);
		if (jsonx_get_int64(w, "id", &wid) != ERR_OK)
			continue;
		json_object_object_add(w, "current",
		    json_object_new_boolean(wid == ctx->workspace_id));
		if (wid == ctx->workspace_id)
			json_object_object_add(v, "time_zone", json_object_get(
			    json_object_object_get(w, "time_zone")));
	}
	if ((rc = schedule_into(ctx, v)) != ERR_OK)
		return rc;
	if ((rc = digest_choice_into(ctx, v)) != ERR_OK)
		return rc;
	if (can_edit(ctx)) {
		if ((rc = alerts_optin(ctx->db, ctx->arena, ctx->workspace_id,
		    ctx->session->user_id, &on)) != ERR_OK &&
		    rc != ERR_NOTFOUND)
			return rc;
		put_bool(v, "me_alerts", on);
	}
	set(v, "new_key", new_key);
	set(v, "invite_link", invite_link);
	if (error != NULL)
		flash(v, "error", error);
	else
		notice_from_query(ctx, v);
	set(v, "title", "Settings");
	return app_render(ctx, status, "pages/settings", v);
}

static enum err
render_settings(struct ctx *ctx, int status, const char *new_key,
    const char *invite_link, const char *error)
{
	return render_settings_with(ctx, status, new_key, invite_link, error,
	    NULL);
}

static enum err
page_settings(struct ctx *ctx)
{
	return render_settings(ctx, 200, NULL, NULL, NULL);
}

static enum err
form_invite(struct ctx *ctx)
{
	const char *token;
	enum err rc;

	rc = account_invite(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->session->user_id, req_form(&ctx->req, "email"),
	    req_form(&ctx->req, "role"), &token);
	if (rc == ERR_INPUT)
		return render_settings(ctx, 422, NULL, NULL, "Enter a valid "
		    "email and a role (admin or viewer).");
	if (rc == ERR_CONFLICT)
		return render_settings(ctx, 409, NULL, NULL, "That person is "
		    "already a member of this workspace.");
	if (rc != ERR_OK)
		return rc;
	return render_settings(ctx, 200, NULL, arena_printf(ctx->arena,
	    "%s/invite/%s", ctx->cfg->base_url, token), NULL);
}

/* Whether the form's confirm field says yes ("1"). */
static bool
confirmed(struct ctx *ctx)
{
	const char *c = req_form(&ctx->req, "confirm");

	return c != NULL && strcmp(c, "1") == 0;
}

/* A numeric id captured from the path, or 0. */
static int64_t
capture_id(struct ctx *ctx, const char *name)
{
	const char *s = route_capture(&ctx->match, name);
	char *end;
	long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	n = strtoll(s, &end, 10);
	return *end == '\0' && n > 0 ? n : 0;
}

/* The result of a change to a member: the page for a refused one. */
static enum err
member_change_done(struct ctx *ctx, enum err rc, const char *why)
{
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "No such member of this workspace.");
	if (rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_INPUT)
		return render_settings(ctx, rc == ERR_FORBIDDEN ? 403 :
		    rc == ERR_CONFLICT ? 409 : 422, NULL, NULL, why);
	return rc;
}

/* Removes a member: their sessions here end, their keys here are revoked
 * (lib/tenancy/account.h).  One's own membership too: then to /login. */
static enum err
form_member_remove(struct ctx *ctx)
{
	int64_t user = capture_id(ctx, "user");
	const char *why = NULL;
	enum err rc;

	if (user == 0)
		return app_fail(ctx, ERR_NOTFOUND, "No such member of this "
		    "workspace.");
	rc = account_member_remove(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->role, user, &why);
	if (rc != ERR_OK)
		return member_change_done(ctx, rc, why);
	if (user == ctx->session->user_id) {
		(void)session_clear_cookie(&ctx->resp, app_https(ctx));
		return resp_redirect(&ctx->resp, 303, "/login");
	}
	return resp_redirect(&ctx->resp, 303, "/settings?msg=member_removed");
}

static enum err
form_member_role(struct ctx *ctx)
{
	int64_t user = capture_id(ctx, "user");
	const char *why = NULL;
	enum err rc;

	if (user == 0)
		return app_fail(ctx, ERR_NOTFOUND, "No such member of this "
		    "workspace.");
	rc = account_member_role(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->role, user, req_form(&ctx->req, "role"), &why);
	if (rc != ERR_OK)
		return member_change_done(ctx, rc, why);
	return resp_redirect(&ctx->resp, 303, "/settings?msg=role");
}

static enum err
form_invite_revoke(struct ctx *ctx)
{
	int64_t id = capture_id(ctx, "invite");
	enum err rc;

	if (!confirmed(ctx))
		return render_settings(ctx, 422, NULL, NULL, "Confirm that "
		    "the invitation should be revoked: open Revoke… and "
		    "press Yes, revoke.");
	rc = id == 0 ? ERR_NOTFOUND : account_invite_revoke(ctx->db,
	    ctx->arena, ctx->workspace_id, id);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "No such pending invitation: it may "
		    "be used, expired or revoked already.");
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=invite_revoked");
}

static enum err
render_password(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);

	set(v, "title", "Change password");
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/settings_password", v);
}

static enum err
page_password(struct ctx *ctx)
{
	return render_password(ctx, 200, NULL);
}

/*
 * Changing one's own password: the session and its CSRF token, the
 * current password (an attempt of the login throttle, like a login, so a
 * stolen session cannot guess it), the new one twice.  The route is
 * outside the workspace's scope (no ROUTE_SESSION): users is not the
 * request role's to write (sql/100_access.sql) and the user's other
 * sessions, which end, may be in any workspace.
 */
static enum err
form_password(struct ctx *ctx)
{
	const char *cur = req_form(&ctx->req, "current_password"),
	    *pw = req_form(&ctx->req, "new_password"),
	    *again = req_form(&ctx->req, "new_password_again"), *why = NULL,
	    *addr;
	int retry = 0;
	enum err rc;

	if ((rc = app_session(ctx)) == ERR_AUTH)
		return app_fail(ctx, rc, "Please log in first.");
	if (rc != ERR_OK)
		return rc;
	if (!session_csrf_ok(ctx->session, req_form(&ctx->req, "csrf"))) {
		ctx->form_expired = true;
		return app_fail(ctx, ERR_FORBIDDEN, "This form has expired or "
		    "did not come from this site; reload the page and try "
		    "again.");
	}
	if (cur == NULL || pw == NULL || again == NULL)
		return render_password(ctx, 422, "Enter your current password "
		    "and the new one twice.");
	if (strcmp(pw, again) != 0)
		return render_password(ctx, 422, "The two new passwords "
		    "differ; type the same one twice.");
	addr = config_client_addr(ctx->cfg, ctx->arena, ctx->req.remote_addr,
	    req_header(&ctx->req, "x-forwarded-for"));
	rc = session_login_take(ctx->db, ctx->arena, ctx->session->email, addr,
	    &retry);
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%d", retry));
		return render_password(ctx, 429, arena_printf(ctx->arena,
		    "Too many wrong passwords for this account; wait %d "
		    "minutes and try again.", (retry + 59) / 60));
	}
	if (rc != ERR_OK)
		return rc;
	rc = account_password_change(ctx->db, ctx->arena,
	    ctx->session->user_id, cur, pw, ctx->session->id_hash, &why);
	if (rc == ERR_AUTH)
		return render_password(ctx, 403, "That is not your current "
		    "password.");
	(void)session_login_refund(ctx->db, ctx->arena, ctx->session->email,
	    addr);
	if (rc == ERR_INPUT)
		return render_password(ctx, 422, why);
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=password");
}

static enum err
form_key_create(struct ctx *ctx)
{
	const char *key, *name = req_form(&ctx->req, "name"),
	    *role = req_form(&ctx->req, "role"), *why;
	int64_t id;
	enum err rc;

	if (name != NULL && (why = account_name_problem(name,
	    LIMIT_KEY_NAME)) != NULL)
		return render_settings(ctx, 422, NULL, NULL, arena_printf(
		    ctx->arena, "Key name: %s", why));
	/* Least privilege: a key is read-only unless asked otherwise. */
	rc = apikey_create(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->session->user_id, name != NULL ? name : "", role != NULL ?
	    role : "viewer", &key, &id);
	if (rc == ERR_INPUT)
		return render_settings(ctx, 422, NULL, NULL, "Give the key a "
		    "name of up to 100 characters and a role.");
	if (rc != ERR_OK)
		return rc;
	return render_settings(ctx, 200, key, NULL, NULL);
}

static enum err
form_key_revoke(struct ctx *ctx)
{
	const char *id = route_capture(&ctx->match, "id");
	char *end;
	long long n = strtoll(id, &end, 10);
	enum err rc;

	if (*end != '\0' || n <= 0)
		return app_fail(ctx, ERR_NOTFOUND, "No such key.");
	if (!confirmed(ctx))
		return render_settings(ctx, 422, NULL, NULL, "Confirm that "
		    "the key should be revoked: open Revoke… and press Yes, "
		    "revoke.");
	rc = apikey_revoke(ctx->db, ctx->arena, ctx->workspace_id, n);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "No such key, or it is revoked "
		    "already.");
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=revoked");
}

/* A read-only SQL login for BI tools; its password is shown once. */
static enum err
form_sql_login(struct ctx *ctx)
{
	struct json_object *login;
	const char *role, *password, *why = NULL;
	enum err rc;

	rc = reporting_login_create(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->session->user_id, req_form(&ctx->req, "name"), &role,
	    &password, &why);
	if (rc == ERR_INPUT || rc == ERR_CONFLICT || rc == ERR_UNAVAILABLE)
		return render_settings(ctx, rc == ERR_INPUT ? 422 : rc ==
		    ERR_CONFLICT ? 409 : 503, NULL, NULL, why);
	if (rc != ERR_OK)
		return rc;
	login = json_object_new_object();
	set(login, "role", role);
	set(login, "password", password);
	return render_settings_with(ctx, 200, NULL, NULL, NULL, login);
}

static enum err
form_sql_login_revoke(struct ctx *ctx)
{
	const char *role = req_form(&ctx->req, "login");
	enum err rc;

	if (role == NULL || *role == '\0')
		return app_fail(ctx, ERR_NOTFOUND, "No such SQL login.");
	if (!confirmed(ctx))
		return render_settings(ctx, 422, NULL, NULL, "Confirm that "
		    "the SQL login should be revoked: open Revoke… and press "
		    "Yes, revoke.");
	rc = reporting_login_revoke(ctx->db, ctx->arena, ctx->workspace_id,
	    role);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "No such SQL login, or it is revoked "
		    "already.");
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303,
	    "/settings?msg=sql_login_revoked");
}

/*
 * The member's digests: cadence weekly, monthly, both or none (the form's
 * select); without it, the older form's "subscribed" box (weekly or
 * none, the monthly choice kept).
 */
static enum err
form_digest(struct ctx *ctx)
{
	struct digest_env e = { ctx->db, ctx->arena, ctx->cfg,
	    ctx->app->tmpl, ctx->app->http };
	const char *cadence = req_form(&ctx->req, "cadence");
	bool weekly, monthly;
	enum err rc;

	if ((rc = digest_preferences(&e, ctx->workspace_id,
	    ctx->session->email, &weekly, &monthly)) != ERR_OK)
		return rc;
	if (cadence == NULL)
		weekly = req_form(&ctx->req, "subscribed") != NULL;
	else if (strcmp(cadence, "weekly") == 0 ||
	    strcmp(cadence, "monthly") == 0 || strcmp(cadence, "both") == 0 ||
	    strcmp(cadence, "none") == 0) {
		weekly = strcmp(cadence, "weekly") == 0 ||
		    strcmp(cadence, "both") == 0;
		monthly = strcmp(cadence, "monthly") == 0 ||
		    strcmp(cadence, "both") == 0;
	} else
		return render_settings(ctx, 422, NULL, NULL, "Choose weekly, "
		    "monthly, both or none.");
	if ((rc = digest_set_preferences(&e, ctx->workspace_id,
	    ctx->session->email, weekly, monthly)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, weekly && monthly ?
	    "/settings?msg=digest_both" : monthly ?
	    "/settings?msg=digest_monthly" : weekly ?
	    "/settings?msg=digest_on" : "/settings?msg=digest_off");
}

/* "Email me when a source needs attention": the admin's own choice. */
static enum err
form_alerts(struct ctx *ctx)
{
	bool on = req_form(&ctx->req, "alerts") != NULL;
	enum err rc;

	if ((rc = alerts_set_optin(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->session->user_id, on)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, on ? "/settings?msg=alerts_on" :
	    "/settings?msg=alerts_off");
}

static enum err
form_delete_data(struct ctx *ctx)
{
	const char *confirm = req_form(&ctx->req, "confirm");
	enum err rc;

	if (confirm == NULL || strcmp(confirm, "1") != 0)
		return render_settings(ctx, 422, NULL, NULL, "Tick the box to "
		    "confirm that the synced data should be deleted.");
	if ((rc = account_delete_data(ctx->db, ctx->arena,
	    ctx->workspace_id)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=deleted");
}

static enum err
form_time_zone(struct ctx *ctx)
{
	const char *tz = req_form(&ctx->req, "time_zone");
	enum err rc;

	rc = account_set_time_zone(ctx->db, ctx->arena, ctx->workspace_id, tz);
	if (rc == ERR_INPUT)
		return render_settings(ctx, 422, NULL, NULL, "Unknown time "
		    "zone: use a name like Europe/Paris, America/New_York or "
		    "UTC.");
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=time_zone");
}

/* sync_hour: "" (the default) or 0..23, in the workspace's zone. */
static enum err
form_schedule(struct ctx *ctx)
{
	const char *h = req_form(&ctx->req, "sync_hour");
	char *end;
	long hour = -1;
	enum err rc;

	if (h != NULL && *h != '\0') {
		hour = strtol(h, &end, 10);
		if (*end != '\0' || hour < 0 || hour > 23)
			return render_settings(ctx, 422, NULL, NULL, "Choose "
			    "the sync hour from the list (00:00 to 23:00), or "
			    "the default.");
	}
	rc = schedule_set_hour(ctx->db, ctx->arena, ctx->workspace_id,
	    (int)hour);
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/settings?msg=schedule");
}

static enum err
form_switch(struct ctx *ctx)
{
	const char *ws = req_form(&ctx->req, "workspace");
	char *end;
	long long n = ws != NULL ? strtoll(ws, &end, 10) : 0;
	enum err rc;

	if (n <= 0 || *end != '\0')
		return app_fail(ctx, ERR_INPUT, "Choose a workspace.");
	rc = session_switch(ctx->db, ctx->arena, ctx->session, n);
	if (rc == ERR_FORBIDDEN)
		return app_fail(ctx, rc, "You are not a member of that "
		    "workspace.");
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/dashboard");
}

/* A new workspace, its creator its owner; the session moves to it. */
static enum err
form_workspace_create(struct ctx *ctx)
{
	const char *why = NULL;
	int64_t id;
	enum err rc;

	rc = account_workspace_create(ctx->db, ctx->arena, req_form(&ctx->req,
	    "name"), &id, &why);
	if (rc == ERR_INPUT)
		return render_settings(ctx, 422, NULL, NULL, arena_printf(
		    ctx->arena, "New workspace: %s Use up to %d characters.",
		    why, LIMIT_WORKSPACE_NAME));
	if (rc == ERR_CONFLICT)
		return render_settings(ctx, 409, NULL, NULL, arena_printf(
		    ctx->arena, "You own %d workspaces already, the most one "
		    "person may create.", LIMIT_WORKSPACES_OWNED));
	if (rc != ERR_OK)
		return rc;
	if ((rc = session_switch(ctx->db, ctx->arena, ctx->session, id)) !=
	    ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303,
	    "/connections?msg=workspace_created");
}

static enum err
render_invite(struct ctx *ctx, int status, const char *error)
{
	const char *token = route_capture(&ctx->match, "token"), *name, *email,
	    *pre;
	struct json_object *v = app_view(ctx);
	int64_t user;
	bool in;
	enum err rc;

	rc = account_invite_peek(ctx->db, ctx->arena, token, &name, &email,
	    &user);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This invitation is unknown, used or "
		    "expired; ask for a new one.");
	if (rc != ERR_OK)
		return rc;
	in = app_session(ctx) == ERR_OK;
	set(v, "title", "Join");
	set(v, "token", token);
	set(v, "workspace", name);
	set(v, "email", email);
	if (user == 0) {
		/* A new account: its password is chosen here. */
		if ((rc = session_pre_new(&ctx->resp, ctx->cfg,
		    app_https(ctx), &pre)) != ERR_OK)
			return rc;
		set(v, "pre", pre);
		json_object_object_add(v, "new_user",
		    json_object_new_boolean(true));
	} else if (in && ctx->session->user_id == user)
		json_object_object_add(v, "can_join",
		    json_object_new_boolean(true));
	else if (in)
		json_object_object_add(v, "other_user",
		    json_object_new_boolean(true));
	else
		set(v, "login", arena_printf(ctx->arena,
		    "/login?next=/invite/%s", token));
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/invite", v);
}

static enum err
page_invite(struct ctx *ctx)
{
	return render_invite(ctx, 200, NULL);
}

/*
 * Accepting an invitation.  An email that has an account joins only from
 * that account's session (its CSRF token): this form never checks an
 * existing password, so it cannot be used to guess one.  A new email
 * chooses its password here (pre-session token).
 */
static enum err
form_invite_accept(struct ctx *ctx)
{
	const char *token = route_capture(&ctx->match, "token"), *why = NULL,
	    *cookie, *name, *email, *old;
	int64_t existing, user, ws, as = 0;
	bool https = app_https(ctx), in = app_session(ctx) == ERR_OK;
	enum err rc;

	rc = account_invite_peek(ctx->db, ctx->arena, token, &name, &email,
	    &existing);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This invitation is unknown, used or "
		    "expired; ask for a new one.");
	if (rc != ERR_OK)
		return rc;
	if (existing != 0) {
		if (!in || ctx->session->user_id != existing)
			return render_invite(ctx, in ? 403 : 401,
			    arena_printf(ctx->arena, "Log in as %s first, then "
			    "accept the invitation.", email));
		if (!session_csrf_ok(ctx->session, req_form(&ctx->req,
		    "csrf")))
			return render_invite(ctx, 403, "This form expired; "
			    "please submit it again.");
		as = existing;
	} else if (!session_pre_ok(&ctx->req, ctx->cfg, https,
	    req_form(&ctx->req, "pre")))
		return render_invite(ctx, 403, "This form expired; please "
		    "submit it again.");
	rc = account_invite_accept(ctx->db, ctx->arena, token, as,
	    as != 0 ? NULL : req_form(&ctx->req, "password"), &user, &ws,
	    &why);
	if (rc == ERR_AUTH || rc == ERR_INPUT)
		return render_invite(ctx, rc == ERR_AUTH ? 401 : 422, why);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This invitation is unknown, used or "
		    "expired; ask for a new one.");
	if (rc != ERR_OK)
		return rc;
	if (as != 0) {
		/* Open the workspace just joined in the same session. */
		if ((rc = session_switch(ctx->db, ctx->arena, ctx->session,
		    ws)) != ERR_OK)
			return rc;
		return resp_redirect(&ctx->resp, 303, "/dashboard");
	}
	if ((old = req_cookie(&ctx->req, session_cookie_name(https))) != NULL)
		(void)session_destroy(ctx->db, ctx->arena, old);
	if ((rc = session_create(ctx->db, ctx->arena, user, ws, &cookie)) !=
	    ERR_OK || (rc = session_set_cookie(&ctx->resp, https, cookie)) !=
	    ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/dashboard");
}

/*
 * The digest the logged-in user would receive, exactly as sent
 * (lib/mail/digest).
 */
static enum err
page_digest_preview(struct ctx *ctx)
{
	struct digest_env e = { ctx->db, ctx->arena, ctx->cfg,
	    ctx->app->tmpl, ctx->app->http };
	struct digest_mail m;
	const char *kind = req_query(&ctx->req, "kind");
	enum err rc;

	/* ?kind=monthly: the last full month's. */
	rc = digest_render_kind(&e, kind != NULL && strcmp(kind, "monthly") ==
	    0 ? DIGEST_MONTHLY : DIGEST_WEEKLY, ctx->session->workspace_id,
	    ctx->session->email, &m);
	if (rc != ERR_OK)
		return rc;
	resp_header(&ctx->resp, "Content-Security-Policy", DIGEST_PREVIEW_CSP);
	/* A member's numbers, like every page of a session: never cached. */
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	return resp_body(&ctx->resp, 200, "text/html; charset=utf-8", m.html,
	    strlen(m.html));
}

/* --- Inquiries and bookings (issue 24; lib/business/) ------------------- */

/* Notices of this block's redirects (?done=…): fixed texts. */
static const struct {
	const char	*key;
	const char	*text;
} biz_notices[] = {
	{ "saved", "Saved." },
	{ "note", "Note added." },
	{ "booked", "Booking created." },
	{ "rules", "Rules saved: every inquiry is counted by them now." },
	{ "rotated", "The form has a new address: paste the new snippet into "
	    "your site; the old address no longer works." },
};

/* The navigation's "Inquiries (3)": the new ones (app_def view_extra). */
static void
nav_counts(struct ctx *ctx, struct json_object *view)
{
	long n;

	if (inquiry_count_new(ctx->db, ctx->arena, ctx->workspace_id, &n) ==
	    ERR_OK && n > 0)
		json_object_object_add(view, "nav_inquiries_new",
		    json_object_new_int64(n));
}

static void
biz_notice(struct ctx *ctx, struct json_object *v)
{
	const char *done = req_query(&ctx->req, "done");
	size_t i;

	for (i = 0; done != NULL && i < nitems(biz_notices); i++)
		if (strcmp(done, biz_notices[i].key) == 0)
			flash(v, "notice", biz_notices[i].text);
}

/* Options of a select: [{value, label, selected}]. */
static void
options(struct json_object *v, const char *key, const char *const *list,
    size_t n, const char *current)
{
	struct json_object *a = json_object_new_array(), *o;
	char label[32];
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		set(o, "value", list[i]);
		snprintf(label, sizeof(label), "%s", list[i]);
		label[0] = (char)toupper((unsigned char)label[0]);
		set(o, "label", label);
		put_bool(o, "selected", current != NULL &&
		    strcmp(current, list[i]) == 0);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, key, a);
}

static const char *const inquiry_statuses[] = { "new", "contacted",
    "qualified", "converted", "lost" };
static const char *const booking_statuses[] = { "tentative", "confirmed",
    "completed", "cancelled" };
static const char *const booking_types[] = { "wedding", "engagement",
    "portrait", "event", "other" };

/* "2026-12-07 09:30" from "2026-12-07T09:30:00Z". */
static void
received(struct ctx *ctx, struct json_object *o)
{
	const char *t = jsonx_str(o, "created_at");

	if (t != NULL && strlen(t) >= 16)
		set(o, "received", arena_printf(ctx->arena, "%.10s %.5s", t,
		    t + 11));
}

/* A booking's value for a person, in its currency ("€2,400.00"). */
static void
value_display(struct ctx *ctx, struct json_object *b)
{
	const char *cur = jsonx_str(b, "currency");
	struct json_object *v = jsonx_member(b, "value");

	if (v != NULL && cur != NULL)
		set(b, "value_display", numfmt_value(ctx->arena,
		    json_object_get_double(v) * 1e6, "currency_micros", cur));
}

/* The query of the next page, or nothing on the last. */
static void
next_page(struct ctx *ctx, struct json_object *v, struct json_object *list,
    const char *status)
{
	const char *c = jsonx_str(list, "next_cursor");

	if (c != NULL)
		set(v, "next", arena_printf(ctx->arena, "%s%s%scursor=%s",
		    status != NULL ? "status=" : "", status != NULL ? status :
		    "", status != NULL ? "&" : "", c));
}

static enum err
page_inquiries(struct ctx *ctx)
{
	struct json_object *v = app_view(ctx), *o, *list;
	struct inquiry_query q;
	const char *param, *why, *json;
	size_t i, n;
	enum err rc;

	if (req_query(&ctx->req, "status") != NULL &&
	    *req_query(&ctx->req, "status") == '\0')
		return resp_redirect(&ctx->resp, 303, "/inquiries");
	if (inquiry_query_parse(&ctx->req.query, &q, &param, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if (q.limit == 50)
		q.limit = LIMIT_INQUIRY_PAGE;
	if ((rc = inquiry_list_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &q, &json)) != ERR_OK)
		return rc;
	set(v, "title", "Inquiries");
	biz_notice(ctx, v);
	set(v, "status", q.status);
	options(v, "statuses", inquiry_statuses, nitems(inquiry_statuses),
	    q.status);
	o = add_json(ctx, v, "page", json);
	list = jsonx_member(o, "inquiries");
	n = list != NULL ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(list, i);
		const char *email = jsonx_str(x, "email");

		received(ctx, x);
		set(x, "contact", email != NULL && *email != '\0' ? email :
		    jsonx_str(x, "phone"));
	}
	json_object_object_add(v, "inquiries", json_object_get(list));
	put_bool(v, "has_inquiries", n > 0);
	next_page(ctx, v, o, q.status);
	return app_render(ctx, 200, "pages/inquiries", v);
}

/* The inquiry page, with a flash (status 200, or 422 for a refused form). */
static enum err
render_inquiry(struct ctx *ctx, int64_t id, int status, const char *error)
{
	struct json_object *v = app_view(ctx), *inq, *m, *ids, *bk, *list;
	const char *json, *owner, *st;
	size_t i, n;
	enum err rc;

	rc = inquiry_get_json(ctx->db, ctx->arena, ctx->workspace_id, id,
	    &json);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no such "
		    "inquiry.");
	if (rc != ERR_OK)
		return rc;
	inq = add_json(ctx, v, "inquiry", json);
	received(ctx, inq);
	m = jsonx_member(inq, "notes");
	n = m != NULL ? json_object_array_length(m) : 0;
	for (i = 0; i < n; i++)
		received(ctx, json_object_array_get_idx(m, i));
	set(v, "title", "Inquiry");
	if (error != NULL)
		flash(v, "error", error);
	else
		biz_notice(ctx, v);
	st = jsonx_str(inq, "status");
	options(v, "statuses", inquiry_statuses, nitems(inquiry_statuses), st);
	options(v, "types", booking_types, nitems(booking_types), NULL);
	put_bool(v, "can_book", st != NULL && strcmp(st, "converted") == 0);
	if ((rc = inquiry_members_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &json)) != ERR_OK)
		return rc;
	m = add_json(ctx, v, "members", json);
	owner = jsonx_text(jsonx_member(inq, "owner"), "id");
	n = m != NULL ? json_object_array_length(m) : 0;
	for (i = 0; i < n; i++)
		put_bool(json_object_array_get_idx(m, i), "selected",
		    owner != NULL && strcmp(owner, jsonx_text(
		    json_object_array_get_idx(m, i), "id")) == 0);
	ids = jsonx_member(inq, "bookings");
	list = json_object_new_array();
	json_object_object_add(v, "bookings", list);
	n = ids != NULL ? json_object_array_length(ids) : 0;
	for (i = 0; i < n; i++) {
		if (booking_get_json(ctx->db, ctx->arena, ctx->workspace_id,
		    json_object_get_int64(json_object_array_get_idx(ids, i)),
		    &json) != ERR_OK || jsonx_parse(ctx->arena, json,
		    strlen(json), &bk, NULL) != ERR_OK)
			continue;
		value_display(ctx, bk);
		json_object_array_add(list, json_object_get(bk));
	}
	return app_render(ctx, status, "pages/inquiries_detail", v);
}

static enum err
page_inquiry(struct ctx *ctx)
{
	int64_t id = capture_id(ctx, "id");

	if (id == 0)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "inquiry.");
	return render_inquiry(ctx, id, 200, NULL);
}

/* After a change: the inquiry again (post/redirect/get). */
static enum err
inquiry_back(struct ctx *ctx, int64_t id, const char *done)
{
	return resp_redirect(&ctx->resp, 303, arena_printf(ctx->arena,
	    "/inquiries/%lld?done=%s", (long long)id, done));
}

static enum err
inquiry_change(struct ctx *ctx, struct inquiry_change *c, const char *done)
{
	int64_t id = capture_id(ctx, "id");
	const char *field, *why;
	enum err rc;

	if (id == 0)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "inquiry.");
	if ((why = inquiry_change_problem(c, &field)) != NULL)
		return render_inquiry(ctx, id, 422, arena_printf(ctx->arena,
		    "Not saved: %s %s.", field, why));
	rc = inquiry_update(ctx->db, ctx->arena, ctx->workspace_id, id, c);
	if (rc == ERR_UNPROCESSABLE)
		return render_inquiry(ctx, id, 422, "Not saved: the owner must "
		    "be a member of this workspace.");
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no such "
		    "inquiry.");
	return rc != ERR_OK ? rc : inquiry_back(ctx, id, done);
}

static enum err
form_inquiry_change(struct ctx *ctx)
{
	struct inquiry_change c;
	const char *owner = req_form(&ctx->req, "owner");
	char *end;

	memset(&c, 0, sizeof(c));
	c.status = req_form(&ctx->req, "status");
	c.author = ctx->session->user_id;	/* of the note of the change */
	if (owner != NULL) {
		c.has_owner = true;
		c.owner = strtoll(owner, &end, 10);
		if (*owner == '\0' || *end != '\0' || c.owner < 0)
			c.owner = -1;
	}
	return inquiry_change(ctx, &c, "saved");
}

static enum err
form_inquiry_note(struct ctx *ctx)
{
	struct inquiry_change c;

	memset(&c, 0, sizeof(c));
	c.note = req_form(&ctx->req, "note");
	if (c.note == NULL)
		c.note = "";
	c.author = ctx->session->user_id;
	return inquiry_change(ctx, &c, "note");
}

/* The first problem of a refused booking form, for the flash. */
static const char *
booking_problem(struct ctx *ctx, const struct booking_in *in)
{
	return arena_printf(ctx->arena, "Not saved: %s %s.",
	    in->problems[0].field, in->problems[0].reason);
}

static enum err
form_inquiry_booking(struct ctx *ctx)
{
	int64_t id = capture_id(ctx, "id");
	struct booking_in in;
	const char *json;
	enum err rc;

	if (id == 0)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "inquiry.");
	if (booking_parse_form(ctx->arena, &ctx->req.form, true, &in) !=
	    ERR_OK)
		return render_inquiry(ctx, id, 422, booking_problem(ctx, &in));
	in.has_inquiry = true;
	in.inquiry_id = id;
	rc = booking_create(ctx->db, ctx->arena, ctx->workspace_id, &in,
	    &json);
	if (rc == ERR_UNPROCESSABLE)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "inquiry.");
	return rc != ERR_OK ? rc : inquiry_back(ctx, id, "booked");
}

static enum err
render_bookings(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx), *o, *list;
	struct inquiry_query q;
	const char *param, *why, *json;
	size_t i, n;
	enum err rc;

	if (booking_query_parse(&ctx->req.query, &q, &param, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if (q.limit == 50)
		q.limit = LIMIT_INQUIRY_PAGE;
	if ((rc = booking_list_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &q, &json)) != ERR_OK)
		return rc;
	set(v, "title", "Bookings");
	if (error != NULL)
		flash(v, "error", error);
	else
		biz_notice(ctx, v);
	set(v, "status", q.status);
	options(v, "statuses", booking_statuses, nitems(booking_statuses),
	    q.status);
	/* After a refused form, what was typed stays in it. */
	options(v, "types", booking_types, nitems(booking_types), error !=
	    NULL ? req_form(&ctx->req, "event_type") : NULL);
	if (error != NULL) {
		struct json_object *typed = json_object_new_object();

		set(typed, "event_date", req_form(&ctx->req, "event_date"));
		set(typed, "value", req_form(&ctx->req, "value"));
		set(typed, "currency", req_form(&ctx->req, "currency"));
		json_object_object_add(v, "typed", typed);
	}
	o = add_json(ctx, v, "page", json);
	list = jsonx_member(o, "bookings");
	n = list != NULL ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++)
		value_display(ctx, json_object_array_get_idx(list, i));
	json_object_object_add(v, "bookings", json_object_get(list));
	put_bool(v, "has_bookings", n > 0);
	next_page(ctx, v, o, q.status);
	return app_render(ctx, status, "pages/bookings", v);
}

static enum err
page_bookings(struct ctx *ctx)
{
	if (req_query(&ctx->req, "status") != NULL &&
	    *req_query(&ctx->req, "status") == '\0')
		return resp_redirect(&ctx->resp, 303, "/bookings");
	return render_bookings(ctx, 200, NULL);
}

static enum err
form_booking_create(struct ctx *ctx)
{
	struct booking_in in;
	const char *json;
	struct json_object *o;
	enum err rc;

	if (booking_parse_form(ctx->arena, &ctx->req.form, true, &in) !=
	    ERR_OK)
		return render_bookings(ctx, 422, booking_problem(ctx, &in));
	in.has_inquiry = false;
	if ((rc = booking_create(ctx->db, ctx->arena, ctx->workspace_id, &in,
	    &json)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, json, strlen(json), &o, NULL) != ERR_OK)
		return ERR_DB;
	return resp_redirect(&ctx->resp, 303, arena_printf(ctx->arena,
	    "/bookings/%s?done=booked", jsonx_text(o, "id")));
}

static enum err
render_booking(struct ctx *ctx, int64_t id, int status, const char *error)
{
	struct json_object *v = app_view(ctx), *b;
	const char *json;
	enum err rc;

	rc = booking_get_json(ctx->db, ctx->arena, ctx->workspace_id, id,
	    &json);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no such booking.");
	if (rc != ERR_OK)
		return rc;
	b = add_json(ctx, v, "booking", json);
	value_display(ctx, b);
	set(v, "title", "Booking");
	if (error != NULL)
		flash(v, "error", error);
	else
		biz_notice(ctx, v);
	options(v, "statuses", booking_statuses, nitems(booking_statuses),
	    jsonx_str(b, "status"));
	options(v, "types", booking_types, nitems(booking_types),
	    jsonx_str(b, "event_type"));
	return app_render(ctx, status, "pages/bookings_detail", v);
}

static enum err
page_booking(struct ctx *ctx)
{
	int64_t id = capture_id(ctx, "id");

	if (id == 0)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "booking.");
	return render_booking(ctx, id, 200, NULL);
}

static enum err
form_booking_change(struct ctx *ctx)
{
	int64_t id = capture_id(ctx, "id");
	struct booking_in in;
	enum err rc;

	if (id == 0)
		return app_fail(ctx, ERR_NOTFOUND, "This workspace has no such "
		    "booking.");
	if (booking_parse_form(ctx->arena, &ctx->req.form, false, &in) !=
	    ERR_OK)
		return render_booking(ctx, id, 422, booking_problem(ctx, &in));
	in.has_inquiry = false;
	rc = booking_update(ctx->db, ctx->arena, ctx->workspace_id, id, &in);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no such booking.");
	return rc != ERR_OK ? rc : resp_redirect(&ctx->resp, 303,
	    arena_printf(ctx->arena, "/bookings/%lld?done=saved",
	    (long long)id));
}

static enum err
render_inquiry_form(struct ctx *ctx, int status, const char *error,
    const char *origins, const char *thank_you)
{
	struct json_object *v = app_view(ctx), *f;
	struct inquiry_form form;
	enum err rc;

	if ((rc = inquiry_form_get(ctx->db, ctx->arena, ctx->workspace_id,
	    &form)) != ERR_OK)
		return rc;
	set(v, "title", "Inquiry form");
	if (error != NULL)
		flash(v, "error", error);
	else
		biz_notice(ctx, v);
	f = json_object_new_object();
	json_object_object_add(v, "form", f);
	set(f, "url", arena_printf(ctx->arena, "%s/f/%s", ctx->cfg->base_url,
	    form.token));
	set(f, "origins", origins != NULL ? origins : form.origins);
	set(f, "thank_you_url", thank_you != NULL ? thank_you :
	    form.thank_you_url);
	return app_render(ctx, status, "pages/inquiries_settings", v);
}

static enum err
page_inquiry_form(struct ctx *ctx)
{
	if (!can_edit(ctx))
		return app_fail(ctx, ERR_FORBIDDEN, "Only owners and admins "
		    "may see and change the site's form.");
	return render_inquiry_form(ctx, 200, NULL, NULL, NULL);
}

static enum err
form_inquiry_form(struct ctx *ctx)
{
	const char *origins = req_form(&ctx->req, "origins");
	const char *thanks = req_form(&ctx->req, "thank_you_url");
	const char *why, *field;
	enum err rc;

	if (origins == NULL)
		origins = "";
	if (thanks == NULL)
		thanks = "";
	why = inquiry_form_save(ctx->db, ctx->arena, ctx->workspace_id,
	    origins, thanks, &field, &rc);
	if (why != NULL && rc == ERR_UNPROCESSABLE)
		return render_inquiry_form(ctx, 422, arena_printf(ctx->arena,
		    "Not saved: %s %s.", strcmp(field, "origins") == 0 ?
		    "Site origins" : "The thank-you page", why), origins,
		    thanks);
	if (why != NULL)
		return rc;
	return resp_redirect(&ctx->resp, 303,
	    "/settings/inquiry-form?done=saved");
}

static enum err
form_inquiry_form_rotate(struct ctx *ctx)
{
	enum err rc;

	if ((rc = inquiry_form_rotate(ctx->db, ctx->arena,
	    ctx->workspace_id)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303,
	    "/settings/inquiry-form?done=rotated");
}

/* Each {currency, value} of list key in o gets "text" ("€41.00"). */
static void
money_texts(struct ctx *ctx, struct json_object *o, const char *key)
{
	struct json_object *list = jsonx_member(o, key), *m;
	size_t i, n = list != NULL ? json_object_array_length(list) : 0;
	const char *text = "";

	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(list, i);
		text = arena_printf(ctx->arena, "%s%s%s", text, i > 0 ? ", " :
		    "", numfmt_value(ctx->arena, json_object_get_double(
		    jsonx_member(m, "value")) * 1e6, "currency_micros",
		    jsonx_str(m, "currency")));
	}
	if (n > 0)
		set(o, arena_printf(ctx->arena, "%s_text", key), text);
}

static enum err
render_attribution(struct ctx *ctx, int status, const char *error,
    const char *text)
{
	struct json_object *v = app_view(ctx), *o, *list, *c, *r;
	const char *from, *to, *param, *why, *json, *rules;
	size_t i, n;
	bool dflt;
	enum err rc;

	if (attribution_period_parse(&ctx->req.query, &from, &to, &param,
	    &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = attribution_report_json(ctx->db, ctx->arena,
	    ctx->workspace_id, from, to, &json)) != ERR_OK ||
	    (rc = attribution_rules_text(ctx->db, ctx->arena,
	    ctx->workspace_id, &rules, &dflt)) != ERR_OK)
		return rc;
	set(v, "title", "Attribution");
	if (error != NULL)
		flash(v, "error", error);
	else
		biz_notice(ctx, v);
	o = add_json(ctx, v, "report", json);
	list = jsonx_member(o, "channels");
	n = list != NULL ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(list, i);
		r = jsonx_member(c, "conversion_rate");
		if (r != NULL)
			set(c, "rate_text", numfmt_value(ctx->arena,
			    json_object_get_double(r), "ratio", NULL));
		money_texts(ctx, c, "booking_value");
		money_texts(ctx, c, "spend");
		money_texts(ctx, c, "cost_per_inquiry");
		money_texts(ctx, c, "cost_per_booking");
	}
	set(v, "rules", text != NULL ? text : rules);
	put_bool(v, "rules_default", dflt && text == NULL);
	return app_render(ctx, status, "pages/inquiries_attribution", v);
}

static enum err
page_attribution(struct ctx *ctx)
{
	return render_attribution(ctx, 200, NULL, NULL);
}

static enum err
form_attribution_rules(struct ctx *ctx)
{
	const char *text = req_form(&ctx->req, "rules"), *why;
	enum err rc;

	if (text == NULL)
		text = "";
	why = attribution_rules_save(ctx->db, ctx->arena, ctx->workspace_id,
	    text, &rc);
	if (why != NULL && rc == ERR_UNPROCESSABLE)
		return render_attribution(ctx, 422, arena_printf(ctx->arena,
		    "Rules not saved: %s.", why), text);
	if (why != NULL)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/attribution?done=rules");
}

/*
 * Outgoing webhooks (lib/hooks/outbox.h): the workspace's endpoints with
 * their last deliveries, the event catalogue for the form, and a secret
 * just made (shown this once).  Admins only (the routes' ROUTE_ADMIN).
 */
static enum err
render_webhooks(struct ctx *ctx, int status, const char *secret,
    const char *error)
{
	struct json_object *v = app_view(ctx), *ts, *o;
	const struct outbox_type *t;
	struct outbox_cfg cfg;
	const char *text, *why = NULL;
	int64_t wid;
	size_t i, n;
	enum err rc;

	if ((rc = outbox_cfg_load(ctx->arena, &cfg, &why)) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "%s", why);
	if ((rc = outbox_endpoints_json(ctx->db, ctx->arena,
	    ctx->workspace_id, &text)) != ERR_OK)
		return rc;
	/* The form's hint says which addresses are taken. */
	put_bool(v, "allow_http", cfg.allow_http);
	add_json(ctx, v, "endpoints", text);
	ts = json_object_new_array();
	for (t = outbox_types(&n), i = 0; i < n; i++) {
		o = json_object_new_object();
		set(o, "name", t[i].name);
		set(o, "label", t[i].label);
		json_object_array_add(ts, o);
	}
	json_object_object_add(v, "types", ts);
	if ((rc = account_workspaces_json(ctx->db, ctx->arena,
	    ctx->session->user_id, &text)) != ERR_OK)
		return rc;
	o = add_json(ctx, v, "workspaces", text);
	for (i = 0; o != NULL && i < json_object_array_length(o); i++)
		if (jsonx_get_int64(json_object_array_get_idx(o, i), "id",
		    &wid) == ERR_OK && wid == ctx->workspace_id)
			json_object_object_add(v, "time_zone", json_object_get(
			    json_object_object_get(json_object_array_get_idx(o,
			    i), "time_zone")));
	set(v, "new_secret", secret);
	if (error != NULL) {
		flash(v, "error", error);
		/* The address refused stays in the form, to be corrected. */
		set(v, "url", req_form(&ctx->req, "url"));
	} else
		notice_from_query(ctx, v);
	set(v, "title", "Webhooks");
	return app_render(ctx, status, "pages/settings_webhooks", v);
}

static enum err
page_webhooks(struct ctx *ctx)
{
	return render_webhooks(ctx, 200, NULL, NULL);
}

/* Adds an endpoint: url and the ticked event boxes (name "event"). */
static enum err
form_webhook_add(struct ctx *ctx)
{
	const char *ev[16], *secret, *why = NULL;
	struct outbox_cfg cfg;
	size_t i, n = 0;
	int64_t id;
	enum err rc;

	if ((rc = outbox_cfg_load(ctx->arena, &cfg, &why)) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "%s", why);
	for (i = 0; i < ctx->req.form.n && n < nitems(ev); i++)
		if (strcmp(ctx->req.form.v[i].name, "event") == 0)
			ev[n++] = ctx->req.form.v[i].value;
	rc = outbox_endpoint_create(ctx->db, ctx->arena, ctx->workspace_id,
	    ctx->session->user_id, req_form(&ctx->req, "url"), ev, n,
	    cfg.allow_http, &id, &secret, &why);
	if (rc == ERR_INPUT || rc == ERR_CONFLICT)
		return render_webhooks(ctx, rc == ERR_INPUT ? 400 : 409, NULL,
		    why);
	if (rc != ERR_OK)
		return rc;
	return render_webhooks(ctx, 200, secret, NULL);
}

/* test, enable, disable, rotate or delete (confirmed) endpoint :id: the
 * action is the path's last segment (the routes name each one). */
static enum err
form_webhook(struct ctx *ctx)
{
	const char *act = strrchr(ctx->req.path, '/') + 1, *secret;
	int64_t id = capture_id(ctx, "id"), ws = ctx->workspace_id;
	long wait_s = 0;
	enum err rc = ERR_NOTFOUND;

	if (id == 0)
		rc = ERR_NOTFOUND;
	else if (strcmp(act, "test") == 0)
		rc = outbox_send_test(ctx->db, ctx->arena, ws, id, &wait_s);
	else if (strcmp(act, "enable") == 0 || strcmp(act, "disable") == 0)
		rc = outbox_endpoint_enable(ctx->db, ctx->arena, ws, id,
		    act[0] == 'e');
	else if ((strcmp(act, "delete") == 0 || strcmp(act, "rotate") == 0) &&
	    !confirmed(ctx))
		return render_webhooks(ctx, 422, NULL, "Confirm it: open the "
		    "button's menu and press Yes.");
	else if (strcmp(act, "delete") == 0)
		rc = outbox_endpoint_delete(ctx->db, ctx->arena, ws, id);
	else if (strcmp(act, "rotate") == 0) {
		if ((rc = outbox_endpoint_rotate(ctx->db, ctx->arena, ws, id,
		    &secret)) == ERR_OK)
			return render_webhooks(ctx, 200, secret, NULL);
	}
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "No such webhook endpoint in this "
		    "workspace.");
	if (rc == ERR_CONFLICT)
		return render_webhooks(ctx, 409, NULL, "The endpoint is "
		    "disabled: enable it first.");
	/* Each test event is a delivery, retried for a day if the
	 * endpoint does not answer: a few at a time. */
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After", arena_printf(ctx->arena,
		    "%ld", wait_s));
		return render_webhooks(ctx, 429, NULL, arena_printf(ctx->arena,
		    "Too many test events (%d per endpoint every %d seconds, "
		    "%d per workspace every %d minutes): nothing was queued. "
		    "Try again in %ld second%s.", LIMIT_HOOK_TEST_N,
		    LIMIT_HOOK_TEST_S, LIMIT_HOOK_TEST_WS_N,
		    LIMIT_HOOK_TEST_WS_S / 60, wait_s, wait_s == 1 ? "" : "s"));
	}
	if (rc != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, arena_printf(ctx->arena,
	    "/settings/webhooks?msg=hook_%s", act));
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		.name = "pages", .routes = routes, .nroutes = nitems(routes),
	};

	app_view_extra(nav_counts);
	return app_main(&def, argc, argv);
}
