// A company's users: list with search and status filter; company admins (and the owner) invite
// people by e-mail, create users, change roles, approve, disable and enable; members get the
// same list read-only, with no invitation controls.
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { formatDateTime } from './format.js';
import { invitationsPanel } from './invitations.js';
import { t } from './i18n.js';
import { filterBar, pagedTable } from './list.js';
import { userSessionsCard } from './sessions.js';
import { confirmRole, deleteUserButton, editUserButton, passwordButton } from './user-edit.js';
import { eraseUserButton } from './erasure.js';
import { badge, card, errorMessage, notify } from './ui.js';

export const ROLES = ['company_admin', 'member'];
const USER_STATUSES = ['pending', 'active', 'disabled'];

function roleControl(companyId, user, canManage, selfId) {
  if (!canManage || user.id === selfId || !ROLES.includes(user.role)) return t(`role.${user.role}`);
  const select = h(
    'select',
    { 'aria-label': t('users.roleOf', { name: user.name || user.email }), class: 'inline-select' },
    ROLES.map((r) => h('option', { value: r, selected: r === user.role }, t(`role.${r}`))),
  );
  select.addEventListener('change', async () => {
    const before = user.role;
    if (!(await confirmRole(user, select.value))) {
      select.value = before;
      return;
    }
    select.disabled = true;
    try {
      await api.patch(`/companies/${encodeURIComponent(companyId)}/users/${encodeURIComponent(user.id)}`, { role: select.value });
      user.role = select.value;
      notify(t('users.roleChanged', { name: user.name || user.email }));
    } catch (err) {
      select.value = before;
      notify(errorMessage(err), 'error');
    } finally {
      select.disabled = false;
    }
  });
  return select;
}

function actionButtons(companyId, user, selfId, refresh) {
  const path = `/companies/${encodeURIComponent(companyId)}/users/${encodeURIComponent(user.id)}`;
  const who = user.name || user.email;
  const call = (action) => () => api.post(`${path}/${action}`);
  if (user.status === 'pending') return actionButton(t('action.approve'), { primary: true, run: call('approve'), done: t('users.approved', { name: who }), after: refresh });
  if (user.status === 'disabled') return actionButton(t('action.enable'), { run: call('enable'), done: t('users.enabled', { name: who }), after: refresh });
  if (user.status === 'active' && user.id !== selfId) {
    return actionButton(t('action.disable'), {
      confirm: { title: t('users.disableTitle', { name: who }), message: t('users.disableText'), confirmLabel: t('action.disable') },
      run: call('disable'),
      done: t('users.disabled', { name: who }),
      after: refresh,
    });
  }
  return null;
}

/** Resets a user's second factor: they sign in with the password alone and may set it up again. */
function mfaResetButton(companyId, user, selfId, refresh) {
  if (!user.mfa_enabled || user.id === selfId) return null;
  const who = user.name || user.email;
  return actionButton(t('mfa.reset'), {
    confirm: { title: t('mfa.resetTitle', { name: who }), message: t('mfa.resetText'), confirmLabel: t('mfa.reset') },
    run: () => api.del(`/companies/${encodeURIComponent(companyId)}/users/${encodeURIComponent(user.id)}/mfa`),
    done: t('mfa.resetDone', { name: who }),
    after: refresh,
  });
}

function createUserCard(companyId, onCreated) {
  const box = h('div', { hidden: true });
  const open = h('button', { type: 'button', class: 'btn primary', 'aria-expanded': 'false' }, t('users.new'));
  const form = createForm({
    columns: 2,
    fields: [
      { name: 'name', label: t('user.name'), required: true, maxLength: 120, autocomplete: 'off' },
      { name: 'email', label: t('auth.email'), type: 'email', required: true, maxLength: 254, autocomplete: 'off' },
      { name: 'role', label: t('user.role'), type: 'select', value: 'member', options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) },
      { name: 'password', label: t('users.initialPassword'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, hint: t('users.initialPasswordHint') },
    ],
    submitLabel: t('users.create'),
    actions: h('button', { type: 'button', class: 'btn', onclick: () => toggle(false) }, t('action.cancel')),
    async onSubmit(values) {
      const user = await api.post(`/companies/${encodeURIComponent(companyId)}/users`, values);
      notify(t('users.created', { name: (user && user.name) || values.name }));
      for (const f of Object.values(form.fields)) if (f.name !== 'role') f.value = '';
      toggle(false);
      onCreated();
    },
  });
  function toggle(show) {
    box.hidden = !show;
    open.hidden = show;
    open.setAttribute('aria-expanded', show ? 'true' : 'false');
    if (show) form.fields.name.focus();
    else open.focus();
  }
  open.addEventListener('click', () => toggle(true));
  box.append(card(t('users.new'), form.el));
  return { open, box };
}

