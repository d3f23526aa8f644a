// Per-company configuration in Chromium: an application declares a schema with its key (a
// string with a pattern, a number with bounds, an enum, a boolean, weekly hours and a list),
// the company admin fills the form the portal generates from it, a bad value shows its field's
// error and saves nothing, a good one saves, and the application reads what the company saved.
import assert from 'node:assert/strict';
import { field, heading, watchedContext } from './harness.mjs';

const SCHEMA = {
  type: 'object',
  required: ['shop_code'],
  properties: {
    shop_code: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{2}$', title: { 'pt-BR': 'Código da loja', en: 'Shop code' } },
    max_daily: { type: 'integer', minimum: 1, maximum: 50, title: { 'pt-BR': 'Atendimentos por dia', en: 'Visits a day' } },
    tone: { type: 'string', enum: ['formal', 'casual'], title: { 'pt-BR': 'Tom das mensagens', en: 'Tone' } },
    sms: { type: 'boolean', title: { 'pt-BR': 'Avisar por SMS', en: 'SMS notices' } },
    hours: { type: 'object', 'x-armario-type': 'weekly_hours', title: { 'pt-BR': 'Horário de atendimento', en: 'Opening hours' } },
    phones: { type: 'array', items: { type: 'string', maxLength: 15 }, maxItems: 3, title: { 'pt-BR': 'Telefones', en: 'Phones' } },
  },
};

async function call(base, method, path, token, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, text, body: text ? JSON.parse(text) : null };
}

/** configWalk({browser, problems, base, owner, admin, companyId, shot}) */
export async function configWalk({ browser, problems, base, owner, admin, companyId, shot }) {
  // Setup through the API: an application with a key, linked with the config scopes, that
  // declares its schema itself.
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const { token } = await login.json();
  const app = await call(base, 'POST', '/applications', token, { name: 'Agenda da Loja', contact_email: 'dev@agenda.test' });
  assert.equal(app.status, 201, app.text);
  const cred = await call(base, 'POST', `/applications/${app.body.id}/credentials`, token, { label: 'walk' });
  assert.equal(cred.status, 201, cred.text);
  const key = cred.body.secret;
  const link = await call(base, 'POST', '/links', token, { application_id: app.body.id, company_id: companyId, scopes: ['config:read', 'config:write'] });
  assert.equal(link.status, 201, link.text);
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  const declared = await call(base, 'PUT', '/app/config-schema', key, { schema: SCHEMA });
  assert.equal(declared.status, 200, declared.text);

  const ctx = await watchedContext(browser, problems);
  try {
    const page = await ctx.newPage();
    await page.goto(`${base}/portal/`);
    await field(page, 'E-mail').fill(admin.email);
    await field(page, 'Senha').fill(admin.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await heading(page, 'Empresa').waitFor();
    await page.getByRole('link', { name: 'Configurações' }).click();
    await heading(page, 'Configurações').waitFor();
    const form = page.locator(`[data-config-app="${app.body.id}"]`);
    await form.getByRole('heading', { name: 'Agenda da Loja' }).waitFor();

    // A code that does not follow the pattern: its field says why, and nothing is saved.
    await field(form, 'Código da loja').fill('abc');
    await field(form, 'Atendimentos por dia').fill('12');
    await field(form, 'Tom das mensagens').selectOption('casual');
    await field(form, 'Avisar por SMS').check();
    await form.locator('[data-hours-add="mon"]').click();
    await form.locator('[data-hours="mon-open"]').fill('08:00');
    await form.locator('[data-hours="mon-close"]').fill('12:00');
    await form.locator('[data-hours-add="mon"]').click();
    await form.locator('[data-hours="mon-open"]').nth(1).fill('13:00');
    await form.locator('[data-hours="mon-close"]').nth(1).fill('18:00');
    await form.getByRole('button', { name: 'Adicionar', exact: true }).click();
    await form.locator('[data-config-field="phones"] input').first().fill('+55 11 5555');
    await form.getByRole('button', { name: 'Salvar' }).click();
    const codeError = form.locator('[data-error-for="shop_code"]');
    await codeError.filter({ hasText: 'não segue o padrão' }).waitFor();
    await shot(page, 'portal-config-invalid');
    let read = await call(base, 'GET', `/app/companies/${companyId}/config`, key);
    assert.deepEqual(read.body.saved, {}, 'a refused save changed nothing');

    // A value out of bounds is named too.
    await field(form, 'Código da loja').fill('PAO-01');
    await field(form, 'Atendimentos por dia').fill('99');
    await form.getByRole('button', { name: 'Salvar' }).click();
    await form.locator('[data-error-for="max_daily"]').filter({ hasText: '50' }).waitFor();
    assert.equal(await codeError.textContent(), '', 'the fixed field is clear');

    // Valid: saved, and the application reads exactly what the company saved.
    await field(form, 'Atendimentos por dia').fill('12');
    await form.getByRole('button', { name: 'Salvar' }).click();
    await page.getByText('Configurações de Agenda da Loja salvas.').waitFor();
    await shot(page, 'portal-config-saved');
    read = await call(base, 'GET', `/app/companies/${companyId}/config`, key);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.saved, {
      shop_code: 'PAO-01',
      max_daily: 12,
      tone: 'casual',
      sms: true,
      hours: { mon: [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '18:00' }] },
      phones: ['+55 11 5555'],
    });
    assert.deepEqual(read.body.problems, []);

    // After a reload the form shows what was saved.
    await page.reload();
    await field(form, 'Código da loja').waitFor();
    assert.equal(await field(form, 'Código da loja').inputValue(), 'PAO-01');
    assert.equal(await field(form, 'Avisar por SMS').isChecked(), true);
  } finally {
    await ctx.close();
  }
}
