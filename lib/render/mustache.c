/*
 * mustache.c — the mustache template engine: compile once, render many.
 *
 * A template compiles to one flat array of nodes in source order.  A
 * section node records the index just past its children, so rendering is
 * a loop over a range that recurses only into sections and partials.
 * Text nodes point into the template's own copy of the source; names are
 * kept NUL-separated in one string per template.  Standalone lines are
 * removed at compile time.  Partial indentation is applied at render
 * time to the start of each non-empty line of the partial's source that
 * is not a standalone line, as if the source had been indented before
 * compiling: a text node that starts a line, each newline inside a text
 * node, and an N_INDENT marker where a line starts with a tag.  (Blank
 * lines stay blank, as in mustache.js.)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <json-c/json.h>
#include <json-c/linkhash.h>

#include "base/buf.h"
#include "base/limit.h"
#include "base/mem.h"
#include "render/mustache.h"

enum ntype {
	N_TEXT,
	N_VAR,		/* {{x}}: escaped */
	N_RAW,		/* {{{x}}}, {{&x}} */
	N_SECTION,	/* {{#x}} */
	N_INVERTED,	/* {{^x}} */
	N_PARTIAL,	/* {{>x}} */
	N_DPARTIAL,	/* {{>*x}}: the partial named by the value of x */
	N_INDENT	/* a line of the source starts with a tag here */
};

struct node {
	uint8_t		 type;
	uint8_t		 standalone;	/* partial alone on a line */
	uint16_t	 nseg;		/* name segments; 0 for "." */
	uint32_t	 off;		/* text, or partial indentation */
	uint32_t	 len;
	uint32_t	 name;		/* offset in names */
	uint32_t	 pos;		/* byte offset of the tag */
	uint32_t	 end;		/* section: index after children */
};

struct mustache {
	char		*name;
	char		*src;
	size_t		 srclen;
	char		*names;
	struct node	*nodes;
	size_t		 nnodes;
};

