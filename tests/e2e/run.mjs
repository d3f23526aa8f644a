// End-to-end walk of armario's admin dashboard and portal in Debian's Chromium.
// ARMARIO_URL=http://127.0.0.1:PORT ARMARIO_SETUP_URL=http://…/admin/setup#token=… node run.mjs
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountWalk } from './account.mjs';
import { appRolesWalk } from './app_roles.mjs';
import { webhooksWalk } from './webhooks.mjs';
import { englishLinksWalk, englishSetupPage } from './english_links.mjs';
import { configWalk } from './config.mjs';
import { oidcWalk } from './oidc.mjs';
import { auditWalk, fitsWidth, memberWalk } from './everyday.mjs';
import { emailWalk } from './email.mjs';
import { englishPhoneWalk } from './english_phone.mjs';
import { inviteWalk } from './invites.mjs';
import { a11yWalk } from './a11y.mjs';
import { magicWalk } from './magic.mjs';
import { ownerSessionsWalk } from './owner-sessions.mjs';
import { peopleWalk } from './people.mjs';
import { plansWalk } from './plans.mjs';
import { privacyWalk } from './privacy.mjs';
import { erasureWalk } from './erasure.mjs';
import { reportsWalk } from './reports.mjs';
import { mfaWalk } from './mfa.mjs';
import { darkTheme, firstSteps, firstStepsDone, focusRings, quietSignedOut } from './polish.mjs';
import { DESKTOP, PHONE, badCnpj, exactLabel, field, heading, launch, randomCnpj, screenshotter, settled, stepper, watchedContext } from './harness.mjs';

const BASE = (process.env.ARMARIO_URL || '').replace(/\/$/, '');
const SETUP_URL = process.env.ARMARIO_SETUP_URL || '';
if (!BASE || !SETUP_URL) {
  console.error('set ARMARIO_URL and ARMARIO_SETUP_URL');
  process.exit(2);
}
const OUT = process.env.ARMARIO_SCREENSHOTS || fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const shot = screenshotter(OUT);
const problems = [];
const { step, results } = stepper();

const owner = { name: 'Ana Dona', email: 'ana@plataforma.test', password: 'senha-do-dono-muito-longa' };
const admin = { name: 'Bruno Gestor', email: 'bruno@padaria.test', password: 'senha-do-bruno-longa' };
const member = { name: 'Carla Caixa', email: 'carla@padaria.test', password: 'senha-da-carla-longa' };
const companyA = { legal: 'Oficina Roda Viva Ltda', cnpj: randomCnpj() };
const companyB = { legal: 'Padaria Pão Quente Ltda', trade: 'Pão Quente', cnpj: randomCnpj() };
const companyC = { legal: 'São José Móveis Ltda', cnpj: randomCnpj() };
const adminC = { name: 'José Marceneiro', email: 'jose@moveis.test', password: 'senha-do-jose-longa' };
const ids = {};
const omie = { app_key: '4455667788', app_secret: 'segredo-omie-9f8e7d6c5b4a' };

const idFromHash = (page) => decodeURIComponent(new URL(page.url()).hash.split('/')[2].split('?')[0]);

// Screens whose endpoints the server does not have yet are skipped, with the reason printed.
const spec = await (await fetch(`${BASE}/api/openapi.json`)).json();
const lacks = (...paths) => {
  const absent = paths.filter((p) => !(`/api/v1${p}` in (spec.paths || {})));
  return absent.length ? `the server has no ${absent.join(', ')} yet` : undefined;
};
const noApps = lacks('/applications', '/applications/{id}/credentials');
const noLinks = lacks('/applications', '/links', '/companies/{id}/links');

const browser = await launch();
const ownerCtx = await watchedContext(browser, problems);
const adminCtx = await watchedContext(browser, problems);
await ownerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
const op = await ownerCtx.newPage();
const ap = await adminCtx.newPage();

await step('a signed-out page asks for its session without an error answer', () => quietSignedOut(browser, BASE));

await step('the setup page reads in English at phone width', () => englishSetupPage({ browser, problems, setupUrl: SETUP_URL, shot }));

