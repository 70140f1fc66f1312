"""tiles_app.py — the benchmark's peer (issue 19, item 4): Sluice's
GET /v1/dashboard/tiles written the way the seeds' stack writes a route:
FastAPI, psycopg 3 with a psycopg_pool pool of 4 connections per worker,
run by uvicorn (2 workers, uvloop, httptools) on loopback only.

It does the same work as Sluice's route, with the same statements on the
same database (lib/web/apikey.c, lib/web/app.c, lib/metrics/tiles.c):
  1. the key check (autocommit, as Sluice runs it before its transaction)
  2. BEGIN; the row-level-security scope (set_config); the tiles query;
     COMMIT
  3. the rows grouped by (provider, metric, currency), summed over
     accounts per day, and the same JSON document, byte for byte.

What it leaves out (tests/bench/bench_peer.sh checks the bodies are
equal on its data): the catalogue's metrics (their ratio, last and totals
rules live in C); every series is treated as a metric outside the
catalogue, as all of the benchmark's are.  Only period=7d|28d|90d is
served (no from/to, no provider filter); a bad key is a bare 401.

Run: PEER_DSN="host=... port=... dbname=sluice user=sluice" \
  python3 -m uvicorn --app-dir tests/bench/peer tiles_app:app \
  --host 127.0.0.1 --port PORT --workers 2 --loop uvloop --http httptools
"""
import datetime
import hashlib
import json
import math
import os

from fastapi import FastAPI, Header, Query
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool

LIMIT_TILES = 200               # lib/base/limit.h
APIKEY_TOUCH_S = "60"           # LIMIT_APIKEY_TOUCH_S
EPOCH = datetime.date(1970, 1, 1)

# lib/web/apikey.c sql_check, with psycopg's placeholders.
SQL_CHECK = (
    "WITH k AS (SELECT id, workspace_id, role, last_used_at "
    "FROM api_keys WHERE key_hash = decode(%(hash)s, 'hex') "
    "AND revoked_at IS NULL), "
    "t AS (UPDATE api_keys SET last_used_at = now() "
    "WHERE id = (SELECT id FROM k) AND (last_used_at IS NULL OR "
    "last_used_at < now() - make_interval(secs => %(touch)s::int))) "
    "SELECT id, workspace_id, role FROM k")
# lib/web/app.c sql_scope.
SQL_SCOPE = (
    "SELECT set_config('role', 'sluice_web', true), "
    "set_config('sluice.workspace_id', %(ws)s, true), "
    "set_config('sluice.user_id', %(user)s, true)")
# lib/metrics/tiles.c sql_days.
SQL_DAYS = (
    "WITH w AS MATERIALIZED (SELECT coalesce(%(end)s::date, "
    "(now() AT TIME ZONE time_zone)::date - 1) AS y, time_zone AS tz, "
    "(now() AT TIME ZONE time_zone)::date AS today "
    "FROM workspaces WHERE id = %(ws)s) "
    "SELECT NULL, tz, y - date '1970-01-01', today - date '1970-01-01', "
    "NULL FROM w "
    "UNION ALL "
    "SELECT provider, metric, "
    "day - ((SELECT y FROM w) - (2 * %(days)s::int - 1)), value, currency "
    "FROM metric_daily WHERE workspace_id = %(ws)s "
    "AND day BETWEEN (SELECT y FROM w) - (2 * %(days)s::int - 1) "
    "AND (SELECT y FROM w) "
    "AND (%(provider)s::text IS NULL OR provider = %(provider)s)")

PERIODS = {"7d": 7, "28d": 28, "90d": 90}

pool = AsyncConnectionPool(os.environ["PEER_DSN"], min_size=4, max_size=4,
                           kwargs={"autocommit": True}, open=False)
app = FastAPI()


@app.on_event("startup")
async def startup():
    await pool.open(wait=True)


@app.on_event("shutdown")
async def shutdown():
    await pool.close()


def num(ok, v):
    """A number as tiles.c's put_num() writes it, or None (null)."""
    if not ok or not math.isfinite(v):
        return None
    if v == int(v) and abs(v) < 1e15:
        return int(v)
    return float(format(v, ".15g"))