/* Line and column (1-based, UTF-8 characters) of byte off in src. */
static void
linecol(const char *src, size_t off, int *line, int *col)
{
	size_t i;

	*line = *col = 1;
	for (i = 0; i < off; i++) {
		if (src[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)src[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

/* Fills e with the position of byte off in src and a message. */
static void
seterr(struct mustache_error *e, const char *tname, const char *src,
    size_t off, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
seterr(struct mustache_error *e, const char *tname, const char *src,
    size_t off, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->line = e->column = 0;
	if (src != NULL)
		linecol(src, off, &e->line, &e->column);
	snprintf(e->name, sizeof(e->name), "%s", tname == NULL ? "" : tname);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* --- compiling ---------------------------------------------------------- */

struct cstate {
	struct mustache		*t;
	const char		*src;
	size_t			 len;
	size_t			 nodesize;
	struct buf		 names;
	struct mustache_error	*err;
	struct {
		uint32_t	 node;
		uint32_t	 off;	/* name in src */
		uint32_t	 len;
	}			 open[LIMIT_TMPL_DEPTH];
	int			 depth;
};

static int
isws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* First occurrence of needle in src[from, len), or len. */
static size_t
find(const char *src, size_t len, size_t from, const char *needle,
    size_t nlen)
{
	const char *p;

	if (from >= len)
		return len;
	p = memmem(src + from, len - from, needle, nlen);
	return p == NULL ? len : (size_t)(p - src);
}

static struct node *
newnode(struct cstate *cs, enum ntype type, size_t pos)
{
	struct node *n;

	if (cs->t->nnodes == cs->nodesize) {
		cs->nodesize = cs->nodesize == 0 ? 16 : cs->nodesize * 2;
		cs->t->nodes = xrealloc(cs->t->nodes,
		    cs->nodesize * sizeof(*cs->t->nodes));
	}
	n = &cs->t->nodes[cs->t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->pos = (uint32_t)pos;
	return n;
}

static void
addtext(struct cstate *cs, size_t from, size_t to)
{
	struct node *n;

	if (to <= from)
		return;
	n = newnode(cs, N_TEXT, from);
	n->off = (uint32_t)from;
	n->len = (uint32_t)(to - from);
}

/*
 * Stores name (len bytes) in the names string: split at dots into
 * NUL-terminated segments when dotted, else whole.  Sets n->name and
 * n->nseg.  Returns ERR_TEMPLATE for an empty segment or a blank.
 */
static enum err
addname(struct cstate *cs, struct node *n, size_t tag, const char *s,
    size_t len, int dotted)
{
	size_t i, seg;
	char c;

	for (i = 0; i < len; i++)
		if (isws(s[i])) {
			seterr(cs->err, NULL, cs->src, tag,
			    "blank inside tag name '%.*s'", (int)len, s);
			return ERR_TEMPLATE;
		}
	n->name = (uint32_t)cs->names.len;
	if (dotted && len == 1 && s[0] == '.') {
		n->nseg = 0;
		return buf_putc(&cs->names, '\0') == ERR_OK ? ERR_OK :
		    ERR_TOOBIG;
	}
	n->nseg = 1;
	for (seg = i = 0; i <= len; i++) {
		c = i < len ? s[i] : '\0';
		if (dotted && c == '.')
			c = '\0';
		if (c != '\0')
			continue;
		if (i == seg) {
			seterr(cs->err, NULL, cs->src, tag,
			    "empty part in name '%.*s'", (int)len, s);
			return ERR_TEMPLATE;
		}
		if (buf_append(&cs->names, s + seg, i - seg) != ERR_OK ||
		    buf_putc(&cs->names, '\0') != ERR_OK)
			return ERR_TOOBIG;
		if (i < len) {
			if (n->nseg == UINT16_MAX)
				return ERR_TOOBIG;
			n->nseg++;
		}
		seg = i + 1;
	}
	return ERR_OK;
}

/*
 * Parses the content of a set-delimiter tag into two delimiters,
 * returned as slices of the source.
 */
static int
parsedelims(const char *src, size_t from, size_t to, size_t *o, size_t *olen,
    size_t *c, size_t *clen)
{
	size_t i;

	for (i = from; i < to && isws(src[i]); i++)
		;
	*o = i;
	while (i < to && !isws(src[i]))
		i++;
	*olen = i - *o;
	while (i < to && isws(src[i]))
		i++;
	*c = i;
	while (i < to && !isws(src[i]))
		i++;
	*clen = i - *c;
	while (i < to && isws(src[i]))
		i++;
	if (*olen == 0 || *clen == 0 || i != to)
		return 0;
	if (memchr(src + *o, '=', *olen) != NULL ||
	    memchr(src + *c, '=', *clen) != NULL)
		return 0;
	return 1;
}

/* The delimiters in force: slices of the source, or the defaults. */
struct delims {
	const char	*o;
	size_t		 olen;
	const char	*c;
	size_t		 clen;
};

/* One tag as scanned. */
struct tag {
	size_t		 at;	/* its opening delimiter */
	size_t		 cbeg;	/* its content, blanks trimmed */
	size_t		 cend;
	size_t		 end;	/* just past its closing delimiter */
	char		 sigil;	/* '\0' for a plain {{x}} */
};

/*
 * Scans the next tag at or after pos.  Returns 1 with tg filled in, 0 when
 * there is none, -1 when one opens at tg->at and is never closed.
 */
static int
scan_tag(const char *src, size_t len, size_t pos, const struct delims *d,
    struct tag *tg)
{
	size_t q, k;
	char sigil;

	if ((tg->at = find(src, len, pos, d->o, d->olen)) == len)
		return 0;
	q = tg->at + d->olen;
	while (q < len && isws(src[q]))
		q++;
	sigil = q < len ? src[q] : '\0';
	switch (sigil) {
	case '#': case '^': case '/': case '!': case '>': case '&':
	case '{': case '=': case '<': case '$':
		q++;
		break;
	default:
		sigil = '\0';
		break;
	}
	for (k = q;; k++) {
		if ((k = find(src, len, k, d->c, d->clen)) == len)
			return -1;
		/* {{{x}}} ends at '}' and {{=a b=}} at '=' */
		if (sigil != '{' && sigil != '=')
			break;
		if (k > q && src[k - 1] == (sigil == '{' ? '}' : '='))
			break;
	}
	tg->sigil = sigil;
	tg->end = k + d->clen;
	if (sigil == '{' || sigil == '=')
		k--;
	while (q < k && isws(src[q]))
		q++;
	while (k > q && isws(src[k - 1]))
		k--;
	tg->cbeg = q;
	tg->cend = k;
	return 1;
}

/* Tags that show nothing: a line of them and blanks is standalone. */
static int
quiet(char sigil)
{
	return sigil != '\0' && sigil != '&' && sigil != '{';
}

/*
 * Whether the line of tag first (the first tag on its line, only blanks
 * before it) is standalone: nothing but blanks and quiet tags up to its
 * end.  Then *lastout is the end of its last tag and *eolout is just past
 * its newline (or the end of the source).
 */
static int
standalone_line(const char *src, size_t len, const struct tag *first,
    const struct delims *din, size_t *lastout, size_t *eolout)
{
	struct delims d = *din;
	struct tag tg = *first;
	size_t p, end, no, nol, nc, ncl;
	int r;

	for (;;) {
		if (!quiet(tg.sigil))
			return 0;
		if (tg.sigil == '=') {
			if (!parsedelims(src, tg.cbeg, tg.cend, &no, &nol,
			    &nc, &ncl))
				return 0;
			d.o = src + no, d.olen = nol;
			d.c = src + nc, d.clen = ncl;
		}
		*lastout = tg.end;
		r = scan_tag(src, len, tg.end, &d, &tg);
		end = r == 0 ? len : tg.at;
		for (p = *lastout; p < end; p++) {
			if (src[p] == '\n') {
				*eolout = p + 1;
				return 1;
			}
			if (src[p] == '\r' && p + 1 < len &&
			    src[p + 1] == '\n') {
				*eolout = p + 2;
				return 1;
			}
			if (src[p] != ' ' && src[p] != '\t')
				return 0;
		}
		if (r != 1) {
			*eolout = len;
			return r == 0;
		}
	}
}

/*
 * The compiler proper.  Standalone lines follow mustache.js, which the
 * spec allows: a line holding only blanks and tags that show nothing
 * (one or more) is removed whole, newline included.
 */
static enum err
compile(struct cstate *cs)
{
	const char *src = cs->src, *p;
	struct delims d = { "{{", 2, "}}", 2 };
	size_t len = cs->len;
	size_t pos = 0, textstart = 0, linestart = 0;
	size_t k, cbeg, cend, salast = 0, saeol = 0;
	size_t no = 0, nol = 0, nc = 0, ncl = 0;
	int online = 0, saline = 0, first, r, dyn, line, col;
	struct node *n;
	struct tag tg;
	enum err rc;

	for (;;) {
		r = scan_tag(src, len, pos, &d, &tg);
		if (r == 0) {
			addtext(cs, textstart, len);
			break;
		}
		if (tg.at > pos && (p = memrchr(src + pos, '\n',
		    tg.at - pos)) != NULL) {
			linestart = (size_t)(p - src) + 1;
			online = 0;
		}
		if (r < 0) {
			seterr(cs->err, NULL, src, tg.at,
			    "tag is never closed ('%.*s' expected)",
			    (int)d.clen, d.c);
			return ERR_TEMPLATE;
		}
		cbeg = tg.cbeg;
		cend = tg.cend;

		if (tg.sigil == '<' || tg.sigil == '$') {
			seterr(cs->err, NULL, src, tg.at,
			    "template inheritance ('%c') is not supported",
			    tg.sigil);
			return ERR_TEMPLATE;
		}
		if (tg.sigil == '=') {
			if (!parsedelims(src, cbeg, cend, &no, &nol, &nc,
			    &ncl)) {
				seterr(cs->err, NULL, src, tg.at,
				    "bad delimiter tag: want two delimiters "
				    "without '=' or blanks, as in "
				    "{{=<%% %%>=}}");
				return ERR_TEMPLATE;
			}
		} else if (tg.sigil != '!' && cbeg == cend) {
			seterr(cs->err, NULL, src, tg.at, "empty tag");
			return ERR_TEMPLATE;
		}

		/* A standalone line goes whole, with its newline. */
		first = 0;
		if (!saline && !online) {
			for (k = linestart; k < tg.at && (src[k] == ' ' ||
			    src[k] == '\t'); k++)
				;
			if (k == tg.at) {
				first = 1;
				saline = standalone_line(src, len, &tg, &d,
				    &salast, &saeol);
			}
		}
		if (!saline) {
			addtext(cs, textstart, tg.at);
			if (tg.at == linestart)
				(void)newnode(cs, N_INDENT, tg.at);
		} else if (first)
			addtext(cs, textstart, linestart);

		rc = ERR_OK;
		switch (tg.sigil) {
		case '!':
			break;
		case '=':
			d.o = src + no, d.olen = nol;
			d.c = src + nc, d.clen = ncl;
			break;
		case '#':
		case '^':
			if (cs->depth == LIMIT_TMPL_DEPTH) {
				seterr(cs->err, NULL, src, tg.at,
				    "sections nested deeper than %d",
				    LIMIT_TMPL_DEPTH);
				return ERR_TEMPLATE;
			}
			n = newnode(cs, tg.sigil == '#' ? N_SECTION :
			    N_INVERTED, tg.at);
			rc = addname(cs, n, tg.at, src + cbeg, cend - cbeg, 1);
			cs->open[cs->depth].node =
			    (uint32_t)(cs->t->nnodes - 1);
			cs->open[cs->depth].off = (uint32_t)cbeg;
			cs->open[cs->depth].len = (uint32_t)(cend - cbeg);
			cs->depth++;
			break;
		case '/':
			if (cs->depth == 0) {
				seterr(cs->err, NULL, src, tg.at,
				    "'/%.*s' closes no open section",
				    (int)(cend - cbeg), src + cbeg);
				return ERR_TEMPLATE;
			}
			cs->depth--;
			if (cs->open[cs->depth].len != cend - cbeg ||
			    memcmp(src + cs->open[cs->depth].off, src + cbeg,
			    cend - cbeg) != 0) {
				n = &cs->t->nodes[cs->open[cs->depth].node];
				linecol(src, n->pos, &line, &col);
				seterr(cs->err, NULL, src, tg.at,
				    "'/%.*s' closes section '%.*s' "
				    "opened at %d:%d",
				    (int)(cend - cbeg), src + cbeg,
				    (int)cs->open[cs->depth].len,
				    src + cs->open[cs->depth].off, line, col);
				return ERR_TEMPLATE;
			}
			cs->t->nodes[cs->open[cs->depth].node].end =
			    (uint32_t)cs->t->nnodes;
			break;
		case '>':
			/* {{>*x}}: a dynamic name, x resolved like {{x}}. */
			dyn = src[cbeg] == '*';
			n = newnode(cs, dyn ? N_DPARTIAL : N_PARTIAL, tg.at);
			/* First on a standalone line: its blanks indent it. */
			if (saline && first) {
				n->standalone = 1;
				n->off = (uint32_t)linestart;
				n->len = (uint32_t)(tg.at - linestart);
			}
			if (dyn)
				for (cbeg++; cbeg < cend && isws(src[cbeg]);
				    cbeg++)
					;
			if (cbeg == cend) {
				seterr(cs->err, NULL, src, tg.at,
				    "empty tag");
				return ERR_TEMPLATE;
			}
			rc = addname(cs, n, tg.at, src + cbeg, cend - cbeg,
			    dyn);
			break;
		default:
			n = newnode(cs, tg.sigil == '\0' ? N_VAR : N_RAW,
			    tg.at);
			rc = addname(cs, n, tg.at, src + cbeg, cend - cbeg, 1);
			break;
		}
		if (rc == ERR_TOOBIG)
			seterr(cs->err, NULL, src, tg.at, "too many names");
		if (rc != ERR_OK)
			return rc;

		if (saline && tg.end == salast) {
			pos = textstart = linestart = saeol;
			online = 0;
			saline = 0;
		} else {
			pos = textstart = tg.end;
			online = 1;
			if ((p = memrchr(src + tg.at, '\n', tg.end - tg.at)) !=
			    NULL)
				linestart = (size_t)(p - src) + 1;
		}
	}
	if (cs->depth > 0) {
		k = cs->depth - 1;
		seterr(cs->err, NULL, src, cs->t->nodes[cs->open[k].node].pos,
		    "section '%.*s' is never closed", (int)cs->open[k].len,
		    src + cs->open[k].off);
		return ERR_TEMPLATE;
	}
	return ERR_OK;
}

enum err
mustache_compile(const char *name, const char *src, size_t len,
    struct mustache **out, struct mustache_error *errout)
{
	struct mustache_error dummy;
	struct cstate cs;
	struct mustache *t;
	enum err rc;

	*out = NULL;
	if (errout == NULL)
		errout = &dummy;
	if (len > LIMIT_TMPL_SIZE) {
		seterr(errout, NULL, NULL, 0,
		    "template is %zu bytes, more than the limit of %d", len,
		    LIMIT_TMPL_SIZE);
		return ERR_TOOBIG;
	}
	t = xrealloc(NULL, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name == NULL ? "" : name);
	t->src = xrealloc(NULL, len + 1);
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->srclen = len;

	memset(&cs, 0, sizeof(cs));
	cs.t = t;
	cs.src = t->src;
	cs.len = len;
	cs.err = errout;
	buf_init(&cs.names, 2 * len + 16);
	if ((rc = compile(&cs)) != ERR_OK) {
		buf_free(&cs.names);
		mustache_free(t);
		return ERR_TEMPLATE;
	}
	/* The names string outlives the buffer that built it. */
	t->names = xrealloc(NULL, cs.names.len + 1);
	if (cs.names.len > 0)
		memcpy(t->names, cs.names.data, cs.names.len);
	t->names[cs.names.len] = '\0';
	buf_free(&cs.names);
	*out = t;
	return ERR_OK;
}

void
mustache_free(struct mustache *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->names);
	free(t->nodes);
	free(t);
}

const char *
mustache_name(const struct mustache *t)
{
	return t->name;
}

/*
 * Follows the partials t includes whatever the data (those outside any
 * section) from the chain path[0..depth) that led to t.
 */
static enum err
check_chain(const struct mustache *t, const struct mustache_partials *p,
    const struct mustache **path, int depth, struct mustache_error *errout)
{
	const struct mustache *q;
	const struct node *n;
	enum err rc;
	size_t i;
	int k;

	path[depth++] = t;
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->type == N_SECTION || n->type == N_INVERTED) {
			i = n->end - 1;
			continue;
		}
		if (n->type != N_PARTIAL ||
		    (q = p->find(p->ud, t->names + n->name)) == NULL)
			continue;
		for (k = 0; k < depth && path[k] != q; k++)
			;
		if (k < depth) {
			seterr(errout, t->name, t->src, n->pos,
			    "partial '%s' includes itself whatever the data",
			    t->names + n->name);
			return ERR_TEMPLATE;
		}
		if (depth > LIMIT_TMPL_PARTIALS) {
			seterr(errout, t->name, t->src, n->pos,
			    "partials nested deeper than %d",
			    LIMIT_TMPL_PARTIALS);
			return ERR_TEMPLATE;
		}
		if ((rc = check_chain(q, p, path, depth, errout)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
mustache_check_partials(const struct mustache *t,
    const struct mustache_partials *p, struct mustache_error *errout)
{
	const struct mustache *path[LIMIT_TMPL_PARTIALS + 2];
	const struct node *n;
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->type != N_PARTIAL)
			continue;
		if (p == NULL || p->find(p->ud, t->names + n->name) == NULL) {
			seterr(errout, t->name, t->src, n->pos,
			    "unknown partial '%s'", t->names + n->name);
			return ERR_TEMPLATE;
		}
	}
	if (p == NULL)
		return ERR_OK;
	return check_chain(t, p, path, 0, errout);
}

/* --- rendering ---------------------------------------------------------- */

struct indent {
	const char	*s;
	size_t		 len;
};

struct rstate {
	const struct mustache_data_ops	*ops;
	void			*ud;
	const struct mustache_partials	*partials;
	struct buf		*out;
	size_t			 start;	/* out->len at the start */
	size_t			 limit;	/* out->len stays below */
	struct mustache_error	*err;
	void			*stack[LIMIT_TMPL_DEPTH + 1];
	int			 nstack;
	int			 npartials;
	struct indent		 indent[LIMIT_TMPL_PARTIALS];
	size_t			 steps;	/* nodes and items seen */
	int			 ibase;	/* indentation in force: */
	int			 itop;	/* indent[ibase, itop) */
	int			 errset; /* *err says why already */
	char			 scratch[64];
};

/*
 * Which bytes need escaping, and into what.  Each entity is padded to 8
 * bytes so that put_escaped() can store it with one fixed-size copy.
 */
#define ESC_MAX		6	/* the longest entity, "&quot;" */
#define ESC_STORE	8	/* bytes stored per entity */

static const struct {
	char		 s[ESC_STORE];
	uint8_t		 len;
} esc[256] = {
	['&'] = { "&amp;", 5 }, ['<'] = { "&lt;", 4 }, ['>'] = { "&gt;", 4 },
	['"'] = { "&quot;", 6 }, ['\''] = { "&#39;", 5 },
};

static const uint8_t special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

/*
 * Appends to the output.  When the buffer has room this copies in place,
 * keeping struct buf's contract (NUL after the contents); else buf_append
 * grows it or refuses.
 */
static inline __attribute__((always_inline)) enum err
put(struct rstate *rs, const char *s, size_t len)
{
	struct buf *b = rs->out;

	if (b->size - b->len > len && len <= rs->limit - b->len) {
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
		return ERR_OK;
	}
	if (len > rs->limit - b->len)
		return ERR_TOOBIG;
	return buf_append(b, s, len);
}

static enum err
put_indent(struct rstate *rs)
{
	enum err rc;
	int i;

	for (i = rs->ibase; i < rs->itop; i++)
		if ((rc = put(rs, rs->indent[i].s, rs->indent[i].len)) !=
		    ERR_OK)
			return rc;
	return ERR_OK;
}

/*
 * Template text of t at [off, off + len): inside an indented partial,
 * each non-empty line it starts is indented.
 */
static enum err
put_text(struct rstate *rs, const struct mustache *t, size_t off, size_t len)
{
	const char *s = t->src + off, *nl;
	enum err rc;
	size_t n;
	int bol;

	if (rs->ibase == rs->itop)
		return put(rs, s, len);
	bol = off == 0 || t->src[off - 1] == '\n';
	while (len > 0) {
		if (bol && *s != '\n' && (rc = put_indent(rs)) != ERR_OK)
			return rc;
		nl = memchr(s, '\n', len);
		n = nl == NULL ? len : (size_t)(nl - s) + 1;
		if ((rc = put(rs, s, n)) != ERR_OK)
			return rc;
		s += n;
		len -= n;
		bol = 1;
	}
	return ERR_OK;
}

#ifdef __SSE2__
/* Bit k set when byte k of v needs escaping. */
static inline int
special_mask(__m128i v)
{
	const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'),
	    gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"'),
	    apos = _mm_set1_epi8('\'');
	__m128i m;

	m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp),
	    _mm_cmpeq_epi8(v, lt)), _mm_or_si128(_mm_cmpeq_epi8(v, gt),
	    _mm_or_si128(_mm_cmpeq_epi8(v, quot), _mm_cmpeq_epi8(v, apos))));
	return _mm_movemask_epi8(m);
}
#endif

/* Index of the first byte of s[from, len) that needs escaping, or len. */
static size_t
next_special(const char *s, size_t from, size_t len)
{
	size_t i = from;
#ifdef __SSE2__
	int bits;

	for (; len - i >= 16; i += 16) {
		bits = special_mask(_mm_loadu_si128((const __m128i *)
		    (const void *)(s + i)));
		if (bits != 0)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#endif
	for (; i < len; i++)
		if (special[(unsigned char)s[i]])
			return i;
	return len;
}

/* put_escaped() one run and one entity at a time, each through put(). */
static enum err
put_escaped_runs(struct rstate *rs, const char *s, size_t len)
{
	size_t i, start;
	unsigned char c;
	enum err rc;

	for (start = 0; (i = next_special(s, start, len)) < len;) {
		c = (unsigned char)s[i];
		if ((rc = put(rs, s + start, i - start)) != ERR_OK ||
		    (rc = put(rs, esc[c].s, esc[c].len)) != ERR_OK)
			return rc;
		start = i + 1;
	}
	return put(rs, s + start, len - start);
}

#ifdef __SSE2__
/*
 * The n bytes at s (0 < n < 16) in the low bytes of a vector, zeros
 * above, reading only those n bytes: two loads that overlap in the
 * middle, shifted into place.  (SSE2 means x86: little-endian.)
 */
static inline __m128i
load_short(const char *s, size_t n)
{
	uint64_t lo, hi = 0;
	uint32_t a, b;

	if (n >= 8) {
		memcpy(&lo, s, 8);
		if (n > 8) {
			memcpy(&hi, s + n - 8, 8);
			hi >>= 8 * (16 - n);
		}
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		lo = a | (uint64_t)b << (8 * (n - 4));
	} else
		lo = (uint64_t)(unsigned char)s[0] |
		    (uint64_t)(unsigned char)s[n / 2] << (8 * (n / 2)) |
		    (uint64_t)(unsigned char)s[n - 1] << (8 * (n - 1));
	return _mm_set_epi64x((long long)hi, (long long)lo);
}
#endif

/*
 * Appends s escaped.  Most values are short and the buffer has room for
 * the worst case (every byte an entity, plus the slack of the wide
 * stores below): then they are escaped straight into it with one check
 * for the whole value.  Where SSE2 is there, up to 16 bytes are loaded
 * (a short value or the last bytes of a long one with load_short()),
 * stored whole and looked at at once: the output then moves on to the
 * first special byte, whose entity is one fixed 8-byte store, and the
 * next load starts after it.  At any point the output written is at
 * most ESC_MAX times the input read, so no store goes past ESC_MAX *
 * len + 16 bytes from the start.  Otherwise (a buffer that must grow,
 * or the output limit near) put_escaped_runs() does it with the exact
 * limits.
 */
static enum err
put_escaped(struct rstate *rs, const char *s, size_t len)
{
	struct buf *b = rs->out;
	unsigned char c;
	size_t i, worst;
	char *d;
#ifdef __SSE2__
	__m128i v;
	size_t n;
	int bits;
#endif

	if (len > (SIZE_MAX - 16) / ESC_MAX)
		return put_escaped_runs(rs, s, len);
	worst = len * ESC_MAX;
	if (b->size - b->len <= worst + 16 || rs->limit - b->len < worst)
		return put_escaped_runs(rs, s, len);
	d = b->data + b->len;
#ifdef __SSE2__
	for (i = 0; i < len;) {
		n = len - i;
		if (n >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)
			    (s + i));
			n = 16;
		} else
			v = load_short(s + i, n);
		_mm_storeu_si128((__m128i *)(void *)d, v);
		if ((bits = special_mask(v)) == 0) {
			d += n;
			i += n;
			continue;
		}
		n = (size_t)__builtin_ctz((unsigned)bits);
		d += n;
		i += n;
		c = (unsigned char)s[i++];
		memcpy(d, esc[c].s, ESC_STORE);
		d += esc[c].len;
	}
#else
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!special[c])
			*d++ = (char)c;
		else {
			memcpy(d, esc[c].s, ESC_STORE);
			d += esc[c].len;
		}
	}
#endif
	b->len = (size_t)(d - b->data);
	b->data[b->len] = '\0';
	return ERR_OK;
}

