/* prom.c — the Prometheus text exposition format on a struct buf. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/prom.h"
#include "base/utf8.h"

static const char *const type_names[PROM__MAX] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram",
};

void
prom_init(struct prom *p, struct buf *b)
{
	p->b = b;
	p->family = NULL;
	p->type = PROM_GAUGE;
	p->rc = ERR_OK;
}

enum err
prom_error(const struct prom *p)
{
	return p->rc;
}

/* Keeps the first failure. */
static void
keep(struct prom *p, enum err rc)
{
	if (p->rc == ERR_OK)
		p->rc = rc;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]*, ':' only when colon. */
static bool
good_name(const char *s, bool colon)
{
	const char *c;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (c = s; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' ||
		    (colon && *c == ':')))
			return false;
	return true;
}

/*
 * Appends s escaped: backslash and line feed always, the double quote
 * when quote (label values; HELP text keeps it); other control
 * characters and bytes that are not UTF-8 as '?'.
 */
static void
put_escaped(struct prom *p, const char *s, bool quote)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n = strlen(s), k;
	enum err rc = ERR_OK;

	while (n > 0 && rc == ERR_OK) {
		if (*c == '\\')
			rc = buf_puts(p->b, "\\\\");
		else if (*c == '\n')
			rc = buf_puts(p->b, "\\n");
		else if (*c == '"' && quote)
			rc = buf_puts(p->b, "\\\"");
		else if (*c < 0x20 || *c == 0x7f || utf8_next(c, n, &k) < 0)
			rc = buf_putc(p->b, '?');
		else {
			rc = buf_append(p->b, c, k);
			c += k - 1;
			n -= k - 1;
		}
		c++;
		n--;
	}
	keep(p, rc);
}

/*
 * v as the format writes it, the shortest of 15 to 17 significant
 * digits that reads back as v (0.005, not 0.0050000000000000001).
 */
static void
fmt_value(double v, char *out, size_t size)
{
	int digits;

	if (isnan(v))
		snprintf(out, size, "NaN");
	else if (isinf(v))
		snprintf(out, size, "%s", v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) <= 9007199254740992.0)
		snprintf(out, size, "%.0f", v);
	else
		for (digits = 15; digits <= 17; digits++) {
			snprintf(out, size, "%.*g", digits, v);
			if (strtod(out, NULL) == v)
				break;
		}
}

static void
put_value(struct prom *p, double v)
{
	char s[64];

	fmt_value(v, s, sizeof(s));
	keep(p, buf_puts(p->b, s));
}

void
prom_family(struct prom *p, const char *name, enum prom_type type,
    const char *help)
{
	if (p->rc != ERR_OK)
		return;
	if (!good_name(name, true) || (unsigned)type >= PROM__MAX) {
		keep(p, ERR_INPUT);
		return;
	}
	p->family = name;
	p->type = type;
	keep(p, buf_printf(p->b, "# HELP %s ", name));
	put_escaped(p, help != NULL ? help : "", false);
	keep(p, buf_printf(p->b, "\n# TYPE %s %s\n", name, type_names[type]));
}

/* name{labels[,le="le"]} value\n */
static void
line(struct prom *p, const char *suffix, const struct prom_label *l,
    size_t nl, const char *le, double v)
{
	size_t i;
	bool any = false;

	keep(p, buf_printf(p->b, "%s%s", p->family, suffix));
	for (i = 0; i < nl && p->rc == ERR_OK; i++) {
		if (!good_name(l[i].name, false) ||
		    strcmp(l[i].name, "le") == 0 || l[i].value == NULL) {
			keep(p, ERR_INPUT);
			return;
		}
		keep(p, buf_printf(p->b, "%s%s=\"", any ? "," : "{",
		    l[i].name));
		put_escaped(p, l[i].value, true);
		keep(p, buf_putc(p->b, '"'));
		any = true;
	}
	if (le != NULL)
		keep(p, buf_printf(p->b, "%sle=\"%s\"", any ? "," : "{", le));
	if (any || le != NULL)
		keep(p, buf_putc(p->b, '}'));
	keep(p, buf_putc(p->b, ' '));
	put_value(p, v);
	keep(p, buf_putc(p->b, '\n'));
}

void
prom_sample(struct prom *p, const struct prom_label *l, size_t nl,
    double v)
{
	if (p->rc != ERR_OK)
		return;
	if (p->family == NULL || p->type == PROM_HISTOGRAM) {
		keep(p, ERR_INPUT);
		return;
	}
	line(p, "", l, nl, NULL, v);
}

void
prom_histogram(struct prom *p, const struct prom_label *l, size_t nl,
    const double *bounds, size_t nb, const uint64_t *counts, double sum)
{
	char le[64];
	uint64_t cum = 0;
	size_t i;

	if (p->rc != ERR_OK)
		return;
	if (p->family == NULL || p->type != PROM_HISTOGRAM) {
		keep(p, ERR_INPUT);
		return;
	}
	for (i = 1; i < nb; i++)
		if (!(bounds[i] > bounds[i - 1])) {
			keep(p, ERR_INPUT);
			return;
		}
	for (i = 0; i <= nb && p->rc == ERR_OK; i++) {
		cum += counts[i];
		if (i < nb)
			fmt_value(bounds[i], le, sizeof(le));
		else
			strcpy(le, "+Inf");
		line(p, "_bucket", l, nl, le, (double)cum);
	}
	line(p, "_sum", l, nl, NULL, sum);
	line(p, "_count", l, nl, NULL, (double)cum);
}
