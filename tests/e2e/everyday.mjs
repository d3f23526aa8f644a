// Steps of the walk for the screens people use every day, each walked as the person it hurts:
// a member going through the portal, the owner and a company admin reading the audit log, in
// pt-BR and English, at desktop and phone width.
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, settled } from './harness.mjs';

const WIDTHS = [DESKTOP, PHONE];
const LANGS = ['pt-BR', 'en'];

export async function setLang(page, code) {
  await page.evaluate((c) => localStorage.setItem('armario.lang', c), code);
  await page.reload();
}

/** The page does not scroll sideways: nothing is wider than the window. */
export async function fitsWidth(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll} px wide in a ${width} px window`);
}

async function noErrorState(page, what) {
  await settled(page);
  assert.equal(await page.locator('.state-error').count(), 0, `${what} shows an error`);
}

const T = {
  'pt-BR': { company: 'Empresa', users: 'Usuários', apps: 'Aplicações', usage: 'Uso da API', secrets: 'Credenciais', audit: 'Auditoria', adminOnly: 'Só para administradores', notFound: 'Página não encontrada' },
  en: { company: 'Company', users: 'Users', apps: 'Applications', usage: 'API usage', secrets: 'Credentials', audit: 'Audit', adminOnly: 'For company admins only', notFound: 'Page not found' },
};

/** A member sees only the screens the API lets members read, and every one of them works. */
export async function memberWalk({ page, base, companyId, member, shot }) {
  const home = `${base}/portal/#/companies/${encodeURIComponent(companyId)}`;
  for (const lang of LANGS) {
    const w = T[lang];
    for (const viewport of WIDTHS) {
      await page.setViewportSize(viewport);
      await page.goto(home);
      await setLang(page, lang);
      await page.getByRole('heading', { level: 1, name: w.company }).waitFor();
      const links = (await page.locator('.sidebar a').allTextContents()).map((x) => x.trim());
      assert.ok(links.includes(w.users), `${lang}: the nav is there (${links})`);
      for (const hidden of [w.apps, w.usage, w.secrets, w.audit]) assert.ok(!links.includes(hidden), `${lang}: members see no "${hidden}" link (${links})`);
      await noErrorState(page, `${lang} company page`);
      await fitsWidth(page, `${lang} member company page`);
      await shot(page, `portal-member-company-${lang}`);
      await page.goto(`${home}/users`);
      await page.getByRole('heading', { level: 1, name: w.users }).waitFor();
      await page.locator('tr', { hasText: member.email }).waitFor();
      await noErrorState(page, `${lang} users page`);
      await shot(page, `portal-member-users-${lang}`);
      for (const path of ['/applications', '/usage', '/secrets', '/audit']) {
        await page.goto(`${home}${path}`);
        await page.getByRole('heading', { level: 1, name: w.adminOnly }).waitFor();
        await noErrorState(page, `${lang} ${path}`);
      }
      await shot(page, `portal-member-admin-only-${lang}`);
    }
  }
  await setLang(page, 'pt-BR');
  await page.setViewportSize(DESKTOP);
}

/**
 * The audit log shows names, fits the page, keeps the ids in a drawer and filters by pickers.
 * `names` are the names the reader must see, `hidden` those they must never see.
 */
export async function auditWalk({ page, url, names, hidden = [], companyPick, shot, label }) {
  for (const lang of LANGS) {
    for (const viewport of WIDTHS) {
      await page.setViewportSize(viewport);
      await page.goto(url);
      await setLang(page, lang);
      await page.locator('.audit-panel tbody tr').first().waitFor();
      await settled(page);
      const text = await page.locator('.audit-panel').innerText();
      for (const n of names) assert.ok(text.includes(n), `${label} ${lang}: the audit log names ${n}`);
      for (const n of hidden) assert.ok(!text.includes(n), `${label} ${lang}: the audit log does not show ${n}`);
      assert.ok(!/\b(usr|cmp|app)_\w{6,}/.test(text), `${label} ${lang}: no raw ids in the table`);
      await fitsWidth(page, `${label} ${lang} audit`);
      const wrap = await page.locator('.audit-panel .table-wrap').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(wrap.scroll <= wrap.client + 1, `${label} ${lang}: the table is ${wrap.scroll} px in ${wrap.client} px`);
      await shot(page, `${label}-audit-${lang}`);
      // The drawer holds the ids and the IP.
      await page.locator('.audit-panel tbody tr').first().getByRole('button').click();
      const drawer = page.locator('dialog.drawer');
      await drawer.waitFor();
      assert.match(await drawer.innerText(), /127\.0\.0\.1/);
      await shot(page, `${label}-audit-drawer-${lang}`);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
    }
  }
  await setLang(page, 'pt-BR');
  await page.setViewportSize(DESKTOP);
  await page.locator('.audit-panel tbody tr').first().waitFor();
  await settled(page);
  // The action picker, grouped by kind, in the reader's language.
  const action = page.locator('#flt-action');
  assert.ok((await action.locator('optgroup').count()) >= 5, 'actions are grouped by kind');
  await action.selectOption('user.created');
  await settled(page);
  const actions = await page.locator('.audit-panel tbody td:nth-child(3)').allInnerTexts();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'Usuário criado'), `only user.created: ${actions}`);
  await action.selectOption('');
  if (companyPick) {
    // The company picker finds a company by name and filters on it.
    const input = page.locator('#flt-company_id');
    await input.fill(companyPick.slice(0, 6));
    const option = page.locator('#flt-company_id-list option').first();
    await option.waitFor({ state: 'attached' });
    await input.fill(await option.getAttribute('value'));
    await settled(page);
    const companies = await page.locator('.audit-panel tbody td:nth-child(5)').allInnerTexts();
    assert.ok(companies.length > 0 && companies.every((c) => c === companyPick), `only ${companyPick}: ${companies}`);
    await shot(page, `${label}-audit-company-filter`);
  }
}
