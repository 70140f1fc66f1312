/*
 * catalogue.h — the providers' registry and metric catalogue as JSON.
 *
 * What API clients (GET /v1/providers), the reporting schema's
 * metric_catalogue and the tests read instead of typing the list of
 * providers or their metrics again: one place, the registry
 * (lib/providers/registry.c) and each provider's catalogue rows.
 */
#ifndef SLUICE_CATALOGUE_H
#define SLUICE_CATALOGUE_H

struct arena;
struct config;
struct json_object;

/*
 * The providers in display order: an array of {slug, name, family,
 * accounts, reads, days, api_version, version, sunset, mode ("real",
 * "sandbox" or "not_configured" under cfg), metrics}; each metric
 * {name, label, unit, aggregation, stored, periods}: stored is false for a
 * RATIO (derived, never a row), periods lists the tile periods (7, 28, 90)
 * for which a TOTALS metric stores "<name>:<N>d" rows (empty otherwise).
 * Null members where the provider has no such thing.  Owned by the arena.
 */
struct json_object *catalogue_providers(struct arena *, const struct config *);

/*
 * Every catalogue row flat: an array of {provider, metric, label, unit,
 * aggregation}, as the reporting schema stores them.  Owned by the arena.
 */
struct json_object *catalogue_rows(struct arena *);

#endif
