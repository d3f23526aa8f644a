// Lighthouse (mobile settings: a mid-range phone, simulated slow 4G) on every main page of the
// dashboard and the portal, signed in as the person who uses it. Prints each page's performance
// and accessibility scores, its total blocking time and largest contentful paint.
//
//   node run.mjs BASE OWNER_EMAIL OWNER_PASSWORD ADMIN_EMAIL ADMIN_PASSWORD COMPANY_ID APP_ID
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';

const [base, ownerEmail, ownerPassword, adminEmail, adminPassword, company, app] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function signIn(context, area, email, password) {
  const page = await context.newPage();
  await page.goto(`${base}/${area}/`);
  await page.locator('input[type=email]').first().fill(email);
  await page.locator('input[type=password]').first().fill(password);
  await page.locator('form button[type=submit]').first().click();
  // Signed in once the readable CSRF cookie is set; the sign-in page has a heading too.
  await page.waitForFunction(() => document.cookie.includes('armario_csrf='));
  await page.locator('nav').first().waitFor({ state: 'attached' });
  await page.close();
}

/** Runs Lighthouse on each page in a browser where `who` is signed in to `area`. */
async function audit(area, email, password, pages) {
  const port = 9300 + Math.floor(Math.random() * 500);
  const profile = mkdtempSync(join(tmpdir(), 'armario-lh-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [`--remote-debugging-port=${port}`, '--no-sandbox'],
  });
  const rows = [];
  try {
    if (email) await signIn(context, area, email, password);
    for (const p of pages) {
      const url = `${base}/${area}/${p}`;
      const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'], disableStorageReset: true });
      const lhr = result.lhr;
      // A signed-in page reads its data from the API: count those answers, so a page that fell
      // back to the sign-in form shows.
      const api = (lhr.audits['network-requests'].details.items || []).filter((r) => r.url.includes('/api/v1/') && r.statusCode === 200 && !r.url.includes('/auth/me')).length;
      rows.push({
        api,
        page: `${area}/${p}`,
        performance: Math.round(lhr.categories.performance.score * 100),
        accessibility: Math.round(lhr.categories.accessibility.score * 100),
        tbt: Math.round(lhr.audits['total-blocking-time'].numericValue),
        lcp: Math.round(lhr.audits['largest-contentful-paint'].numericValue),
        cls: Number(lhr.audits['cumulative-layout-shift'].numericValue ?? NaN),
      });
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return rows;
}

const companyPath = `#/companies/${encodeURIComponent(company)}`;
const rows = [
  ...(await audit('admin', null, null, [''])),
  ...(await audit('portal', null, null, ['', '#/signup'])),
  ...(await audit('admin', ownerEmail, ownerPassword, ['#/', '#/companies', companyPath, `${companyPath}?tab=users`, '#/approvals', '#/applications', `#/applications/${encodeURIComponent(app)}`, '#/links', '#/usage', '#/audit', '#/sessions', '#/backups', '#/alerts', '#/account'])),
  ...(await audit('portal', adminEmail, adminPassword, [companyPath, `${companyPath}/users`, `${companyPath}/secrets`, `${companyPath}/applications`, `${companyPath}/usage`, `${companyPath}/audit`, '#/account'])),
];
console.log(`${'page'.padEnd(58)} perf  a11y  TBT ms  LCP ms    CLS  API reads`);
for (const r of rows) {
  console.log(`${r.page.replace(/cmp_[\w-]+|app_[\w-]+/g, '{id}').padEnd(58)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}  ${String(r.tbt).padStart(6)}  ${String(r.lcp).padStart(6)}  ${r.cls.toFixed(3).padStart(5)}  ${String(r.api).padStart(9)}`);
}
const low = rows.filter((r) => r.performance < 90 || r.accessibility < 100);
console.log(low.length ? `below target (performance >= 90, accessibility 100): ${low.length} of ${rows.length}` : `every page at performance >= 90 and accessibility 100 (${rows.length} pages)`);
