// Two-factor sign-in on the "My account" page: where it stands, setting up an authenticator
// app (QR code, secret for typing, first code), the ten recovery codes shown once, new
// recovery codes and turning it off.
import { api } from './api.js';
import { h, mount } from './dom.js';
import { createForm } from './form.js';
import { t } from './i18n.js';
import { totpField } from './mfa-signin.js';
import { card, copyButton, errorMessage, loadInto, notify } from './ui.js';

/**
 * The QR code as an image from a data: URL: the SVG the server drew is never parsed into the
 * page, so nothing in it can act as markup or script (the CSP allows data: images).
 */
function qrImage(svg) {
  const bytes = new TextEncoder().encode(svg);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return h('img', { class: 'mfa-qr', src: `data:image/svg+xml;base64,${btoa(bin)}`, alt: t('mfa.qrAlt'), width: 200, height: 200 });
}

/** A .txt of the codes, downloaded by the browser (nothing leaves it). */
function downloadButton(codes) {
  const btn = h('button', { type: 'button', class: 'btn' }, t('mfa.download'));
  btn.addEventListener('click', () => {
    const text = `${t('mfa.fileHeading')}\n\n${codes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = h('a', { href: url, download: 'armario-recovery-codes.txt', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  return btn;
}

/** The ten codes, shown once, with copy and download; `done` goes back to the status. */
function codesView(codes, done) {
  const finish = h('button', { type: 'button', class: 'btn primary' }, t('mfa.codesDone'));
  finish.addEventListener('click', done);
  return h(
    'div',
    { class: 'mfa-codes' },
    h('p', { class: 'warning', role: 'note' }, t('mfa.codesWarning')),
    h('ol', { class: 'recovery-codes mono' }, codes.map((c) => h('li', {}, c))),
    h('div', { class: 'row' }, copyButton(() => codes.join('\n'), t('mfa.copy')), downloadButton(codes), finish),
  );
}

/** The set-up: the QR code, the secret for typing, and the first code to confirm it. */
function setupView(enrolment, box, reload) {
  const form = createForm({
    fields: [totpField()],
    submitLabel: t('mfa.confirm'),
    actions: h('button', { type: 'button', class: 'btn', onclick: reload }, t('action.cancel')),
    async onSubmit(v) {
      const res = await api.post('/auth/mfa/totp/confirm', { code: v.code.replace(/\s/g, '') });
      notify(t('mfa.turnedOn'));
      mount(box, codesView(res.recovery_codes, reload));
    },
  });
  return h(
    'div',
    { class: 'mfa-setup' },
    h('p', {}, t('mfa.scan')),
    qrImage(enrolment.qr_svg),
    h('p', { class: 'muted' }, t('mfa.manual')),
    h('p', {}, h('code', { class: 'mfa-secret' }, enrolment.secret)),
    form.el,
  );
}

/** A button that opens a small form under it; `fields` and `submit(values)` as in createForm. */
function opener(label, { fields, submitLabel, intro, submit }) {
  const box = h('div', { class: 'mfa-action' });
  const open = h('button', { type: 'button', class: 'btn' }, label);
  open.addEventListener('click', () => {
    const form = createForm({
      fields,
      submitLabel,
      actions: h('button', { type: 'button', class: 'btn', onclick: () => mount(box, open) }, t('action.cancel')),
      onSubmit: submit,
    });
    mount(box, h('h3', {}, label), intro ? h('p', { class: 'muted' }, intro) : null, form.el);
    form.el.querySelector('input').focus();
  });
  return mount(box, open);
}

function statusView(s, box, reload) {
  const state = h('p', { class: 'mfa-state' }, h('strong', {}, t(s.enabled ? 'mfa.on' : 'mfa.off')));
  if (!s.enabled) {
    const start = h('button', { type: 'button', class: 'btn primary' }, t('mfa.setUp'));
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        const enrolment = await api.post('/auth/mfa/totp');
        mount(box, setupView(enrolment, box, reload));
        box.querySelector('input').focus();
      } catch (err) {
        start.disabled = false;
        notify(errorMessage(err), 'error');
      }
    });
    return h('div', {}, state, s.required ? h('p', { class: 'warning', role: 'note' }, t('mfa.requiredText')) : null, h('p', { class: 'muted' }, t('mfa.offText')), start);
  }
  const regenerate = opener(t('mfa.newCodes'), {
    fields: [totpField()],
    submitLabel: t('mfa.newCodes'),
    intro: t('mfa.newCodesIntro'),
    async submit(v) {
      const res = await api.post('/auth/mfa/recovery-codes', { code: v.code.replace(/\s/g, '') });
      mount(box, codesView(res.recovery_codes, reload));
    },
  });
  const disable = opener(t('mfa.turnOff'), {
    fields: [
      { ...totpField(), required: false },
      { name: 'password', label: t('auth.password'), type: 'password', maxLength: 256, trim: false, autocomplete: 'current-password' },
    ],
    submitLabel: t('mfa.turnOff'),
    intro: t(s.required ? 'mfa.turnOffRequired' : 'mfa.turnOffIntro'),
    async submit(v) {
      const body = v.code ? { code: v.code.replace(/\s/g, '') } : { password: v.password };
      if (!v.code && !v.password) throw Object.assign(new Error(t('mfa.codeOrPassword')), { field: null });
      await api.post('/auth/mfa/disable', body);
      notify(t('mfa.turnedOff'));
      reload();
    },
  });
  return h(
    'div',
    {},
    state,
    h('p', { class: 'muted' }, t('mfa.onText', { count: s.recovery_codes_left })),
    h('div', { class: 'mfa-actions' }, regenerate, disable),
  );
}

/** The account page's card. */
export function mfaCard() {
  const box = h('div', { class: 'mfa-card' });
  const reload = loadInto(box, () => api.get('/auth/mfa'), (s) => statusView(s, box, reload));
  return card(t('mfa.title'), box);
}
