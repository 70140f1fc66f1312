/*
 * attribution.h — which channel brought each inquiry, and what it cost.
 *
 * Each inquiry is mapped to a channel by the workspace's rules (first
 * match wins; sql/230), or by the defaults when it has none: google/cpc
 * is Google Ads, facebook or instagram with a paid medium Meta Ads,
 * facebook and instagram otherwise their organic channels, newsletter or
 * mailchimp Mailchimp, no campaign and no referrer Direct, anything else
 * Other.  A report per channel and period counts inquiries, bookings (not
 * cancelled) and their value, the conversion rate, and where the channel
 * has ad spend in metric_daily (a provider's spend_metric: Google Ads,
 * Meta Ads), the cost per inquiry and per booking — per currency, never
 * added across currencies.
 * Strings returned live in the caller's arena.
 */
#ifndef SLUICE_ATTRIBUTION_H
#define SLUICE_ATTRIBUTION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/kv.h"

struct arena;
struct db;

/*
 * The workspace's rules as the text a person edits, one a line:
 * "Channel | utm_source pattern | utm_medium pattern | referrer pattern",
 * the fields separated by a "|" with white space around it (a pattern's
 * own "a|b" has none); the defaults when it has none (*defaults).
 */
enum err	 attribution_rules_text(struct db *, struct arena *,
		    int64_t workspace_id, const char **text, bool *defaults);

/*
 * Replaces the workspace's rules with those of text (the format above;
 * empty lines and lines starting with # skipped; empty text: back to the
 * defaults).  NULL when saved; else why not, for a person, naming the
 * line (nothing saved), with *err_out ERR_UNPROCESSABLE — a pattern
 * PostgreSQL cannot compile included — or the database's error.
 */
const char	*attribution_rules_save(struct db *, struct arena *,
		    int64_t workspace_id, const char *text, enum err *err_out);

/*
 * Reads ?from and ?to (YYYY-MM-DD, the workspace's days, both or
 * neither; at most LIMIT_ATTR_DAYS days); NULL both for the default, the
 * 28 days ending today.  ERR_INPUT with *param and *why.
 */
enum err	 attribution_period_parse(const struct kvlist *,
		    const char **from, const char **to, const char **param,
		    const char **why);

/*
 * The report as JSON {"from","to","time_zone","channels":[{"channel",
 * "inquiries","bookings","conversion_rate"|null,"booking_value":[{
 * "currency","value"}],"spend":[...],"cost_per_inquiry":[...],
 * "cost_per_booking":[...]}]}: every channel of the rules and Other, in
 * the rules' order; values in units of their currency.
 */
enum err	 attribution_report_json(struct db *, struct arena *,
		    int64_t workspace_id, const char *from, const char *to,
		    const char **json);

#endif
