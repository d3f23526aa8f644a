// The owner's queue of data-subject requests over every company: oldest due first, filtered by
// status, overdue ones marked; each row moves on to in progress, fulfilled or refused (with
// the reason the law asks for).
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { formatDate } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { pageHeader } from '../shared/ui.js';

const STATUSES = ['', 'open', 'in_progress', 'fulfilled', 'refused'];

function actions(r, reload) {
  if (r.status === 'fulfilled' || r.status === 'refused') return null;
  const path = `/companies/${encodeURIComponent(r.company_id)}/privacy-requests/${encodeURIComponent(r.id)}`;
  const move = (body) => api.patch(path, body).then(reload, (err) => alert(err.message));
  return h(
    'span',
    { class: 'row' },
    r.status === 'open' ? h('button', { class: 'btn', type: 'button', onclick: () => move({ status: 'in_progress' }) }, t('privacyQueue.start')) : null,
    h('button', { class: 'btn primary', type: 'button', 'data-action': 'fulfil', onclick: () => move({ status: 'fulfilled' }) }, t('privacyQueue.fulfil')),
    h('button', { class: 'btn', type: 'button', onclick: () => { const reason = prompt(t('privacyQueue.reason')); if (reason) move({ status: 'refused', refusal_reason: reason }); } }, t('privacyQueue.refuse')),
  );
}

export function render({ setTitle }) {
  setTitle(t('privacyQueue.title'));
  const status = h('select', { name: 'status' }, ...STATUSES.map((s) => h('option', { value: s }, s ? t(`privacy.status.${s}`) : t('privacyQueue.all'))));
  const overdue = h('input', { type: 'checkbox', name: 'overdue' });
  const box = h('div', {});
  async function load() {
    const d = await api.get('/privacy-requests', { status: status.value || undefined, overdue: overdue.checked ? true : undefined, limit: 200 });
    mount(
      box,
      d.items.length
        ? h(
            'table',
            { class: 'table', 'data-testid': 'privacy-queue' },
            h('thead', {}, h('tr', {}, h('th', {}, t('privacyQueue.company')), h('th', {}, t('privacy.person')), h('th', {}, t('privacy.kind')), h('th', {}, t('privacy.status')), h('th', {}, t('privacy.due')), h('th', {}))),
            h(
              'tbody',
              {},
              ...d.items.map((r) =>
                h(
                  'tr',
                  { 'data-id': r.id, class: r.overdue ? 'overdue' : '' },
                  h('td', {}, h('a', { href: `#/companies/${encodeURIComponent(r.company_id)}` }, r.company_id)),
                  h('td', {}, r.user_name || r.user_id),
                  h('td', {}, t(`privacy.kind.${r.kind}`)),
                  h('td', { 'data-status': r.status }, t(`privacy.status.${r.status}`)),
                  h('td', {}, h(r.overdue ? 'strong' : 'span', {}, formatDate(r.due_at), r.overdue ? ` (${t('privacy.overdue')})` : '')),
                  h('td', {}, actions(r, load)),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('privacy.none')),
    );
  }
  status.onchange = load;
  overdue.onchange = load;
  load();
  return h('div', {}, pageHeader(t('privacyQueue.title')), h('div', { class: 'row' }, h('label', {}, t('privacy.status'), status), h('label', {}, overdue, t('privacyQueue.onlyOverdue'))), box);
}
