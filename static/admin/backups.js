// Backups: every run with its status, size and age, and a button that takes one now.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { formatBytes, formatDateTime, formatDuration, formatRelative } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { pagedTable } from '../shared/list.js';
import { badge, errorMessage, notify, pageHeader } from '../shared/ui.js';

const RUNNING = new Set(['pending', 'running', 'started']);

export function render({ setTitle }) {
  setTitle(t('nav.backups'));
  let poll = null;
  const list = pagedTable({
    caption: t('nav.backups'),
    empty: t('backups.empty'),
    load: async (cursor) => {
      const data = await api.get('/backups', { cursor, limit: 50 });
      const busy = ((data && data.items) || []).some((b) => RUNNING.has(b.status));
      clearTimeout(poll);
      if (busy && document.body.contains(list.el)) poll = setTimeout(() => list.refresh(), 3000);
      return data;
    },
    columns: [
      { label: t('backups.started'), render: (b) => h('span', { title: formatDateTime(b.started_at) }, formatRelative(b.started_at)) },
      { label: t('backups.status'), render: (b) => h('div', {}, badge(b.status), b.error ? h('div', { class: 'field-error' }, b.error) : null) },
      { label: t('backups.size'), className: 'num', render: (b) => formatBytes(b.size) },
      { label: t('backups.duration'), className: 'num', render: (b) => (b.finished_at ? formatDuration(new Date(b.finished_at) - new Date(b.started_at)) : '—') },
      { label: t('backups.object'), render: (b) => (b.object_name ? h('code', {}, b.object_name) : '—') },
    ],
  });
  const now = h('button', { type: 'button', class: 'btn primary' }, t('backups.now'));
  now.addEventListener('click', async () => {
    now.disabled = true;
    try {
      await api.post('/backups');
      notify(t('backups.startedNotice'));
      list.reload();
    } catch (err) {
      notify(errorMessage(err), 'error');
    } finally {
      now.disabled = false;
    }
  });
  return h('div', {}, pageHeader(t('nav.backups'), { subtitle: t('backups.subtitle'), actions: now }), list.el);
}
