/*
 * sandbox_faults.c — the providers' error shapes the sandbox answers with.
 *
 * By name (the example file's name in ../shared/providers) and by generic
 * switch (429, 500, 401, invalid_grant, removed_metric; see
 * lib/sandbox/sandbox.h).  Texts are ours; keys, types and statuses are
 * the providers'.
 */
#include <stddef.h>

#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define J	"application/json"
#define JU	"application/json; charset=UTF-8"
#define Ju	"application/json; charset=utf-8"
#define PJ	"application/problem+json; charset=utf-8"
#define GOOG_NOCACHE	"Cache-Control: no-cache, no-store, max-age=0, " \
	"must-revalidate\nPragma: no-cache\n"
#define ADS_FAIL(code, msg, req) \
	"\"details\":[{\"@type\":\"type.googleapis.com/google.ads." \
	"googleads.v23.errors.GoogleAdsFailure\",\"errors\":[{\"errorCode\":" \
	code ",\"message\":\"" msg "\"}],\"requestId\":\"" req "\"}]"
#define META_ERR(body)	"{\"error\":{" body "}}"
#define LI_ERR(st, sec, code, msg) "{\"status\":" #st ",\"serviceErrorCode\":" \
	#sec ",\"code\":\"" code "\",\"message\":\"" msg "\"}"
#define MC_HDR	"X-Request-Id: 5d0c1b2a-sbx0-4000-8000-000000000001\n" \
	"Link: <http://sandbox.invalid/schema/3.0/ProblemDetailDocument.json>; " \
	"rel=\"describedBy\"\n"
#define MC_ERR(title, st, detail) \
	"{\"type\":\"https://mailchimp.com/developer/marketing/docs/errors/\"," \
	"\"title\":\"" title "\",\"status\":" #st \
	",\"detail\":\"" detail "\",\"instance\":\"7f0e5a1c-sbx0-4000-8000-" \
	"0000000000" #st "\"}"
#define SL(e)	"{\"ok\":false,\"error\":\"" e "\"}"
#define GH_RL	"x-ratelimit-limit: 5000\nx-ratelimit-remaining: 4990\n" \
	"x-ratelimit-used: 10\nx-ratelimit-reset: 1780365600\n" \
	"x-ratelimit-resource: core\n"
#define GH_ERR(msg, doc, st) "{\"message\":\"" msg "\",\"documentation_url\":" \
	"\"https://docs.github.com/rest" doc "\",\"status\":\"" #st "\"}"
#define GH_OERR(e, msg) "{\"error\":\"" e "\",\"error_description\":\"" msg \
	"\",\"error_uri\":\"/apps/managing-oauth-apps/troubleshooting-oauth-" \
	"app-access-token-request-errors/#" e "\"}"