await step('owner signs in for the first time through the setup link', async () => {
  await op.goto(SETUP_URL);
  await heading(op, 'Primeiro acesso').waitFor();
  await field(op, 'Nome').fill(owner.name);
  await field(op, 'E-mail').fill(owner.email);
  await field(op, 'Senha').fill(owner.password);
  await field(op, 'Repita a senha').fill(owner.password);
  await shot(op, 'admin-setup');
  await op.getByRole('button', { name: 'Criar conta e entrar' }).click();
  await heading(op, 'Visão geral').waitFor();
  assert.match(op.url(), /\/admin\/#\/$/);
  await op.getByText(owner.name).first().waitFor();
});

await step('the title takes focus without a box; the keyboard ring has contrast; dark theme', async () => {
  await focusRings(op, heading(op, 'Visão geral'));
  await op.goto(`${BASE}/admin/#/`);
  await darkTheme(op, shot, 'admin-overview');
  await firstSteps(op);
});

await step('owner creates a company, and a bad CNPJ is shown next to its field', async () => {
  await op.goto(`${BASE}/admin/#/companies/new`);
  await heading(op, 'Nova empresa').waitFor();
  await field(op, 'Razão social').fill(companyA.legal);
  await field(op, 'E-mail de contato').fill('contato@rodaviva.test');
  await field(op, 'CNPJ').fill(badCnpj(companyA.cnpj));
  const cnpjError = op.locator('.field', { has: field(op, 'CNPJ') }).locator('.field-error');
  await assert.doesNotReject(cnpjError.getByText('dígitos verificadores').waitFor());
  await op.getByRole('button', { name: 'Cadastrar empresa' }).click();
  assert.equal(await field(op, 'Razão social').inputValue(), companyA.legal, 'the legal name is kept');
  assert.equal(await field(op, 'E-mail de contato').inputValue(), 'contato@rodaviva.test');
  assert.equal(await field(op, 'CNPJ').getAttribute('aria-invalid'), 'true');
  await shot(op, 'admin-company-new-bad-cnpj');
  await field(op, 'CNPJ').fill(companyA.cnpj);
  await op.getByText('CNPJ válido.').waitFor();
  await op.getByRole('button', { name: 'Cadastrar empresa' }).click();
  await heading(op, companyA.legal).waitFor();
  ids.a = idFromHash(op);
  // A company the owner registers starts active; signed-up companies wait (approved below).
  await op.locator('.page-head .badge', { hasText: 'Ativa' }).waitFor();
});

await step('Escape cancels a destructive confirmation and changes nothing', async () => {
  await op.getByRole('button', { name: 'Suspender' }).click();
  const dialog = op.getByRole('dialog');
  await dialog.waitFor();
  // The button names the action; the way out says "Voltar", never a second "Cancelar".
  await dialog.getByRole('button', { name: 'Suspender' }).waitFor();
  await dialog.getByRole('button', { name: 'Voltar' }).waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Cancelar' }).count(), 0);
  await op.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await op.locator('.page-head .badge', { hasText: 'Ativa' }).waitFor();
  await shot(op, 'admin-company');
});

await step('a company signs up in the portal; the answer never says whether a CNPJ is taken', async () => {
  await ap.goto(`${BASE}/portal/#/signup`);
  await heading(ap, 'Cadastre sua empresa').waitFor();
  await field(ap, 'Razão social').fill(companyB.legal);
  await field(ap, 'Nome fantasia').fill(companyB.trade);
  await field(ap, 'CNPJ').fill(companyB.cnpj);
  await field(ap, 'E-mail de contato').fill('contato@paoquente.test');
  await field(ap, 'Nome').fill(admin.name);
  await field(ap, 'E-mail').fill(admin.email);
  await field(ap, 'Senha').fill(admin.password);
  await field(ap, 'Repita a senha').fill(admin.password);
  await shot(ap, 'portal-signup');
  await ap.getByRole('button', { name: 'Enviar cadastro' }).click();
  await heading(ap, 'Cadastro recebido').waitFor();
  // A second sign-up, which the owner will turn down.
  await ap.goto(`${BASE}/portal/#/signup`);
  await heading(ap, 'Cadastre sua empresa').waitFor();
  await field(ap, 'Razão social').fill(companyC.legal);
  await field(ap, 'CNPJ').fill(companyC.cnpj);
  await field(ap, 'E-mail de contato').fill('contato@moveis.test');
  await field(ap, 'Nome').fill(adminC.name);
  await field(ap, 'E-mail').fill(adminC.email);
  await field(ap, 'Senha').fill(adminC.password);
  await field(ap, 'Repita a senha').fill(adminC.password);
  await ap.getByRole('button', { name: 'Enviar cadastro' }).click();
  await heading(ap, 'Cadastro recebido').waitFor();
});

await step('the overview counts each sign-up once, as the company with its first admin', async () => {
  await op.goto(`${BASE}/admin/#/`);
  await heading(op, 'Visão geral').waitFor();
  const approvals = op.locator('section.card', { has: op.getByRole('heading', { name: 'Aprovações aguardando' }) });
  await approvals.locator('.stat .value', { hasText: /^2$/ }).waitFor();
  await approvals.getByText('2 empresas, 0 usuários').waitFor();
});

await step('owner approves a sign-up as one item and rejects another with a clear dialog', async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    await op.setViewportSize(viewport);
    await op.goto(`${BASE}/admin/#/approvals`);
    await heading(op, 'Aprovações').waitFor();
    await settled(op);
    await fitsWidth(op, 'approvals');
    for (const wrap of await op.locator('.table-wrap').all()) {
      const { scroll, client } = await wrap.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(scroll <= client + 1, `an approvals table is ${scroll} px wide in ${client} px`);
    }
    await shot(op, 'admin-approvals');
  }
  await op.setViewportSize(DESKTOP);
  const queue = (title) => op.locator('section.card', { has: op.getByRole('heading', { name: title }) });
  const row = queue('Empresas pendentes').locator('tr', { hasText: companyB.trade });
  await row.waitFor();
  // The first admin is part of the company's item, not a user to approve on their own.
  await row.getByText(admin.email).waitFor();
  await row.getByText(admin.name).waitFor();
  // Nobody has opened the link sent to the address yet.
  await row.getByText('E-mail não confirmado').waitFor();
  assert.equal(await queue('Usuários pendentes').locator('tr', { hasText: admin.email }).count(), 0, 'the sign-up admin is not listed again');
  assert.equal(await queue('Usuários pendentes').locator('tr', { hasText: adminC.email }).count(), 0);
  ids.b = decodeURIComponent((await row.getByRole('link').first().getAttribute('href')).split('/')[2]);

  const rowC = queue('Empresas pendentes').locator('tr', { hasText: companyC.legal });
  await rowC.getByRole('button', { name: 'Recusar' }).click();
  const dialog = op.getByRole('dialog');
  await dialog.getByRole('heading', { name: `Recusar o cadastro de ${companyC.legal}?` }).waitFor();
  await dialog.getByRole('button', { name: 'Voltar' }).waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Cancelar' }).count(), 0, 'no "Cancelar" beside the action');
  await shot(op, 'admin-approvals-reject-dialog');
  await dialog.getByRole('button', { name: 'Recusar cadastro' }).click();
  await rowC.waitFor({ state: 'detached' });

  await row.getByRole('button', { name: 'Aprovar' }).click();
  await row.waitFor({ state: 'detached' });
  await settled(op);
});

