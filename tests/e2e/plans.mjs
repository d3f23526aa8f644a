// Plans in Chromium: the owner creates a plan with a named limit in the limits editor, moves a
// company to it with a trial, and sees the company's use against the plan's limits; the
// company admin sees the same plan in the portal.
import { field, heading, watchedContext } from './harness.mjs';

async function signIn(page, url, who, landing) {
  await page.goto(url);
  await field(page, 'E-mail').fill(who.email);
  await field(page, 'Senha').fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await heading(page, landing).waitFor();
}

/** plansWalk({browser, problems, base, owner, admin, companyId, shot}) */
export async function plansWalk({ browser, problems, base, owner, admin, companyId, shot }) {
  const ctx = await watchedContext(browser, problems);
  try {
    const op = await ctx.newPage();
    await signIn(op, `${base}/admin/`, owner, 'Visão geral');
    await op.getByRole('link', { name: 'Planos' }).first().click();
    await heading(op, 'Planos').waitFor();
    await op.getByRole('link', { name: 'Novo plano' }).click();
    await heading(op, 'Novo plano').waitFor();
    await field(op, 'Nome').fill('Clínica Plus');
    await field(op, 'Descrição').fill('Para clínicas veterinárias');
    await op.getByLabel('Valor').first().fill('12');
    await op.getByRole('button', { name: 'Adicionar limite' }).click();
    // A bad limit name is refused in the form before anything is sent.
    await op.getByLabel('Nome do limite').last().fill('Max-Animais');
    await op.getByLabel('Valor').last().fill('300');
    await op.getByRole('button', { name: 'Criar plano' }).click();
    await op.getByText('Nomes de limite usam letras minúsculas, dígitos e _, começando por letra.').waitFor();
    await op.getByLabel('Nome do limite').last().fill('max_animals');
    await op.getByRole('button', { name: 'Criar plano' }).click();
    await op.getByText('Plano Clínica Plus salvo.').waitFor();
    const row = op.locator('tr', { hasText: 'Clínica Plus' });
    await row.getByText('max_animals: 300').waitFor();
    await row.getByText('max_users: 12').waitFor();
    await shot(op, 'admin-plans');

    // The company moves to the plan, with a trial; its page shows use against the limits.
    await op.goto(`${base}/admin/#/companies/${encodeURIComponent(companyId)}`);
    await op.getByRole('heading', { name: 'Plano e assinatura', level: 2 }).waitFor();
    await field(op, 'Plano').selectOption({ label: 'Clínica Plus' });
    await field(op, 'Assinatura').selectOption('trial');
    await field(op, 'Fim do teste').fill('2027-06-30');
    await op.getByRole('button', { name: 'Aplicar' }).click();
    await op.getByText('Alterações salvas.').first().waitFor();
    const card = op.locator('.plan-card');
    await card.locator('[data-plan-name]', { hasText: 'Clínica Plus' }).waitFor();
    await card.getByText(/^\d+ \/ 12$/).waitFor();
    await card.getByText('max_animals').waitFor();
    await card.getByRole('definition').filter({ hasText: 'Em teste' }).waitFor();
    await shot(op, 'admin-company-plan');
  } finally {
    await ctx.close();
  }

  const actx = await watchedContext(browser, problems);
  try {
    const ap = await actx.newPage();
    await signIn(ap, `${base}/portal/`, admin, 'Empresa');
    const card = ap.locator('.plan-card');
    await card.locator('[data-plan-name]', { hasText: 'Clínica Plus' }).waitFor();
    await card.getByText('max_animals').waitFor();
    await card.getByText(/^\d+ \/ 12$/).waitFor();
    await shot(ap, 'portal-company-plan');
  } finally {
    await actx.close();
  }
}
