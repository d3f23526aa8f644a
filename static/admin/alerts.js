// Alerts: which topics come to this owner by e-mail, and every alert recorded (each cause at
// most once a day), with a link to where it is handled.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { formatDate, formatDateTime } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { pagedTable } from '../shared/list.js';
import { ownerMfaPolicyCard } from '../shared/mfa-policy.js';
import { card, errorMessage, notify, pageHeader } from '../shared/ui.js';

const TOPICS = ['backups', 'signups', 'credentials', 'plan_limits', 'mail', 'integrations'];

/** The sentence of an alert, in the page's language. */
export function alertText(a) {
  const at = a.at ? formatDateTime(a.at) : '';
  switch (a.kind) {
    case 'backup_failed':
      return t('alerts.text.backup_failed', { at, error: a.error || '' });
    case 'backup_late':
      return a.at ? t('alerts.text.backup_late', { at }) : t('alerts.text.backup_never');
    case 'signup_waiting':
      return t('alerts.text.signup_waiting', { company: a.company_name, at });
    case 'credential_expiring':
      return t('alerts.text.credential_expiring', { label: a.label, application: a.application_name, day: formatDate(a.at) });
    case 'plan_near_limit':
      return t('alerts.text.plan_near_limit', { company: a.company_name, users: a.users, max: a.max_users });
    case 'webhook_disabled':
      return t('alerts.text.webhook_disabled', { application: a.application_name, host: a.host || '', at });
    case 'provisioning_failed':
      return t('alerts.text.provisioning_failed', { application: a.application_name, company: a.company_name, error: a.error || '' });
    default:
      return t('alerts.text.mail_dead', { count: a.count });
  }
}

function where(a) {
  if (a.kind === 'signup_waiting') return '#/approvals';
  if (a.kind === 'credential_expiring') return `#/applications/${encodeURIComponent(a.application_id)}`;
  if (a.kind === 'webhook_disabled') return `#/applications/${encodeURIComponent(a.application_id)}`;
  if (a.kind === 'plan_near_limit' || a.kind === 'provisioning_failed') return `#/companies/${encodeURIComponent(a.company_id)}`;
  if (a.kind.startsWith('backup')) return '#/backups';
  return '#/';
}

function choices() {
  const boxes = Object.fromEntries(TOPICS.map((k) => [k, h('input', { type: 'checkbox', name: k, disabled: true })]));
  const save = h('button', { type: 'submit', class: 'btn primary', disabled: true }, t('action.save'));
  const form = h(
    'form',
    { class: 'form' },
    h('fieldset', {}, h('legend', {}, t('alerts.choose')), h('div', { class: 'checks stacked' }, TOPICS.map((k) => h('label', {}, boxes[k], ' ', t(`alerts.topic.${k}`))))),
    h('div', { class: 'form-actions' }, save),
  );
  api.get('/alerts/preferences').then(
    (p) => {
      for (const k of TOPICS) {
        boxes[k].checked = !!p[k];
        boxes[k].disabled = false;
      }
      save.disabled = false;
    },
    (err) => notify(errorMessage(err), 'error'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await api.put('/alerts/preferences', Object.fromEntries(TOPICS.map((k) => [k, boxes[k].checked])));
      notify(t('alerts.saved'));
    } catch (err) {
      notify(errorMessage(err), 'error');
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

export function render({ setTitle }) {
  setTitle(t('nav.alerts'));
  const list = pagedTable({
    caption: t('alerts.recorded'),
    empty: t('alerts.empty'),
    load: (cursor) => api.get('/alerts', { cursor, limit: 50 }),
    columns: [
      { label: t('alerts.when'), render: (a) => formatDateTime(a.created_at) },
      { label: t('alerts.what'), render: (a) => h('a', { href: where(a) }, alertText(a)) },
    ],
  });
  return h(
    'div',
    {},
    pageHeader(t('nav.alerts'), { subtitle: t('alerts.subtitle') }),
    card(t('alerts.byEmail'), choices()),
    ownerMfaPolicyCard(),
    list.el,
  );
}
