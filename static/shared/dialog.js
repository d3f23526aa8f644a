// Modal dialogs built on <dialog>: keyboard friendly (Esc cancels, focus is trapped by the
// browser) and resolved as promises.
import { h } from './dom.js';
import { t } from './i18n.js';
import { copyButton, errorMessage, notify } from './ui.js';

function open(dialog) {
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
}

/**
 * confirmDialog({title, message, confirmLabel, danger}) → Promise<boolean>.
 * The safe choice (cancel) has the focus first.
 */
export function confirmDialog({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' }, t('action.cancel'));
    const confirm = h('button', { type: 'button', class: ['btn', danger ? 'danger' : 'primary'], value: 'ok' }, confirmLabel || t('action.confirm'));
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title),
      message ? h('p', {}, message) : null,
      h('div', { class: 'dialog-actions' }, cancel, confirm),
    );
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => resolve(answer));
    open(dialog);
    cancel.focus();
  });
}

/**
 * A button for an action on the server: asks `confirm` ({title, message, confirmLabel}) first when
 * given, runs `run()`, then says `done` and calls `after()`; a failure is told and the button
 * comes back.
 */
export function actionButton(label, { primary = false, danger = false, small = true, confirm, run, done, after }) {
  const btn = h('button', { type: 'button', class: ['btn', small && 'small', primary && 'primary', danger && 'danger'] }, label);
  btn.addEventListener('click', async () => {
    if (confirm && !(await confirmDialog(confirm))) return;
    btn.disabled = true;
    try {
      await run();
      if (done) notify(done);
      if (after) after();
    } catch (err) {
      notify(errorMessage(err), 'error');
    } finally {
      if (btn.isConnected) btn.disabled = false;
    }
  });
  return btn;
}

/** Shows a secret exactly once, with a copy button and a clear warning. */
export function secretDialog({ title, secret, note }) {
  return new Promise((resolve) => {
    const value = h('input', { type: 'text', class: 'secret-value', readonly: true, value: secret, 'aria-label': t('secret.value'), spellcheck: 'false' });
    const done = h('button', { type: 'button', class: 'btn primary' }, t('secret.done'));
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'secret-title' },
      h('h2', { id: 'secret-title' }, title),
      h('p', { class: 'warning', role: 'note' }, t('secret.warning')),
      note ? h('p', { class: 'muted' }, note) : null,
      h('div', { class: 'secret-row' }, value, copyButton(() => secret)),
      h('div', { class: 'dialog-actions' }, done),
    );
    done.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => resolve());
    value.addEventListener('focus', () => value.select());
    open(dialog);
    value.focus();
  });
}
