// A sign-up's admin verifies their address from the e-mailed link, then changing one's e-mail in
// Chromium: a portal user asks on "My account" with their password,
// the link read from the SMTP server's mail directory opens the confirmation page in another
// browser (no session needed), the old address receives a notice with no link, and the person
// then signs in with the new address only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { field, heading, watchedContext } from './harness.mjs';

async function messageTo(mailDir, email, test) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    const message = files.map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8'))).find((m) => m.rcpt_tos.includes(email) && test(m));
    if (message) return message;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function signIn(page, base, email, password) {
  await page.goto(`${base}/portal/`);
  await heading(page, 'Portal do cliente').waitFor();
  await field(page, 'E-mail').fill(email);
  await field(page, 'Senha').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** A member of `companyId`, created through the API as the owner. */
async function newMember(base, owner, companyId, person) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const r = await fetch(`${base}/api/v1/companies/${encodeURIComponent(companyId)}/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...person, role: 'member' }),
  });
  assert.equal(r.status, 201, await r.text());
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
}

/** emailWalk({browser, problems, base, mailDir, owner, companyId, signedUp, shot}); `signedUp` is the e-mail of a sign-up's admin. */
export async function emailWalk({ browser, problems, base, mailDir, owner, companyId, signedUp, shot }) {
  const person = { name: 'Dani Troca', email: 'dani@padaria.test', password: 'senha-da-dani-longa' };
  const newEmail = 'dani.nova@padaria.test';
  await newMember(base, owner, companyId, person);
  const ctx = await watchedContext(browser, problems);
  const elsewhere = await watchedContext(browser, problems);
  try {
    // The sign-up's admin follows the link that verifies their address.
    const verify = await messageTo(mailDir, signedUp, (m) => m.text.includes('/portal/verify#token='));
    assert.ok(verify, 'the sign-up received its verification link');
    assert.match(verify.headers.Subject, /^Confirme seu e-mail em /);
    const page = await ctx.newPage();
    await page.goto(verify.text.split(/\s+/).find((w) => w.includes('/portal/verify#token=')));
    await heading(page, 'Confirme seu e-mail').waitFor();
    await page.getByRole('status').filter({ hasText: 'Seu e-mail está confirmado' }).waitFor();
    assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
    await shot(page, 'portal-email-verified');

    await signIn(page, base, person.email, person.password);
    await page.getByRole('link', { name: person.name }).click();
    await heading(page, 'Minha conta').waitFor();
    await field(page, 'Novo e-mail').fill(newEmail);
    await field(page, 'Sua senha').fill(person.password);
    await page.getByRole('button', { name: 'Enviar o link de confirmação' }).click();
    await page.getByRole('status').filter({ hasText: `Enviamos um link para ${newEmail}` }).waitFor();
    await shot(page, 'portal-account-email-change');

    const message = await messageTo(mailDir, newEmail, (m) => m.text.includes('/portal/email#token='));
    assert.ok(message, 'the confirmation link reached the new address');
    assert.match(message.headers.Subject, /^Confirme seu novo e-mail em /);
    const link = message.text.split(/\s+/).find((w) => w.includes('/portal/email#token='));
    assert.ok(link.startsWith(base), link);

    // Opened elsewhere, with no session: one button moves the account.
    const other = await elsewhere.newPage();
    await other.goto(link);
    await heading(other, 'Confirme seu novo e-mail').waitFor();
    assert.ok(!other.url().includes('token='), 'the token leaves the address bar');
    await other.getByRole('button', { name: 'Usar este e-mail' }).click();
    await other.getByRole('status').filter({ hasText: `sua conta agora usa ${newEmail}` }).waitFor();
    await shot(other, 'portal-email-confirmed');
    // Used once.
    await other.goto(`${base}/portal/`);
    await other.goto(link);
    await other.getByRole('button', { name: 'Usar este e-mail' }).click();
    await other.getByRole('alert').filter({ hasText: 'Este link é inválido' }).waitFor();

    const notice = await messageTo(mailDir, person.email, (m) => /foi alterado$/.test(m.headers.Subject));
    assert.ok(notice, 'the old address is told');
    assert.ok(notice.text.includes(newEmail) && !notice.text.includes('http'), 'a notice without a link');

    // The old address no longer signs in; the new one does.
    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Portal do cliente').waitFor();
    await signIn(page, base, person.email, person.password);
    await page.getByRole('alert').waitFor();
    await signIn(page, base, newEmail, person.password);
    await heading(page, 'Empresa').waitFor();
    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Portal do cliente').waitFor();
  } finally {
    await ctx.close();
    await elsewhere.close();
  }
}
