// The audit log's hash chain: the server's last verification (at start and daily, or now on
// request), intact or naming the first event that breaks it.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { formatDateTime, formatNumber, formatRelative } from '../shared/format.js';
import { t } from '../shared/i18n.js';
import { card, details, loadInto } from '../shared/ui.js';

export function integrityCard() {
  const body = h('div', { 'data-audit-integrity': '' });
  const show = (load) => loadInto(body, load, (v) => {
      const verify = h('button', { type: 'button', class: 'btn', 'data-verify-now': '' }, t('integrity.verifyNow'));
      verify.onclick = () => {
        verify.disabled = true;
        verify.textContent = t('integrity.verifying');
        show(() => api.post('/audit-integrity'));
      };
      const status = h('span', { class: ['badge', v.status === 'ok' ? 'st-active' : v.status === 'broken' ? 'st-failed' : 'st-pending'] }, t(`integrity.${v.status}`));
      return h(
        'div',
        {},
        h('p', { class: 'muted' }, t('integrity.explain')),
        details([
          [t('integrity.status'), status],
          [t('integrity.verifiedAt'), v.verified_at ? h('span', { title: formatDateTime(v.verified_at) }, formatRelative(v.verified_at)) : t('integrity.never')],
          [t('integrity.checked'), formatNumber(v.events_checked)],
          v.status === 'broken' ? [t('integrity.brokenAt'), t(`integrity.kind.${v.broken_kind || 'edited'}`, { id: v.broken_event_id })] : null,
        ]),
        v.status === 'broken' ? h('p', { class: 'form-error', role: 'alert' }, t('integrity.brokenHelp')) : null,
        h('div', { class: 'row' }, verify),
      );
    });
  show(() => api.get('/audit-integrity'));
  return card(t('integrity.title'), body);
}