/*
 * The data model's get and text.  The json-c model is the one pages are
 * rendered with: its functions are called directly (a direct call, not
 * one through a pointer); any other model goes through its table.
 */
static bool	json_get(void *, void *, const char *, void **);
static const char *json_text(void *, void *, char *, size_t, size_t *);

static inline bool
data_get(const struct rstate *rs, void *ctx, const char *key, void **out)
{
	if (rs->ops == &mustache_json_ops)
		return json_get(rs->ud, ctx, key, out);
	return rs->ops->get(rs->ud, ctx, key, out);
}

static inline const char *
data_text(struct rstate *rs, void *v, size_t *lenout)
{
	if (rs->ops == &mustache_json_ops)
		return json_text(rs->ud, v, rs->scratch, sizeof(rs->scratch),
		    lenout);
	return rs->ops->text(rs->ud, v, rs->scratch, sizeof(rs->scratch),
	    lenout);
}

/* Resolves a name node on the context stack: 1 and *out, or 0. */
static inline int
lookup(struct rstate *rs, const struct mustache *t, const struct node *n,
    void **out)
{
	const char *seg = t->names + n->name;
	void *v = NULL;
	int i, k;

	if (n->nseg == 0) {
		*out = rs->stack[rs->nstack - 1];
		return 1;
	}
	for (i = rs->nstack - 1; i >= 0; i--)
		if (data_get(rs, rs->stack[i], seg, &v))
			break;
	if (i < 0)
		return 0;
	for (k = 1; k < n->nseg; k++) {
		seg += strlen(seg) + 1;
		if (!data_get(rs, v, seg, &v))
			return 0;
	}
	*out = v;
	return 1;
}

