// The owner's list of everyone's sessions in Chromium: a company admin signed in elsewhere (a
// client holding a bearer token) is listed with their company, and ending that session from the
// dashboard signs the client out at its next request.
import assert from 'node:assert/strict';
import { field, heading, watchedContext } from './harness.mjs';

/** ownerSessionsWalk({browser, problems, base, owner, admin, shot}) */
export async function ownerSessionsWalk({ browser, problems, base, owner, admin, shot }) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'integration-client/1.0' }, body: JSON.stringify({ email: admin.email, password: admin.password }) });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const me = () => fetch(`${base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
  assert.equal(await me(), 200);

  const ctx = await watchedContext(browser, problems);
  try {
    const page = await ctx.newPage();
    await page.goto(`${base}/admin/`);
    await field(page, 'E-mail').fill(owner.email);
    await field(page, 'Senha').fill(owner.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await heading(page, 'Visão geral').waitFor();
    await page.getByRole('link', { name: 'Sessões' }).click();
    await heading(page, 'Sessões').waitFor();
    await page.locator('tr', { hasText: 'Este aparelho' }).waitFor();
    const row = page.locator('tr', { hasText: 'integration-client/1.0' });
    await row.getByText(admin.email).waitFor();
    await row.getByRole('link', { name: 'A empresa dela' }).waitFor();
    await shot(page, 'admin-sessions');
    await row.getByRole('button', { name: 'Encerrar', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Encerrar', exact: true }).click();
    await page.getByText('Sessão encerrada.').waitFor();
    assert.equal(await me(), 401, 'the ended session is signed out');
    await page.getByRole('button', { name: 'Sair' }).click();
    await heading(page, 'Entrar no armario').waitFor();
  } finally {
    await ctx.close();
  }
}
