/* numfmt.c — numbers for people (numfmt.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "base/numfmt.h"

/* Currencies written with a symbol, or with other than two decimals
 * (ISO 4217's minor units); every other code is "CODE 1,234.50". */
static const struct currency {
	const char	*code;
	const char	*symbol;	/* NULL: the code */
	int		 decimals;
} currencies[] = {
	{ .code = "AUD", .symbol = "A$", .decimals = 2 },
	{ .code = "BHD", .decimals = 3 },
	{ .code = "BRL", .symbol = "R$", .decimals = 2 },
	{ .code = "CAD", .symbol = "CA$", .decimals = 2 },
	{ .code = "CLP", .decimals = 0 },
	{ .code = "EUR", .symbol = "€", .decimals = 2 },
	{ .code = "GBP", .symbol = "£", .decimals = 2 },
	{ .code = "INR", .symbol = "₹", .decimals = 2 },
	{ .code = "IQD", .decimals = 3 },
	{ .code = "ISK", .decimals = 0 },
	{ .code = "JOD", .decimals = 3 },
	{ .code = "JPY", .symbol = "¥", .decimals = 0 },
	{ .code = "KRW", .symbol = "₩", .decimals = 0 },
	{ .code = "KWD", .decimals = 3 },
	{ .code = "LYD", .decimals = 3 },
	{ .code = "OMR", .decimals = 3 },
	{ .code = "PYG", .decimals = 0 },
	{ .code = "TND", .decimals = 3 },
	{ .code = "UGX", .decimals = 0 },
	{ .code = "USD", .symbol = "$", .decimals = 2 },
	{ .code = "VND", .decimals = 0 },
	{ .code = "XAF", .decimals = 0 },
	{ .code = "XOF", .decimals = 0 },
};

/* ISO 4217's codes (list one, current and recently withdrawn ones a
 * stored row may still carry), sorted, each followed by a space. */
static const char iso4217[] =
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD "
	"BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY "
	"COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP "
	"GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD "
	"IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR "
	"LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR "
	"MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON "
	"RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC "
	"SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU "
	"UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR "
	"XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL";

bool
numfmt_currency_ok(const char *s)
{
	return s != NULL && strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

bool
numfmt_currency_known(const char *s)
{
	const char *p;

	if (!numfmt_currency_ok(s))
		return false;
	for (p = iso4217; (p = strstr(p, s)) != NULL; p++)
		if ((p - iso4217) % 4 == 0)
			return true;
	return false;
}

static const struct currency *
currency(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < nitems(currencies); i++)
		if (strcmp(currencies[i].code, code) == 0)
			return &currencies[i];
	return NULL;
}

int
numfmt_currency_decimals(const char *code)
{
	const struct currency *c = currency(code);

	return c != NULL ? c->decimals : 2;
}

/* |v| with decimals and thousands separators ("12,480.50"); *neg when
 * the written value is below zero (a rounded -0.001 is "0.00", not
 * negative). */
static const char *
grouped(struct arena *a, double v, int decimals, bool *neg)
{
	char raw[400], out[540];
	const char *dot;
	size_t i, n, o = 0, intlen;

	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v));
	*neg = v < 0 && strspn(raw, "0.") != strlen(raw);
	dot = strchr(raw, '.');
	intlen = dot != NULL ? (size_t)(dot - raw) : strlen(raw);
	for (i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	n = strlen(raw);
	for (; i < n && o < sizeof(out) - 1; i++)
		out[o++] = raw[i];
	out[o] = '\0';
	return arena_strdup(a, out);
}

/* A signed number with separators: decimals when not whole. */
static const char *
number(struct arena *a, double v, int decimals)
{
	const char *g;
	bool neg;

	g = grouped(a, v, decimals, &neg);
	return neg ? arena_printf(a, "-%s", g) : g;
}

static const char *
money(struct arena *a, double amount, const char *code)
{
	const struct currency *c = currency(code);
	const char *g;
	bool neg;

	g = grouped(a, amount, c != NULL ? c->decimals : 2, &neg);
	if (!numfmt_currency_ok(code))
		return neg ? arena_printf(a, "-%s", g) : g;
	if (c != NULL && c->symbol != NULL)
		return arena_printf(a, "%s%s%s", neg ? "-" : "", c->symbol,
		    g);
	return arena_printf(a, "%s%s %s", neg ? "-" : "", code, g);
}

static const char *
duration(struct arena *a, double v)
{
	long long s = llround(v);
	const char *sign = s < 0 ? "-" : "";

	s = s < 0 ? -s : s;
	if (s < 60)
		return arena_printf(a, "%s%llds", sign, s);
	if (s < 3600)
		return arena_printf(a, "%s%lldm %02llds", sign, s / 60, s % 60);
	return arena_printf(a, "%s%sh %02lldm", sign, number(a,
	    (double)(s / 3600), 0), (s % 3600) / 60);
}

const char *
numfmt_value(struct arena *a, double v, const char *unit,
    const char *currency)
{
	const char *s;

	if (!isfinite(v) || fabs(v) > 1e300)
		return "–";
	if (unit != NULL && strcmp(unit, "ratio") == 0)
		return arena_printf(a, "%.1f%%", v * 100.0);
	if (unit != NULL && strcmp(unit, "currency_micros") == 0)
		return money(a, v / 1e6, currency);
	if (unit != NULL && strcmp(unit, "seconds") == 0)
		return duration(a, v);
	if (unit != NULL && strcmp(unit, "minutes") == 0)
		return arena_printf(a, "%s min", number(a, v, 0));
	s = number(a, v, fabs(v - round(v)) < 1e-9 ? 0 : 2);
	return numfmt_currency_ok(currency) ? arena_printf(a, "%s %s", s,
	    currency) : s;
}

/*
 * Why this is exact: for |v| < 1e6, t = |v| * 10 as a double is below
 * 2^24, so it is within 2^-30 of the exact product, and floor(t) and
 * t - floor(t) are exact.  printf rounds the exact product to the
 * nearest integer (ties to even); a fraction more than 1e-6 from one
 * half rounds the same way as the exact product does.  Within that, fma()
 * gives the product's rounding error exactly: an exact half (frac 0.5,
 * no error) goes to even; anything else is left to snprintf.
 */
size_t
numfmt_1f(char *out, double v)
{
	char digits[16];
	double a = fabs(v), t, fl, frac;
	uint64_t n;
	size_t len = 0, k = 0;
	int w;

	if (!(a < 1e6))		/* large, infinite or NaN */
		goto slow;
	t = a * 10;
	fl = floor(t);
	frac = t - fl;
	if (fabs(frac - 0.5) <= 1e-6) {
		if (frac != 0.5 || fma(a, 10, -t) != 0)
			goto slow;
		n = (uint64_t)fl;
		n += n & 1;	/* an exact half: to even */
	} else
		n = (uint64_t)fl + (frac > 0.5);
	if (signbit(v))
		out[len++] = '-';
	digits[k++] = (char)('0' + n % 10);
	digits[k++] = '.';
	n /= 10;
	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (k > 0)
		out[len++] = digits[--k];
	out[len] = '\0';
	return len;
slow:
	w = snprintf(out, NUMFMT_1F_SIZE, "%.1f", v);
	return w > 0 ? (size_t)w : 0;
}
