/*
 * limit.h — every limit of Sluice, in one place.
 *
 * nginx/nginx.conf.in repeats the request limits (client_max_body_size,
 * large_client_header_buffers); keep the two in step.  Named limit.h,
 * not limits.h: GCC's <limits.h> chain (#include_next) would pick up a
 * limits.h from our include path.
 */
#ifndef SLUICE_LIMIT_H
#define SLUICE_LIMIT_H

/* Requests. */
#define LIMIT_BODY		(1024 * 1024)	/* default request body */
#define LIMIT_BODY_INGEST	(5 * 1024 * 1024) /* /v1/metrics/ingest */
#define LIMIT_BODY_WEBHOOK	(256 * 1024)	/* /v1/webhooks/resend */
#define LIMIT_HEADER		8192		/* one header value */
#define LIMIT_HEADERS		64		/* headers kept per request */
#define LIMIT_PARAMS		128		/* query or form fields */
#define LIMIT_COOKIES		32		/* cookies kept per request */
#define LIMIT_PATH		2048		/* request path */
#define LIMIT_QUERY		8192		/* query string */
#define LIMIT_CAPTURES		8		/* :name captures per route */

/* Responses. */
#define LIMIT_RESPONSE		(8 * 1024 * 1024) /* a buffered response */
#define LIMIT_RESP_HEADERS	32		/* headers set per response */
#define LIMIT_RESP_HEAD		(64 * 1024)	/* status line and headers */
#define LIMIT_HSTS_MAX_AGE_S	(365 * 24 * 3600) /* HSTS max-age */

/*
 * JSON.  One depth for every document we parse: requests, providers'
 * answers (the deepest documented one nests 13 levels) and our own.
 */
#define LIMIT_JSON_DEPTH	32		/* nesting of parsed JSON */
#define LIMIT_JSON_SIZE		(8 * 1024 * 1024) /* bytes parsed at once */

/* Templates. */
#define LIMIT_TMPL_DEPTH	64		/* nested sections */
#define LIMIT_TMPL_PARTIALS	16		/* nested partial inclusion */
#define LIMIT_TMPL_OUTPUT	(4 * 1024 * 1024) /* rendered output */
#define LIMIT_TMPL_SHORTEN	20		/* cuts of a long page's list */
#define LIMIT_TMPL_SIZE		(1024 * 1024)	/* one template's source */

/* Upstream calls (httpc). */
#define LIMIT_UPSTREAM_BODY	(16 * 1024 * 1024) /* a provider response */
#define LIMIT_UPSTREAM_TIMEOUT_MS 20000		/* whole call */
#define LIMIT_UPSTREAM_CONNECT_MS 5000		/* connect phase */

/* Database. */
#define LIMIT_DB_CONNECT_S	2		/* connect_timeout */
#define LIMIT_DB_BACKOFF_MIN_MS	100		/* first reconnect wait */
#define LIMIT_DB_BACKOFF_MAX_MS	2000		/* longest reconnect wait */
#define LIMIT_DB_RETRY_AFTER_S	2		/* Retry-After while down */
#define LIMIT_STATEMENT_TIMEOUT_MS 30000	/* a request statement's bound */
#define LIMIT_DB_PREPARED	64		/* db_exec_static statements */
#define LIMIT_DB_LATER		4		/* db_exec_later() queue */
#define LIMIT_ERROR_MESSAGE	1024		/* an error's message, bytes */
#define LIMIT_DB_REPLICA_CHECK_MS 2000	/* read replica checks */
#define LIMIT_MIGRATIONS	1000		/* files in sql/ */
#define LIMIT_MIGRATION_SIZE	(4 * 1024 * 1024) /* one migration file */

/* Cryptography (crypto). */
#define LIMIT_KEYS		16		/* keys in SLUICE_ENCRYPTION_KEYS */
#define LIMIT_KEY_ID		32		/* characters of one key id */
#define LIMIT_KEYRING_SPEC	4096		/* SLUICE_ENCRYPTION_KEYS length */
#define LIMIT_SEAL_PLAINTEXT	(64 * 1024)	/* bytes sealed in one blob */
#define LIMIT_SEAL_AAD		1024		/* additional data of a blob */
#define LIMIT_PASSWORD		1024		/* bytes of one password */
#define LIMIT_SCRYPT_MEM	(256 * 1024 * 1024) /* scrypt 128*r*N bytes */
#define LIMIT_WEBHOOK_SECRET	256		/* characters of a whsec_ secret */

