// Two-factor sign-in in Chromium: a portal user sets up an authenticator on "My account" by
// reading the secret the page shows and computing the code here (RFC 6238, independent of the
// server's code), sees the ten recovery codes once and downloads them, signs out, signs in with
// the password, is refused a wrong code next to the field, and gets in with the right one.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { field, heading, settled, watchedContext } from './harness.mjs';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `a base32 secret: ${text}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 with its defaults (SHA-1, 6 digits, 30-second steps) at time step `step`. */
export function totp(secret, step = Math.floor(Date.now() / 30000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

async function signInWithPassword(page, base, who) {
  await page.goto(`${base}/portal/`);
  await heading(page, 'Portal do cliente').waitFor();
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** mfaWalk({browser, problems, base, who, shot}); `who` ends with an authenticator, signed out. */
export async function mfaWalk({ browser, problems, base, who, shot }) {
  const context = await watchedContext(browser, problems);
  const page = await context.newPage();
  try {
    await signInWithPassword(page, base, who);
    await heading(page, 'Empresa').waitFor();
    await page.goto(`${base}/portal/#/account`);
    await heading(page, 'Minha conta').waitFor();
    await page.getByText('Desativada: você entra só com a senha.').waitFor();
    await page.getByRole('button', { name: 'Configurar' }).click();

    // The QR code is an image from a data: URL, not markup put into the page.
    const qr = page.locator('img.mfa-qr');
    await qr.waitFor();
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/);
    assert.equal(await page.locator('.mfa-setup svg').count(), 0, 'no SVG element in the page');
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is drawn');
    const secret = (await page.locator('.mfa-secret').textContent()).trim();
    const step = Math.floor(Date.now() / 30000);
    await field(page, 'Código').fill(totp(secret, step));
    await shot(page, 'portal-mfa-setup');
    await page.getByRole('button', { name: 'Ativar' }).click();

    // Ten recovery codes, shown once, with a warning and a download.
    const codes = page.locator('.recovery-codes li');
    await page.getByText('aparecem só esta vez').waitFor();
    assert.equal(await codes.count(), 10);
    const list = (await codes.allTextContents()).map((c) => c.trim());
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Baixar (.txt)' }).click()]);
    assert.equal(download.suggestedFilename(), 'armario-recovery-codes.txt');
    const file = readFileSync(await download.path(), 'utf8');
    for (const c of list) assert.ok(file.includes(c), `the file holds ${c}`);
    await shot(page, 'portal-mfa-recovery-codes');
    await page.getByRole('button', { name: 'Já guardei' }).click();
    await page.getByText('Ativa: toda entrada pede um código').waitFor();
    await page.getByText('Restam 10 códigos de recuperação.').waitFor();

    // The users list shows who signs in with two factors.
    await page.getByRole('link', { name: 'Usuários' }).click();
    await settled(page);
    await page.locator('tr', { hasText: who.email }).locator('.mfa-badge', { hasText: '2FA' }).waitFor();

    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Portal do cliente').waitFor();

    // The password is the first step; the code the second.
    await signInWithPassword(page, base, who);
    await heading(page, 'Digite seu código').waitFor();
    const input = field(page, 'Código');
    assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await input.getAttribute('inputmode'), 'numeric');
    await page.getByRole('button', { name: 'Usar um código de recuperação' }).waitFor();
    // The code used to confirm cannot be used again: the next step's is within the drift.
    const next = totp(secret, step + 1);
    const wrong = String((Number(next) + 1) % 1_000_000).padStart(6, '0');
    await input.fill(wrong);
    await page.getByRole('button', { name: 'Verificar e entrar' }).click();
    const error = page.locator('.field', { has: field(page, 'Código') }).locator('.field-error');
    await error.getByText('não confere').waitFor();
    assert.equal(await input.inputValue(), wrong, 'the typed code stays');
    await shot(page, 'portal-mfa-wrong-code');
    await input.fill(next);
    await page.getByRole('button', { name: 'Verificar e entrar' }).click();
    await heading(page, 'Empresa').waitFor();
    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Portal do cliente').waitFor();
  } finally {
    await context.close();
  }
}
