// The second step of a sign-in, after a first factor (password or sign-in link) answered 202
// with a challenge: a code from the authenticator app, or one of the recovery codes. A wrong
// code is shown next to the field and may be retried; too many wrong codes show the wait the
// server asks for; a used or expired challenge (401) hands back to the first step.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { plainPage } from './shell.js';

/** The authenticator code field, shared with the account page. */
export function totpField(name = 'code', label = t('mfa.code')) {
  return {
    name,
    label,
    required: true,
    maxLength: 6,
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    hint: t('mfa.codeHint'),
    validate: (v, final) => (final && v && !/^\d{6}$/.test(v.replace(/\s/g, '')) ? t('mfa.codeShape') : null),
  };
}

/**
 * secondStepPage({challenge, title, onSignedIn(loginResponse), onExpired(message)}) → page.
 * The switch between the authenticator and a recovery code keeps the challenge.
 */
export function secondStepPage({ challenge, title, onSignedIn, onExpired }) {
  const body = h('div');
  let recovery = false;
  function render() {
    const spec = recovery
      ? { name: 'recovery_code', label: t('mfa.recoveryCode'), required: true, maxLength: 32, autocomplete: 'off', hint: t('mfa.recoveryHint') }
      : totpField();
    const toggle = h('button', { type: 'button', class: 'btn link', 'data-mfa-switch': recovery ? 'totp' : 'recovery' }, t(recovery ? 'mfa.useApp' : 'mfa.useRecovery'));
    toggle.addEventListener('click', () => {
      recovery = !recovery;
      render();
      body.querySelector('input').focus();
    });
    const form = createForm({
      fields: [spec],
      submitLabel: t('mfa.verify'),
      async onSubmit(v) {
        const payload = recovery ? { challenge, recovery_code: v.recovery_code } : { challenge, code: v.code.replace(/\s/g, '') };
        let res;
        try {
          res = await api.post('/auth/mfa/verify', payload, { quiet401: true });
        } catch (err) {
          if (err.status === 401) return onExpired(t('mfa.challengeExpired'));
          throw err;
        }
        await onSignedIn(res);
      },
    });
    mount(body, h('p', { class: 'muted' }, t(recovery ? 'mfa.stepRecoveryIntro' : 'mfa.stepIntro')), form.el, h('p', { class: 'plain-foot' }, toggle));
  }
  render();
  document.title = `${title} · armario`;
  const page = plainPage(h('h1', { tabindex: '-1' }, t('mfa.stepTitle')), body);
  queueMicrotask(() => {
    const input = page.querySelector('input[name="code"]');
    if (input) input.focus();
  });
  return page;
}
