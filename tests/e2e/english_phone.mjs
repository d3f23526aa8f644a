// The ten points of the everyday-use review walked again in English at phone width (375 px), each
// as the person it hurts, on data of its own: the owner approves and rejects sign-ups, searches,
// sorts and pages the companies, issues a key and tries to lose it, reads usage by company; a
// company admin meets the plan limit (in English, then in pt-BR), edits a user, confirms a role
// change, sets a password, adds a domain and reads the audit log; a member goes through the
// portal. The getting-started checklist of an empty install is walked in pt-BR only (run.mjs),
// as only a fresh install shows it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PHONE, field, heading, randomCnpj, settled, watchedContext } from './harness.mjs';
import { fitsWidth } from './everyday.mjs';
import { contrast } from './polish.mjs';

async function api(base, path, { method = 'GET', token, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Signs in on the page's own sign-in form after choosing English with the language select. */
async function signInEnglish(page, base, area, who, landing) {
  await page.goto(`${base}/${area}/`);
  await page.locator('main h1, h1').first().waitFor();
  if ((await page.getByLabel('Idioma').count()) > 0) await page.getByLabel('Idioma').selectOption('en');
  await heading(page, area === 'admin' ? 'Sign in to armario' : 'Client portal').waitFor();
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, landing).waitFor();
}

/** The keyboard's focus draws a solid ring of at least 3:1 against the page; the title none. */
async function focusRing(page) {
  const ring = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const css = getComputedStyle(el);
      return { tag: el.tagName, style: css.outlineStyle, width: css.outlineWidth, color: css.outlineColor, bg: getComputedStyle(document.documentElement).backgroundColor };
    });
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
  let r = await ring();
  assert.equal(r.style, 'none', `no box on the focused title: ${JSON.stringify(r)}`);
  await page.keyboard.press('Tab');
  r = await ring();
  assert.notEqual(r.tag, 'H1');
  assert.equal(r.style, 'solid', `the keyboard's focus shows: ${JSON.stringify(r)}`);
  assert.ok(parseFloat(r.width) >= 2, `a ring at least 2 px wide: ${r.width}`);
  assert.ok(contrast(r.color, r.bg) >= 3, `the ring ${r.color} on ${r.bg} is ${contrast(r.color, r.bg).toFixed(2)}:1`);
}

/** The notice of a change lets clicks through to the row buttons beneath it. */
async function toastLetsClicksThrough(page) {
  const toast = page.locator('.toast').first();
  await toast.waitFor();
  const box = await toast.boundingBox();
  const hit = await page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('.toasts'), { x: box.x + box.width / 2, y: box.y + box.height / 2 });
  assert.equal(hit, false, 'a click on the notice reaches what lies under it');
}

