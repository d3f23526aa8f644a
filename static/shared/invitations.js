// A company's invitations, for its admins and the owner: an "Invite" button opening a dialog
// (address, role, language of the message) and the list of invitations with resend and revoke.
// The invitation's link only ever travels in the e-mail, so nothing here shows a token.
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { formatDateTime } from './format.js';
import { lang, LANGS, t } from './i18n.js';
import { pagedTable } from './list.js';
import { badge, card, notify } from './ui.js';

const ROLES = ['company_admin', 'member'];
const OPEN = ['pending', 'expired'];

const base = (companyId) => `/companies/${encodeURIComponent(companyId)}/invitations`;

/** The dialog that sends one invitation; `after()` runs once it is sent. */
function inviteDialog(companyId, after) {
  const cancel = h('button', { type: 'button', class: 'btn' }, t('action.cancel'));
  const form = createForm({
    fields: [
      { name: 'email', label: t('auth.email'), type: 'email', required: true, maxLength: 254, autocomplete: 'off', apiField: ['max_users'] },
      { name: 'role', label: t('user.role'), type: 'select', value: 'member', options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) },
      {
        name: 'language',
        label: t('invites.language'),
        type: 'select',
        value: lang(),
        options: LANGS.map((l) => ({ value: l.code, label: l.name })),
        hint: t('invites.languageHint'),
      },
    ],
    submitLabel: t('invites.send'),
    actions: cancel,
    async onSubmit(values) {
      const sent = await api.post(base(companyId), values);
      dialog.close();
      notify(t('invites.sent', { email: (sent && sent.email) || values.email }));
      after();
    },
  });
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'invite-title' }, h('h2', { id: 'invite-title' }, t('invites.title')), h('p', { class: 'muted' }, t('invites.intro')), form.el);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.fields.email.focus();
}

function rowActions(companyId, inv, refresh) {
  if (!OPEN.includes(inv.status)) return null;
  const path = `${base(companyId)}/${encodeURIComponent(inv.id)}`;
  return h(
    'div',
    { class: 'row-actions' },
    actionButton(t('invites.resend'), { run: () => api.post(`${path}/resend`), done: t('invites.resent', { email: inv.email }), after: refresh }),
    actionButton(t('action.revoke'), {
      danger: true,
      confirm: { title: t('invites.revokeTitle', { email: inv.email }), message: t('invites.revokeText'), confirmLabel: t('action.revoke') },
      run: () => api.del(path),
      done: t('invites.revoked', { email: inv.email }),
      after: refresh,
    }),
  );
}

/** invitationsPanel({companyId}) → {button, el}: the "Invite" button and the list's card. */
export function invitationsPanel({ companyId }) {
  const list = pagedTable({
    caption: t('invites.listTitle'),
    empty: t('invites.empty'),
    columns: [
      { label: t('auth.email'), render: (i) => h('strong', {}, i.email) },
      { label: t('user.role'), render: (i) => t(`role.${i.role}`) },
      { label: t('invites.languageColumn'), render: (i) => (LANGS.find((l) => l.code === i.language) || { name: i.language || '—' }).name },
      { label: t('user.status'), render: (i) => badge(i.status, 'invite') },
      { label: t('invites.sentAt'), render: (i) => formatDateTime(i.sent_at) },
      { label: t('invites.expiresAt'), render: (i) => (OPEN.includes(i.status) ? formatDateTime(i.expires_at) : '—') },
      { label: t('list.actions'), className: 'actions', render: (i) => rowActions(companyId, i, () => list.refresh()) },
    ],
    load: (cursor) => api.get(base(companyId), { cursor, limit: 50 }),
  });
  const button = h('button', { type: 'button', class: 'btn primary', dataset: { invite: '' } }, t('invites.open'));
  button.addEventListener('click', () => inviteDialog(companyId, () => list.reload()));
  return { button, el: h('div', { class: 'invitations' }, card(t('invites.listTitle'), h('p', { class: 'muted' }, t('invites.listIntro')), list.el)) };
}