static const struct sandbox_fault faults[] = {
	/* Google OAuth token and revoke endpoints. */
	{ SBX_GOOGLE_OAUTH, "token-error-invalid-grant-revoked",
	    "invalid_grant", 400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Token has been expired or revoked.\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-invalid-grant-bad-request", NULL,
	    400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Bad Request\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-invalid-grant-code-redeemed", NULL,
	    400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Code was already redeemed.\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-invalid-client", "401", 401,
	    GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"Unauthorized\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-invalid-client-not-found", NULL,
	    401, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"The OAuth client was not found.\"}" },
	{ SBX_GOOGLE_OAUTH, "revoke-error-invalid-token", NULL, 400, NULL, Ju,
	    "{\"error\":\"invalid_token\",\"error_description\":"
	    "\"Token expired or revoked\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-429", "429", 429,
	    "Retry-After: 30\n", Ju,
	    "{\"error\":\"rate_limit_exceeded\",\"error_description\":"
	    "\"Rate limit exceeded\"}" },
	{ SBX_GOOGLE_OAUTH, "token-error-500", "500", 500, NULL, Ju,
	    "{\"error\":\"internal_failure\",\"error_description\":"
	    "\"Backend error\"}" },

	/* GA4 Admin and Data APIs (and the generic Google 401). */
	{ SBX_GA4, "api-error-401-expired-access-token", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials. Expected OAuth 2 access token, "
	    "login cookie or other valid authentication credential.\","
	    "\"status\":\"UNAUTHENTICATED\",\"details\":[{\"@type\":"
	    "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":"
	    "\"ACCESS_TOKEN_EXPIRED\",\"domain\":\"googleapis.com\","
	    "\"metadata\":{\"service\":\"analyticsdata.googleapis.com\","
	    "\"method\":\"google.analytics.data.v1beta.BetaAnalyticsData."
	    "RunReport\"}}]}}" },
	{ SBX_GA4, "api-error-401-invalid", NULL, 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_TYPE_UNSUPPORTED\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"analyticsdata.googleapis.com\",\"method\":\"google.analytics."
	    "data.v1beta.BetaAnalyticsData.RunReport\"}}]}}" },
	{ SBX_GA4, "error-400-invalid-metric", "removed_metric", 400, NULL,
	    JU,
	    "{\"error\":{\"code\":400,\"message\":\"Field conversions is not "
	    "a valid metric.\",\"status\":\"INVALID_ARGUMENT\"}}" },
	{ SBX_GA4, "error-403-insufficient-scope", NULL, 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"Request had insufficient "
	    "authentication scopes.\",\"status\":\"PERMISSION_DENIED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_SCOPE_INSUFFICIENT\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"analyticsdata.googleapis.com\",\"method\":\"google.analytics."
	    "data.v1beta.BetaAnalyticsData.RunReport\"}}]}}" },
	{ SBX_GA4, "error-403-permission-denied", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The user has no access "
	    "to this property.\",\"status\":\"PERMISSION_DENIED\"}}" },
	{ SBX_GA4, "error-429-resource-exhausted-daily", NULL, 429, NULL, JU,
	    "{\"error\":{\"code\":429,\"message\":\"Property tokens per day "
	    "are used up; they return within 24 hours.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}" },
	{ SBX_GA4, "error-429-resource-exhausted-hourly", "429", 429,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"code\":429,\"message\":\"Property tokens per hour "
	    "are used up; they return within the hour.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}" },
	{ SBX_GA4, "error-500-internal", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Internal error "
	    "encountered.\",\"status\":\"INTERNAL\"}}" },

	/* Google Ads. */
	{ SBX_ADS, "api-error-401-expired-access-token", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_EXPIRED\",\"domain\":"
	    "\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"googleads.googleapis.com\",\"method\":\"google.ads.googleads."
	    "v23.services.GoogleAdsService.SearchStream\"}}]}}" },
	{ SBX_ADS, "api-error-401-invalid", NULL, 401, NULL, JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_TYPE_UNSUPPORTED\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"googleads.googleapis.com\",\"method\":\"google.ads.googleads."
	    "v23.services.GoogleAdsService.SearchStream\"}}]}}" },
	{ SBX_ADS, "error-400-metrics-for-manager", NULL, 400, NULL, JU,
	    "[{\"error\":{\"code\":400,\"message\":\"Request contains an "
	    "invalid argument.\",\"status\":\"INVALID_ARGUMENT\","
	    ADS_FAIL("{\"queryError\":\"REQUESTED_METRICS_FOR_MANAGER\"}",
	    "Metrics are not available for a manager account; query each "
	    "client account.", "sbxMgr0000000000000001") "}}]" },
	{ SBX_ADS, "error-400-query-error-searchStream", NULL, 400,
	    "request-id: sbxQry0000000000000001\n", JU,
	    "[{\"error\":{\"code\":400,\"message\":\"Request contains an "
	    "invalid argument.\",\"status\":\"INVALID_ARGUMENT\","
	    ADS_FAIL("{\"queryError\":\"UNRECOGNIZED_FIELD\"}",
	    "The query names a field the sandbox does not know.",
	    "sbxQry0000000000000001") "}}]" },
	{ SBX_ADS, "error-403-customer-not-enabled", NULL, 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\","
	    ADS_FAIL("{\"authorizationError\":\"CUSTOMER_NOT_ENABLED\"}",
	    "The customer account is not enabled or was deactivated.",
	    "sbxCne0000000000000001") "}}" },
	{ SBX_ADS, "error-403-user-permission-denied", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\","
	    ADS_FAIL("{\"authorizationError\":\"USER_PERMISSION_DENIED\"}",
	    "The user may not access this customer; set login-customer-id "
	    "for a client of a manager.", "sbxUpd0000000000000001") "}}" },
	{ SBX_ADS, "error-429-quota-resource-exhausted", "429", 429,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"code\":429,\"message\":\"Resource has been "
	    "exhausted (e.g. check quota).\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type."
	    "googleapis.com/google.ads.googleads.v23.errors."
	    "GoogleAdsFailure\",\"errors\":[{\"errorCode\":{\"quotaError\":"
	    "\"RESOURCE_EXHAUSTED\"},\"message\":\"Too many requests; retry "
	    "in 30 seconds.\",\"details\":{\"quotaErrorDetails\":{"
	    "\"rateScope\":\"DEVELOPER\",\"rateName\":\"Number of operations "
	    "for basic access\",\"retryDelay\":\"30s\"}}}],\"requestId\":"
	    "\"sbxQta0000000000000001\"}]}}" },
	{ SBX_ADS, "error-500-internal", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Internal error "
	    "encountered.\",\"status\":\"INTERNAL\"}}" },

	/* YouTube Data and Analytics. */
	{ SBX_YOUTUBE, "youtube-401", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\","
	    "\"errors\":[{\"message\":\"Invalid Credentials\",\"domain\":"
	    "\"global\",\"reason\":\"authError\",\"location\":"
	    "\"Authorization\",\"locationType\":\"header\"}],\"status\":"
	    "\"UNAUTHENTICATED\"}}" },
	{ SBX_YOUTUBE, "error-403-forbidden", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"Forbidden\",\"errors\":"
	    "[{\"message\":\"Forbidden\",\"domain\":\"global\",\"reason\":"
	    "\"forbidden\"}],\"status\":\"PERMISSION_DENIED\"}}" },
	{ SBX_YOUTUBE, "error-403-quota-exceeded-data-api", "429", 403,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"errors\":[{\"domain\":\"youtube.quota\","
	    "\"reason\":\"quotaExceeded\",\"message\":\"The daily quota of "
	    "this project is used up.\"}],\"code\":403,\"message\":\"The "
	    "daily quota of this project is used up.\"}}" },
	{ SBX_YOUTUBE, "youtube-500", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Backend Error\","
	    "\"errors\":[{\"message\":\"Backend Error\",\"domain\":"
	    "\"global\",\"reason\":\"backendError\"}],\"status\":"
	    "\"INTERNAL\"}}" },

	/* Meta Graph API. */
	{ SBX_META, "error_190_expired", "401", 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the "
	    "session has expired.\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"error_subcode\":463,\"fbtrace_id\":\"SbxTrace0000001\"") },
	{ SBX_META, "error_190_invalid", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Invalid OAuth access token - cannot "
	    "parse access token\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"fbtrace_id\":\"SbxTrace0000002\"") },
	{ SBX_META, "error_190_password_changed", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the "
	    "session was invalidated by a password change.\",\"type\":"
	    "\"OAuthException\",\"code\":190,\"error_subcode\":460,"
	    "\"fbtrace_id\":\"SbxTrace0000003\"") },
	{ SBX_META, "error_10_permission", "403", 400, NULL, JU,
	    META_ERR("\"message\":\"(#10) This call needs the "
	    "pages_read_engagement permission.\",\"type\":\"OAuthException\","
	    "\"code\":10,\"fbtrace_id\":\"SbxTrace0000004\"") },
	{ SBX_META, "error_17_user_limit", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#17) User request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":17,"
	    "\"error_subcode\":2446079,\"fbtrace_id\":\"SbxTrace0000005\"") },
	{ SBX_META, "error_32_page_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"104857600000001\":[{\"type\":"
	    "\"pages\",\"call_count\":100,\"total_cputime\":10,"
	    "\"total_time\":15,\"estimated_time_to_regain_access\":5}]}\n", JU,
	    META_ERR("\"message\":\"(#32) Page request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":32,"
	    "\"fbtrace_id\":\"SbxTrace0000006\"") },
	{ SBX_META, "error_4_app_limit", "429", 400,
	    "Retry-After: 30\nX-App-Usage: {\"call_count\":100,"
	    "\"total_cputime\":40,\"total_time\":60}\n", JU,
	    META_ERR("\"message\":\"(#4) Application request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":4,"
	    "\"fbtrace_id\":\"SbxTrace0000007\"") },
	{ SBX_META, "error_613_rate_limit", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#613) Calls to this API exceeded the "
	    "rate limit.\",\"type\":\"OAuthException\",\"is_transient\":true,"
	    "\"code\":613,\"fbtrace_id\":\"SbxTrace0000008\"") },
	{ SBX_META, "error_80000_ads_insights_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"1234567890\":[{\"type\":"
	    "\"ads_insights\",\"call_count\":100,\"total_cputime\":20,"
	    "\"total_time\":30,\"estimated_time_to_regain_access\":15,"
	    "\"ads_api_access_tier\":\"standard_access\"}]}\n", JU,
	    META_ERR("\"message\":\"(#80000) Too many calls to this ad "
	    "account; wait a bit and try again.\",\"type\":\"OAuthException\","
	    "\"is_transient\":true,\"code\":80000,\"error_subcode\":2446079,"
	    "\"fbtrace_id\":\"SbxTrace0000009\"") },
	{ SBX_META, "error_ads_too_much_data", "500", 500, NULL, JU,
	    META_ERR("\"message\":\"An unknown error occurred\",\"type\":"
	    "\"OAuthException\",\"code\":1,\"error_subcode\":99,"
	    "\"is_transient\":false,\"error_user_title\":\"Please reduce the "
	    "amount of data\",\"error_user_msg\":\"Ask for a shorter date "
	    "range or fewer fields.\",\"fbtrace_id\":\"SbxTrace0000010\"") },
	{ SBX_META, "error_ads_too_much_data_short", NULL, 500, NULL, JU,
	    META_ERR("\"code\":1,\"message\":\"Please reduce the amount of "
	    "data you are asking for, then retry your request\"") },
	{ SBX_META, "oauth_error_code_used", "invalid_grant", 400,
	    "WWW-Authenticate: OAuth \"Facebook Platform\" \"invalid_code\" "
	    "\"This authorization code has been used.\"\n", JU,
	    META_ERR("\"message\":\"This authorization code has been used.\","
	    "\"type\":\"OAuthException\",\"code\":100,\"error_subcode\":36009,"
	    "\"fbtrace_id\":\"SbxTrace0000011\"") },
	{ SBX_META, "page_insights_error_invalid_metric", "removed_metric",
	    400, NULL, JU,
	    META_ERR("\"message\":\"(#100) The value must be a valid insights "
	    "metric\",\"type\":\"OAuthException\",\"code\":100,"
	    "\"fbtrace_id\":\"SbxTrace0000012\"") },
	{ SBX_META, "ig_error_impressions_removed", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) The impressions metric is no "
	    "longer supported from version 22; use views.\",\"type\":"
	    "\"OAuthException\",\"code\":100,\"fbtrace_id\":"
	    "\"SbxTrace0000013\"") },
	{ SBX_META, "ig_error_needs_total_value", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) These metrics must be asked with "
	    "metric_type=total_value.\",\"type\":\"OAuthException\","
	    "\"code\":100,\"fbtrace_id\":\"SbxTrace0000014\"") },
	{ SBX_META, "ig_error_range_too_long", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) There cannot be more than 30 days "
	    "between since and until\",\"type\":\"OAuthException\","
	    "\"code\":100,\"fbtrace_id\":\"SbxTrace0000015\"") },

	/* LinkedIn. */
	{ SBX_LINKEDIN_OAUTH, "oauth_error_invalid_code", "invalid_grant",
	    400, NULL, J,
	    "{\"error\":\"invalid_request\",\"error_description\":\"Unable "
	    "to retrieve access token: the authorization code or refresh "
	    "token is invalid or expired\"}" },
	{ SBX_LINKEDIN_OAUTH, "oauth_error_500", "500", 500, NULL, J,
	    "{\"error\":\"server_error\",\"error_description\":\"Internal "
	    "error\"}" },
	{ SBX_LINKEDIN_OAUTH, "oauth_error_429", "429", 429,
	    "Retry-After: 30\n", J,
	    "{\"error\":\"temporarily_unavailable\",\"error_description\":"
	    "\"Too many requests\"}" },
	{ SBX_LINKEDIN, "error_401_expired_token", "401", 401, NULL, J,
	    LI_ERR(401, 65602, "EXPIRED_ACCESS_TOKEN",
	    "The token used in the request has expired") },
	{ SBX_LINKEDIN, "error_401_invalid_token", NULL, 401, NULL, J,
	    LI_ERR(401, 65600, "INVALID_ACCESS_TOKEN",
	    "Invalid access token") },
	{ SBX_LINKEDIN, "error_401_revoked_token", NULL, 401, NULL, J,
	    LI_ERR(401, 65601, "REVOKED_ACCESS_TOKEN",
	    "The token used in the request has been revoked by the user") },
	{ SBX_LINKEDIN, "error_403_access_denied", "403", 403, NULL, J,
	    LI_ERR(403, 100, "ACCESS_DENIED",
	    "Not enough permissions to access this organization") },
	{ SBX_LINKEDIN, "error_426_version", NULL, 426, NULL, J,
	    "{\"status\":426,\"code\":\"NONEXISTENT_VERSION\",\"message\":"
	    "\"Requested version is not active\"}" },
	{ SBX_LINKEDIN, "error_429_throttled", "429", 429,
	    "Retry-After: 30\n", J,
	    "{\"serviceErrorCode\":101,\"message\":\"Resource level throttle "
	    "APPLICATION DAY limit for calls to this resource is reached.\","
	    "\"status\":429}" },
	{ SBX_LINKEDIN, "error_500", "500", 500, NULL, J,
	    "{\"serviceErrorCode\":0,\"message\":\"Internal Server Error\","
	    "\"status\":500}" },

	/* Mailchimp. */
	{ SBX_MAILCHIMP_LOGIN, "oauth_token_invalid_grant", "invalid_grant",
	    400, NULL, J, "{\"error\":\"invalid_grant\"}" },
	{ SBX_MAILCHIMP_LOGIN, "oauth_metadata_invalid_token", "401", 200,
	    NULL, J, "{\"error\":\"invalid_token\"}" },
	{ SBX_MAILCHIMP_LOGIN, "oauth_error_500", "500", 500, NULL, J,
	    "{\"error\":\"server_error\"}" },
	{ SBX_MAILCHIMP, "error_401_invalid_key", "401", 401, MC_HDR, PJ,
	    MC_ERR("API Key Invalid", 401, "The API key or token is invalid "
	    "or belongs to another datacenter.") },
	{ SBX_MAILCHIMP, "error_403_forbidden", "403", 403, MC_HDR, PJ,
	    MC_ERR("Forbidden", 403, "This token may not access the "
	    "resource.") },
	{ SBX_MAILCHIMP, "error_404_not_found", "404", 404, MC_HDR, PJ,
	    MC_ERR("Resource Not Found", 404, "The requested resource could "
	    "not be found.") },
	{ SBX_MAILCHIMP, "error_405_method", NULL, 405, MC_HDR, PJ,
	    MC_ERR("Method Not Allowed", 405, "The requested method and "
	    "resource are not compatible.") },
	{ SBX_MAILCHIMP, "error_429_too_many", "429", 429,
	    "Retry-After: 30\n" MC_HDR, PJ,
	    MC_ERR("Too Many Requests", 429, "More than 10 simultaneous "
	    "connections.") },
	{ SBX_MAILCHIMP, "error_500", "500", 500, MC_HDR, PJ,
	    MC_ERR("Internal Server Error", 500, "An unexpected internal "
	    "error occurred.") },

	/* Slack: HTTP 200 with ok:false, except 429. */
	{ SBX_SLACK, "error_account_inactive", NULL, 200, NULL, Ju,
	    SL("account_inactive") },
	{ SBX_SLACK, "error_channel_not_found", NULL, 200, NULL, Ju,
	    SL("channel_not_found") },
	{ SBX_SLACK, "error_invalid_auth", NULL, 200, NULL, Ju,
	    SL("invalid_auth") },
	{ SBX_SLACK, "error_missing_scope", "403", 200, NULL, Ju,
	    "{\"ok\":false,\"error\":\"missing_scope\",\"needed\":"
	    "\"channels:history\",\"provided\":\"channels:read,users:read\"}" },
	{ SBX_SLACK, "error_not_authed", NULL, 200, NULL, Ju,
	    SL("not_authed") },
	{ SBX_SLACK, "error_not_in_channel", NULL, 200, NULL, Ju,
	    SL("not_in_channel") },
	{ SBX_SLACK, "error_ratelimited", "429", 429, "Retry-After: 30\n", Ju,
	    SL("ratelimited") },
	{ SBX_SLACK, "error_token_expired", "401", 200, NULL, Ju,
	    SL("token_expired") },
	{ SBX_SLACK, "error_token_revoked", NULL, 200, NULL, Ju,
	    SL("token_revoked") },
	{ SBX_SLACK, "error_internal", "500", 200, NULL, Ju,
	    SL("internal_error") },
	{ SBX_SLACK, "oauth_v2_access_error_invalid_code", NULL, 200, NULL,
	    Ju, SL("invalid_code") },
	{ SBX_SLACK, "oauth_v2_access_error_invalid_refresh",
	    "invalid_grant", 200, NULL, Ju, SL("invalid_refresh_token") },
	{ SBX_SLACK, "users_info_error_user_not_found", NULL, 200, NULL, Ju,
	    SL("user_not_found") },

	/* GitHub. */
	{ SBX_GITHUB_OAUTH, "oauth_error_bad_verification_code",
	    "invalid_grant", 200, NULL, Ju,
	    GH_OERR("bad_verification_code",
	    "The code passed is incorrect or expired.") },
	{ SBX_GITHUB_OAUTH, "oauth_error_incorrect_client_credentials",
	    "401", 200, NULL, Ju,
	    GH_OERR("incorrect_client_credentials",
	    "The client_id and/or client_secret passed are incorrect.") },
	{ SBX_GITHUB_OAUTH, "oauth_error_redirect_uri_mismatch", NULL, 200,
	    NULL, Ju,
	    GH_OERR("redirect_uri_mismatch", "The redirect_uri does not "
	    "match the registered callback URL for this application.") },
	{ SBX_GITHUB_OAUTH, "oauth_error_500", "500", 500, NULL, Ju,
	    GH_OERR("server_error", "Internal error.") },
	{ SBX_GITHUB_OAUTH, "oauth_error_429", "429", 429,
	    "Retry-After: 30\n", Ju,
	    GH_OERR("slow_down", "Too many requests.") },
	{ SBX_GITHUB, "error_bad_credentials", "401", 401, NULL, Ju,
	    GH_ERR("Bad credentials", "", 401) },
	{ SBX_GITHUB, "error_primary_rate_limit", NULL, 403,
	    "x-ratelimit-limit: 5000\nx-ratelimit-remaining: 0\n"
	    "x-ratelimit-used: 5000\nx-ratelimit-reset: 1780365600\n"
	    "x-ratelimit-resource: core\n", Ju,
	    GH_ERR("API rate limit exceeded for this user.",
	    "/overview/rate-limits-for-the-rest-api", 403) },
	{ SBX_GITHUB, "error_secondary_rate_limit", "429", 403,
	    "retry-after: 30\nx-ratelimit-limit: 5000\n"
	    "x-ratelimit-remaining: 4512\nx-ratelimit-reset: 1780365600\n",
	    Ju,
	    GH_ERR("You have exceeded a secondary rate limit; wait before "
	    "trying again.", "/overview/rate-limits-for-the-rest-api", 403) },
	{ SBX_GITHUB, "error_traffic_forbidden", "403", 403, GH_RL, Ju,
	    GH_ERR("Must have push access to repository",
	    "/metrics/traffic", 403) },
	{ SBX_GITHUB, "error_500", "500", 500, NULL, Ju,
	    GH_ERR("Server Error", "", 500) },
	{ SBX_GITHUB, "error_404", "404", 404, NULL, Ju,
	    GH_ERR("Not Found", "", 404) },
};

const struct sandbox_fault *
sandbox_faults(size_t *n)
{
	*n = nitems(faults);
	return faults;
}