static enum err	render(struct rstate *, const struct mustache *, size_t,
		    size_t);

static enum err
push_render(struct rstate *rs, const struct mustache *t, const struct node *n,
    size_t i, void *v)
{
	enum err rc;

	if (rs->nstack == (int)(nitems(rs->stack))) {
		seterr(rs->err, t->name, t->src, n->pos,
		    "sections nested deeper than %d", LIMIT_TMPL_DEPTH);
		rs->errset = 1;
		return ERR_TEMPLATE;
	}
	rs->stack[rs->nstack++] = v;
	rc = render(rs, t, i + 1, n->end);
	rs->nstack--;
	return rc;
}

static enum err
render_partial(struct rstate *rs, const struct mustache *t,
    const struct node *n, const char *name)
{
	const struct mustache *p;
	int obase, otop;
	enum err rc;

	if (rs->partials == NULL ||
	    (p = rs->partials->find(rs->partials->ud, name)) == NULL)
		return ERR_OK;
	if (rs->npartials == LIMIT_TMPL_PARTIALS) {
		seterr(rs->err, t->name, t->src, n->pos,
		    "partials nested deeper than %d (does '%s' include "
		    "itself?)", LIMIT_TMPL_PARTIALS, name);
		rs->errset = 1;
		return ERR_TEMPLATE;
	}
	obase = rs->ibase;
	otop = rs->itop;
	if (n->standalone) {
		/* Its lines take the indentation in force plus its own. */
		if (n->len > 0) {
			rs->indent[rs->itop].s = t->src + n->off;
			rs->indent[rs->itop].len = n->len;
			rs->itop++;
		}
	} else {
		/* Inline: the partial's text is inserted as it is. */
		rs->ibase = rs->itop;
	}
	rs->npartials++;
	rc = render(rs, p, 0, p->nnodes);
	rs->npartials--;
	rs->ibase = obase;
	rs->itop = otop;
	return rc;
}

