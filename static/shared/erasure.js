// Erasure (LGPD art. 18): "Apagar empresa" and "Apagar pessoa". The dialog first loads the
// preview, names what will be lost (counts by kind) and what is kept, and asks to type the
// CNPJ or slug (a company) or the e-mail address (a person) before the button that names the
// action; the way out is always "Voltar" / "Back".
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { errorMessage, notify } from './ui.js';

const COMPANY_KINDS = ['users', 'sessions', 'invitations', 'second_factors', 'grants', 'secrets', 'links', 'config_values', 'domains'];
const PERSON_KINDS = ['sessions', 'invitations', 'second_factors', 'grants'];

/** The list of what will be lost: each kind with its count, zero counts included. */
function lossList(counts, kinds) {
  return h(
    'ul',
    { class: 'erasure-losses', dataset: { erasureLosses: '' } },
    kinds.map((k) => h('li', { dataset: { kind: k } }, h('strong', {}, String(counts[k] ?? 0)), ' ', t(`erasure.count.${k}`))),
  );
}

function keptText(preview) {
  const fields = (preview.kept || []).map((f) => t(`erasure.field.${f}`));
  const audit = t('erasure.keptAudit', { count: preview.counts.audit_events ?? 0 });
  if (preview.kind === 'person') return t('erasure.keptPerson') + ' ' + audit;
  return (fields.length ? t('erasure.keptFields', { fields: fields.join(', ') }) : t('erasure.keptNothing')) + ' ' + audit;
}

/** Opens the dialog for `path` (…/erasure); resolves the erasure, or null when left. */
async function eraseDialog({ path, label, title, confirmHint }) {
  const preview = await api.get(path);
  return new Promise((resolve) => {
    let result = null;
    const person = preview.kind === 'person';
    const input = h('input', { type: 'text', name: 'confirmation', required: true, maxLength: 254, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'erasure-hint' });
    const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const back = h('button', { type: 'button', class: 'btn' }, t('action.back'));
    const go = h('button', { type: 'submit', class: 'btn danger' }, label);
    const form = h(
      'form',
      { novalidate: true },
      h('label', { for: 'erasure-confirmation' }, t('erasure.typeLabel')),
      h('p', { id: 'erasure-hint', class: 'muted' }, confirmHint),
      input,
      problem,
      h('div', { class: 'dialog-actions' }, back, go),
    );
    input.id = 'erasure-confirmation';
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'erasure-title', dataset: { erasureDialog: preview.kind } },
      h('h2', { id: 'erasure-title' }, title),
      h('p', { class: 'warning', role: 'note' }, t(person ? 'erasure.warnPerson' : 'erasure.warnCompany', { name: preview.subject })),
      h('p', {}, t('erasure.lost')),
      lossList(preview.counts, person ? PERSON_KINDS : COMPANY_KINDS),
      h('p', { class: 'muted', dataset: { erasureKept: '' } }, keptText(preview)),
      form,
    );
    back.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      go.disabled = true;
      problem.hidden = true;
      try {
        result = await api.post(path, { confirmation: input.value.trim() });
        dialog.close();
      } catch (err) {
        problem.textContent = errorMessage(err);
        problem.hidden = false;
        input.focus();
      } finally {
        go.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    back.focus();
  });
}

function button(label, open, after) {
  const btn = h('button', { type: 'button', class: 'btn danger' }, label);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const done = await open();
      if (done) after(done);
    } catch (err) {
      notify(errorMessage(err), 'error');
    } finally {
      if (btn.isConnected) btn.disabled = false;
    }
  });
  return btn;
}

/** "Apagar empresa", for the owner. */
export function eraseCompanyButton(company, name, after) {
  const path = `/companies/${encodeURIComponent(company.id)}/erasure`;
  const label = t('erasure.company');
  return button(
    label,
    () => eraseDialog({ path, label, title: t('erasure.companyTitle', { name }), confirmHint: t('erasure.companyHint', { slug: company.slug }) }),
    () => {
      notify(t('erasure.companyDone', { name }));
      after();
    },
  );
}

/** Whether the user is already erased (their address is under the reserved domain). */
export function isErased(user) {
  return /@apagado\.invalid$/i.test(user.email || '');
}

/** "Apagar pessoa", for a company admin or the owner; not shown for one already erased. */
export function eraseUserButton(companyId, user, after) {
  if (isErased(user)) return null;
  const who = user.name || user.email;
  const path = `/companies/${encodeURIComponent(companyId)}/users/${encodeURIComponent(user.id)}/erasure`;
  const label = t('erasure.person');
  const b = button(
    label,
    () => eraseDialog({ path, label, title: t('erasure.personTitle', { name: who }), confirmHint: t('erasure.personHint', { email: user.email }) }),
    () => {
      notify(t('erasure.personDone', { name: who }));
      after();
    },
  );
  b.classList.add('small');
  return b;
}
