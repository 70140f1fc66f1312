/*
 * email.c — the Resend client (see email.h for how answers are read).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "mail/email.h"
#include "net/httpc.h"

bool
email_address_ok(const char *s)
{
	const char *at;
	size_t i, n;

	if (s == NULL || (n = strlen(s)) < 3 || n > LIMIT_DIGEST_EMAIL)
		return false;
	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' ||
		    s[i] == '"' || s[i] == ',' || s[i] == 0x7f)
			return false;
	return true;
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *
msg_object(struct arena *a, const struct config *cfg,
    const struct email_msg *m)
{
	struct json_object *o, *to, *hd, *tags, *t;

	o = json_object_new_object();
	add_str(o, "from", arena_printf(a, "%s <%s>", cfg->mail_from_name,
	    cfg->mail_from));
	to = json_object_new_array();
	json_object_array_add(to, json_object_new_string(m->to));
	json_object_object_add(o, "to", to);
	add_str(o, "subject", m->subject);
	add_str(o, "html", m->html);
	add_str(o, "text", m->text);
	if (m->unsubscribe_url != NULL) {
		hd = json_object_new_object();
		add_str(hd, "List-Unsubscribe", arena_printf(a, "<%s>",
		    m->unsubscribe_url));
		add_str(hd, "List-Unsubscribe-Post",
		    "List-Unsubscribe=One-Click");
		json_object_object_add(o, "headers", hd);
	}
	tags = json_object_new_array();
	t = json_object_new_object();
	add_str(t, "name", "kind");
	add_str(t, "value", m->kind != NULL ? m->kind : "weekly_digest");
	json_object_array_add(tags, t);
	if (m->tag != NULL) {
		t = json_object_new_object();
		add_str(t, "name", "digest_id");
		add_str(t, "value", m->tag);
		json_object_array_add(tags, t);
	}
	json_object_object_add(o, "tags", tags);
	return o;
}

const char *
email_json_one(struct arena *a, const struct config *cfg,
    const struct email_msg *m)
{
	return jsonx_string(a, jsonx_own(a, msg_object(a, cfg, m)));
}

const char *
email_json_batch(struct arena *a, const struct config *cfg,
    const struct email_msg *m, size_t n)
{
	struct json_object *arr = jsonx_own(a, json_object_new_array());
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, msg_object(a, cfg, &m[i]));
	return jsonx_string(a, arr);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Seconds in a retry-after header (delta seconds), bounded; def if none. */
static long
retry_after(const struct httpc_resp *r, long def)
{
	const char *v = httpc_resp_header(r, "retry-after");
	char *end;
	long s;

	if (v == NULL)
		return def;
	errno = 0;
	s = strtol(v, &end, 10);
	if (errno != 0 || end == v || s < 0)
		return def;
	return s > LIMIT_DIGEST_RETRY_MAX_S ? LIMIT_DIGEST_RETRY_MAX_S : s;
}

enum verdict { V_OK, V_RETRY, V_FAIL, V_QUOTA };

/* Reads a non-200 answer by status and name. */
static enum verdict
classify(struct arena *a, const struct httpc_resp *r, const char **why,
    const char **nameout, long *wait_ms, int attempt)
{
	struct json_object *o = NULL;
	const char *name = NULL, *msg = NULL;

	if (r->status != 0 && r->body_len > 0 && jsonx_parse(a, r->body,
	    r->body_len, &o, NULL) == ERR_OK) {
		if (jsonx_get_string(o, "name", &name) != ERR_OK)
			name = NULL;
		if (jsonx_get_string(o, "message", &msg) != ERR_OK)
			msg = NULL;
	}
	if (name == NULL)	/* unknown: the generic error of the status */
		name = r->status == 0 ? "no_answer" : r->status >= 500 ?
		    "application_error" : "error";
	*nameout = name;
	*why = arena_printf(a, "%d %s: %s", r->status, name,
	    msg != NULL ? msg : "(no message)");
	*wait_ms = (long)LIMIT_DIGEST_BACKOFF_MS << (attempt - 1);
	if (r->status == 429 && strcmp(name, "daily_quota_exceeded") == 0)
		return V_QUOTA;
	if (r->status == 429) {
		*wait_ms = retry_after(r, 1) * 1000;
		return V_RETRY;
	}
	if (r->status == 0 || r->status >= 500)
		return V_RETRY;
	if (r->status == 409 &&
	    strcmp(name, "concurrent_idempotent_requests") == 0)
		return V_RETRY;
	return V_FAIL;
}

