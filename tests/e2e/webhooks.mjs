// Webhooks and provisioning in Chromium: the owner registers an endpoint on the application's
// page (the secret shown once), sees a failed delivery with its answer code, sends it again once
// the receiver is up and sees it delivered; an application reports that provisioning the company
// failed, the company's admin reads the message on the portal's Applications page and asks again.
import assert from 'node:assert/strict';
import http from 'node:http';
import { field, heading, watchedContext } from './harness.mjs';

async function signIn(page, url, who, landing) {
  await page.goto(url);
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, landing).waitFor();
}

/** A receiver on loopback that answers 503 until `up` is set, then 204. */
function receiver() {
  const state = { up: false, got: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.got += 1;
      res.writeHead(state.up ? 204 : 503).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ state, port: server.address().port, close: () => server.close() })));
}

async function asOwner(base, owner) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await r.json();
  return (method, path, body) =>
    fetch(`${base}/api/v1${path}`, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined });
}

/** webhooksWalk({browser, problems, base, owner, admin, companyId, appId, shot}) */
export async function webhooksWalk({ browser, problems, base, owner, admin, companyId, appId, shot }) {
  const rx = await receiver();
  const call = await asOwner(base, owner);
  const ctx = await watchedContext(browser, problems);
  try {
    const op = await ctx.newPage();
    await signIn(op, `${base}/admin/`, owner, 'Visão geral');
    await op.goto(`${base}/admin/#/applications/${encodeURIComponent(appId)}`);
    await op.getByRole('heading', { name: 'Webhooks', level: 2 }).waitFor();
    const url = `http://127.0.0.1:${rx.port}/hooks/armario`;
    await field(op, 'URL').fill(url);
    await op.getByRole('button', { name: 'Registrar endpoint' }).click();
    await op.getByText('Escolha pelo menos um evento.').waitFor();
    await op.getByRole('button', { name: 'Marcar todos' }).click();
    await op.getByRole('button', { name: 'Registrar endpoint' }).click();
    const dialog = op.locator('dialog', { hasText: 'Segredo de assinatura' });
    await dialog.waitFor();
    assert.match(await dialog.getByRole('textbox').inputValue(), /^whsec_/);
    await shot(op, 'admin-webhook-secret');
    await dialog.getByRole('button', { name: 'Já copiei' }).click();
    await op.getByRole('button', { name: 'Fechar sem copiar' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = op.locator('tr', { hasText: url });
    await row.getByText('Todos os eventos').waitFor();

    // A change to a linked company sends an event; the receiver is down, so it fails.
    const r = await call('PATCH', `/companies/${encodeURIComponent(companyId)}`, { display_name: 'Padaria do Bairro' });
    assert.equal(r.status, 200, await r.text());
    await row.getByRole('button', { name: 'Entregas' }).click();
    const failed = op.locator('tr', { hasText: 'company.updated' });
    for (let i = 0; i < 40 && !(await failed.getByText('Falhou, vai tentar de novo').isVisible()); i += 1) {
      await op.waitForTimeout(250);
      await row.getByRole('button', { name: 'Entregas' }).click();
    }
    await failed.getByText('Falhou, vai tentar de novo').waitFor();
    await failed.getByRole('cell', { name: '503', exact: true }).waitFor();
    await shot(op, 'admin-webhook-deliveries');

    // The receiver is back: send it again, and it is delivered.
    rx.state.up = true;
    await failed.getByRole('button', { name: 'Reenviar' }).click();
    await op.getByText('company.updated enviado de novo para a fila.').waitFor();
    for (let i = 0; i < 40 && !(await op.locator('tr', { hasText: 'company.updated' }).getByText('Entregue').isVisible()); i += 1) {
      await op.waitForTimeout(250);
      await row.getByRole('button', { name: 'Entregas' }).click();
    }
    await op.locator('tr', { hasText: 'company.updated' }).getByText('Entregue').waitFor();
    assert.ok(rx.state.got >= 2, 'the receiver was called for the failure and the replay');
  } finally {
    await ctx.close();
  }

  // The application reports that provisioning the company failed.
  const cred = await call('POST', `/applications/${encodeURIComponent(appId)}/credentials`, { label: 'provisionamento' });
  const { secret: key } = await cred.json();
  const report = await fetch(`${base}/api/v1/app/companies/${encodeURIComponent(companyId)}/provisioning`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ state: 'failed', message: 'CNPJ recusado pelo ERP' }),
  });
  assert.equal(report.status, 200, await report.text());

  const actx = await watchedContext(browser, problems);
  try {
    const ap = await actx.newPage();
    await signIn(ap, `${base}/portal/`, admin, 'Empresa');
    await ap.getByRole('link', { name: 'Aplicações' }).click();
    const link = ap.locator('tr', { hasText: 'CNPJ recusado pelo ERP' });
    await link.getByText('Falhou').waitFor();
    await shot(ap, 'portal-provisioning-failed');
    await link.getByRole('button', { name: 'Pedir de novo' }).click();
    const ask = ap.getByRole('dialog');
    await ask.getByRole('button', { name: 'Pedir de novo' }).click();
    await ap.getByText(/prepare de novo\.$/).waitFor();
    await ap.locator('tr', { hasText: 'Pedida de novo' }).waitFor();
  } finally {
    await actx.close();
    rx.close();
  }
}