/* Sessions, API keys, logins (session, apikey). */
#define LIMIT_SESSION_IDLE_S	(24 * 3600)	/* unused this long: expired */
#define LIMIT_SESSION_ABS_S	(14 * 24 * 3600) /* expired this long after login */
#define LIMIT_SESSION_TOUCH_S	60		/* last_seen_at write interval */
#define LIMIT_PRE_SESSION_S	3600		/* a pre-login form's token */
#define LIMIT_LOGIN_ACCOUNT	10		/* logins per account ... */
#define LIMIT_LOGIN_ADDR	50		/* ... and per address ... */
#define LIMIT_LOGIN_WINDOW_S	(15 * 60)	/* ... a window; then 429 */
#define LIMIT_RESET_ACCOUNT	3		/* reset links per address ... */
#define LIMIT_RESET_CLIENT	20		/* ... and per client ... */
#define LIMIT_RESET_WINDOW_S	3600		/* ... an hour; then 429 */
#define LIMIT_RESET_VALID_S	3600		/* a reset link works an hour */
#define LIMIT_NOTICE_BODY	(64 * 1024)	/* one notice email, rendered */
#define LIMIT_TRUSTED_PROXIES	16		/* SLUICE_TRUSTED_PROXIES */
#define LIMIT_NEXT_PATH		1024		/* ?next= path after login */
#define LIMIT_WORKSPACES_OWNED	20		/* workspaces one creates */
#define LIMIT_WORKSPACE_NAME	200		/* bytes of a workspace name */
#define LIMIT_KEY_NAME		100		/* bytes of an API key name */
#define LIMIT_REPORTING_LOGINS	10		/* read-only SQL logins of a workspace */
#define LIMIT_REPORTING_LOGINS_ALL 15		/* ... of the installation (sql/260) */
#define LIMIT_OAUTH_STATE_S	600		/* OAuth state lifetime */
#define LIMIT_OWNER_TEXT	200		/* a login's id or label */
#define LIMIT_PROVIDER_TEXT	300		/* a provider's error text */
#define LIMIT_ID_TOKEN		8192		/* an id_token's claims, encoded */
#define LIMIT_APIKEY_TOUCH_S	60		/* last_used_at write interval */
#define LIMIT_TOKEN_TEXT	256		/* a presented cookie or API key */
#define LIMIT_ROTATE_BATCH	100		/* blobs re-sealed per transaction */

/* Metrics ingest and tiles (ingest, metric, tiles). */
#define LIMIT_INGEST_ROWS	10000		/* rows in one ingest request */
#define LIMIT_INGEST_PROBLEMS	100		/* row problems listed in a 422 */
#define LIMIT_INGEST_PROBLEMS_JSON (64 * 1024) /* that 422's body */
#define LIMIT_INGEST_DIMS	2048		/* bytes of one row's dims */
#define LIMIT_METRIC_NAME	64		/* source, metric, account id */
#define LIMIT_SOURCES_NAMED	20		/* sources a 404 names */
#define LIMIT_VALUE_DIGITS	18		/* integer digits of a value */
#define LIMIT_VALUE_DECIMALS	6		/* its decimals, rounded */
#define LIMIT_TILES		200		/* tiles in one dashboard */
#define LIMIT_TILES_CACHE	32		/* answers a process keeps */
#define LIMIT_TILES_CACHE_BYTES	(512 * 1024)	/* the largest one kept */
#define LIMIT_TILES_CACHE_SECONDS 300		/* kept at most, even unchanged */
#define LIMIT_DAYS_ZONES	4		/* zones a source's "Days in" names */
#define LIMIT_DAYS_ZONE_NAMES	3		/* accounts named per zone there */
#define LIMIT_ZONE_NAME		64		/* a zone name a provider gives */
#define LIMIT_SPARKLINE		(64 * 1024)	/* one tile's SVG points */
#define LIMIT_IDEMPOTENCY_KEY	128		/* Idempotency-Key header */

