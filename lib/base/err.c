/* err.c — maps enum err to HTTP status and names. */
#include "base/err.h"

static const struct {
	int		 status;
	const char	*code;
} errs[ERR__MAX] = {
	[ERR_OK] = { 200, "ok" },
	[ERR_INPUT] = { 400, "bad_request" },
	[ERR_AUTH] = { 401, "unauthorized" },
	[ERR_FORBIDDEN] = { 403, "forbidden" },
	[ERR_NOTFOUND] = { 404, "not_found" },
	[ERR_METHOD] = { 405, "method_not_allowed" },
	[ERR_CONFLICT] = { 409, "conflict" },
	[ERR_TOOBIG] = { 413, "payload_too_large" },
	[ERR_UNPROCESSABLE] = { 422, "unprocessable" },
	[ERR_RATELIMIT] = { 429, "rate_limited" },
	[ERR_UPSTREAM] = { 502, "upstream_error" },
	[ERR_DB] = { 500, "database_error" },
	[ERR_UNAVAILABLE] = { 503, "unavailable" },
	[ERR_TEMPLATE] = { 500, "template_error" },
	[ERR_SYSTEM] = { 500, "internal_error" },
};

int
err_status(enum err e)
{
	if (e < 0 || e >= ERR__MAX)
		return 500;
	return errs[e].status;
}

const char *
err_code(enum err e)
{
	if (e < 0 || e >= ERR__MAX)
		return "internal_error";
	return errs[e].code;
}

const char *
err_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}
