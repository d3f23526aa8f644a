// Every main page of the dashboard and the portal, as the person who uses it (the owner, a
// company admin, a member) and signed out, in Portuguese and in English, at desktop and phone
// width: axe-core (an accessibility engine nobody here wrote) finds no violation of serious or
// critical impact, and each state is saved as a screenshot.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DESKTOP, PHONE, watchedContext } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function signIn(page, base, area, who) {
  await page.goto(`${base}/${area}/`);
  await page.locator('input[type=email]').first().fill(who.email);
  await page.locator('input[type=password]').first().fill(who.password);
  await page.locator('form button[type=submit]').first().click();
  await page.locator('main h1').first().waitFor();
}

/** The serious and critical violations axe finds on the page as it is now. */
async function audit(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** a11yWalk({browser, problems, base, owner, admin, member, ids, shot}) → the violations found. */
export async function a11yWalk({ browser, problems, base, owner, admin, member, ids, shot }) {
  const company = `#/companies/${encodeURIComponent(ids.b)}`;
  const visits = [
    { who: null, area: 'admin', pages: ['', '#/forgot'] },
    { who: null, area: 'portal', pages: ['', '#/signup', '#/forgot'] },
    {
      who: owner,
      area: 'admin',
      pages: ['#/', '#/companies', '#/companies/new', company, `${company}?tab=branding`, `${company}?tab=users`, `${company}?tab=secrets`, `${company}?tab=applications`, `${company}?tab=usage`, `${company}?tab=audit`, '#/approvals', '#/applications', `#/applications/${encodeURIComponent(ids.app)}`, '#/links', '#/usage', '#/audit', '#/sessions', '#/backups', '#/alerts', '#/account'],
    },
    { who: admin, area: 'portal', pages: [company, `${company}/users`, `${company}/secrets`, `${company}/applications`, `${company}/usage`, `${company}/audit`, '#/account'] },
    { who: member, area: 'portal', pages: [company, `${company}/users`, '#/account'] },
  ];
  const found = [];
  for (const lang of ['pt-BR', 'en']) {
    for (const viewport of [DESKTOP, PHONE]) {
      for (const { who, area, pages } of visits) {
        const ctx = await watchedContext(browser, problems, viewport);
        await ctx.addInitScript((l) => {
          try {
            localStorage.setItem('armario.lang', l);
          } catch {
            // about:blank has no storage; the pages of the server do.
          }
        }, lang);
        const page = await ctx.newPage();
        if (who) await signIn(page, base, area, who);
        for (const p of pages) {
          await page.goto(`${base}/${area}/${p}`);
          await page.locator('h1').first().waitFor();
          await page.waitForLoadState('networkidle');
          const role = who === owner ? 'owner' : who === admin ? 'admin' : who === member ? 'member' : 'signed-out';
          const name = `${area}-${role}-${p.replace(/cmp_[\w-]+|app_[\w-]+/g, 'id').replace(/[#/?=]+/g, '-').replace(/^-|-$/g, '') || 'home'}-${lang}`;
          for (const v of await audit(page)) found.push(`${name} @${viewport.width}px: ${v}`);
          await shot(page, `every-${name}`);
        }
        await ctx.close();
      }
    }
  }
  return found;
}
