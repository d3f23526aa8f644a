// Who must use two-factor sign-in: a company's policy (its admins, or everyone), set by the
// company's admins or the owner, and the owner's own policy for owners. People a policy binds
// who have no second factor yet can only set one up after their next request.
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { card, errorMessage, notify } from './ui.js';

const COMPANY_POLICIES = ['off', 'admins', 'everyone'];

/** A form that reads its value with `load()`, saves with `save(value)`, and shows both. */
function policyForm({ control, read, write, load, save }) {
  const button = h('button', { type: 'submit', class: 'btn primary', disabled: true }, t('action.save'));
  const form = h('form', { class: 'form mfa-policy' }, control, h('div', { class: 'form-actions' }, button));
  load().then(
    (p) => {
      write(p);
      control.querySelectorAll('input, select').forEach((el) => (el.disabled = false));
      button.disabled = false;
    },
    (err) => notify(errorMessage(err), 'error'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    try {
      await save(read());
      notify(t('mfaPolicy.saved'));
    } catch (err) {
      notify(errorMessage(err), 'error');
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The company's policy, for its admins (portal) and the owner (company page). */
export function companyMfaPolicyCard(companyId) {
  const path = `/companies/${encodeURIComponent(companyId)}/mfa-policy`;
  const radios = Object.fromEntries(COMPANY_POLICIES.map((p) => [p, h('input', { type: 'radio', name: 'mfa_policy', value: p, disabled: true })]));
  const control = h(
    'fieldset',
    {},
    h('legend', {}, t('mfaPolicy.companyLegend')),
    h('div', { class: 'checks stacked' }, COMPANY_POLICIES.map((p) => h('label', {}, radios[p], ' ', t(`mfaPolicy.${p}`)))),
  );
  const form = policyForm({
    control,
    load: () => api.get(path),
    write: (p) => ((radios[p.policy] || radios.off).checked = true),
    read: () => COMPANY_POLICIES.find((p) => radios[p].checked) || 'off',
    save: (policy) => api.put(path, { policy }),
  });
  return card(t('mfaPolicy.title'), h('p', { class: 'muted' }, t('mfaPolicy.companyIntro')), form);
}

/** The owner's policy for owners (admin dashboard, alerts page). */
export function ownerMfaPolicyCard() {
  const box = h('input', { type: 'checkbox', name: 'require_for_owners', disabled: true });
  const control = h('div', { class: 'checks stacked' }, h('label', {}, box, ' ', t('mfaPolicy.owners')));
  const form = policyForm({
    control,
    load: () => api.get('/settings/mfa-policy'),
    write: (p) => (box.checked = Boolean(p.require_for_owners)),
    read: () => box.checked,
    save: (required) => api.put('/settings/mfa-policy', { require_for_owners: required }),
  });
  return card(t('mfaPolicy.securityTitle'), h('p', { class: 'muted' }, t('mfaPolicy.ownersIntro')), form);
}
