// Magic-link sign-in in Chromium: the owner switches it on for a company in the dashboard, the
// company admin sees it on in the portal, asks for a link from the sign-in page, and the link
// read from the SMTP server's mail directory signs in the same browser; in a second browser
// (another context: other cookies) the same link shows a clear refusal page, in Portuguese and
// in English, and once used it is refused in the first browser too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchedContext } from './harness.mjs';

async function magicMessage(mailDir, email) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    const message = files
      .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')))
      .find((m) => m.rcpt_tos.includes(email) && m.text.includes('/portal/magic#token='));
    if (message) return message;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/**
 * magicWalk({browser, problems, base, mailDir, op, ap, owner, admin, companyId, field, heading, shot})
 * `op` is the owner's page (signed out, on the dashboard), `ap` the company admin's (signed out,
 * on the portal); both end signed out where they started.
 */
export async function magicWalk({ browser, problems, base, mailDir, op, ap, owner, admin, companyId, field, heading, shot }) {
  // The owner switches it on for the company.
  await op.goto(`${base}/admin/`);
  await field(op, 'E-mail').fill(owner.email);
  await field(op, 'Senha').fill(owner.password);
  await op.getByRole('button', { name: 'Entrar' }).click();
  await heading(op, 'Visão geral').waitFor();
  await op.goto(`${base}/admin/#/companies/${encodeURIComponent(companyId)}`);
  await op.getByText('Desligada: as pessoas desta empresa entram só com a senha.').waitFor();
  await op.getByRole('button', { name: 'Ligar' }).click();
  await op.getByText('Ligada: as pessoas desta empresa podem pedir um link').waitFor();
  await shot(op, 'admin-company-magic-link-on');
  await op.getByRole('button', { name: 'Sair' }).click();
  await heading(op, 'Entrar no armario').waitFor();

  // The company admin sees it on in the portal.
  await ap.goto(`${base}/portal/`);
  await field(ap, 'E-mail').fill(admin.email);
  await field(ap, 'Senha').fill(admin.password);
  await ap.getByRole('button', { name: 'Entrar' }).click();
  await heading(ap, 'Empresa').waitFor();
  await ap.getByText('Ligada: as pessoas desta empresa podem pedir um link').waitFor();
  await ap.getByRole('button', { name: 'Desligar' }).waitFor();
  await ap.getByRole('button', { name: 'Sair' }).click();
  await heading(ap, 'Portal do cliente').waitFor();

  // Asked for from the sign-in page, in this browser.
  await ap.getByRole('link', { name: 'Receber um link de entrada por e-mail' }).click();
  await heading(ap, 'Entrar com um link por e-mail').waitFor();
  await field(ap, 'E-mail').fill(admin.email);
  await ap.getByRole('button', { name: 'Enviar o link' }).click();
  await ap.getByRole('status').filter({ hasText: 'neste mesmo navegador' }).waitFor();
  await shot(ap, 'portal-magic-link-requested');
  const message = await magicMessage(mailDir, admin.email);
  assert.ok(message, 'the sign-in link arrived');
  assert.match(message.headers.Subject, /^Seu link para entrar em /);
  const link = message.text.split(/\s+/).find((w) => w.includes('/portal/magic#token='));
  assert.ok(link && link.startsWith(base), `a link to this server: ${link}`);
  assert.ok(!message.text.includes(admin.password) && !message.html.includes(admin.password));

  // Another browser: a clear refusal, in both languages, and the link still works afterwards.
  const otherCtx = await watchedContext(browser, problems);
  const other = await otherCtx.newPage();
  await other.goto(link);
  await heading(other, 'Este link não faz você entrar').waitFor();
  await other.getByRole('alert').filter({ hasText: 'foi pedido em outro navegador' }).waitFor();
  assert.ok(!other.url().includes('token='), 'the token leaves the address bar');
  await shot(other, 'portal-magic-link-other-browser');
  await other.getByLabel('Idioma').selectOption('en');
  // Through another page: the same path with only a new fragment would not load the page again.
  await other.goto(`${base}/portal/`);
  await other.goto(link);
  await heading(other, 'This link cannot sign you in').waitFor();
  await other.getByRole('alert').filter({ hasText: 'asked for in another browser' }).waitFor();
  await otherCtx.close();

  // The browser that asked: signed in.
  await ap.goto(link);
  await heading(ap, 'Empresa').waitFor();
  assert.ok(!ap.url().includes('token='), 'the token leaves the address bar');
  await shot(ap, 'portal-magic-link-signed-in');
  await ap.getByRole('button', { name: 'Sair' }).click();
  await heading(ap, 'Portal do cliente').waitFor();

  // Once only.
  await ap.goto(link);
  await heading(ap, 'Este link não faz você entrar').waitFor();
  await ap.goto(`${base}/portal/`);
  await heading(ap, 'Portal do cliente').waitFor();
}
