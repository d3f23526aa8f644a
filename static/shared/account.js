// "My account", for every signed-in person in the dashboard and the portal: one card per
// section, in the order of ACCOUNT_SECTIONS. A new section is one more function there that
// takes the screen's context and returns its card.
import { api } from './api.js';
import { h } from './dom.js';
import { changeEmailForm } from './email.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { mfaCard } from './mfa.js';
import { mySessionsCard } from './sessions.js';
import { card, pageHeader } from './ui.js';

/**
 * Current, new and repeated password. The server signs the person out everywhere after a
 * change, this device too, so the page says so and hands over to the sign-in form.
 */
function passwordCard(ctx) {
  const form = createForm({
    fields: [
      { name: 'current_password', label: t('account.currentPassword'), type: 'password', required: true, maxLength: 256, trim: false, autocomplete: 'current-password' },
      { name: 'new_password', label: t('account.newPassword'), type: 'password', required: true, minLength: 10, maxLength: 256, trim: false, autocomplete: 'new-password', hint: t('auth.passwordHint') },
      {
        name: 'confirm',
        label: t('auth.passwordConfirm'),
        type: 'password',
        required: true,
        trim: false,
        autocomplete: 'new-password',
        validate: (v, final) => (final && v !== form.fields.new_password.value ? t('validation.passwordMismatch') : null),
      },
    ],
    submitLabel: t('account.passwordSave'),
    async onSubmit(v) {
      await api.post('/auth/password', { current_password: v.current_password, new_password: v.new_password });
      ctx.signedOut(t('account.passwordChanged'));
    },
  });
  return card(t('account.passwordTitle'), h('p', { class: 'muted' }, t('account.passwordIntro')), form.el);
}

/** The address moves only once the link sent to the new one is opened. */
function emailCard(ctx) {
  return card(t('email.changeTitle'), h('p', { class: 'muted' }, t('email.changeIntro')), changeEmailForm(ctx.session.user.email));
}

export const ACCOUNT_SECTIONS = [passwordCard, emailCard, mfaCard, () => mySessionsCard()];

/**
 * render({session, query, setTitle, signedOut(notice)}) → the page. Sent here by a policy that
 * requires two-factor sign-in (?mfa=required), the page says so first and shows only that
 * section: nothing else answers until it is set up.
 */
export function render(ctx) {
  ctx.setTitle(t('account.title'));
  const user = ctx.session.user;
  const required = ctx.query && ctx.query.mfa === 'required';
  return h(
    'div',
    { class: 'account-page' },
    pageHeader(t('account.title'), { subtitle: user.email }),
    required ? h('p', { class: 'warning', role: 'alert' }, t(user.role === 'owner' ? 'mfa.requiredByOwner' : 'mfa.requiredByCompany')) : null,
    required ? mfaCard(ctx) : ACCOUNT_SECTIONS.map((section) => section(ctx)),
  );
}