/* Weekly digest (insights, digest, email). */
#define LIMIT_DIGEST_BATCH	100		/* emails per Resend batch call */
#define LIMIT_DIGEST_ATTEMPTS	3		/* tries of one Resend call */
#define LIMIT_DIGEST_COOLDOWN_S	600		/* between weekly runs */
#define LIMIT_DIGEST_QUOTA_WAIT_S 3600	/* scheduler, after a quota stop */
#define LIMIT_DIGEST_RETRY_MAX_S 30		/* longest retry-after obeyed */
#define LIMIT_DIGEST_BACKOFF_MS	500		/* first 5xx backoff, doubled */
#define LIMIT_DIGEST_KEY_AGE_S	(24 * 3600)	/* Resend keeps a key this long */
#define LIMIT_DIGEST_EMAIL	320		/* one recipient address */
#define LIMIT_MAIL_FILE		(8 * 1024 * 1024) /* one SLUICE_MAIL_DIR .eml */
#define LIMIT_DIGEST_BODY	(512 * 1024)	/* one rendered digest part */
#define LIMIT_DIGEST_KPIS_PER_SOURCE 4	/* KPIs of one source in a digest */
#define LIMIT_DIGEST_SOURCES	20		/* sources with a digest section */
#define LIMIT_DIGEST_MONTH_ROWS 124000	/* rows a monthly digest reads */
#define LIMIT_DIGEST_ERRORS	20		/* error lines kept on a run */
#define LIMIT_INSIGHTS_SERIES	2000		/* (provider, metric) series */
#define LIMIT_INSIGHTS_ITEMS	12		/* insights listed in a digest */
#define LIMIT_INSIGHTS_STALE_S	(48 * 3600)	/* data older than this: stale */
#define LIMIT_INSIGHTS_FIRST_SYNC_S 3600	/* a connection younger than this
						 * that never synced: not yet told */
#define LIMIT_INSIGHTS_YEAR_MIN	2000		/* a week starts in this year */
#define LIMIT_INSIGHTS_YEAR_MAX	2999		/* ... to this year */
#define LIMIT_INTEL_QUESTION	500		/* characters of a question */

/* Sync (syncnorm, sync, worker). */
#define LIMIT_SYNC_ROWS		200000		/* rows from one account's fetch */
#define LIMIT_SYNC_BATCH	5000		/* rows upserted per transaction */
#define LIMIT_SYNC_PAGES	200		/* pages followed per report */
#define LIMIT_CONTENT_CAPTION	200		/* characters of a caption */
#define LIMIT_CONTENT_DAYS	90		/* content: published since */
#define LIMIT_SYNC_MSG_PAGES	2000		/* history pages of a channel a run */
#define LIMIT_SYNC_METRIC_LIST	4096		/* metric names of one report */
#define LIMIT_SYNC_MSG_COLUMN	(64 * 1024 * 1024) /* a message batch column */
#define LIMIT_SYNC_PROCS	64		/* worker --procs */
#define LIMIT_SYNC_PURGE	10000		/* finished jobs deleted a call */
#define LIMIT_SYNC_ERROR	300		/* bytes of a stored error message */
#define LIMIT_SYNC_ERRORS	1000		/* bytes naming a run's failed accounts */
#define LIMIT_ADS_TREE_ROWS	1000		/* children of an Ads manager */
#define LIMIT_ADS_TREE_DEPTH	6		/* manager levels followed */
#define LIMIT_LINKEDIN_NAMES	200		/* organizations named */
#define LIMIT_SCHEDULE_DIGESTS	50		/* workspaces' digests per tick */
#define LIMIT_SCHEDULE_PURGE_S	3600		/* scheduler's purge interval */

/*
 * Alerts (lib/sync/alerts.h): the worker's step, how late a daily sync
 * is missed (the emails say "two hours"), how long resolved incidents
 * are kept, incidents emailed per step, admins emailed per incident.
 */
#define LIMIT_ALERT_STEP_S	60
#define LIMIT_ALERT_LATE_S	7200
#define LIMIT_ALERT_KEEP_DAYS	90
#define LIMIT_ALERT_EMAILS	50
#define LIMIT_ALERT_RECIPIENTS	50

/*
 * Providers' rate limits (pcall, meta, ga4, google_ads, mailchimp).  A
 * fetch stops itself, rate limited, once a provider's own usage header
 * says this share of a limit is used (Meta's X-App-Usage,
 * X-Business-Use-Case-Usage, X-Ad-Account-Usage), or once GA4's
 * propertyQuota leaves fewer tokens than the floors: the job waits and
 * goes on where it stopped instead of running into the wall.
 */
#define LIMIT_RATE_USAGE_PCT	90		/* % of a Meta limit: stop */
#define LIMIT_RATE_WAIT_S	60		/* a 429 without a wait */
#define LIMIT_RATE_QUOTA_WAIT_S	3600		/* a quota 403, no wait */
#define LIMIT_RATE_WAIT_MAX_S	(36 * 3600)	/* longest wait obeyed */
#define LIMIT_META_WAIT_S	300		/* Meta, no time given */
#define LIMIT_GA4_HOUR_FLOOR	1000		/* GA4 tokens left this hour */
#define LIMIT_GA4_DAY_FLOOR	5000		/* GA4 tokens left this day */
#define LIMIT_GA4_DAY_UTC_HOUR	8		/* GA4's quota day (PST) */
#define LIMIT_GA4_ZONE_ACCOUNTS	20		/* accounts asked for zones */
#define LIMIT_MAILCHIMP_WAIT_S	60		/* Mailchimp's throttle */