/** englishPhoneWalk({browser, problems, base, owner, shot}) */
export async function englishPhoneWalk({ browser, problems, base, owner, shot }) {
  const before = problems.length;
  const company = { legal: 'Ipê Roxo Serviços Ltda', cnpj: randomCnpj() };
  const elisa = { name: 'Elisa Gerente', email: 'elisa@iperoxo.test', password: 'senha-da-elisa-longa' };
  const fabio = { name: 'Fábio Balcão', email: 'fabio@iperoxo.test', password: 'senha-do-fabio-longa' };
  const signup = { legal: 'Cerâmica Açaí Ltda', cnpj: randomCnpj(), admin: { name: 'Júlia Oleira', email: 'julia@ceramica-acai.test', password: 'senha-da-julia-longa' } };
  const turnedDown = { legal: 'Vidraçaria Ébano Ltda', cnpj: randomCnpj(), admin: { name: 'Otávio Vidreiro', email: 'otavio@vidracaria-ebano.test', password: 'senha-do-otavio-longa' } };

  // A company with room for two users and its admin, made by the owner through the API.
  const { token } = await api(base, '/api/v1/auth/login', { method: 'POST', body: { email: owner.email, password: owner.password } });
  const created = await api(base, '/api/v1/companies', { method: 'POST', token, body: { legal_name: company.legal, cnpj: company.cnpj, max_users: 2 } });
  company.id = created.id;
  await api(base, `/api/v1/companies/${encodeURIComponent(company.id)}/users`, { method: 'POST', token, body: { ...elisa, role: 'company_admin' } });
  await api(base, '/api/v1/auth/logout', { method: 'POST', token });

  const ownerCtx = await watchedContext(browser, problems, PHONE);
  const adminCtx = await watchedContext(browser, problems, PHONE);
  const visitorCtx = await watchedContext(browser, problems, PHONE);
  try {
    // 8 and 7: two companies sign up in English; the owner approves one as a single item and
    // turns down the other through a dialog that names the action and offers "Back".
    const vp = await visitorCtx.newPage();
    for (const s of [signup, turnedDown]) {
      await vp.goto(`${base}/portal/#/signup`);
      await vp.locator('h1').first().waitFor();
      if ((await vp.getByLabel('Idioma').count()) > 0) await vp.getByLabel('Idioma').selectOption('en');
      await heading(vp, 'Sign up your company').waitFor();
      await field(vp, 'Legal name').fill(s.legal);
      await field(vp, 'CNPJ').fill(s.cnpj);
      await field(vp, 'Contact e-mail').fill(`contato@${s.admin.email.split('@')[1]}`);
      await field(vp, 'Name').fill(s.admin.name);
      await field(vp, 'E-mail').fill(s.admin.email);
      await field(vp, 'Password').fill(s.admin.password);
      await field(vp, 'Repeat the password').fill(s.admin.password);
      if (s === signup) await shot(vp, 'en-phone-signup');
      await vp.getByRole('button', { name: 'Send sign-up' }).click();
      await heading(vp, 'Sign-up received').waitFor();
    }

    const op = await ownerCtx.newPage();
    await signInEnglish(op, base, 'admin', owner, 'Overview');
    await op.goto(`${base}/admin/#/approvals`);
    await heading(op, 'Approvals').waitFor();
    await settled(op);
    await fitsWidth(op, 'approvals in English at phone width');
    const queue = (title) => op.locator('section.card', { has: op.getByRole('heading', { name: title }) });
    const row = queue('Pending companies').locator('tr', { hasText: signup.legal });
    await row.getByText(signup.admin.email).waitFor();
    assert.equal(await queue('Pending users').locator('tr', { hasText: signup.admin.email }).count(), 0, 'the sign-up admin is not a second item');
    await shot(op, 'en-phone-approvals');
    const rowDown = queue('Pending companies').locator('tr', { hasText: turnedDown.legal });
    await rowDown.getByRole('button', { name: 'Reject' }).click();
    let dialog = op.getByRole('dialog');
    await dialog.getByRole('heading', { name: `Reject the sign-up of ${turnedDown.legal}?` }).waitFor();
    await dialog.getByRole('button', { name: 'Back' }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).count(), 0, 'no "Cancel" beside the action');
    await shot(op, 'en-phone-reject-dialog');
    await dialog.getByRole('button', { name: 'Reject sign-up' }).click();
    await rowDown.waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.waitFor({ state: 'detached' });

    // 7: suspending the approved company asks with "Suspend" and "Back"; Escape changes nothing.
    await op.goto(`${base}/admin/#/companies?q=${encodeURIComponent('ceramica acai')}`);
    await heading(op, 'Companies').waitFor();
    await op.locator('tbody tr', { hasText: signup.legal }).getByRole('link').first().click();
    await heading(op, signup.legal).waitFor();
    await op.locator('.page-head .badge', { hasText: 'Active' }).waitFor();
    await op.getByRole('button', { name: 'Suspend' }).click();
    dialog = op.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Suspend' }).waitFor();
    await dialog.getByRole('button', { name: 'Back' }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).count(), 0);
    await shot(op, 'en-phone-suspend-dialog');
    await op.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await op.locator('.page-head .badge', { hasText: 'Active' }).waitFor();

    // 2: the search folds accents and case.
    await op.goto(`${base}/admin/#/companies`);
    await heading(op, 'Companies').waitFor();
    for (const q of ['IPE ROXO servicos', 'ceramica AÇAÍ']) {
      await field(op, 'Search').fill(q);
      const want = q.startsWith('IPE') ? company.legal : signup.legal;
      // The list follows the typing after a short pause: wait for the filtered answer.
      await op.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
      await settled(op);
      await op.locator('tbody tr', { hasText: want }).waitFor();
    }
    await shot(op, 'en-phone-companies-search');

    // 5: a total, a sort a phone can reach, page 2 and the order kept across a reload.
    await op.goto(`${base}/admin/#/companies`);
    await heading(op, 'Companies').waitFor();
    const total = op.getByText(/^\d+ companies$/);
    await total.waitFor();
    assert.ok(Number((await total.textContent()).split(' ')[0]) > 50, 'the total counts every company');
    const sortBy = op.getByLabel('Sort by');
    assert.ok(await sortBy.isVisible(), 'a phone shows a way to sort the list');
    await sortBy.selectOption('name');
    await op.waitForFunction(() => location.hash.includes('sort=name'));
    await op.locator('tbody tr').first().waitFor();
    await settled(op);
    const first = (await op.locator('tbody tr td:first-child').first().textContent()).trim();
    await op.getByRole('button', { name: 'Next' }).click();
    await op.waitForFunction(() => location.hash.includes('page=2'));
    await op.waitForFunction((prev) => document.querySelector('tbody tr td')?.textContent.trim() !== prev, first);
    const second = await op.locator('tbody tr td:first-child').allTextContents();
    await op.reload();
    await heading(op, 'Companies').waitFor();
    await op.locator('tbody tr').first().waitFor();
    await settled(op);
    assert.ok(op.url().includes('page=2') && op.url().includes('sort=name'), op.url());
    assert.deepEqual(await op.locator('tbody tr td:first-child').allTextContents(), second, 'the reload shows the same page 2');
    assert.equal(await op.getByLabel('Sort by').inputValue(), 'name');
    await fitsWidth(op, 'companies in English at phone width');
    await shot(op, 'en-phone-companies-page-2');

    // 6: a show-once secret asks before Escape closes it.
    await op.goto(`${base}/admin/#/applications`);
    await heading(op, 'Applications').waitFor();
    await op.getByRole('button', { name: 'New application' }).click();
    await field(op, 'Name').fill('Agenda Ipê');
    await op.getByRole('button', { name: 'Create application' }).click();
    await heading(op, 'Agenda Ipê').waitFor();
    const appId = decodeURIComponent(new URL(op.url()).hash.split('/')[2].split('?')[0]);
    await field(op, 'Label').fill('phone');
    await op.getByRole('button', { name: 'Generate credential' }).click();
    const secretDialog = op.locator('dialog', { hasText: 'will not be shown again' });
    await secretDialog.waitFor();
    const secret = await secretDialog.getByRole('textbox').inputValue();
    await shot(op, 'en-phone-credential-secret');
    const ask = op.locator('dialog', { hasText: 'Close without copying the secret?' });
    await op.keyboard.press('Escape');
    await ask.waitFor();
    await shot(op, 'en-phone-credential-leave-dialog');
    await ask.getByRole('button', { name: 'Back' }).click();
    await ask.waitFor({ state: 'detached' });
    assert.equal(await secretDialog.getByRole('textbox').inputValue(), secret, 'the secret is still shown');
    await op.keyboard.press('Escape');
    await ask.getByRole('button', { name: 'Close without copying' }).click();
    await secretDialog.waitFor({ state: 'detached' });

    // 9 (owner): usage by company with names, and its CSV, after the application's requests.
    await op.goto(`${base}/admin/#/links?application_id=${encodeURIComponent(appId)}`);
    await heading(op, 'Links').waitFor();
    await field(op, 'Company').fill(company.id);
    await op.getByLabel('company:read').check();
    await op.getByRole('button', { name: 'Link', exact: true }).click();
    await op.locator('tr', { hasText: 'company:read' }).waitFor();
    for (let i = 0; i < 3; i++) await api(base, `/api/v1/app/companies/${encodeURIComponent(company.id)}`, { token: secret });
    await op.goto(`${base}/admin/#/usage`);
    await heading(op, 'API usage').waitFor();
    const byCompany = op.locator('section.card', { has: op.getByRole('heading', { name: 'By company' }) });
    await byCompany.getByRole('link', { name: company.legal }).waitFor();
    await fitsWidth(op, 'usage in English at phone width');
    await shot(op, 'en-phone-usage');
    const [download] = await Promise.all([op.waitForEvent('download'), op.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('day,application_id,application_name,company_id,company_name,'), `an English CSV: ${csv.slice(0, 80)}`);
    assert.ok(csv.includes(`,Agenda Ipê,${company.id},${company.legal},`), 'the CSV names the application and the company');

    // 4: a server message in the language of the page: the plan limit, in English, then pt-BR.
    const ap = await adminCtx.newPage();
    await signInEnglish(ap, base, 'portal', elisa, 'Company');
    await focusRing(ap);
    const users = `${base}/portal/#/companies/${encodeURIComponent(company.id)}/users`;
    await ap.goto(users);
    await heading(ap, 'Users').waitFor();
    await ap.getByRole('button', { name: 'New user' }).click();
    await field(ap, 'Name').fill(fabio.name);
    await field(ap, 'E-mail').fill(fabio.email);
    await field(ap, 'Initial password').fill(fabio.password);
    await ap.getByRole('button', { name: 'Create user' }).click();
    await ap.locator('tr', { hasText: fabio.email }).waitFor();
    await ap.getByRole('button', { name: 'New user' }).click();
    await field(ap, 'Name').fill('Gustavo Extra');
    await field(ap, 'E-mail').fill('gustavo@iperoxo.test');
    await field(ap, 'Initial password').fill('senha-do-gustavo-longa');
    await ap.getByRole('button', { name: 'Create user' }).click();
    await ap.getByRole('alert').filter({ hasText: "the company's plan allows at most 2 users" }).waitFor();
    await shot(ap, 'en-phone-plan-limit');
    await ap.getByLabel('Language').selectOption('pt-BR');
    await heading(ap, 'Usuários').waitFor();
    await ap.getByRole('button', { name: 'Novo usuário' }).click();
    await field(ap, 'Nome').fill('Gustavo Extra');
    await field(ap, 'E-mail').fill('gustavo@iperoxo.test');
    await field(ap, 'Senha inicial').fill('senha-do-gustavo-longa');
    await ap.getByRole('button', { name: 'Criar usuário' }).click();
    await ap.getByRole('alert').filter({ hasText: 'o plano da empresa permite no máximo 2 usuários' }).waitFor();
    await ap.getByLabel('Idioma').selectOption('en');
    await heading(ap, 'Users').waitFor();

    // 9 (company admin): edit a user, a confirmed role change, a password, a custom domain.
    const row9 = ap.locator('tr', { hasText: fabio.email });
    await row9.getByRole('button', { name: 'Edit' }).click();
    await field(ap.getByRole('dialog'), 'Name').fill('Fábio Balconista');
    await ap.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    fabio.name = 'Fábio Balconista';
    await ap.getByText(`${fabio.name} saved.`).waitFor();
    const role = row9.getByLabel(`Role of ${fabio.name}`);
    await role.selectOption('company_admin');
    await ap.getByRole('dialog').getByRole('button', { name: 'Change role' }).waitFor();
    await shot(ap, 'en-phone-role-dialog');
    await ap.getByRole('dialog').getByRole('button', { name: 'Back' }).click();
    await ap.getByRole('dialog').waitFor({ state: 'detached' });
    let kept = '';
    for (let i = 0; i < 20 && kept !== 'member'; i++) {
      kept = await role.inputValue();
      if (kept !== 'member') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(kept, 'member', 'backing out keeps the role');
    await role.selectOption('company_admin');
    await ap.getByRole('dialog').getByRole('button', { name: 'Change role' }).click();
    await ap.getByText(`${fabio.name}'s role was changed.`).waitFor();
    // 10: the notice never catches a click meant for the row buttons beneath it.
    await toastLetsClicksThrough(ap);
    await role.selectOption('member');
    await ap.getByRole('dialog').getByRole('button', { name: 'Change role' }).click();
    await ap.getByRole('dialog').waitFor({ state: 'detached' });
    await settled(ap);
    await row9.getByRole('button', { name: 'Password' }).click();
    fabio.password = 'senha-nova-do-fabio-longa';
    await field(ap.getByRole('dialog'), 'New password').fill(fabio.password);
    await ap.getByRole('dialog').getByRole('button', { name: 'Set this password' }).click();
    await ap.getByText(`New password set for ${fabio.name}`).waitFor();
    await fitsWidth(ap, 'users in English at phone width');
    await shot(ap, 'en-phone-users');
    await ap.goto(`${base}/portal/#/companies/${encodeURIComponent(company.id)}`);
    await heading(ap, 'Company').waitFor();
    await field(ap, 'New domain').fill('portal.iperoxo.com.br');
    await ap.getByRole('button', { name: 'Add domain' }).click();
    const domainRow = ap.locator('tr', { hasText: 'portal.iperoxo.com.br' });
    await domainRow.waitFor();
    await shot(ap, 'en-phone-domains');
    await domainRow.getByRole('button', { name: 'Remove' }).click();
    await ap.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await ap.getByText('No custom domain.').waitFor();

    // 3: the company admin's audit log by name, fitting the phone, the ids in a drawer.
    await ap.goto(`${base}/portal/#/companies/${encodeURIComponent(company.id)}/audit`);
    await ap.locator('.audit-panel tbody tr').first().waitFor();
    await settled(ap);
    const text = await ap.locator('.audit-panel').innerText();
    for (const n of [elisa.name, 'Fábio Bal']) assert.ok(text.includes(n), `the audit log names ${n}`);
    assert.ok(!text.includes(owner.name), "the owner's name is not shown to a company admin");
    assert.ok(!/\b(usr|cmp|app)_\w{6,}/.test(text), 'no raw ids in the table');
    await fitsWidth(ap, 'audit in English at phone width');
    await shot(ap, 'en-phone-audit');
    await ap.locator('.audit-panel tbody tr').first().getByRole('button').click();
    const drawer = ap.locator('dialog.drawer');
    await drawer.waitFor();
    assert.match(await drawer.innerText(), /127\.0\.0\.1/);
    await shot(ap, 'en-phone-audit-drawer');
    await ap.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    const action = ap.locator('#flt-action');
    assert.ok((await action.locator('optgroup').count()) >= 5, 'actions are grouped by kind');
    assert.ok((await action.locator('optgroup').first().getAttribute('label')).length > 0);
    await action.selectOption('user.created');
    await settled(ap);
    const actions = (await ap.locator('.audit-panel tbody td:nth-child(3)').allTextContents()).map((a) => a.trim());
    assert.ok(actions.length > 0 && actions.every((a) => a === 'User created'), `only user.created, in English: ${actions}`);

    // 1: a member sees only what they may read, in English, with no red error.
    const memberCtx = await watchedContext(browser, problems, PHONE);
    try {
      const mp = await memberCtx.newPage();
      await signInEnglish(mp, base, 'portal', fabio, 'Company');
      const home = `${base}/portal/#/companies/${encodeURIComponent(company.id)}`;
      const links = (await mp.locator('.sidebar a').allTextContents()).map((x) => x.trim());
      assert.ok(links.includes('Users'), `the nav is there (${links})`);
      for (const hidden of ['Applications', 'API usage', 'Credentials', 'Audit log']) assert.ok(!links.includes(hidden), `members see no "${hidden}" link (${links})`);
      await settled(mp);
      assert.equal(await mp.locator('.state-error').count(), 0, 'the company page shows no error');
      await mp.getByText('Only company admins can change this data.').waitFor();
      await shot(mp, 'en-phone-member-company');
      await mp.goto(`${home}/users`);
      await heading(mp, 'Users').waitFor();
      await mp.locator('tr', { hasText: fabio.email }).waitFor();
      await settled(mp);
      assert.equal(await mp.locator('.state-error').count(), 0, 'the users page shows no error');
      await shot(mp, 'en-phone-member-users');
      for (const path of ['/applications', '/usage']) {
        await mp.goto(`${home}${path}`);
        await heading(mp, 'For company admins only').waitFor();
        await settled(mp);
        assert.equal(await mp.locator('.state-error').count(), 0, `${path} shows no error`);
      }
      await shot(mp, 'en-phone-member-admin-only');
    } finally {
      await memberCtx.close();
    }
  } finally {
    await ownerCtx.close();
    await adminCtx.close();
    await visitorCtx.close();
  }
  assert.deepEqual(problems.slice(before), [], 'no console error in the English phone walk');
}
