// Retention: how long audit events, sign-in records, usage and ended sessions are kept. The
// owner's values override the server's settings from the next daily prune; sign-in records
// never go below six months (Marco Civil da Internet, art. 15). Backups' retention is a setting
// of the server, shown read-only.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { formatDateTime } from '../shared/format.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { card, details, loadInto, notify, pageHeader } from '../shared/ui.js';

const FIELDS = ['audit_days', 'signin_days', 'usage_days', 'sessions_days'];

export function retentionCard() {
  const body = h('div', { 'data-retention': '' });
  loadInto(
    body,
    () => api.get('/settings/retention'),
    (v) => {
      const note = h('p', { class: 'muted', 'data-retention-source': '' }, v.updated_at ? t('retention.savedAt', { at: formatDateTime(v.updated_at) }) : t('retention.defaults'));
      const form = createForm({
        columns: 2,
        fields: FIELDS.map((name) => ({
          name,
          label: t(`retention.${name}`),
          type: 'number',
          required: true,
          value: String(v[name]),
          hint: name === 'signin_days' ? t('retention.signinHint', { min: v.signin_min_days }) : undefined,
        })),
        submitLabel: t('action.save'),
        async onSubmit(values) {
          const saved = await api.put('/settings/retention', values);
          note.textContent = t('retention.savedAt', { at: formatDateTime(saved.updated_at) });
          notify(t('retention.saved'));
        },
      });
      return h(
        'div',
        {},
        h('p', { class: 'muted' }, t('retention.explain')),
        note,
        form.el,
        details([[t('retention.backupDays'), h('span', { 'data-backup-days': '' }, t('retention.days', { days: v.backup_days }))]]),
        h('p', { class: 'muted' }, t('retention.backupHint')),
      );
    },
  );
  return card(t('retention.title'), body);
}

export function render({ setTitle }) {
  setTitle(t('retention.title'));
  const box = h('div', {});
  mount(box, h('div', {}, pageHeader(t('retention.title')), retentionCard()));
  return box;
}
