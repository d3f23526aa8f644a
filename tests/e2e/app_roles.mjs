// Application roles in Chromium: the owner declares a role on the application's page, the
// company's admin grants it to a user in the portal's user dialog, and the grant is still there
// after a reload.
import assert from 'node:assert/strict';
import { field, heading, watchedContext } from './harness.mjs';

async function signIn(page, url, who, landing) {
  await page.goto(url);
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, landing).waitFor();
}

/** appRolesWalk({browser, problems, base, owner, admin, companyId, appId, shot}) */
export async function appRolesWalk({ browser, problems, base, owner, admin, companyId, appId, shot }) {
  // A member to grant the role to, created through the API as the owner.
  const person = { name: 'Iara Suporte', email: 'iara@padaria.test', password: 'senha-da-iara-longa', role: 'member' };
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await login.json();
  const created = await fetch(`${base}/api/v1/companies/${encodeURIComponent(companyId)}/users`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(person) });
  // The body is read once: the assertion's message is built before the check.
  const createdText = await created.text();
  assert.equal(created.status, 201, createdText);
  const userId = JSON.parse(createdText).id;
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

  const ctx = await watchedContext(browser, problems);
  try {
    // The owner declares the role on the application's page.
    const op = await ctx.newPage();
    await signIn(op, `${base}/admin/`, owner, 'Visão geral');
    await op.goto(`${base}/admin/#/applications/${encodeURIComponent(appId)}`);
    await op.getByRole('heading', { name: 'Papéis', level: 2 }).waitFor();
    await field(op, 'Chave do papel').fill('Tecnico');
    await field(op, 'Nome do papel').fill('Técnico de campo');
    await op.getByRole('button', { name: 'Adicionar papel' }).click();
    await op.getByText('Use letras minúsculas, dígitos e _, começando com letra (no máximo 40).').waitFor();
    await field(op, 'Chave do papel').fill('tecnico');
    await field(op, 'Descrição do papel').fill('Atende os chamados na rua');
    await op.getByRole('button', { name: 'Adicionar papel' }).click();
    await op.getByText('Papel tecnico adicionado.').waitFor();
    await op.locator('tr', { hasText: 'Técnico de campo' }).getByText('tecnico').waitFor();
    await shot(op, 'admin-application-roles');
  } finally {
    await ctx.close();
  }

  const actx = await watchedContext(browser, problems);
  try {
    // The company admin grants it in the portal's user dialog.
    const ap = await actx.newPage();
    await signIn(ap, `${base}/portal/`, admin, 'Empresa');
    await ap.getByRole('link', { name: 'Usuários' }).click();
    const row = ap.locator('tr', { hasText: person.email });
    await row.getByRole('button', { name: 'Editar' }).click();
    const dialog = ap.getByRole('dialog');
    await dialog.getByText('Papéis nas aplicações').waitFor();
    const box = dialog.getByRole('checkbox', { name: /Técnico de campo/ });
    assert.equal(await box.isChecked(), false);
    await box.check();
    await shot(ap, 'portal-user-app-roles');
    await dialog.getByRole('button', { name: 'Salvar' }).click();
    await dialog.waitFor({ state: 'detached' });

    // After a reload, the dialog shows the role held, as the API does.
    await ap.reload();
    await row.getByRole('button', { name: 'Editar' }).click();
    const again = ap.getByRole('dialog').getByRole('checkbox', { name: /Técnico de campo/ });
    await again.waitFor();
    assert.equal(await again.isChecked(), true, 'the grant is kept');
    await ap.getByRole('dialog').getByRole('button', { name: 'Voltar' }).click();
    const held = await ap.evaluate(
      ([c, u]) => fetch(`/api/v1/companies/${c}/users/${u}/app-roles`, { credentials: 'same-origin' }).then((r) => r.json()),
      [companyId, userId],
    );
    assert.deepEqual(held.items.find((i) => i.application_id === appId).roles, ['tecnico']);
  } finally {
    await actx.close();
  }
}
