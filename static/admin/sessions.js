// Everyone's sessions, for the owner: who (with their company), browser, when it started and was
// last used, the address; end one, or every session of its person.
import { api } from '../shared/api.js';
import { actionButton } from '../shared/dialog.js';
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { sessionsTable } from '../shared/sessions.js';
import { notify, pageHeader } from '../shared/ui.js';

export function render({ setTitle, session }) {
  const self = session && session.user && session.user.id;
  setTitle(t('nav.sessions'));
  let ended = 0;
  const who = (s) =>
    h(
      'div',
      {},
      h('strong', {}, s.user_name || s.user_email),
      h('div', { class: 'muted small' }, s.user_email),
      s.company_id ? h('a', { class: 'small', href: `#/companies/${encodeURIComponent(s.company_id)}?tab=users` }, t('sessions.company')) : h('div', { class: 'muted small' }, t('role.owner')),
      s.current || s.user_id === self
        ? null
        : h(
            'div',
            {},
            actionButton(t('sessions.endAll'), {
              danger: true,
              confirm: { title: t('sessions.endAllTitle', { name: s.user_name || s.user_email }), message: t('sessions.endAllText'), confirmLabel: t('sessions.endAll') },
              run: async () => {
                const r = await api.del(`/users/${encodeURIComponent(s.user_id)}/sessions`);
                ended = (r && r.ended) || 0;
              },
              after: () => {
                notify(t('sessions.endedAll', { count: ended }));
                list.reload();
              },
            }),
          ),
    );
  const list = sessionsTable({
    caption: t('nav.sessions'),
    load: (cursor) => api.get('/sessions', { cursor, limit: 50 }),
    endPath: (s) => `/sessions/${encodeURIComponent(s.id)}`,
    refresh: () => list.reload(),
    who,
  });
  return h('div', {}, pageHeader(t('nav.sessions'), { subtitle: t('sessions.everyoneIntro') }), list.el);
}
