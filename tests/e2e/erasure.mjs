// Erasure in Chromium: the owner erases a person, the company's admin erases another in the
// portal, then the owner erases the company, all made through the API in this walk. Each
// confirmation first lists what will be lost (counts by kind) and what is kept; afterwards the
// person shows their pseudonym and the company shows as erased.
import assert from 'node:assert/strict';
import { field, heading, randomCnpj, watchedContext } from './harness.mjs';

async function call(base, token, method, path, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A company with two people, made by the owner through the API. */
async function world(base, owner) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await login.json();
  const cnpj = randomCnpj();
  const company = await call(base, token, 'POST', '/companies', { legal_name: 'Apagável Comércio Ltda', cnpj });
  const person = { name: 'Tito Apagado', email: 'tito.apagado@apagavel.test', password: 'senha-do-tito-longa', role: 'member' };
  const created = await call(base, token, 'POST', `/companies/${encodeURIComponent(company.id)}/users`, person);
  const admin = { name: 'Nina Colega', email: 'nina.colega@apagavel.test', password: 'senha-da-nina-longa', role: 'company_admin' };
  await call(base, token, 'POST', `/companies/${encodeURIComponent(company.id)}/users`, admin);
  const leaving = { name: 'Rui Saindo', email: 'rui.saindo@apagavel.test', password: 'senha-do-rui-longa', role: 'member' };
  await call(base, token, 'POST', `/companies/${encodeURIComponent(company.id)}/users`, leaving);
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  return { company, cnpj, person: { ...person, id: created.id }, admin, leaving };
}

/** erasureWalk({browser, problems, base, owner, shot}) */
export async function erasureWalk({ browser, problems, base, owner, shot }) {
  const w = await world(base, owner);
  const ctx = await watchedContext(browser, problems);
  try {
    const op = await ctx.newPage();
    await op.goto(`${base}/admin/`);
    await field(op, 'E-mail').fill(owner.email);
    await field(op, 'Senha').fill(owner.password);
    await op.getByRole('button', { name: 'Entrar' }).click();
    await heading(op, 'Visão geral').waitFor();

    // A person: the dialog names the losses, refuses a wrong confirmation, then erases.
    const page = `${base}/admin/#/companies/${encodeURIComponent(w.company.id)}`;
    await op.goto(`${page}?tab=users`);
    const row = op.locator('tr', { hasText: 'Tito Apagado' });
    await row.getByRole('button', { name: 'Apagar pessoa' }).click();
    const pd = op.locator('dialog[data-erasure-dialog=person]');
    await pd.waitFor();
    await pd.locator('[data-kind=sessions]').waitFor();
    assert.match(await pd.locator('[data-erasure-kept]').innerText(), /pseudônimo/);
    await shot(op, 'admin-erase-person-dialog');
    await field(op, 'Confirmação').fill('outra@pessoa.test');
    await pd.getByRole('button', { name: 'Apagar pessoa' }).click();
    await pd.getByRole('alert').filter({ hasText: 'e-mail' }).waitFor();
    await field(op, 'Confirmação').fill(w.person.email);
    await pd.getByRole('button', { name: 'Apagar pessoa' }).click();
    await pd.waitFor({ state: 'detached' });
    await op.locator('tr', { hasText: 'Titular apagado' }).first().waitFor();
    assert.equal(await op.locator('tr', { hasText: 'Tito Apagado' }).count(), 0);
    await op.locator('tr', { hasText: '@apagado.invalid' }).first().waitFor();

    // The company's admin erases one of its people in the portal, with the same dialog.
    const ac = await watchedContext(browser, problems);
    try {
      const ap = await ac.newPage();
      await ap.goto(`${base}/portal/`);
      await heading(ap, 'Portal do cliente').waitFor();
      await field(ap, 'E-mail').fill(w.admin.email);
      await field(ap, 'Senha').fill(w.admin.password);
      await ap.getByRole('button', { name: 'Entrar' }).click();
      await heading(ap, 'Empresa').waitFor();
      await ap.getByRole('link', { name: 'Usuários' }).click();
      const rui = ap.locator('tr', { hasText: w.leaving.email });
      await rui.waitFor();
      // Nobody is offered to erase themselves from the list.
      assert.equal(await ap.locator('tr', { hasText: w.admin.email }).getByRole('button', { name: 'Apagar pessoa' }).count(), 0);
      await rui.getByRole('button', { name: 'Apagar pessoa' }).click();
      const dialog = ap.locator('dialog[data-erasure-dialog=person]');
      await dialog.waitFor();
      await dialog.locator('[data-kind=sessions]').waitFor();
      await shot(ap, 'portal-erase-person-dialog');
      await dialog.getByRole('button', { name: 'Voltar' }).click();
      await dialog.waitFor({ state: 'detached' });
      await rui.getByRole('button', { name: 'Apagar pessoa' }).click();
      await dialog.waitFor();
      await field(ap, 'Confirmação').fill(w.leaving.email);
      await dialog.getByRole('button', { name: 'Apagar pessoa' }).click();
      await dialog.waitFor({ state: 'detached' });
      await ap.locator('tr', { hasText: 'Titular apagado' }).first().waitFor();
      assert.equal(await ap.locator('tr', { hasText: w.leaving.email }).count(), 0);
    } finally {
      await ac.close();
    }

    // The company: the counts and the kept fields, the typed CNPJ, and the erased page.
    await op.goto(page);
    await heading(op, 'Apagável Comércio Ltda').waitFor();
    await op.getByRole('button', { name: 'Apagar empresa' }).click();
    const cd = op.locator('dialog[data-erasure-dialog=company]');
    await cd.waitFor();
    assert.equal(await cd.locator('[data-kind=users] strong').innerText(), '3');
    assert.equal(await cd.locator('[data-kind=secrets] strong').innerText(), '0');
    assert.match(await cd.locator('[data-erasure-kept]').innerText(), /CNPJ/);
    await shot(op, 'admin-erase-company-dialog');
    await cd.getByRole('button', { name: 'Voltar' }).click();
    await cd.waitFor({ state: 'detached' });
    await op.getByRole('button', { name: 'Apagar empresa' }).click();
    await cd.waitFor();
    await field(op, 'Confirmação').fill(w.cnpj);
    await cd.getByRole('button', { name: 'Apagar empresa' }).click();
    await cd.waitFor({ state: 'detached' });
    await op.locator('[data-erased]').waitFor();
    await heading(op, /^Empresa apagada /).waitFor();
    await op.locator('[data-erased-note]').waitFor();
    assert.equal(await op.getByRole('button', { name: 'Apagar empresa' }).count(), 0);
    await shot(op, 'admin-company-erased');
  } finally {
    await ctx.close();
  }
}
