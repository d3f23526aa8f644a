// Everyday care of a company's people in Chromium, as its admin in the portal: edit a user's
// name, change their role only after confirming (and not when backing out), set a password
// they then sign in with, delete a user after confirming, and add and remove a custom domain.
import assert from 'node:assert/strict';
import { field, heading, watchedContext } from './harness.mjs';

async function signIn(page, base, email, password) {
  await page.goto(`${base}/portal/`);
  await heading(page, 'Portal do cliente').waitFor();
  await field(page, 'E-mail').fill(email);
  await field(page, 'Senha').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, 'Empresa').waitFor();
}

/** Members of `companyId`, created through the API as the owner. */
async function newMembers(base, owner, companyId, people) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await login.json();
  for (const person of people) {
    const r = await fetch(`${base}/api/v1/companies/${encodeURIComponent(companyId)}/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...person, role: 'member' }),
    });
    assert.equal(r.status, 201, await r.text());
  }
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
}

/** peopleWalk({browser, problems, base, owner, admin, companyId, shot}) */
export async function peopleWalk({ browser, problems, base, owner, admin, companyId, shot }) {
  const eva = { name: 'Gil Estoque', email: 'gil@padaria.test', password: 'senha-do-gil-longa' };
  const fabio = { name: 'Helena Frete', email: 'helena@padaria.test', password: 'senha-da-helena-longa' };
  await newMembers(base, owner, companyId, [eva, fabio]);
  const ctx = await watchedContext(browser, problems);
  try {
    const page = await ctx.newPage();
    await signIn(page, base, admin.email, admin.password);
    await page.getByRole('link', { name: 'Usuários' }).click();
    const row = (email) => page.locator('tr', { hasText: email });
    await row(eva.email).waitFor();

    // Edit the name.
    await row(eva.email).getByRole('button', { name: 'Editar' }).click();
    const edit = page.getByRole('dialog');
    await field(edit, 'Nome').fill('Gil Estoquista');
    await edit.getByRole('button', { name: 'Salvar' }).click();
    await page.locator('tr', { hasText: 'Gil Estoquista' }).waitFor();

    // A role changes only after confirming.
    const role = row(eva.email).getByLabel('Papel de Gil Estoquista');
    await role.selectOption('company_admin');
    await page.getByRole('dialog').getByRole('button', { name: 'Voltar' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    let kept = '';
    for (let i = 0; i < 20 && kept !== 'member'; i++) {
      kept = await role.inputValue();
      if (kept !== 'member') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(kept, 'member', 'backing out keeps the role');
    await role.selectOption('company_admin');
    await page.getByRole('dialog').getByRole('button', { name: 'Mudar papel' }).click();
    await page.getByText('O papel de Gil Estoquista foi alterado.').waitFor();
    await shot(page, 'portal-users-role-changed');

    // A password typed by the admin; the person signs in with it.
    await row(fabio.email).getByRole('button', { name: 'Senha' }).click();
    const pw = page.getByRole('dialog');
    await pw.getByRole('button', { name: 'Enviar link de redefinição' }).waitFor();
    fabio.password = 'senha-nova-da-helena';
    await field(pw, 'Nova senha').fill(fabio.password);
    await shot(page, 'portal-users-password');
    await pw.getByRole('button', { name: 'Definir esta senha' }).click();
    await page.getByText('Nova senha definida para Helena Frete').waitFor();
    const other = await watchedContext(browser, problems);
    await signIn(await other.newPage(), base, fabio.email, fabio.password);
    await other.close();

    // Deleted after confirming.
    await row(fabio.email).getByRole('button', { name: 'Excluir' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Excluir' }).click();
    await page.getByText('Helena Frete excluído.').waitFor();
    await page.waitForFunction((email) => ![...document.querySelectorAll('tr')].some((tr) => tr.textContent.includes(email)), fabio.email);

    // A custom domain, added and removed on the company page.
    await page.getByRole('link', { name: 'Empresa' }).click();
    await field(page, 'Novo domínio').fill('portal.padaria.com.br');
    await page.getByRole('button', { name: 'Adicionar domínio' }).click();
    const domainRow = page.locator('tr', { hasText: 'portal.padaria.com.br' });
    await domainRow.waitFor();
    await shot(page, 'portal-company-domains');
    await domainRow.getByRole('button', { name: 'Remover' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remover' }).click();
    await page.getByText('Nenhum domínio próprio.').waitFor();
    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Portal do cliente').waitFor();
  } finally {
    await ctx.close();
  }
}