await step('the overview counts the companies by status', async () => {
  await op.goto(`${BASE}/admin/#/`);
  await heading(op, 'Visão geral').waitFor();
  const active = op.locator('.stat-list li', { hasText: 'Ativa' });
  await active.locator('strong', { hasText: /^2$/ }).waitFor();
});

await step('owner creates an application and a credential, shown once', async () => {
  await op.goto(`${BASE}/admin/#/applications`);
  await op.getByRole('button', { name: 'Nova aplicação' }).click();
  await field(op, 'Nome').fill('ERP Sync');
  await op.getByRole('button', { name: 'Criar aplicação' }).click();
  await heading(op, 'ERP Sync').waitFor();
  ids.app = idFromHash(op);
  await field(op, 'Rótulo').fill('produção');
  await op.getByRole('button', { name: 'Gerar credencial' }).click();
  const dialog = op.locator('dialog', { hasText: 'não será exibido de novo' });
  await dialog.waitFor();
  const secret = await dialog.getByRole('textbox').inputValue();
  assert.ok(secret.length >= 20, 'the secret is shown');
  await shot(op, 'admin-credential-secret');
  // Until the secret is copied, every way out asks first, and "Voltar" keeps it on screen.
  const ask = op.locator('dialog', { hasText: 'Fechar sem copiar o segredo?' });
  await op.keyboard.press('Escape');
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Fechar sem copiar' }).waitFor();
  await shot(op, 'admin-credential-leave-dialog');
  await ask.getByRole('button', { name: 'Voltar' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal(await dialog.getByRole('textbox').inputValue(), secret, 'the secret is still shown');
  await dialog.getByRole('button', { name: 'Fechar', exact: true }).click();
  await ask.waitFor();
  await op.keyboard.press('Escape');
  await ask.waitFor({ state: 'detached' });
  await op.keyboard.press('Escape');
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Voltar' }).click();
  // Each question is gone before the next way out is tried, so a click meant for the secret
  // dialog's backdrop cannot land on the closing question's.
  await ask.waitFor({ state: 'detached' });
  await op.mouse.click(5, 5); // the backdrop
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Voltar' }).click();
  await ask.waitFor({ state: 'detached' });
  await dialog.getByRole('button', { name: 'Já copiei' }).click();
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Voltar' }).click();
  await ask.waitFor({ state: 'detached' });
  await dialog.getByRole('button', { name: 'Copiar' }).click();
  await dialog.getByRole('button', { name: 'Copiado' }).waitFor();
  assert.equal(await op.evaluate(() => navigator.clipboard.readText()), secret, 'the secret is on the clipboard');
  await dialog.getByRole('button', { name: 'Já copiei' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await ask.count(), 0, 'no question once copied');
  await op.locator('tr', { hasText: 'produção' }).getByText('Nunca usada').waitFor();
  assert.equal(await op.getByText(secret).count(), 0, 'the secret is not shown again');
}, { missing: noApps });

await step('owner links the application to the company with scopes', async () => {
  await op.goto(`${BASE}/admin/#/links?application_id=${encodeURIComponent(ids.app)}`);
  await heading(op, 'Vínculos').waitFor();
  await field(op, 'Empresa').fill(ids.b);
  await op.getByLabel('secrets:omie:read').check();
  await op.getByRole('button', { name: 'Vincular' }).click();
  await op.locator('tr', { hasText: 'secrets:omie:read' }).waitFor();
  await shot(op, 'admin-links');
}, { missing: noLinks });

await step('the first steps leave the overview once all are done', () => firstStepsDone(op, BASE));

await step('company admin signs in to the portal with the keyboard', async () => {
  await ap.goto(`${BASE}/portal/`);
  await heading(ap, 'Portal do cliente').waitFor();
  await field(ap, 'E-mail').focus();
  await ap.keyboard.type(admin.email);
  await ap.keyboard.press('Tab');
  await ap.keyboard.type(admin.password);
  await ap.keyboard.press('Enter');
  await heading(ap, 'Empresa').waitFor();
  assert.ok(ap.url().includes(encodeURIComponent(ids.b)), 'lands on its own company');
  await ap.getByText('ERP Sync').count();
});

await step('company admin sets a logo, which the portal shows from its URL, not inline', async () => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const branding = ap.locator('section.card', { has: ap.getByRole('heading', { name: 'Marca' }) });
  await branding.getByLabel(exactLabel('Logo')).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
  await ap.waitForFunction(() => (document.querySelector('.logo-preview[src^="data:"]') || {}).complete);
  // The portal reloads itself once the branding is saved.
  await Promise.all([ap.waitForEvent('load'), branding.getByRole('button', { name: 'Salvar' }).click()]);
  const logo = ap.locator('.brand .brand-logo');
  await ap.waitForFunction(() => {
    const img = document.querySelector('.brand .brand-logo');
    return img && img.getAttribute('src').includes('/logo?v=') && img.complete && img.naturalWidth === 1;
  });
  assert.ok((await logo.getAttribute('src')).startsWith(`/api/v1/companies/${ids.b}/logo`), 'the header logo comes by URL');
  const session = await ap.evaluate(async () => (await fetch('/api/v1/auth/me')).text());
  assert.ok(!session.includes('data:image'), 'the session answer does not carry the image');
  // Saving other branding keeps the logo: the form sends it only when it changed.
  await branding.locator('.logo-preview[src*="/logo?v="]').waitFor();
  await Promise.all([ap.waitForEvent('load'), branding.getByRole('button', { name: 'Salvar' }).click()]);
  await heading(ap, 'Empresa').waitFor();
  const company = await ap.evaluate(async (id) => (await fetch(`/api/v1/companies/${id}`)).json(), ids.b);
  assert.ok(company.logo_url, 'the logo is still set');
});

await step('company admin sets the Omie credentials and sees only the hint', async () => {
  await ap.getByRole('link', { name: 'Credenciais' }).click();
  const omieCard = ap.locator('[data-kind="omie"]');
  await omieCard.getByText('Ainda não configurada.').waitFor();
  await omieCard.getByLabel(exactLabel('App key')).fill(omie.app_key);
  await omieCard.getByLabel(exactLabel('App secret')).fill(omie.app_secret);
  await omieCard.getByRole('button', { name: 'Salvar credenciais' }).click();
  await omieCard.locator('.badge', { hasText: 'Configurado' }).waitFor();
  const hint = (await omieCard.locator('.secret-hint').textContent()).trim();
  assert.ok(hint && hint !== '—', 'a hint is shown');
  assert.ok(!hint.includes(omie.app_secret) && !hint.includes(omie.app_key), 'the hint is not the secret');
  assert.equal(await omieCard.getByLabel(exactLabel('App secret')).inputValue(), '', 'the inputs are cleared');
  // Once saved, the card says how to replace the value, not how to set the first one.
  await omieCard.getByText('Para trocar, preencha os campos de novo e salve.').waitFor();
  assert.equal(await omieCard.getByText('Preencha e salve.', { exact: false }).count(), 0, 'the first-time note is gone');
  // The notice of the save never catches a click: one aimed at it reaches the page beneath.
  const toast = ap.locator('.toast').first();
  await toast.waitFor();
  const box = await toast.boundingBox();
  const hit = await ap.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('.toasts'), { x: box.x + box.width / 2, y: box.y + box.height / 2 });
  assert.equal(hit, false, 'a click on the notice reaches what lies under it');
  await ap.reload();
  await omieCard.locator('.secret-hint').waitFor();
  const text = await ap.locator('main').textContent();
  assert.ok(!text.includes(omie.app_secret) && !text.includes(omie.app_key), 'the values never come back');
  await shot(ap, 'portal-secrets');
});

await step('company admin sees the linked application with its scopes', async () => {
  await ap.getByRole('link', { name: 'Aplicações' }).click();
  await ap.locator('tr', { hasText: 'secrets:omie:read' }).getByRole('button', { name: 'Revogar' }).waitFor();
  await shot(ap, 'portal-applications');
}, { missing: noLinks });

await step('company admin adds a member, who sees users read-only and no credentials', async () => {
  await ap.getByRole('link', { name: 'Usuários' }).click();
  await ap.getByRole('button', { name: 'Novo usuário' }).click();
  await field(ap, 'Nome').fill(member.name);
  await field(ap, 'E-mail').fill(member.email);
  await field(ap, 'Senha inicial').fill(member.password);
  await ap.getByRole('button', { name: 'Criar usuário' }).click();
  const row = ap.locator('tr', { hasText: member.email });
  await row.waitFor();
  assert.equal(await row.getByRole('combobox').inputValue(), 'member');
  const memberCtx = await watchedContext(browser, problems);
  const mp = await memberCtx.newPage();
  await mp.goto(`${BASE}/portal/`);
  await field(mp, 'E-mail').fill(member.email);
  await field(mp, 'Senha').fill(member.password);
  await mp.getByRole('button', { name: 'Entrar' }).click();
  await heading(mp, 'Empresa').waitFor();
  assert.equal(await mp.getByRole('link', { name: 'Credenciais' }).count(), 0, 'members have no credentials screen');
  await mp.getByText('Só administradores da empresa podem alterar estes dados.').waitFor();
  await mp.getByRole('link', { name: 'Usuários' }).click();
  // The server lists only a member's own account to a member.
  await mp.locator('tr', { hasText: member.email }).waitFor();
  assert.equal(await mp.getByRole('button', { name: 'Novo usuário' }).count(), 0, 'members cannot add users');
  assert.equal(await mp.locator('tbody select, tbody button').count(), 0, 'members cannot change users');
  await shot(mp, 'portal-users-member');
  await memberWalk({ page: mp, base: BASE, companyId: ids.b, member, shot });
  await memberCtx.close();
});

await step('owner reads the audit log by name, filters it by pickers and opens the drawer', async () => {
  await auditWalk({ page: op, url: `${BASE}/admin/#/audit`, names: [owner.name, admin.name, companyB.trade], companyPick: companyB.trade, shot, label: 'admin' });
});

await step("company admin reads their company's audit log by name, and no one else's names", async () => {
  await auditWalk({ page: ap, url: `${BASE}/portal/#/companies/${encodeURIComponent(ids.b)}/audit`, names: [admin.name, member.name], hidden: [owner.name, companyA.legal], shot, label: 'portal' });
});

await step("company admin opening another company's page by URL sees not found", async () => {
  await ap.goto(`${BASE}/portal/#/companies/${encodeURIComponent(ids.a)}`);
  await heading(ap, 'Página não encontrada').waitFor();
  assert.equal(await ap.getByText(companyA.legal).count(), 0, 'nothing of the other company shows');
  await shot(ap, 'portal-not-found');
  await ap.goto(`${BASE}/portal/#/companies/${encodeURIComponent(ids.a)}/users`);
  await heading(ap, 'Página não encontrada').waitFor();
});

await step('screenshots of the main pages at desktop and phone width', async () => {
  const adminPages = ['', 'companies', `companies/${ids.b}`, `companies/${ids.b}?tab=users`, 'approvals', 'applications', ids.app && `applications/${ids.app}`, 'links', 'usage', 'audit', 'backups'].filter((p) => p !== undefined);
  const portalPages = ['', '/users', '/secrets', '/applications', '/usage', '/audit'];
  for (const viewport of [DESKTOP, PHONE]) {
    await op.setViewportSize(viewport);
    await ap.setViewportSize(viewport);
    for (const p of adminPages) {
      await op.goto(`${BASE}/admin/#/${p}`);
      await op.locator('main h1').first().waitFor();
      await shot(op, `admin-${p.replace(/[/?=]+/g, '-').replace(/cmp_[\w-]+|app_[\w-]+/g, 'id') || 'overview'}`);
    }
    for (const p of portalPages) {
      await ap.goto(`${BASE}/portal/#/companies/${encodeURIComponent(ids.b)}${p}`);
      await ap.locator('main h1').first().waitFor();
      await shot(ap, `portal-${p.replace(/\//g, '') || 'company'}`);
    }
  }
  await op.setViewportSize(PHONE);
  await op.goto(`${BASE}/admin/#/companies`);
  await op.getByRole('button', { name: 'Menu' }).click();
  await op.getByRole('link', { name: 'Aprovações' }).waitFor();
  await op.waitForTimeout(300); // the drawer slides in
  await shot(op, 'admin-menu-open');
  await op.getByRole('link', { name: 'Aprovações' }).click();
  await heading(op, 'Aprovações').waitFor();
  await op.setViewportSize(DESKTOP);
});

await step('the companies list sorts by a column, counts its companies, and a reload keeps page 2 and the order', async () => {
  // Enough companies for a second page of 50, created through the API with the owner's session.
  const csrf = (await ownerCtx.cookies(BASE)).find((c) => c.name === 'armario_csrf').value;
  for (let i = 0; i < 55; i++) {
    const r = await op.request.post(`${BASE}/api/v1/companies`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { legal_name: `Lote ${String(i).padStart(2, '0')} Comércio Ltda`, cnpj: randomCnpj() },
    });
    assert.equal(r.status(), 201, await r.text());
  }
  await op.goto(`${BASE}/admin/#/companies`);
  await heading(op, 'Empresas').waitFor();
  const total = op.getByText(/^\d+ empresas$/);
  await total.waitFor();
  const count = Number((await total.textContent()).split(' ')[0]);
  assert.ok(count >= 58, `the total counts every company: ${count}`);
  const nameHeader = op.locator('th', { has: op.getByRole('button', { name: /^Empresa/ }) });
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'none');
  await op.getByRole('button', { name: /^Empresa/ }).click();
  await op.waitForFunction(() => location.hash.includes('sort=name'));
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
  const names = async () => (await op.locator('tbody tr td:first-child').allTextContents()).map((n) => n.trim());
  await op.locator('tbody tr').first().waitFor();
  const first = await names();
  const folded = (x) => x.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  assert.deepEqual([...first].sort((a, b) => folded(a).localeCompare(folded(b))), first, 'page 1 is in name order');
  await op.getByRole('button', { name: 'Próxima' }).click();
  await op.waitForFunction(() => location.hash.includes('page=2'));
  await op.waitForFunction((prev) => document.querySelector('tbody tr td')?.textContent.trim() !== prev, first[0]);
  const second = await names();
  assert.ok(folded(second[0]).localeCompare(folded(first[first.length - 1])) >= 0, 'page 2 continues the order');
  await op.reload();
  await heading(op, 'Empresas').waitFor();
  await op.locator('tbody tr').first().waitFor();
  assert.ok(op.url().includes('page=2') && op.url().includes('sort=name'), op.url());
  assert.deepEqual(await names(), second, 'the reload shows the same page 2');
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
  await shot(op, 'admin-companies-sorted-page-2');
  // Leaving the list before its page arrives: the late answer must not pull the address back.
  await op.route('**/api/v1/companies?*', async (route) => {
    await new Promise((res) => setTimeout(res, 1500));
    await route.continue();
  });
  await op.goto(`${BASE}/admin/#/companies`);
  await op.goto(`${BASE}/admin/#/`);
  await heading(op, 'Visão geral').waitFor();
  await op.waitForTimeout(2500);
  await op.unroute('**/api/v1/companies?*');
  assert.equal(new URL(op.url()).hash, '#/', `the address stays on the overview: ${op.url()}`);
  await heading(op, 'Visão geral').waitFor();
});

