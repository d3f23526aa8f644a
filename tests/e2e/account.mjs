// "My account" in the portal: a person changes their password and is signed out everywhere,
// signs in with the new one, sees the session of a second browser beside their own, ends it,
// and that browser is signed out on its next request.
import assert from 'node:assert/strict';
import { field, heading, settled, watchedContext } from './harness.mjs';

async function signIn(page, base, who) {
  await page.goto(`${base}/portal/`);
  await heading(page, 'Portal do cliente').waitFor();
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, 'Empresa').waitFor();
}

/** accountWalk({browser, problems, base, who, shot}); `who` gets the new password. */
export async function accountWalk({ browser, problems, base, who, shot }) {
  const first = await watchedContext(browser, problems);
  const second = await watchedContext(browser, problems);
  const p1 = await first.newPage();
  const p2 = await second.newPage();
  try {
    await signIn(p1, base, who);
    // The way in is the person's name in the header.
    await p1.getByRole('link', { name: who.name }).click();
    await heading(p1, 'Minha conta').waitFor();
    const newPassword = `${who.password}-trocada`;
    await field(p1, 'Senha atual').fill(who.password);
    await field(p1, 'Nova senha').fill(newPassword);
    await field(p1, 'Repita a senha').fill(newPassword);
    await p1.getByRole('button', { name: 'Trocar senha' }).click();
    // Signed out everywhere: the sign-in form says why.
    await heading(p1, 'Portal do cliente').waitFor();
    await p1.getByText('Sua senha foi trocada').waitFor();
    who.password = newPassword;

    await signIn(p1, base, who);
    await signIn(p2, base, who);
    await p1.goto(`${base}/portal/#/account`);
    await heading(p1, 'Minha conta').waitFor();
    await settled(p1);
    const rows = p1.locator('.my-sessions tbody tr');
    assert.equal(await rows.count(), 2, 'both browsers are listed');
    assert.equal(await p1.locator('.my-sessions .this-device').count(), 1, 'one is this device');
    await p1.locator('.my-sessions').getByText(/Chrome \d+ em Linux/).first().waitFor();
    await shot(p1, 'portal-account-sessions');

    const other = rows.filter({ hasNot: p1.locator('.this-device') });
    await other.getByRole('button', { name: 'Encerrar' }).click();
    await p1.getByRole('dialog').getByRole('button', { name: 'Encerrar' }).click();
    await p1.getByText('Sessão encerrada.').waitFor();
    await settled(p1);
    assert.equal(await rows.count(), 1, 'only this device is left');

    // The other browser finds out on its next request.
    await p2.getByRole('link', { name: 'Usuários' }).click();
    await heading(p2, 'Portal do cliente').waitFor();
    await p2.getByText('Sua sessão expirou').waitFor();
    await p1.getByRole('button', { name: 'Sair' }).click();
    await heading(p1, 'Portal do cliente').waitFor();
  } finally {
    await first.close();
    await second.close();
  }
}