/* {{>*x}}: the partial whose name is the text of x, if any. */
static enum err
render_dynamic(struct rstate *rs, const struct mustache *t,
    const struct node *n)
{
	const char *s;
	char *name;
	size_t len;
	enum err rc;
	void *v;

	if (!lookup(rs, t, n, &v) || (s = data_text(rs, v, &len)) == NULL ||
	    len == 0 || memchr(s, '\0', len) != NULL)
		return ERR_OK;
	name = xstrndup(s, len);
	rc = render_partial(rs, t, n, name);
	free(name);
	return rc;
}

static enum err
render(struct rstate *rs, const struct mustache *t, size_t from, size_t to)
{
	const struct mustache_data_ops *ops = rs->ops;
	const struct node *n;
	enum mustache_kind kind;
	const char *s;
	size_t i, k, nitems, len;
	void *v;
	enum err rc;

	/* Work is bounded even when it writes nothing. */
	if ((rs->steps += to - from + 1) > LIMIT_TMPL_OUTPUT) {
		seterr(rs->err, t->name, t->src, from < to ?
		    t->nodes[from].pos : 0, "rendering needs more than %d "
		    "steps", LIMIT_TMPL_OUTPUT);
		rs->errset = 1;
		return ERR_TOOBIG;
	}
	for (i = from; i < to; i++) {
		n = &t->nodes[i];
		rc = ERR_OK;
		switch (n->type) {
		case N_TEXT:
			rc = put_text(rs, t, n->off, n->len);
			break;
		case N_INDENT:
			if (rs->ibase != rs->itop)
				rc = put_indent(rs);
			break;
		case N_VAR:
		case N_RAW:
			if (!lookup(rs, t, n, &v))
				break;
			s = data_text(rs, v, &len);
			if (s == NULL)
				break;
			rc = n->type == N_VAR ? put_escaped(rs, s, len) :
			    put(rs, s, len);
			break;
		case N_SECTION:
		case N_INVERTED:
			kind = MUSTACHE_FALSEY;
			if (lookup(rs, t, n, &v))
				kind = ops->kind(rs->ud, v);
			nitems = 0;
			if (kind == MUSTACHE_LIST &&
			    (nitems = ops->list_len(rs->ud, v)) == 0)
				kind = MUSTACHE_FALSEY;
			if (n->type == N_INVERTED) {
				if (kind == MUSTACHE_FALSEY)
					rc = render(rs, t, i + 1, n->end);
			} else if (kind == MUSTACHE_TRUTHY)
				rc = push_render(rs, t, n, i, v);
			else if (kind == MUSTACHE_LIST)
				for (k = 0; k < nitems && rc == ERR_OK; k++)
					rc = push_render(rs, t, n, i,
					    ops->list_at(rs->ud, v, k));
			i = n->end - 1;
			break;
		case N_PARTIAL:
			rc = render_partial(rs, t, n, t->names + n->name);
			break;
		case N_DPARTIAL:
			rc = render_dynamic(rs, t, n);
			break;
		}
		if (rc != ERR_OK) {
			if (!rs->errset) {
				/* Output over its limit, here. */
				seterr(rs->err, t->name, t->src, n->pos,
				    "rendered output is larger than its limit "
				    "of %zu bytes", rs->limit - rs->start <
				    rs->out->max - rs->start ? (size_t)
				    LIMIT_TMPL_OUTPUT : rs->out->max -
				    rs->start);
				rs->errset = 1;
			}
			return rc;
		}
	}
	return ERR_OK;
}

