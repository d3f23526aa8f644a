// Invitations from the portal's users page in Chromium: the company admin invites two people
// (one in English), is told next to the field when an address is taken, revokes one invitation
// after confirming and resends the other; the resent message (read from the SMTP server's mail
// directory) is the one whose link works, and the invitee accepts it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP } from './harness.mjs';

/** Every message to `email` so far, oldest first, once there are at least `n`. */
async function messagesTo(mailDir, email, n) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    const found = files.map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8'))).filter((m) => m.rcpt_tos.includes(email));
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${n} message(s) to ${email} did not arrive`);
}

const linkIn = (m) => m.text.split(/\s+/).find((w) => w.includes('/portal/invite#token='));

/**
 * inviteWalk({base, mailDir, ap, admin, field, heading, shot}): `ap` is the company admin's page,
 * signed out on the portal; it ends the same way.
 */
export async function inviteWalk({ base, mailDir, ap, admin, field, heading, shot }) {
  // The walk before may have left the page at phone width, where the menu hides the links.
  const size = ap.viewportSize();
  await ap.setViewportSize(DESKTOP);
  await ap.goto(`${base}/portal/`);
  await field(ap, 'E-mail').fill(admin.email);
  await field(ap, 'Senha').fill(admin.password);
  await ap.getByRole('button', { name: 'Entrar' }).click();
  await heading(ap, 'Empresa').waitFor();
  await ap.getByRole('link', { name: 'Usuários' }).click();

  const invite = async (email, language) => {
    await ap.getByRole('button', { name: 'Convidar', exact: true }).click();
    const dialog = ap.getByRole('dialog', { name: 'Convidar alguém' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Idioma da mensagem').inputValue(), 'pt-BR', 'the UI language by default');
    await dialog.getByLabel('E-mail').fill(email);
    if (language) await dialog.getByLabel('Idioma da mensagem').selectOption(language);
    await dialog.getByRole('button', { name: 'Enviar convite' }).click();
    return dialog;
  };
  const row = (email) => ap.locator('.invitations tr', { hasText: email });

  await (await invite('eva@padaria.test', 'en')).waitFor({ state: 'detached' });
  await ap.getByText('O convite para eva@padaria.test está a caminho.').waitFor();
  await row('eva@padaria.test').getByText('Pendente').waitFor();
  await (await invite('fabio@padaria.test')).waitFor({ state: 'detached' });
  await row('fabio@padaria.test').getByText('Pendente').waitFor();
  const [eva] = await messagesTo(mailDir, 'eva@padaria.test', 1);
  assert.match(eva.headers.Subject, /^Invitation to join /);

  // An address that is taken: said next to the field, in the dialog, which stays open.
  const taken = await invite(admin.email);
  await taken.locator('.field.invalid .field-error').filter({ hasText: /./ }).waitFor();
  await shot(ap, 'portal-invite-address-taken');
  await taken.getByRole('button', { name: 'Cancelar' }).click();
  await taken.waitFor({ state: 'detached' });
  await shot(ap, 'portal-invitations');

  // Revoke asks first.
  await row('eva@padaria.test').getByRole('button', { name: 'Revogar' }).click();
  const confirm = ap.getByRole('dialog', { name: 'Revogar o convite para eva@padaria.test?' });
  await confirm.getByRole('button', { name: 'Revogar' }).click();
  await row('eva@padaria.test').getByText('Revogado').waitFor();
  assert.equal(await row('eva@padaria.test').getByRole('button').count(), 0, 'nothing left to do with a revoked invitation');

  // Resend: a new message, whose link is the one that works.
  await row('fabio@padaria.test').getByRole('button', { name: 'Reenviar' }).click();
  await ap.getByText('Um novo convite para fabio@padaria.test está a caminho').waitFor();
  const sent = await messagesTo(mailDir, 'fabio@padaria.test', 2);
  const link = linkIn(sent[sent.length - 1]);
  assert.notEqual(link, linkIn(sent[0]), 'a new link');
  await ap.getByRole('button', { name: 'Sair' }).click();
  await heading(ap, 'Portal do cliente').waitFor();

  await ap.goto(link);
  await heading(ap, 'Aceite seu convite').waitFor();
  await field(ap, 'Seu nome').fill('Fábio Forneiro');
  await field(ap, 'Senha').fill('senha-do-fabio-longa');
  await field(ap, 'Repita a senha').fill('senha-do-fabio-longa');
  await ap.getByRole('button', { name: 'Criar minha conta' }).click();
  await ap.getByRole('status').filter({ hasText: 'Sua conta está pronta' }).waitFor();
  await ap.goto(`${base}/portal/`);
  await heading(ap, 'Portal do cliente').waitFor();
  await ap.setViewportSize(size);
}
