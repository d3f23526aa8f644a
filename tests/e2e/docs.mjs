// Opens the interactive API docs in Debian's Chromium and checks that Swagger UI renders the
// operations under the page's CSP, with no CSP violation, page error or console error.
// ARMARIO_URL=http://127.0.0.1:PORT node docs.mjs
import assert from 'node:assert/strict';
import { launch, watchedContext } from './harness.mjs';

const BASE = (process.env.ARMARIO_URL || '').replace(/\/$/, '');
if (!BASE) {
  console.error('set ARMARIO_URL');
  process.exit(2);
}

const problems = [];
const browser = await launch();
try {
  const context = await watchedContext(browser, problems);
  const page = await context.newPage();
  // A CSP violation is reported to the page as an event (and as a console error).
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${BASE}/api/docs/`);
  assert.equal(response.status(), 200);
  assert.doesNotMatch(response.headers()['content-security-policy'], /unsafe-inline/);
  await page.waitForSelector('.opblock-tag', { timeout: 20000 });
  const tags = await page.locator('.opblock-tag').count();
  assert.ok(tags >= 5, `only ${tags} operation groups rendered`);
  const title = await page.locator('.info .title').first().textContent();
  assert.match(title, /armario/);
  const violations = await page.evaluate(() => window.__violations);
  assert.deepEqual(violations, [], `CSP violations: ${violations.join('; ')}`);
  assert.deepEqual(problems, [], `problems: ${problems.join('; ')}`);
  console.log(`ok - the API docs render ${tags} operation groups under the CSP`);
} finally {
  await browser.close();
}
