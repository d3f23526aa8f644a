// Privacy in Chromium: a member files an access request in the portal, the owner marks it
// fulfilled in the dashboard's queue, and the member sees it fulfilled and downloads their data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { field, heading, watchedContext } from './harness.mjs';

async function signIn(page, url, who, landing) {
  await page.goto(url);
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, landing).waitFor();
}

/** A member of its own, made by the owner through the API: earlier walks change theirs. */
async function freshMember(base, owner, companyId) {
  const member = { name: 'Rita Titular', email: 'rita.titular@padaria.test', password: 'senha-da-rita-longa', role: 'member' };
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await login.json();
  const created = await fetch(`${base}/api/v1/companies/${encodeURIComponent(companyId)}/users`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(member) });
  const text = await created.text();
  assert.equal(created.status, 201, text);
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  return member;
}

/** privacyWalk({browser, problems, base, owner, companyId, shot}) */
export async function privacyWalk({ browser, problems, base, owner, companyId, shot }) {
  const member = await freshMember(base, owner, companyId);
  const ctx = await watchedContext(browser, problems);
  const octx = await watchedContext(browser, problems);
  try {
    const mp = await ctx.newPage();
    await signIn(mp, `${base}/portal/`, member, 'Empresa');
    await mp.goto(`${base}/portal/#/companies/${encodeURIComponent(companyId)}/privacy`);
    await heading(mp, 'Privacidade').waitFor();
    await mp.getByLabel('Direito').selectOption('access');
    await mp.getByLabel('O que você pede').fill('Quero uma cópia dos meus dados');
    await mp.getByRole('button', { name: 'Enviar pedido' }).click();
    await mp.locator('[data-testid=privacy-requests] [data-status=open]').first().waitFor();
    await shot(mp, 'portal-privacy-filed');

    // The owner in a browser of their own: the member's session is in this one.
    const op = await octx.newPage();
    await signIn(op, `${base}/admin/`, owner, 'Visão geral');
    await op.getByRole('link', { name: 'Pedidos de titulares' }).first().click();
    await heading(op, 'Pedidos de titulares').waitFor();
    const row = op.locator('[data-testid=privacy-queue] tr', { hasText: 'Acesso aos meus dados' }).first();
    await row.getByRole('button', { name: 'Marcar atendido' }).click();
    await row.locator('[data-status=fulfilled]').waitFor();
    await shot(op, 'admin-privacy-queue');

    await mp.reload();
    await mp.locator('[data-testid=privacy-requests] [data-status=fulfilled]').first().waitFor();
    const [download] = await Promise.all([mp.waitForEvent('download'), mp.getByRole('button', { name: 'Baixar meus dados' }).click()]);
    const archive = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(archive.manifest.format, 'armario-export');
    assert.equal(archive.data.user[0].email, member.email);
    await shot(mp, 'portal-privacy-fulfilled');
  } finally {
    await ctx.close();
    await octx.close();
  }
}