enum err
mustache_render(const struct mustache *t, const struct mustache_data_ops *ops,
    void *ud, void *root, const struct mustache_partials *p, struct buf *out,
    struct mustache_error *errout)
{
	struct rstate *rs;
	size_t start = out->len;
	enum err rc;

	rs = xrealloc(NULL, sizeof(*rs));
	memset(rs, 0, sizeof(*rs));
	rs->ops = ops;
	rs->ud = ud;
	rs->partials = p;
	rs->out = out;
	rs->start = start;
	rs->limit = start + LIMIT_TMPL_OUTPUT;
	rs->err = errout;
	rs->stack[0] = root;
	rs->nstack = 1;
	rc = render(rs, t, 0, t->nnodes);
	if (rc != ERR_OK) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
	}
	free(rs);
	return rc;
}

/* --- the json-c data model ---------------------------------------------- */

/* strcmp(a, b) == 0 for the short keys of a view, without a call. */
static inline bool
keyeq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/*
 * json_object_object_get_ex() with json-c's own hash and probe order
 * (linkhash.h) but an inline key comparison: json-c calls strcmp()
 * through a function pointer on every slot it probes, the largest cost
 * of a render.
 */
/*
 * Hashes of the keys a render looks up, by the key's address (names live
 * in the template, so an address stands for one key during a render).
 */
