'use strict';
// Every SLUICE_* variable the programs or the stack script read is in the
// README's configuration (README.md must stay true).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');

test('every SLUICE_* variable read is documented in README.md', () => {
  const readme = read('README.md');
  const sources = ['lib', 'cgi-bin'].flatMap((d) => fs.readdirSync(path.join(root, d), { recursive: true })
    .filter((f) => f.endsWith('.c')).map((f) => `${d}/${f}`));
  const found = new Map();
  for (const f of sources) {
    const text = read(f);
    // config_env("X", ...), config_long(arena, "X", ...), config_bool(arena, "X", ...), getenv("X")
    for (const m of text.matchAll(/(?:config_env|config_long|config_bool|getenv)\(\s*(?:[^,()"]+,\s*)?"(SLUICE_[A-Z0-9_]+)"/g)) {
      found.set(m[1], f);
    }
    // the table of config.c
    for (const m of text.matchAll(/\{\s*"(SLUICE_[A-Z0-9_]+)",/g)) found.set(m[1], f);
  }
  for (const m of read('nginx/stack.sh').matchAll(/\$\{(SLUICE_[A-Z0-9_]+)[:}-]/g)) found.set(m[1], 'nginx/stack.sh');
  assert.ok(found.size >= 30, `only ${found.size} variables found: the patterns went stale`);
  const missing = [...found].filter(([v]) => !readme.includes(`\`${v}\``)).map(([v, f]) => `${v} (${f})`);
  assert.deepEqual(missing, [], 'read by the code, not in README.md');
});
