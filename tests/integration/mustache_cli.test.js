'use strict';
// mustache_cli.test.js — the template authors' CLI ($SLUICE_BIN/mustache):
// output on stdout, "line:column: message" and exit 1 on a template error,
// exit 2 with a clear message on input that is not what it expects.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const exe = path.join(process.env.SLUICE_BIN || '', 'mustache');

function run(input, args = []) {
  const r = spawnSync(exe, args, { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: r.stdout.toString(),
    err: r.stderr.toString() };
}

test('renders template, data and partials', () => {
  const r = run(JSON.stringify({
    template: 'Hi {{name}}!\n  {{>item}}\n',
    data: { name: '<Ann & Bo>', n: 3 },
    partials: { item: 'n={{n}}\nend\n' },
  }));
  assert.strictEqual(r.status, 0, r.err);
  assert.strictEqual(r.out, 'Hi &lt;Ann &amp; Bo&gt;!\n  n=3\n  end\n');
  assert.strictEqual(r.err, '');
});

test('a template error gives line:column and exit 1', () => {
  let r = run(JSON.stringify({ template: 'a\n  {{#list}}\n' }));
  assert.strictEqual(r.status, 1);
  assert.strictEqual(r.out, '');
  assert.strictEqual(r.err, "2:3: section 'list' is never closed\n");
  r = run(JSON.stringify({ template: '{{>p}}',
    partials: { p: 'x\n{{/q}}' } }));
  assert.strictEqual(r.status, 1);
  assert.strictEqual(r.err,
    "2:1: '/q' closes no open section (in partial 'p')\n");
  r = run(JSON.stringify({ template: '{{>p}}', partials: { p: '{{>p}}' } }));
  assert.strictEqual(r.status, 1);
  assert.match(r.err, /^1:1: partials nested deeper than 16/);
});

test('bad input gives exit 2 and a message', () => {
  let r = run('{"template": ');
  assert.strictEqual(r.status, 2);
  assert.match(r.err, /^mustache: input is not valid JSON: /);
  r = run('{"data": {}}');
  assert.strictEqual(r.status, 2);
  assert.match(r.err, /"template" string/);
  r = run('{"template": "x", "partials": {"p": 1}}');
  assert.strictEqual(r.status, 2);
  assert.match(r.err, /partial 'p' must be a string/);
  r = run('{"template": "' + 'a'.repeat(9 * 1024 * 1024) + '"}');
  assert.strictEqual(r.status, 2);
  assert.match(r.err, /input larger than 8388608 bytes/);
  r = run('[]', ['--nope']);
  assert.strictEqual(r.status, 2);
  assert.match(r.err, /^usage: mustache/);
});

test('--batch renders an array of cases', () => {
  const r = run(JSON.stringify([
    { template: '{{a}}', data: { a: 1 } },
    { template: '{{#a}}' },
  ]), ['--batch']);
  assert.strictEqual(r.status, 0, r.err);
  assert.deepStrictEqual(JSON.parse(r.out), [
    { out: '1' }, { error: "1:1: section 'a' is never closed" }]);
});