#define HASHCACHE	64

struct hashcache {
	const char	*key[HASHCACHE];
	lh_hash_fn	*fn[HASHCACHE];
	unsigned long	 hash[HASHCACHE];
};

static unsigned long
key_hash(struct hashcache *c, struct lh_table *t, const char *key)
{
	size_t i;

	if (c == NULL)
		return lh_get_hash(t, key);
	i = (size_t)(((uintptr_t)key * UINT64_C(0x9e3779b97f4a7c15)) >> 58);
	if (c->key[i] != key || c->fn[i] != t->hash_fn) {
		c->key[i] = key;
		c->fn[i] = t->hash_fn;
		c->hash[i] = lh_get_hash(t, key);
	}
	return c->hash[i];
}

/* ud is NULL, or a struct hashcache from mustache_render_json(). */
static bool
json_get(void *ud, void *ctx, const char *key, void **out)
{
	const struct lh_entry *e;
	struct lh_table *t;
	const char *k;
	unsigned long n;
	int count;

	/* NULL for anything but an object. */
	if ((t = json_object_get_object(ctx)) == NULL)
		return false;
	n = key_hash(ud, t, key);
	/* json-c's tables are powers of two in size: spare the division. */
	if ((t->size & (t->size - 1)) == 0)
		n &= (unsigned long)t->size - 1;
	else
		n %= (unsigned long)t->size;
	for (count = 0; count < t->size; count++) {
		e = &t->table[n];
		k = lh_entry_k(e);
		if (k == LH_EMPTY)
			return false;
		if (k != LH_FREED && keyeq(k, key)) {
			*out = lh_entry_v(e);
			return true;
		}
		if (++n == (unsigned long)t->size)
			n = 0;
	}
	return false;
}

