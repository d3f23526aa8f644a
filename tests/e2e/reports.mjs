// Reports and retention in Chromium: the owner verifies the audit chain from its card, tries a
// sign-in retention under the legal floor and sees the field's error, saves a valid one that a
// reload still shows, and downloads an anonymised audit report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { field, heading, watchedContext } from './harness.mjs';

/** reportsWalk({browser, problems, base, owner, shot}) */
export async function reportsWalk({ browser, problems, base, owner, shot }) {
  const ctx = await watchedContext(browser, problems);
  try {
    const op = await ctx.newPage();
    await op.goto(`${base}/admin/`);
    await field(op, 'E-mail').fill(owner.email);
    await field(op, 'Senha').fill(owner.password);
    await op.getByRole('button', { name: 'Entrar' }).click();
    await heading(op, 'Visão geral').waitFor();

    // The integrity card: verify now, and the result is shown.
    await op.goto(`${base}/admin/#/audit`);
    const card = op.locator('[data-audit-integrity]');
    await card.getByRole('button', { name: 'Verificar agora' }).click();
    await card.getByText('Íntegra').waitFor();
    await card.getByRole('button', { name: 'Verificar agora' }).waitFor();
    await shot(op, 'admin-audit-integrity-verified');

    // Retention: 30 days for sign-ins is refused next to its field; 200 is saved and stays.
    await op.getByRole('link', { name: 'Retenção', exact: true }).first().click();
    await heading(op, 'Retenção').waitFor();
    const signins = field(op, 'Registros de acesso com IP (dias)');
    await signins.fill('30');
    await op.getByRole('button', { name: 'Salvar' }).click();
    const error = op.locator('.field.invalid .field-error');
    await error.waitFor();
    assert.match(await error.textContent(), /183/);
    await signins.fill('200');
    await op.getByRole('button', { name: 'Salvar' }).click();
    await op.locator('[data-retention-source]', { hasText: 'Salvo em' }).waitFor();
    await op.reload();
    await heading(op, 'Retenção').waitFor();
    await op.locator('[data-retention-source]', { hasText: 'Salvo em' }).waitFor();
    assert.equal(await field(op, 'Registros de acesso com IP (dias)').inputValue(), '200');
    await shot(op, 'admin-retention');

    // An anonymised audit report for one recipient, as CSV.
    await op.getByRole('link', { name: 'Relatórios anonimizados' }).first().click();
    await heading(op, 'Relatórios anonimizados').waitFor();
    await op.getByLabel('Destinatário').fill('auditoria-2026');
    const [download] = await Promise.all([op.waitForEvent('download'), op.getByRole('link', { name: 'Baixar', exact: true }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\uFEFFid;at;actor_kind'), csv.slice(0, 80));
    assert.ok(csv.includes('retention.changed'), 'the retention change is in the report');
    assert.ok(!csv.includes(owner.email), 'no e-mail in the report');
    await shot(op, 'admin-reports');
  } finally {
    await ctx.close();
  }
}
