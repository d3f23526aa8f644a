// The pages people reach before they can sign in — the setup link, and the links e-mailed for a
// password reset, an invitation, confirming a sign-up's address, moving to a new address and
// signing in by link — in English at phone width (375 px): each opens from the message the SMTP
// server received, reads in English, fits the width and is photographed at phone and desktop
// width (the pt-BR walks in run.mjs photograph them in Portuguese).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP, PHONE, field, heading, randomCnpj, settled, watchedContext } from './harness.mjs';
import { fitsWidth } from './everyday.mjs';

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

/** The link to `marker` in the newest message to `email`. */
async function mailedLink(mailDir, email, marker) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort().reverse();
    const message = files.map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8'))).find((m) => m.rcpt_tos.includes(email) && m.text.includes(marker));
    if (message) return message.text.split(/\s+/).find((w) => w.includes(marker));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message to ${email} with ${marker}`);
}

/** The page fits the phone's width; photographed at phone width, then at desktop width. */
async function bothWidths(page, what, name, shot) {
  await fitsWidth(page, what);
  await shot(page, `en-phone-${name}`);
  await page.setViewportSize(DESKTOP);
  await shot(page, `en-desktop-${name}`);
  await page.setViewportSize(PHONE);
}

/** Chooses English on a signed-out page; the choice is remembered for the whole context. */
async function chooseEnglish(page) {
  await page.getByLabel('Idioma').selectOption('en');
  await page.getByLabel('Language').waitFor();
}

/** The setup page, opened from its link and left unsubmitted (the walk signs up with it next). */
export async function englishSetupPage({ browser, problems, setupUrl, shot }) {
  const ctx = await watchedContext(browser, problems, PHONE);
  try {
    const page = await ctx.newPage();
    await page.goto(setupUrl);
    await heading(page, 'Primeiro acesso').waitFor();
    await chooseEnglish(page);
    await heading(page, 'First sign-in').waitFor();
    await field(page, 'Repeat the password').waitFor();
    await bothWidths(page, 'the setup page', 'setup', shot);
  } finally {
    await ctx.close();
  }
}

/** englishLinksWalk({browser, problems, base, owner, mailDir, shot}) */
export async function englishLinksWalk({ browser, problems, base, owner, mailDir, shot }) {
  const { token } = await api(base, '/api/v1/auth/login', { method: 'POST', body: { email: owner.email, password: owner.password } });
  const company = await api(base, '/api/v1/companies', { method: 'POST', token, body: { legal_name: 'Jacarandá Floricultura Ltda', cnpj: randomCnpj() } });
  await api(base, `/api/v1/companies/${company.id}`, { method: 'PATCH', token, body: { magic_link_sign_in: true } });
  const lia = { name: 'Lia Florista', email: 'lia@jacaranda.test', password: 'senha-da-lia-longa' };
  await api(base, `/api/v1/companies/${company.id}/users`, { method: 'POST', token, body: { ...lia, role: 'company_admin' } });

  const ctx = await watchedContext(browser, problems, PHONE);
  try {
    const page = await ctx.newPage();
    await page.goto(`${base}/portal/`);
    await heading(page, 'Portal do cliente').waitFor();
    await chooseEnglish(page);
    await heading(page, 'Client portal').waitFor();

    // A password reset.
    await api(base, '/api/v1/auth/password-reset', { method: 'POST', body: { email: lia.email } });
    await page.goto(await mailedLink(mailDir, lia.email, '/portal/reset#token='));
    await heading(page, 'Choose a new password').waitFor();
    await bothWidths(page, 'the reset page', 'reset', shot);

    // An invitation.
    const nina = 'nina@jacaranda.test';
    await api(base, `/api/v1/companies/${company.id}/invitations`, { method: 'POST', token, body: { email: nina, role: 'member', language: 'en' } });
    await page.goto(await mailedLink(mailDir, nina, '/portal/invite#token='));
    await heading(page, 'Accept your invitation').waitFor();
    await bothWidths(page, 'the invitation page', 'invitation', shot);

    // A sign-up's address, confirmed by opening the link.
    const otto = 'otto@orquidea.test';
    await api(base, '/api/v1/signup', { method: 'POST', body: { company: { legal_name: 'Orquídea Viveiro Ltda', cnpj: randomCnpj(), contact_email: otto }, admin: { name: 'Otto Viveirista', email: otto, password: 'senha-do-otto-longa' } } });
    await page.goto(await mailedLink(mailDir, otto, '/portal/verify#token='));
    await heading(page, 'Confirm your e-mail').waitFor();
    await settled(page);
    await bothWidths(page, 'the address confirmation page', 'email-verified', shot);

    // Moving to a new address: the link goes to the new one.
    const { token: liaToken } = await api(base, '/api/v1/auth/login', { method: 'POST', body: { email: lia.email, password: lia.password } });
    const moved = 'lia.florista@jacaranda.test';
    await api(base, '/api/v1/auth/email', { method: 'POST', token: liaToken, body: { new_email: moved, password: lia.password } });
    await page.goto(await mailedLink(mailDir, moved, '/portal/email#token='));
    await heading(page, 'Confirm your new e-mail').waitFor();
    await bothWidths(page, 'the address change page', 'email-change', shot);
    await api(base, '/api/v1/auth/logout', { method: 'POST', token: liaToken });

    // A sign-in link, asked for in this browser and opened in it.
    await page.goto(`${base}/portal/#/magic-link`);
    await heading(page, 'Sign in with a link by e-mail').waitFor();
    await field(page, 'E-mail').fill(lia.email);
    await page.getByRole('button', { name: 'Send me the link' }).click();
    await page.getByRole('status').filter({ hasText: 'on its way' }).waitFor();
    await bothWidths(page, 'the sign-in link request', 'magic-asked', shot);
    await page.goto(await mailedLink(mailDir, lia.email, '/portal/magic#token='));
    await heading(page, 'Company').waitFor();
    await bothWidths(page, 'the portal after the sign-in link', 'magic-signed-in', shot);
  } finally {
    await ctx.close();
  }
  await api(base, '/api/v1/auth/logout', { method: 'POST', token });
}
