'use strict';
// Documented but tricky provider answers, from the sandbox, as a person
// meets them: YouTube's publication lag is no false drop on the
// dashboard; Slack's error codes read as what to do; GitHub's used-up
// hourly limit waits until x-ratelimit-reset, not an hour; a renamed
// GitHub repository says to choose it again.
const test = require('node:test');
const assert = require('node:assert/strict');
const { syncedSources, runWorker } = require('./lib/flows');

test('provider answers', async (t) => {
  const { stack, b } = await syncedSources(t, ['youtube', 'slack', 'github'],
    { env: { SLUICE_SYNC_BACKFILL_DAYS: '28' } });
  const conn = (slug) => stack.sql(`SELECT id, selected->>0 FROM connections WHERE provider = '${slug}'`)[0];
  const rerun = (slug, selected) => {
    const [id] = conn(slug);
    stack.sql(`UPDATE connections SET selected = '${JSON.stringify(selected)}' WHERE id = ${id}`);
    stack.sql(`INSERT INTO sync_jobs (workspace_id, connection_id, kind) SELECT workspace_id, id, 'manual' FROM connections WHERE id = ${id} ON CONFLICT DO NOTHING; UPDATE sync_jobs SET run_after = now() WHERE connection_id = ${id} AND status = 'queued'`);
    runWorker(stack);
    const [[status, err]] = stack.sql(`SELECT status, coalesce(error, '') FROM sync_runs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
    const [[wait, jerr]] = stack.sql(`SELECT coalesce(extract(epoch FROM run_after - now())::int, 0), coalesce(last_error, '') FROM sync_jobs WHERE connection_id = ${id} ORDER BY id DESC LIMIT 1`);
    return { status, err, wait: Number(wait), jerr };
  };

  const [, chan] = conn('slack');
  const [, repo] = conn('github');
  await t.test('YouTube publishes days late: partial, no false drop', async () => {
    const r = await b.get('/dashboard?period=7d');
    assert.equal(r.status, 200);
    const yt = r.text.split('id="p-youtube"')[1].split('</section>')[0];
    const views = yt.split('>Views<')[1].split('<div class="tile">')[0];
    // The sandbox's channel has no views for the last days yet (the
    // Analytics lag), the week before has them all.
    assert.match(views, /partial data: \d of 7 days now, 7 before/);
    assert.doesNotMatch(views, /[▲▼]/);
    // And the section says why (a newcomer saw only "partial data").
    assert.match(yt, /YouTube publishes a day up to 3 days late: the newest days may have no numbers yet/);
    // A provider that has its days at once says nothing of the kind.
    assert.doesNotMatch(r.text.split('id="p-github"')[1].split('</section>')[0], /publishes a day/);
  });

  await t.test('Slack: what to do, not a code', async () => {
    const r = rerun('slack', [`${chan}-fault-error_not_in_channel`,
      `${chan}-fault-error_missing_scope`]);
    assert.equal(r.status, 'error');
    assert.match(r.err, /the Sluice app is not a member of this channel: invite it .*\(not_in_channel\)/);
    assert.match(r.err, /lacks the channels:history permission: reconnect Slack and grant it \(missing_scope\)/);
    assert.doesNotMatch(r.err, /: not_in_channel|: missing_scope/);
  });

  await t.test('GitHub: a renamed repository is chosen again', async () => {
    const r = rerun('github', [`${repo}-fault-error_repo_moved`]);
    assert.equal(r.status, 'error');
    assert.match(r.err, /the repository was renamed, transferred or deleted \(HTTP 301\): choose it again under its new name/);
    assert.doesNotMatch(r.err, /views is missing/);
    // Not an outage: the job is not retried.
    assert.equal(stack.sql(`SELECT status FROM sync_jobs WHERE connection_id = ${conn('github')[0]} ORDER BY id DESC LIMIT 1`)[0][0], 'failed');
  });

  await t.test('GitHub: the hourly limit waits until its reset', async () => {
    // The example's x-ratelimit-reset is past: a minute's margin, not
    // the hour a quota 403 waits.
    const r = rerun('github', [`${repo}-fault-error_primary_rate_limit`]);
    assert.equal(r.status, 'rate_limited', r.err);
    assert.ok(r.wait > 0 && r.wait <= 90, `waits ${r.wait} s`);
    assert.match(r.err, /GitHub is rate limiting requests/);
  });
});