/** usersPanel({companyId, canManage, selfId}) → element. */
export function usersPanel({ companyId, canManage, selfId }) {
  let filters = { q: '', status: '' };
  const columns = [
    { label: t('user.name'), render: (u) => h('div', {}, h('strong', {}, u.name || '—'), h('div', { class: 'muted' }, u.email)) },
    { label: t('user.role'), render: (u) => roleControl(companyId, u, canManage, selfId) },
    { label: t('user.status'), render: (u) => h('span', { class: 'row' }, badge(u.status, 'user'), u.mfa_enabled ? h('span', { class: 'badge st-active mfa-badge', title: t('mfa.badgeTitle') }, t('mfa.badge')) : null) },
    { label: t('user.lastLogin'), render: (u) => formatDateTime(u.last_login_at) },
  ];
  // One user's sessions open below the list, with their end buttons.
  const sessionsBox = h('div', { class: 'user-sessions' });
  const sessionsButton = (u) => {
    const btn = h('button', { type: 'button', class: 'btn small', dataset: { sessionsOf: u.id } }, t('sessions.of'));
    btn.addEventListener('click', () => {
      sessionsBox.replaceChildren(userSessionsCard({ companyId, user: u }));
      sessionsBox.querySelector('h2').focus();
    });
    return btn;
  };
  if (canManage) {
    columns.push({
      label: t('list.actions'),
      className: 'actions',
      render: (u) => {
        const refresh = () => list.refresh();
        return h(
          'div',
          { class: 'row-actions' },
          actionButtons(companyId, u, selfId, refresh),
          editUserButton(companyId, u, refresh),
          u.id !== selfId ? passwordButton(companyId, u, refresh) : null,
          u.status === 'active' ? sessionsButton(u) : null,
          mfaResetButton(companyId, u, selfId, refresh),
          deleteUserButton(companyId, u, selfId, () => list.reload()),
          u.id !== selfId ? eraseUserButton(companyId, u, refresh) : null,
        );
      },
    });
  }
  // The invitations card goes below the users once they are shown: placed earlier, it would
  // jump down when the list fills in (a layout shift that moves what the person is reading).
  const invitesSlot = h('div');
  const invites = canManage ? invitationsPanel({ companyId }) : null;
  const list = pagedTable({
    columns,
    caption: t('users.title'),
    empty: t('users.empty'),
    load: (cursor) => api.get(`/companies/${encodeURIComponent(companyId)}/users`, { ...filters, cursor, limit: 50 }),
    onPage: () => {
      if (invites && !invitesSlot.firstChild) invitesSlot.append(invites.el);
    },
  });
  const bar = filterBar(
    [
      { name: 'q', label: t('users.search'), placeholder: t('users.searchPlaceholder') },
      { name: 'status', label: t('user.status'), options: [{ value: '', label: t('filter.all') }, ...USER_STATUSES.map((st) => ({ value: st, label: t(`userStatus.${st}`) }))] },
    ],
    (values) => {
      filters = values;
      list.reload();
    },
  );
  const create = canManage ? createUserCard(companyId, () => list.reload()) : null;
  return h(
    'div',
    { class: 'users-panel' },
    create ? h('div', { class: 'spread' }, bar.el, h('div', { class: 'row' }, invites.button, create.open)) : bar.el,
    !canManage ? h('p', { class: 'muted' }, t('users.readOnly')) : null,
    create ? create.box : null,
    list.el,
    sessionsBox,
    invitesSlot,
  );
}
