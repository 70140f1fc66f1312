'use strict';
// Whose calendar a source's days follow, for the providers whose account
// listing names no zone itself: a GA4 property's days are in the
// property's own zone (the Admin API's properties.list gives it; the
// account summaries do not) and Mailchimp's in the account's (its API
// root). The dashboard names them instead of "each property's time zone",
// and what it names is what the sync's own reports say.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { TOOLS } = require('./lib/stack');
const { syncedSources, secrets } = require('./lib/flows');

const esc = (x) => x.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;')
  .replace(/</g, '&lt;').replace(/>/g, '&gt;');

// "Days in Z1 (a, b) and Z2 (c)." from the stored listing's selected
// accounts, as the dashboard writes it.
function daysIn(stack, slug) {
  const rows = stack.sql(`SELECT accounts, selected FROM connections WHERE provider = '${slug}'`);
  const zones = new Map();
  for (const [accs, sel] of rows) {
    for (const a of JSON.parse(accs)) {
      assert.equal(a._ga4_account, undefined, 'nothing of the listing\'s own is stored');
      if (!JSON.parse(sel).includes(a.id)) continue;
      assert.ok(typeof a.time_zone === 'string' && a.time_zone !== '', `${slug}: ${a.id} has a zone: ${accs}`);
      zones.set(a.time_zone, [...(zones.get(a.time_zone) || []), a.name]);
    }
  }
  assert.ok(zones.size > 0, `${slug}: accounts selected`);
  const named = [...zones].map(([z, n]) => `${z} (${n.join(', ')})`);
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
}

test('the dashboard names GA4 properties\' and the Mailchimp account\'s zones', async (t) => {
  const { stack, b } = await syncedSources(t, ['ga4', 'mailchimp'], { zone: 'Europe/Berlin' });
  const r = await b.get('/dashboard?period=7d');
  assert.equal(r.status, 200);
  for (const [slug, vague] of [['ga4', /each property/], ['mailchimp', /the Mailchimp account&#39;s time zone/]]) {
    const sec = r.text.split(`id="p-${slug}"`)[1].split('</section>')[0];
    const days = daysIn(stack, slug);
    assert.ok(sec.includes(`Days in ${esc(days)}.`), `${slug}: "${days}" in ${sec.slice(0, 500)}`);
    assert.doesNotMatch(sec, vague, slug);
  }
  // The zone named for each GA4 property is the one its reports are in:
  // the Data API's runReport says it (metadata.timeZone), asked here with
  // the connection's own token.
  const { keys } = secrets(stack);
  const [[ws, conn, blob, accs, sel]] = stack.sql("SELECT workspace_id, id, token_blob, accounts, selected FROM connections WHERE provider = 'ga4'");
  const opened = spawnSync(path.join(TOOLS, 'vault_tool'), ['open', ws, 'ga4', conn, blob], { encoding: 'utf8', env: { ...process.env, SLUICE_ENCRYPTION_KEYS: keys } });
  assert.equal(opened.status, 0, opened.stderr);
  const token = JSON.parse(opened.stdout).access_token;
  for (const prop of JSON.parse(accs).filter((a) => JSON.parse(sel).includes(a.id))) {
    const rep = await fetch(`${stack.url}/sandbox/ga4-data/v1beta/properties/${prop.id}:runReport`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ dateRanges: [{ startDate: 'yesterday', endDate: 'yesterday' }], metrics: [{ name: 'sessions' }] }),
    });
    assert.equal(rep.status, 200, prop.id);
    assert.equal(prop.time_zone, (await rep.json()).metadata.timeZone, prop.id);
  }
});