/* Posts body to path until an answer is final; the last answer in *r. */
static enum verdict
post(struct httpc *h, struct arena *a, const struct config *cfg,
    const char *path, const char *body, const char *key, bool batch,
    struct httpc_resp *r, const char **why, struct email_call *call)
{
	struct httpc_req q;
	const char *herr = NULL;
	enum verdict v = V_FAIL;
	long wait_ms = 0;
	enum err rc;

	memset(call, 0, sizeof(*call));
	for (call->attempts = 1; call->attempts <= LIMIT_DIGEST_ATTEMPTS;
	    call->attempts++) {
		memset(&q, 0, sizeof(q));
		q.method = "POST";
		q.url = arena_printf(a, "%s%s", cfg->resend_api_base, path);
		q.body = body;
		q.body_len = strlen(body);
		httpc_header(&q, "Authorization", arena_printf(a, "Bearer %s",
		    cfg->resend_api_key));
		httpc_header(&q, "Content-Type", "application/json");
		httpc_header(&q, "Idempotency-Key", key);
		if (batch)
			httpc_header(&q, "x-batch-validation", "permissive");
		memset(r, 0, sizeof(*r));
		rc = httpc_do(h, a, &q, r, &herr);
		if (rc == ERR_INPUT) {
			*why = arena_printf(a, "SLUICE_RESEND_API_BASE is "
			    "refused: %s", herr ? herr : "bad URL");
			return V_FAIL;
		}
		if (rc != ERR_OK)
			r->status = 0;
		call->last_status = r->status;
		if (r->status == 200)
			return V_OK;
		v = classify(a, r, why, &call->last_name, &wait_ms,
		    call->attempts);
		if (r->status == 0 && herr != NULL)
			*why = arena_printf(a, "no answer from Resend: %s",
			    herr);
		log_msg(LOG_WARN, NULL, "resend_error", "attempt %d: %s",
		    call->attempts, *why);
		if (v != V_RETRY)
			return v;
		if (call->attempts < LIMIT_DIGEST_ATTEMPTS)
			sleep_ms(wait_ms);
	}
	call->attempts = LIMIT_DIGEST_ATTEMPTS;
	*why = arena_printf(a, "gave up after %d attempts: %s",
	    LIMIT_DIGEST_ATTEMPTS, *why);
	return V_FAIL;
}

static void
fail_all(struct email_result *res, size_t n, enum email_outcome o,
    const char *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		res[i].outcome = o;
		res[i].id = NULL;
		res[i].error = err;
	}
}

/* ------------------------------------------------------------------ */
/* Without Resend: each message into SLUICE_MAIL_DIR, for a person to
 * read (make run's sandbox). */

/* Whether messages go to SLUICE_MAIL_DIR: set, and no Resend key. */
static bool
to_dir(const struct config *cfg)
{
	return *cfg->resend_api_key == '\0' && cfg->mail_dir != NULL &&
	    *cfg->mail_dir != '\0';
}

bool
email_sending(const struct config *cfg)
{
	return *cfg->resend_api_key != '\0' || to_dir(cfg);
}