await step('both sign out', async () => {
  await ap.getByRole('button', { name: 'Sair' }).click();
  await heading(ap, 'Portal do cliente').waitFor();
  await ap.reload();
  await heading(ap, 'Portal do cliente').waitFor();
  await shot(ap, 'portal-sign-in');
  await op.getByRole('button', { name: 'Sair' }).click();
  await heading(op, 'Entrar no armario').waitFor();
  await shot(op, 'admin-sign-in');
});

await step('a forgotten password is reset through the e-mailed link, which works once', async () => {
  const mailDir = process.env.MAIL_DIR;
  await ap.goto(`${BASE}/portal/`);
  await ap.getByRole('link', { name: 'Esqueceu a senha?' }).click();
  await heading(ap, 'Redefinir a senha').waitFor();
  await field(ap, 'E-mail').fill(admin.email);
  await ap.getByRole('button', { name: 'Enviar o link' }).click();
  await ap.getByRole('status').filter({ hasText: 'a caminho' }).waitFor();
  await shot(ap, 'portal-reset-requested');
  // The message as the SMTP server received it, in the language Bruno signs in with.
  let message;
  for (let i = 0; i < 200 && !message; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    // Bruno also received the link that verified his sign-up's address.
    message = files.map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8'))).find((m) => m.rcpt_tos.includes(admin.email) && m.text.includes('/portal/reset#token='));
    if (!message) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(message, 'the reset message arrived');
  assert.match(message.headers.Subject, /^Redefinir sua senha em /);
  const link = message.text.split(/\s+/).find((w) => w.includes('/portal/reset#token='));
  assert.ok(link && link.startsWith(BASE), `a link to this server: ${link}`);
  assert.ok(!message.text.includes(admin.password) && !message.html.includes(admin.password));
  await ap.goto(link);
  await heading(ap, 'Escolha uma nova senha').waitFor();
  assert.ok(!ap.url().includes('token='), 'the token leaves the address bar');
  admin.password = 'senha-nova-do-bruno-longa';
  await field(ap, 'Nova senha').fill(admin.password);
  await field(ap, 'Repita a senha').fill(admin.password);
  await ap.getByRole('button', { name: 'Salvar a nova senha' }).click();
  await ap.getByRole('status').filter({ hasText: 'Sua senha foi alterada' }).waitFor();
  await ap.getByRole('link', { name: 'Ir para o login' }).click();
  await heading(ap, 'Portal do cliente').waitFor();
  await field(ap, 'E-mail').fill(admin.email);
  await field(ap, 'Senha').fill(admin.password);
  await ap.getByRole('button', { name: 'Entrar' }).click();
  await heading(ap, 'Empresa').waitFor();
  await ap.getByRole('button', { name: 'Sair' }).click();
  await heading(ap, 'Portal do cliente').waitFor();
  // The same link again: refused in words, nothing changes.
  await ap.goto(link);
  await field(ap, 'Nova senha').fill('outra-senha-qualquer-longa');
  await field(ap, 'Repita a senha').fill('outra-senha-qualquer-longa');
  await ap.getByRole('button', { name: 'Salvar a nova senha' }).click();
  await ap.getByRole('alert').filter({ hasText: 'Este link é inválido' }).waitFor();
  await shot(ap, 'portal-reset-used-link');
}, { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });

await step('an invitation e-mailed to a new person opens a page where they choose a name and password', async () => {
  const mailDir = process.env.MAIL_DIR;
  await op.goto(`${BASE}/admin/`);
  await field(op, 'E-mail').fill(owner.email);
  await field(op, 'Senha').fill(owner.password);
  await op.getByRole('button', { name: 'Entrar' }).click();
  await heading(op, 'Visão geral').waitFor();
  const csrf = (await ownerCtx.cookies(BASE)).find((c) => c.name === 'armario_csrf').value;
  const invitee = { email: 'dora@padaria.test', name: 'Dora Confeiteira', password: 'senha-da-dora-longa' };
  const r = await op.request.post(`${BASE}/api/v1/companies/${encodeURIComponent(ids.b)}/invitations`, {
    headers: { 'X-CSRF-Token': csrf },
    data: { email: invitee.email, role: 'member' },
  });
  assert.equal(r.status(), 201, await r.text());
  let message;
  for (let i = 0; i < 200 && !message; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    message = files.map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8'))).find((m) => m.rcpt_tos.includes(invitee.email));
    if (!message) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(message, 'the invitation arrived');
  const link = message.text.split(/\s+/).find((w) => w.includes('/portal/invite#token='));
  assert.ok(link && link.startsWith(BASE), `a link to this server: ${link}`);
  const ip = await adminCtx.newPage();
  await ip.goto(link);
  await heading(ip, 'Aceite seu convite').waitFor();
  assert.ok(!ip.url().includes('token='), 'the token leaves the address bar');
  await field(ip, 'Seu nome').fill(invitee.name);
  await field(ip, 'Senha').fill(invitee.password);
  await field(ip, 'Repita a senha').fill(invitee.password);
  await ip.getByRole('button', { name: 'Criar minha conta' }).click();
  await ip.getByRole('status').filter({ hasText: 'Sua conta está pronta' }).waitFor();
  await shot(ip, 'portal-invitation-accepted');
  await ip.goto(`${BASE}/portal/`);
  await field(ip, 'E-mail').fill(invitee.email);
  await field(ip, 'Senha').fill(invitee.password);
  await ip.getByRole('button', { name: 'Entrar' }).click();
  await heading(ip, 'Empresa').waitFor();
  await ip.getByRole('button', { name: 'Sair' }).click();
  await heading(ip, 'Portal do cliente').waitFor();
  await ip.close();
  await op.getByRole('button', { name: 'Sair' }).click();
  await heading(op, 'Entrar no armario').waitFor();
}, { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });

await step('a sign-in link e-mailed on request signs in only the browser that asked, once', () => magicWalk({ browser, problems, base: BASE, mailDir: process.env.MAIL_DIR, op, ap, owner, admin, companyId: ids.b, field, heading, shot }), { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });
await step('a portal user changes their password, then ends the session of another browser', () => accountWalk({ browser, problems, base: BASE, who: member, shot }));
await step('every main page, signed out and as owner, admin and member, in both languages at both widths: no serious axe violation', async () => {
  const found = await a11yWalk({ browser, problems, base: BASE, owner, admin, member, ids, shot });
  assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
});

await step('a portal user sets up two-factor sign-in, then signs in with the password and a code', () => mfaWalk({ browser, problems, base: BASE, who: member, shot }));

await step('a person moves their account to a new e-mail only from that address, and the old one is told', () => emailWalk({ browser, problems, base: BASE, mailDir: process.env.MAIL_DIR, owner, companyId: ids.b, signedUp: admin.email, shot }), { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });

await step('a company admin edits a user, confirms a role change, sets a password, deletes a user and manages domains', () => peopleWalk({ browser, problems, base: BASE, owner, admin, companyId: ids.b, shot }));

await step('company admin invites from the users page, revokes one invitation after confirming and resends another', () => inviteWalk({ base: BASE, mailDir: process.env.MAIL_DIR, ap, admin, field, heading, shot }), { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });

await step("the owner sees everyone's sessions and ends a company admin's", () => ownerSessionsWalk({ browser, problems, base: BASE, owner, admin, shot }));

await step('the owner declares an application role and a company admin grants it in the portal', () => appRolesWalk({ browser, problems, base: BASE, owner, admin, companyId: ids.b, appId: ids.app, shot }));

await step("an application's user signs in through the hosted page at phone width in English, and the tokens carry the granted role", () => oidcWalk({ browser, problems, base: BASE, owner, appId: ids.app, person: { name: 'Iara Suporte', email: 'iara@padaria.test', password: 'senha-da-iara-longa' }, shot }));

await step('each point of the everyday-use review again in English at phone width, as the person it hurts', () => englishPhoneWalk({ browser, problems, base: BASE, owner, shot }));

await step('the owner registers a webhook endpoint, sees a failed delivery and sends it again; a company admin asks for provisioning again', () => webhooksWalk({ browser, problems, base: BASE, owner, admin, companyId: ids.b, appId: ids.app, shot }));

await step('the pages of e-mailed links read in English at phone width: reset, invitation, address confirmation and change, sign-in link', () => englishLinksWalk({ browser, problems, base: BASE, owner, mailDir: process.env.MAIL_DIR, shot }), { missing: process.env.MAIL_DIR ? undefined : 'MAIL_DIR is not set: no SMTP server to read from' });
await step('an application declares a configuration schema, the company admin fills the generated form, and the application reads it', () => configWalk({ browser, problems, base: BASE, owner, admin, companyId: ids.b, shot }));
await step('the owner creates a plan with a named limit, moves a company to it and sees its use against the limits', () => plansWalk({ browser, problems, base: BASE, owner, admin, companyId: ids.b, shot }));

await step('a member files an access request, the owner fulfils it in the queue, and the member downloads their data', () => privacyWalk({ browser, problems, base: BASE, owner, companyId: ids.b, shot }));
await step('the owner and a company admin in the portal erase people, the owner a company, after confirmations that name what will be lost', () => erasureWalk({ browser, problems, base: BASE, owner, shot }));
await step('the owner verifies the audit chain, sets retention above the floor and downloads an anonymised report', () => reportsWalk({ browser, problems, base: BASE, owner, shot }));
await step('the language switch is remembered', async () => {
  await op.getByLabel('Idioma').selectOption('en');
  await heading(op, 'Sign in to armario').waitFor();
  await op.reload();
  await heading(op, 'Sign in to armario').waitFor();
  await op.getByLabel('Language').selectOption('pt-BR');
  await heading(op, 'Entrar no armario').waitFor();
});

await step('no console errors and no request left 127.0.0.1', async () => {
  assert.deepEqual(problems, []);
});

await browser.close();
const passed = results.filter((r) => r.ok).length;
const skipped = results.filter((r) => r.skipped).length;
const failed = results.length - passed - skipped;
console.log(`screenshots in ${OUT}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
