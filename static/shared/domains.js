// A company's custom domains: the host names at which its portal answers and by which
// applications find it (`GET /app/resolve`). Company admins and the owner add and remove them;
// members read them.
import { api } from './api.js';
import { actionButton } from './dialog.js';
import { h } from './dom.js';
import { createForm } from './form.js';
import { formatDateTime } from './format.js';
import { t } from './i18n.js';
import { pagedTable } from './list.js';
import { card, notify } from './ui.js';

/** domainsCard(companyId, {canManage}) → a card with the list and, for managers, the add form. */
export function domainsCard(companyId, { canManage }) {
  const path = `/companies/${encodeURIComponent(companyId)}/domains`;
  const columns = [
    { label: t('domains.domain'), render: (d) => h('code', {}, d.domain) },
    { label: t('domains.added'), render: (d) => formatDateTime(d.created_at) },
  ];
  if (canManage) {
    columns.push({
      label: t('list.actions'),
      className: 'actions',
      render: (d) =>
        actionButton(t('domains.remove'), {
          confirm: { title: t('domains.removeTitle', { domain: d.domain }), message: t('domains.removeText'), confirmLabel: t('domains.remove') },
          run: () => api.del(`${path}/${encodeURIComponent(d.domain)}`),
          done: t('domains.removed', { domain: d.domain }),
          after: () => list.reload(),
        }),
    });
  }
  const list = pagedTable({ columns, caption: t('domains.title'), empty: t('domains.empty'), load: (cursor) => api.get(path, { cursor, limit: 50 }) });
  const form = canManage
    ? createForm({
        fields: [{ name: 'domain', label: t('domains.new'), required: true, maxLength: 253, autocomplete: 'off', placeholder: 'portal.padaria.com.br', hint: t('domains.hint') }],
        submitLabel: t('domains.add'),
        async onSubmit(v) {
          await api.post(path, { domain: v.domain });
          notify(t('domains.addedNotice', { domain: v.domain }));
          form.fields.domain.value = '';
          list.reload();
        },
      })
    : null;
  return card(t('domains.title'), h('p', { class: 'muted' }, t('domains.intro')), list.el, form ? form.el : null);
}