/* s with each character that is not [A-Za-z0-9._-] as '_'. */
static const char *
file_safe(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *p;

	for (p = out; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			*p = '_';
	return out;
}

/* A header line "name: value" with CR and LF of value as spaces. */
static void
header(struct buf *b, const char *name, const char *value)
{
	const char *p;

	buf_printf(b, "%s: ", name);
	for (p = value != NULL ? value : ""; *p != '\0'; p++)
		buf_putc(b, *p == '\r' || *p == '\n' ? ' ' : *p);
	buf_puts(b, "\r\n");
}

/* Writes len bytes of data to path, readable by its owner only. */
static bool
write_private(const char *path, const char *data, size_t len)
{
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return false;
	while (len > 0 && (w = write(fd, data, len)) > 0) {
		data += w;
		len -= (size_t)w;
	}
	return close(fd) == 0 && len == 0;
}

/*
 * Message o (a Resend message object) as <dir>/<name>.eml (its headers,
 * a plain-text and an HTML part, UTF-8) and <dir>/<name>.html (the HTML
 * part, for a browser): res SENT with id "file:<name>.eml", else FAILED
 * saying why.  A second write of the same name (a retried key)
 * replaces the first, as Resend's idempotency would.
 */
static void
to_file(struct arena *a, const struct config *cfg, struct json_object *o,
    const char *name, struct email_result *res)
{
	struct json_object *to, *hd;
	struct buf *b = buf_new_arena(a, LIMIT_MAIL_FILE);
	const char *html = jsonx_str(o, "html"), *text = jsonx_str(o, "text");
	const char *path, *bound = arena_printf(a, "sluice-%s", name);
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	res->outcome = EMAIL_FAILED;
	res->id = NULL;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	header(b, "Date", date);
	header(b, "From", jsonx_str(o, "from"));
	to = jsonx_member(o, "to");
	for (i = 0; json_object_is_type(to, json_type_array) &&
	    i < json_object_array_length(to); i++)
		header(b, "To", json_object_get_string(
		    json_object_array_get_idx(to, i)));
	header(b, "Subject", jsonx_str(o, "subject"));
	if ((hd = jsonx_member(o, "headers")) != NULL &&
	    json_object_is_type(hd, json_type_object)) {
		json_object_object_foreach(hd, k, v)
			header(b, file_safe(a, k), json_object_get_string(v));
	}
	header(b, "MIME-Version", "1.0");
	header(b, "Content-Type", arena_printf(a, "multipart/alternative; "
	    "boundary=\"%s\"", bound));
	if (buf_printf(b, "\r\n--%s\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
	    bound, text != NULL ? text : "") != ERR_OK || buf_printf(b,
	    "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n--%s--\r\n", bound,
	    html != NULL ? html : "", bound) != ERR_OK) {
		res->error = "the email is too large to write";
		return;
	}
	if (mkdir(cfg->mail_dir, 0700) == -1 && errno != EEXIST) {
		res->error = arena_printf(a, "SLUICE_MAIL_DIR %s cannot be "
		    "made: %s", cfg->mail_dir, strerror(errno));
		return;
	}
	path = arena_printf(a, "%s/%s.eml", cfg->mail_dir, name);
	if (!write_private(path, buf_cstr(b), b->len) ||
	    !write_private(arena_printf(a, "%s/%s.html", cfg->mail_dir,
	    name), html != NULL ? html : "", html != NULL ? strlen(html) :
	    0)) {
		res->error = arena_printf(a, "writing %s failed: %s", path,
		    strerror(errno));
		return;
	}
	res->outcome = EMAIL_SENT;
	res->id = arena_printf(a, "file:%s.eml", name);
	res->error = NULL;
	log_msg(LOG_INFO, NULL, "mail_file", "an email is in %s (no "
	    "SLUICE_RESEND_API_KEY)", path);
}

/* email_send_batch() or _one() into cfg->mail_dir: body's messages,
 * named by the key (and their place in a batch). */
static enum err
to_files(struct arena *a, const struct config *cfg, const char *body,
    size_t n, const char *key, struct email_result *res,
    struct email_call *call)
{
	struct json_object *o;
	const char *name = file_safe(a, key != NULL ? key : "email");
	size_t i;

	memset(call, 0, sizeof(*call));
	call->attempts = 1;
	fail_all(res, n, EMAIL_FAILED, "not an email Sluice made");
	if (jsonx_parse(a, body, strlen(body), &o, NULL) != ERR_OK)
		return ERR_OK;
	if (json_object_is_type(o, json_type_object) && n == 1)
		to_file(a, cfg, o, name, res);
	for (i = 0; json_object_is_type(o, json_type_array) && i < n &&
	    i < json_object_array_length(o); i++)
		to_file(a, cfg, json_object_array_get_idx(o, i),
		    arena_printf(a, "%s-%zu", name, i + 1), &res[i]);
	call->last_status = 200;
	return ERR_OK;
}

enum err
email_send_batch(struct httpc *h, struct arena *a, const struct config *cfg,
    const char *body, size_t n, const char *key, struct email_result *res,
    struct email_call *call)
{
	struct json_object *o, *data, *errs, *e;
	struct httpc_resp r;
	const char *err = "", *id, *msg;
	enum verdict v;
	size_t i, k, nd;
	int64_t idx;

	if (to_dir(cfg))
		return to_files(a, cfg, body, n, key, res, call);
	if (*cfg->resend_api_key == '\0')
		return ERR_UNAVAILABLE;
	v = post(h, a, cfg, "/emails/batch", body, key, true, &r, &err, call);
	if (v != V_OK) {
		fail_all(res, n, v == V_QUOTA ? EMAIL_QUOTA : EMAIL_FAILED,
		    err);
		return ERR_OK;
	}
	fail_all(res, n, EMAIL_FAILED, "Resend accepted the batch but "
	    "returned no id for this email");
	if (jsonx_parse(a, r.body, r.body_len, &o, NULL) != ERR_OK ||
	    jsonx_get_array(o, "data", &data) != ERR_OK)
		return ERR_OK;
	/* Permissive mode: refused emails first, then ids in order. */
	if (jsonx_get_array(o, "errors", &errs) == ERR_OK)
		for (i = 0; i < json_object_array_length(errs); i++) {
			e = json_object_array_get_idx(errs, i);
			if (jsonx_get_int64(e, "index", &idx) != ERR_OK ||
			    idx < 0 || (size_t)idx >= n)
				continue;
			if (jsonx_get_string(e, "message", &msg) != ERR_OK)
				msg = "refused";
			res[idx].outcome = EMAIL_FAILED;
			res[idx].error = arena_printf(a, "refused in batch: %s",
			    msg);
			res[idx].id = "";	/* marks "has an outcome" */
		}
	nd = json_object_array_length(data);
	for (i = 0, k = 0; i < n && k < nd; i++) {
		if (res[i].id != NULL)
			continue;
		if (jsonx_get_string(json_object_array_get_idx(data, k++),
		    "id", &id) != ERR_OK)
			continue;
		res[i].outcome = EMAIL_SENT;
		res[i].id = id;
		res[i].error = NULL;
	}
	for (i = 0; i < n; i++)
		if (res[i].id != NULL && *res[i].id == '\0')
			res[i].id = NULL;
	return ERR_OK;
}

enum err
email_send_one(struct httpc *h, struct arena *a, const struct config *cfg,
    const char *body, const char *key, struct email_result *res,
    struct email_call *call)
{
	struct json_object *o;
	struct httpc_resp r;
	const char *err = "", *id;
	enum verdict v;

	if (to_dir(cfg))
		return to_files(a, cfg, body, 1, key, res, call);
	if (*cfg->resend_api_key == '\0')
		return ERR_UNAVAILABLE;
	v = post(h, a, cfg, "/emails", body, key, false, &r, &err, call);
	fail_all(res, 1, v == V_QUOTA ? EMAIL_QUOTA : EMAIL_FAILED, err);
	if (v == V_OK) {
		if (jsonx_parse(a, r.body, r.body_len, &o, NULL) == ERR_OK &&
		    jsonx_get_string(o, "id", &id) == ERR_OK) {
			res->outcome = EMAIL_SENT;
			res->id = id;
			res->error = NULL;
		} else
			res->error = "Resend answered 200 without an id";
	}
	return ERR_OK;
}
