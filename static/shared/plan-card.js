// A company's plan: name, subscription status, trial end and use against its limits (users
// against max_users; a named limit whose name is one of the usage counters — `requests` for
// all of them, or a route group such as `secrets` — against this month's requests). The owner
// also gets a form to move the company to another plan and set the trial end and status.
import { allItems, api } from './api.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { formatDay, formatNumber } from './format.js';
import { t } from './i18n.js';
import { card, details, loadInto, notify } from './ui.js';

export const SUBSCRIPTION_STATUSES = ['trial', 'active', 'past_due', 'cancelled'];

function monthStart() {
  const now = new Date();
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

// This month's requests of the company: in all (`requests`) and per route group.
async function monthUsage(companyId) {
  try {
    const items = await allItems('/usage', { from: monthStart(), to: today(), company_id: companyId });
    const used = { requests: 0 };
    for (const it of items) {
      const n = Number(it.requests) || 0;
      used.requests += n;
      used[it.route_group] = (used[it.route_group] || 0) + n;
    }
    return used;
  } catch {
    return {};
  }
}

function limitRows(plan, used) {
  const rows = [[t('plans.usersUsed'), `${formatNumber(plan.users_used)} / ${formatNumber(plan.max_users)}`]];
  for (const [name, value] of Object.entries(plan.limits || {})) {
    if (name === 'max_users') continue;
    const usedNow = used[name];
    const text = usedNow === undefined ? formatNumber(value) : `${formatNumber(usedNow)} / ${formatNumber(value)} ${t('plans.thisMonth')}`;
    rows.push([h('code', {}, name), text]);
  }
  return rows;
}

function summary(plan, used) {
  return details([
    [t('plans.plan'), h('strong', { 'data-plan-name': '' }, plan.name)],
    [t('plans.status'), t(`subscription.${plan.subscription_status}`)],
    [t('plans.trialEnds'), plan.trial_ends_at ? formatDay(plan.trial_ends_at) : '—'],
    ...limitRows(plan, used),
  ]);
}

function ownerForm(companyId, plan, plans, reload) {
  const form = createForm({
    columns: 2,
    submitLabel: t('plans.apply'),
    fields: [
      { name: 'plan_id', label: t('plans.plan'), type: 'select', value: plan.plan_id, options: plans.map((p) => ({ value: p.id, label: p.name })) },
      { name: 'subscription_status', label: t('plans.status'), type: 'select', value: plan.subscription_status, options: SUBSCRIPTION_STATUSES.map((s) => ({ value: s, label: t(`subscription.${s}`) })) },
      { name: 'trial_ends_at', label: t('plans.trialEnds'), type: 'date', value: plan.trial_ends_at || '', hint: t('plans.trialHint') },
    ],
    async onSubmit(values) {
      const body = {};
      if (values.plan_id !== plan.plan_id) body.plan_id = values.plan_id;
      if (values.subscription_status !== plan.subscription_status) body.subscription_status = values.subscription_status;
      if ((values.trial_ends_at || '') !== (plan.trial_ends_at || '')) body.trial_ends_at = values.trial_ends_at || '';
      if (!Object.keys(body).length) {
        notify(t('form.nothingChanged'));
        return;
      }
      await api.patch(`/companies/${encodeURIComponent(companyId)}/plan`, body);
      notify(t('form.saved'));
      reload();
    },
  });
  return form.el;
}

/**
 * planCard(companyId, {owner, after}) → a card that loads and shows the company's plan; after
 * the owner changes it, `after()` (the page's reload, so every count follows) or the card reloads.
 */
export function planCard(companyId, { owner = false, after } = {}) {
  const body = h('div');
  loadInto(
    body,
    () => Promise.all([
      api.get(`/companies/${encodeURIComponent(companyId)}/plan`),
      monthUsage(companyId),
      owner ? api.get('/plans').then((r) => r.items) : Promise.resolve([]),
    ]),
    ([plan, used, plans], reload) => h('div', { class: 'plan-card' }, summary(plan, used), owner ? ownerForm(companyId, plan, plans, after || reload) : null),
  );
  return card(t('plans.companyTitle'), body);
}
