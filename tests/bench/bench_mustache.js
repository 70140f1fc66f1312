'use strict';
// bench_mustache.js — the mustache.js side of bench_mustache.sh.
//
//   node bench_mustache.js view OUT.json
//     writes the dashboard view: 500 rows x 6 cells with HTML special
//     characters and unicode, 6 tiles, a nav and a flash.
//   node bench_mustache.js render DIR NAME VIEW.json N [OUT]
//     renders NAME from the templates in DIR N times with mustache.js
//     (parsed once, cached, as in a server) and prints the same key=value
//     line as tests/tools/bench_mustache.c (CPU time counts every thread
//     of the process, the garbage collector's included).
const fs = require('node:fs');
const path = require('node:path');
const Mustache = require('../node_modules/mustache');

function view() {
  const providers = ['Google Ads', 'Meta Ads', 'LinkedIn', 'Mailchimp',
    'YouTube', 'GitHub'];
  const metrics = ['clicks', 'impressions', 'cost_micros', 'opens',
    'views', 'stars'];
  const rows = [];
  for (let i = 0; i < 500; i++) {
    rows.push({
      day: `2026-10-${String(1 + (i % 30)).padStart(2, '0')}`,
      provider: providers[i % 6],
      account: `Acme & Sons <EU> #${i}`,
      metric: metrics[(i * 7) % 6],
      value: (i * 7919) % 100000,
      note: i % 3 === 0 ? `"Spring" campaign — l'été ${i} > plan` :
        (i % 3 === 1 ? 'ok' : ''),
    });
  }
  const tiles = metrics.map((m, i) => ({
    label: m, value: 1000 * (i + 1), delta: `${i % 2 ? '-' : '+'}${i}.5%`,
    up: i % 2 === 0 }));
  return {
    title: 'Dashboard — Acme & Sons',
    workspace: { name: 'Acme <Marketing>' },
    generated_at: '2026-11-22T03:00:00Z',
    nav: [
      { href: '/dashboard', label: 'Dashboard', current: true },
      { href: '/connections', label: 'Connections' },
      { href: '/digest/preview', label: 'Digest' },
      { href: '/settings', label: 'Settings' },
    ],
    flash: { kind: 'notice', message: 'Sync finished: 3,000 rows <new>.' },
    tiles,
    rows,
  };
}

function load(dir, prefix, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.'))
      continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory())
      load(p, prefix + e.name + '/', out);
    else if (e.name.endsWith('.mustache'))
      out[prefix + e.name.slice(0, -9)] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

function render(dir, name, viewFile, n, outFile) {
  const partials = load(dir, '', {});
  const v = JSON.parse(fs.readFileSync(viewFile, 'utf8'));
  let out = Mustache.render(partials[name], v, partials);
  const rssFirst = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++)
    out = Mustache.render(partials[name], v, partials);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cs = (c.user + c.system) / 1e6;
  const rssLast = process.memoryUsage().rss;
  if (outFile)
    fs.writeFileSync(outFile, out);
  console.log(`renders=${n} seconds=${s.toFixed(3)} ` +
    `per_second=${Math.round(n / s)} cpu_seconds=${cs.toFixed(3)} ` +
    `per_cpu_second=${Math.round(n / cs)} ` +
    `bytes=${Buffer.byteLength(out)} ` +
    `rss_first_kib=${Math.round(rssFirst / 1024)} ` +
    `rss_last_kib=${Math.round(rssLast / 1024)} ` +
    `peak_rss_kib=${Math.round(process.resourceUsage().maxRSS)}`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'view')
  fs.writeFileSync(args[0], JSON.stringify(view()));
else if (cmd === 'render')
  render(args[0], args[1], args[2], Number(args[3]), args[4]);
else {
  console.error('usage: bench_mustache.js view OUT | render DIR NAME VIEW N [OUT]');
  process.exit(2);
}
