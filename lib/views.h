/*
 * views.h — JSON views for the pages' templates, built from domain data.
 * Everything here only shapes data for display (labels, relative times,
 * which actions fit a status); templates escape it.  Objects returned are
 * owned by the arena.
 */
#ifndef SLUICE_VIEWS_H
#define SLUICE_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct config;
struct connection;
struct json_object;
struct provider;

/* "just now", "5 minutes ago", "3 days ago" for an age in seconds. */
const char	*views_ago(struct arena *, int64_t seconds);

/*
 * One provider's card: name, slug, status {label, class}, the actions
 * that fit (connect, reconnect, choose, test, sync, disconnect), the
 * selected accounts' names, last sync, last error, sandbox badge, the
 * setup hint when not configured.  c is NULL when never connected;
 * can_edit is false for viewers (no actions).
 */
struct json_object *views_connection_card(struct arena *,
		    const struct provider *, const struct connection *c,
		    const struct config *, bool can_edit);

#endif