/* Outgoing webhooks (hooks/outbox). */
#define LIMIT_HOOK_URL		2048		/* bytes of an endpoint URL */
#define LIMIT_HOOK_ENDPOINTS	20		/* endpoints of a workspace */
#define LIMIT_HOOK_TIMEOUT_MS	10000		/* one delivery, whole call */
#define LIMIT_HOOK_READ		(64 * 1024)	/* an answer read at most */
#define LIMIT_HOOK_KEEP		1024		/* bytes of it stored */
#define LIMIT_HOOK_LIST		20		/* deliveries on the page */
#define LIMIT_HOOK_WINDOW_MIN	(24 * 60)	/* retried this long, minutes */
#define LIMIT_HOOK_LEASE_S	60		/* a delivery's lease */
#define LIMIT_HOOK_BATCH	20		/* deliveries per worker pass */
#define LIMIT_HOOK_KEEP_DAYS	30		/* events kept this long */
/* The deliverer (worker.c): one workspace cannot hold up the others. */
#define LIMIT_HOOK_WS_ROUND	1		/* per workspace in a round */
#define LIMIT_HOOK_ONCE_MS	30000		/* worker --once delivers */
#define LIMIT_HOOK_TEST_S	10		/* test event window, seconds */
#define LIMIT_HOOK_TEST_N	1		/* ... one endpoint's limit */
#define LIMIT_HOOK_TEST_WS_S	3600		/* ... a workspace's window */
#define LIMIT_HOOK_TEST_WS_N	60		/* ... a workspace's limit */

/* Processes (prefork). */
#define LIMIT_FCGI_PROCS	64		/* children of one program */
#define LIMIT_FCGI_CONNS	32		/* connections a child holds */
#define LIMIT_FCGI_DRAIN_MS	5000		/* stopping: answering what
						 * nginx sent, at most */
#define LIMIT_FCGI_BATCH	16		/* deferred answers flushed
						 * together (app_defer()) */
#define LIMIT_HEAP_KEEP		(4 * 1024 * 1024) /* free heap a child keeps */
#define LIMIT_RESPAWN_MIN_MS	100		/* pause before a quick respawn */
#define LIMIT_RESPAWN_MAX_MS	10000		/* longest crash-loop pause */
#define LIMIT_RESPAWN_STABLE_S	10		/* lived this long: not a loop */

/* Logging. */
#define LIMIT_LOG_LINE		4096		/* one log line */
#define LIMIT_LOG_FIELD		512		/* one logged string */

/* Operations: the metrics scrape and /readyz (prom, reqstats, ops). */
#define LIMIT_REQSTATS_ROUTES	64		/* routes counted per program */
#define LIMIT_REQSTATS_NAME	64		/* bytes of a route or program */
#define LIMIT_REQSTATS_FILES	32		/* programs one scrape reads */
#define LIMIT_METRICS_PAGE	(4 * 1024 * 1024) /* a scrape's response */
#define LIMIT_WORKER_BEAT_S	30		/* a worker's heartbeat interval */
#define LIMIT_WORKER_STALE_S	600		/* no beat this long: warn */

/* Inquiries and bookings (lib/business/). */
#define LIMIT_BODY_FORM		(32 * 1024)	/* POST /f/:token, /v1/inquiries */
#define LIMIT_INQUIRY_SHORT	200		/* characters: name, UTM values */
#define LIMIT_INQUIRY_EMAIL	254		/* bytes of an email address */
#define LIMIT_INQUIRY_PHONE	40		/* characters of a phone number */
#define LIMIT_INQUIRY_SOURCE	64		/* bytes of a source name */
#define LIMIT_INQUIRY_TEXT	5000		/* characters: message, note */
#define LIMIT_INQUIRY_URL	2000		/* bytes: referrer, pages, URLs */
#define LIMIT_INQUIRY_PAGE	100		/* rows of a list page (max) */
#define LIMIT_FORM_ORIGINS	5		/* site origins of one form */
#define LIMIT_FORM_ADDR		10		/* posts per address and form */
#define LIMIT_FORM_ADDR_S	600		/* ... in this window */
#define LIMIT_FORM_ALL		500		/* posts per form */
#define LIMIT_FORM_ALL_S	3600		/* ... in this window */
#define LIMIT_BOOKING_DIGITS	12		/* integer digits of a value */
#define LIMIT_ATTR_RULES	50		/* attribution rules of a workspace */
#define LIMIT_ATTR_CHANNEL	60		/* characters of a channel's name */
#define LIMIT_ATTR_PATTERN	200		/* bytes of a rule's pattern */
#define LIMIT_ATTR_DAYS		3660		/* days of a report's period */

#endif
