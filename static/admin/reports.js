// Anonymised reports for third parties: the owner picks the kind, the period and the recipient
// and downloads. Every person in the report is a pseudonym, the same for one recipient in every
// report and unrelated between recipients, so two recipients cannot join their reports.
import { apiUrl } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { card, pageHeader } from '../shared/ui.js';

const day = (d) => d.toISOString().slice(0, 10);

export function reportsCard() {
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 29 * 86400000);
  const kind = h('select', { name: 'kind' }, h('option', { value: 'audit' }, t('reports.kind.audit')), h('option', { value: 'usage' }, t('reports.kind.usage')));
  const from = h('input', { type: 'date', name: 'from', value: day(monthAgo) });
  const to = h('input', { type: 'date', name: 'to', value: day(today) });
  const recipient = h('input', { type: 'text', name: 'recipient', maxlength: 64, placeholder: t('reports.recipientPlaceholder') });
  const format = h('select', { name: 'format' }, h('option', { value: 'csv' }, 'CSV'), h('option', { value: 'json' }, 'JSON'));
  const dayOnly = h('input', { type: 'checkbox', name: 'day_precision' });
  const link = h('a', { class: 'btn primary', 'data-report-download': '' }, t('reports.download'));
  const periodError = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const refresh = () => {
    const isCsv = format.value === 'csv';
    dayOnly.disabled = kind.value !== 'audit';
    // A period the server would refuse gives no link, rather than a downloaded error.
    const bad = from.value && to.value && from.value > to.value;
    periodError.textContent = bad ? t('reports.badPeriod') : '';
    if (bad) link.setAttribute('aria-disabled', 'true');
    else link.removeAttribute('aria-disabled');
    if (bad) {
      link.removeAttribute('href');
      return;
    }
    link.href = apiUrl(`/reports/${kind.value}`, {
      from: from.value,
      to: to.value,
      recipient: recipient.value.trim(),
      format: format.value,
      day_precision: kind.value === 'audit' && dayOnly.checked ? true : undefined,
    });
    link.setAttribute('download', `armario-${kind.value}-anonimizado.${isCsv ? 'csv' : 'json'}`);
  };
  for (const el of [kind, from, to, recipient, format, dayOnly]) {
    el.addEventListener('input', refresh);
    el.addEventListener('change', refresh);
  }
  refresh();
  const label = (text, control) => h('label', { class: 'field' }, text, control);
  return card(
    t('reports.title'),
    h('p', { class: 'muted' }, t('reports.explain')),
    h(
      'div',
      { class: 'row' },
      label(t('reports.kind'), kind),
      label(t('reports.from'), from),
      label(t('reports.to'), to),
      label(t('reports.recipient'), recipient),
      label(t('reports.format'), format),
      h('label', {}, dayOnly, ' ', t('reports.dayPrecision')),
    ),
    periodError,
    h('p', { class: 'field-hint' }, t('reports.recipientHint')),
    h('div', { class: 'row' }, link),
  );
}

export function render({ setTitle }) {
  setTitle(t('reports.title'));
  return h('div', {}, pageHeader(t('reports.title')), reportsCard());
}
