// Everyday changes to one user of a company, for company admins and the owner: edit the name
// and e-mail, set a new password or e-mail a reset link, delete. Each opens a dialog; the way
// out is always "Voltar" / "Back".
import { api } from './api.js';
import { actionButton, confirmDialog } from './dialog.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { notify } from './ui.js';
import { userAppRoles } from './user-app-roles.js';

/** A dialog holding a form; resolves true once `onSubmit` succeeded, false when left. */
export function formDialog({ title, intro, fields, submitLabel, onSubmit, extra, inForm }) {
  return new Promise((resolve) => {
    let done = false;
    const back = h('button', { type: 'button', class: 'btn' }, t('action.back'));
    const form = createForm({
      fields,
      submitLabel,
      actions: back,
      extra: inForm,
      async onSubmit(values) {
        await onSubmit(values);
        done = true;
        dialog.close();
      },
    });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'form-dlg-title' }, h('h2', { id: 'form-dlg-title' }, title), intro ? h('p', { class: 'muted' }, intro) : null, form.el, extra ? extra(() => dialog.close()) : null);
    back.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(done);
    });
    document.body.append(dialog);
    dialog.showModal();
    Object.values(form.fields)[0].focus();
  });
}

const userPath = (companyId, user) => `/companies/${encodeURIComponent(companyId)}/users/${encodeURIComponent(user.id)}`;

/**
 * "Editar": the name and e-mail (a new e-mail is not verified until its owner proves it), and
 * the roles the user holds in each application linked to the company.
 */
export function editUserButton(companyId, user, after) {
  const btn = h('button', { type: 'button', class: 'btn small' }, t('users.edit'));
  btn.addEventListener('click', async () => {
    const roles = userAppRoles(companyId, user);
    // The notice names the user as saved, not as they were before a rename.
    let name = user.name || user.email;
    const saved = await formDialog({
      inForm: roles.el,
      title: t('users.editTitle', { name: user.name || user.email }),
      fields: [
        { name: 'name', label: t('user.name'), required: true, maxLength: 120, value: user.name || '', autocomplete: 'off' },
        { name: 'email', label: t('auth.email'), type: 'email', required: true, maxLength: 254, value: user.email, autocomplete: 'off', hint: t('users.editEmailHint') },
      ],
      submitLabel: t('action.save'),
      async onSubmit(v) {
        const patch = {};
        if (v.name !== user.name) patch.name = v.name;
        if (v.email.toLowerCase() !== user.email.toLowerCase()) patch.email = v.email;
        if (Object.keys(patch).length) await api.patch(userPath(companyId, user), patch);
        name = v.name || v.email;
        await roles.save();
      },
    });
    if (saved) {
      notify(t('users.saved', { name }));
      after();
    }
  });
  return btn;
}

/** "Senha": type a new password for the user, or e-mail them a link to choose one. */
export function passwordButton(companyId, user, after) {
  const btn = h('button', { type: 'button', class: 'btn small' }, t('users.password'));
  const who = user.name || user.email;
  btn.addEventListener('click', async () => {
    const saved = await formDialog({
      title: t('users.passwordTitle', { name: who }),
      intro: t('users.passwordIntro'),
      fields: [
        { name: 'password', label: t('account.newPassword'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, autocomplete: 'new-password', hint: t('auth.passwordHint') },
      ],
      submitLabel: t('users.passwordSet'),
      async onSubmit(v) {
        await api.post(`${userPath(companyId, user)}/password`, { password: v.password });
      },
      extra: (close) => {
        const send = actionButton(t('users.sendReset'), {
          small: false,
          run: () => api.post('/auth/password-reset', { email: user.email }),
          done: t('users.resetSent', { email: user.email }),
          after: close,
        });
        return h('div', { class: 'dialog-alt' }, h('p', { class: 'muted' }, t('users.sendResetIntro')), send);
      },
    });
    if (saved) {
      notify(t('users.passwordDone', { name: who }));
      after();
    }
  });
  return btn;
}

/** "Excluir": removes the user after a confirmation; not offered for oneself. */
export function deleteUserButton(companyId, user, selfId, after) {
  if (user.id === selfId) return null;
  const who = user.name || user.email;
  return actionButton(t('users.delete'), {
    danger: true,
    confirm: { title: t('users.deleteTitle', { name: who }), message: t('users.deleteText'), confirmLabel: t('users.delete') },
    run: () => api.del(userPath(companyId, user)),
    done: t('users.deleted', { name: who }),
    after,
  });
}

/** Asks before a role changes: a member made admin sees and changes everything. */
export function confirmRole(user, role) {
  const who = user.name || user.email;
  return confirmDialog({
    title: t('users.roleTitle', { name: who, role: t(`role.${role}`) }),
    message: t(role === 'company_admin' ? 'users.roleToAdmin' : 'users.roleToMember'),
    confirmLabel: t('users.roleConfirm'),
    danger: false,
  });
}