static enum mustache_kind
json_kind(void *ud, void *v)
{
	(void)ud;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return MUSTACHE_FALSEY;
	case json_type_boolean:
		return json_object_get_boolean(v) ? MUSTACHE_TRUTHY :
		    MUSTACHE_FALSEY;
	case json_type_int:
		return json_object_get_int64(v) != 0 ? MUSTACHE_TRUTHY :
		    MUSTACHE_FALSEY;
	case json_type_double:
		return json_object_get_double(v) != 0.0 ? MUSTACHE_TRUTHY :
		    MUSTACHE_FALSEY;
	case json_type_string:
		return json_object_get_string_len(v) > 0 ? MUSTACHE_TRUTHY :
		    MUSTACHE_FALSEY;
	case json_type_array:
		return json_object_array_length(v) > 0 ? MUSTACHE_LIST :
		    MUSTACHE_FALSEY;
	default:
		return MUSTACHE_TRUTHY;
	}
}

static size_t
json_list_len(void *ud, void *v)
{
	(void)ud;
	return json_object_array_length(v);
}

static void *
json_list_at(void *ud, void *v, size_t i)
{
	(void)ud;
	return json_object_array_get_idx(v, i);
}

/*
 * Formats a JSON integer in decimal at the end of scratch; returns where
 * it starts.  json-c keeps integers above INT64_MAX as unsigned.
 */
static char *
fmt_int(struct json_object *v, char *scratch, size_t size)
{
	char *p = scratch + size;
	int64_t i;
	uint64_t u;

	i = json_object_get_int64(v);
	if (i == INT64_MAX)
		u = json_object_get_uint64(v);
	else
		u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (i < 0)
		*--p = '-';
	return p;
}

static const char *
json_text(void *ud, void *v, char *scratch, size_t size, size_t *lenout)
{
	const char *s;
	double d;
	int prec;

	(void)ud;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return NULL;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		break;
	case json_type_int:
		s = fmt_int(v, scratch, size);
		*lenout = (size_t)(scratch + size - 1 - s);
		return s;
	case json_type_double:
		/* Shortest text that reads back as the same double. */
		d = json_object_get_double(v);
		for (prec = 15; prec <= 17; prec++) {
			snprintf(scratch, size, "%.*g", prec, d);
			if (strtod(scratch, NULL) == d)
				break;
		}
		s = scratch;
		break;
	case json_type_string:
		*lenout = (size_t)json_object_get_string_len(v);
		return json_object_get_string(v);
	default:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		break;
	}
	*lenout = strlen(s);
	return s;
}

const struct mustache_data_ops mustache_json_ops = {
	.get = json_get,
	.kind = json_kind,
	.list_len = json_list_len,
	.list_at = json_list_at,
	.text = json_text,
};

enum err
mustache_render_json(const struct mustache *t, struct json_object *view,
    const struct mustache_partials *p, struct buf *out,
    struct mustache_error *errout)
{
	struct hashcache c;

	memset(&c, 0, sizeof(c));
	return mustache_render(t, &mustache_json_ops, &c, view, p, out,
	    errout);
}