def totals_split(name):
    """metric_totals_split(): a provider's period total, "name:28d"."""
    colon = name.rfind(":")
    if colon <= 0:
        return False
    digits = name[colon + 1:-1]
    return (name.endswith("d") and 1 <= len(digits) <= 3 and
            digits.isdigit() and int(digits) >= 1)


def day_text(d):
    return (EPOCH + datetime.timedelta(days=d)).isoformat()


def tile(provider, metric, currency, days, v, has):
    """tiles.c tile() for a metric outside the catalogue (a sum)."""
    cur = sum(v[i] for i in range(days, 2 * days) if has[i])
    prev = sum(v[i] for i in range(days) if has[i])
    cc = sum(has[days:])
    cp = sum(has[:days])
    hc, hp = cc > 0, cp > 0
    partial = cp < cc
    ok = hc and hp and not partial
    return {
        "provider": provider, "metric": metric, "label": metric,
        "unit": "number", "aggregation": "sum",
        "currency": currency if currency else None,
        "current": num(hc, cur), "previous": num(hp, prev),
        "change": num(ok, cur - prev),
        "change_pct": num(ok and prev != 0,
                          (cur - prev) / abs(prev) * 100 if prev else 0),
        "change_pp": None,
        "coverage": {"days": days, "current": cc, "previous": cp,
                     "partial": partial},
        "series": [num(has[i], v[i]) for i in range(days, 2 * days)],
        "previous_series": [num(has[i], v[i]) for i in range(days)],
    }


@app.get("/v1/dashboard/tiles")
async def tiles(period: str = Query("7d"),
                authorization: str = Header(None)):
    days = PERIODS.get(period)
    if days is None:
        return Response(status_code=400)
    if authorization is None or not authorization.startswith("Bearer "):
        return Response(status_code=401)
    key = authorization[7:].lstrip(" ")
    khash = hashlib.sha256(key.encode()).hexdigest()
    async with pool.connection() as conn:
        cur = await conn.execute(SQL_CHECK,
                                 {"hash": khash, "touch": APIKEY_TOUCH_S})
        k = await cur.fetchone()
        if k is None:
            return Response(status_code=401)
        ws = str(k[1])
        async with conn.transaction():
            await conn.execute(SQL_SCOPE, {"ws": ws, "user": ""})
            cur = await conn.execute(SQL_DAYS, {
                "ws": ws, "days": str(days), "provider": None,
                "end": None})
            rows = await cur.fetchall()
    head = next((r for r in rows if r[0] is None), None)
    if head is None:
        return Response(status_code=404)
    tz, y, today = head[1], int(head[2]), int(head[3])
    if y >= today:
        return Response(status_code=422)
    span = 2 * days
    groups = {}
    for p, m, idx, v, c in rows:
        if p is None or m is None or idx is None or v is None:
            continue
        idx = int(idx)
        if idx < 0 or idx >= span:
            continue
        g = groups.get((p, m, c or ""))
        if g is None:
            g = groups[(p, m, c or "")] = ([0.0] * span, [False] * span)
        g[0][idx] += float(v)
        g[1][idx] = True
    # Provider, metric, then currency: named ones first, none last.
    order = sorted(groups, key=lambda t: (t[0], t[1], t[2] == "", t[2]))
    out, more = [], 0
    for p, m, c in order:
        if totals_split(m):
            continue
        if len(out) >= LIMIT_TILES:
            more += 1
            continue
        v, has = groups[(p, m, c)]
        out.append(tile(p, m, c, days, v, has))
    doc = {
        "period": period, "days": days, "time_zone": tz,
        "current": {"from": day_text(y - days + 1), "to": day_text(y)},
        "previous": {"from": day_text(y - 2 * days + 1),
                     "to": day_text(y - days)},
        "tiles": out, "more_tiles": more,
    }
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return Response(content=body, media_type="application/json",
                    headers={"Cache-Control": "private, max-age=60"})
