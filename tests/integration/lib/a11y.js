'use strict';
// axe-core in the browser: every page a browser test visits is checked,
// and a serious or critical violation fails the test with the rule, its
// help text and the elements it found.
const assert = require('node:assert/strict');
const fs = require('node:fs');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const FAIL = new Set(['serious', 'critical']);

// The serious and critical violations of the page as it is now.  The
// script is evaluated through the DevTools protocol, which the pages'
// Content-Security-Policy (script-src 'self') does not govern.
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => FAIL.has(v.impact));
}

// Fails unless axe finds no serious or critical violation; name says
// which page.  Returns the number of rules that passed nothing wrong.
async function checkA11y(page, name) {
  const bad = await axeViolations(page);
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [],
    `${name}: axe-core finds serious or critical accessibility violations at ${page.url()}`);
}

module.exports = { axeViolations, checkA11y };
