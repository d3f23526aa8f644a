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
 * The button names the action (confirmLabel); the way out is always "Voltar" / "Back", so a
 * dialog about cancelling never offers two buttons that both say "cancel". The safe choice has
 * the focus first.
 */
export function confirmDialog({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' }, t('action.back'));
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

/**
 * Shows a secret exactly once, with a copy button and a clear warning. Until the secret has been
 * copied (the copy button, or a copy from the field), every way of closing (the done button, the
 * close button, Escape, a click on the backdrop) asks first, so the only copy is not lost by a
 * slip.
 */
export function secretDialog({ title, secret, note }) {
  return new Promise((resolve) => {
    let copied = false;
    let leaving = false;
    let asking = false;
    const value = h('input', { type: 'text', class: 'secret-value', readonly: true, value: secret, 'aria-label': t('secret.value'), spellcheck: 'false' });
    const done = h('button', { type: 'button', class: 'btn primary' }, t('secret.done'));
    const close = h('button', { type: 'button', class: 'btn small dialog-close', 'aria-label': t('secret.close') }, '×');
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'secret-title' },
      h('div', { class: 'dialog-head' }, h('h2', { id: 'secret-title' }, title), close),
      h('p', { class: 'warning', role: 'note' }, t('secret.warning')),
      note ? h('p', { class: 'muted' }, note) : null,
      h('div', { class: 'secret-row' }, value, copyButton(() => secret, undefined, () => (copied = true))),
      h('div', { class: 'dialog-actions' }, done),
    );
    const leave = () => {
      leaving = true;
      if (dialog.open) dialog.close();
    };
    async function tryClose() {
      if (copied) return leave();
      if (asking) return;
      asking = true;
      const sure = await confirmDialog({ title: t('secret.leaveTitle'), message: t('secret.leaveText'), confirmLabel: t('secret.leave') });
      asking = false;
      if (sure) leave();
      else value.focus();
    }
    value.addEventListener('copy', () => (copied = true));
    done.addEventListener('click', tryClose);
    close.addEventListener('click', tryClose);
    // A cancel the browser lets us refuse is refused and asked about; one it does not (Escape
    // pressed again with no user activation between) is handled by the close listener below.
    dialog.addEventListener('cancel', (e) => {
      if (!e.cancelable) return;
      e.preventDefault();
      tryClose();
    });
    // The backdrop is the dialog element itself, outside its box.
    dialog.addEventListener('click', (e) => {
      if (e.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) tryClose();
    });
    dialog.addEventListener('close', () => {
      // Closed by the browser without asking: show it again and ask.
      if (!leaving) {
        dialog.showModal();
        tryClose();
        return;
      }
      dialog.remove();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    value.focus();
  });
}
