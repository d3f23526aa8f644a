// Privacy (LGPD): the person's own data-subject requests, a new request, the download of their
// data and the encarregados' contacts; for company admins also the company's requests, its
// export and its encarregado. The owner works the requests in the dashboard.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { withCompany } from './common.js';

const KINDS = ['access', 'correction', 'portability', 'anonymisation', 'deletion'];

/** Saves `data` as a JSON file: exports are answered as JSON and downloaded by the browser. */
function download(name, data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

function requestRows(items) {
  if (!items.length) return h('p', { class: 'muted' }, t('privacy.none'));
  return h(
    'table',
    { class: 'table', 'data-testid': 'privacy-requests' },
    h('thead', {}, h('tr', {}, h('th', {}, t('privacy.kind')), h('th', {}, t('privacy.person')), h('th', {}, t('privacy.status')), h('th', {}, t('privacy.due')))),
    h(
      'tbody',
      {},
      ...items.map((r) =>
        h(
          'tr',
          { 'data-id': r.id, class: r.overdue ? 'overdue' : '' },
          h('td', {}, t(`privacy.kind.${r.kind}`)),
          h('td', {}, r.user_name || r.user_id),
          h('td', { 'data-status': r.status }, t(`privacy.status.${r.status}`), r.refusal_reason ? ` — ${r.refusal_reason}` : ''),
          h('td', {}, new Date(r.due_at).toLocaleDateString(), r.overdue ? ` (${t('privacy.overdue')})` : ''),
        ),
      ),
    ),
  );
}

function dpoCard(title, d) {
  return h('div', { class: 'card' }, h('h3', {}, title), d && d.name ? h('p', {}, d.name, h('br'), d.email, d.phone ? h('br') : null, d.phone || null) : h('p', { class: 'muted' }, t('privacy.noDpo')));
}

function dpoForm(companyId, d, reload) {
  const name = h('input', { name: 'name', value: (d && d.name) || '', required: true });
  const email = h('input', { name: 'email', type: 'email', value: (d && d.email) || '', required: true });
  const phone = h('input', { name: 'phone', value: (d && d.phone) || '' });
  const msg = h('p', { role: 'status' });
  return h(
    'form',
    {
      class: 'card',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await api.put(`/companies/${companyId}/dpo`, { name: name.value, email: email.value, phone: phone.value || null });
          reload();
        } catch (err) {
          msg.textContent = err.message;
        }
      },
    },
    h('h3', {}, t('privacy.editDpo')),
    h('label', {}, t('privacy.dpoName'), name),
    h('label', {}, t('privacy.dpoEmail'), email),
    h('label', {}, t('privacy.dpoPhone'), phone),
    msg,
    h('button', { class: 'btn', type: 'submit' }, t('privacy.saveDpo')),
  );
}

export function render(ctx) {
  return withCompany(ctx, 'portalNav.privacy', (company, reload) => {
    const id = encodeURIComponent(company.id);
    const me = ctx.session.user.id;
    const box = h('div', {});
    Promise.all([
      api.get(`/companies/${id}/privacy-requests`),
      api.get(`/companies/${id}/dpo`),
      api.get('/settings/dpo'),
    ]).then(([reqs, dpo, platform]) => {
      const mine = reqs.items.filter((r) => r.user_id === me);
      const kind = h('select', { name: 'kind' }, ...KINDS.map((k) => h('option', { value: k }, t(`privacy.kind.${k}`))));
      const details = h('textarea', { name: 'details', maxlength: 2000 });
      const msg = h('p', { role: 'status' });
      mount(
        box,
        h('h2', {}, t('privacy.mine')),
        requestRows(mine),
        h(
          'form',
          {
            class: 'card',
            onsubmit: async (ev) => {
              ev.preventDefault();
              try {
                await api.post(`/companies/${id}/privacy-requests`, { kind: kind.value, details: details.value || null });
                reload();
              } catch (err) {
                msg.textContent = err.message;
              }
            },
          },
          h('h3', {}, t('privacy.new')),
          h('label', {}, t('privacy.kind'), kind),
          h('label', {}, t('privacy.details'), details),
          msg,
          h('button', { class: 'btn primary', type: 'submit' }, t('privacy.file')),
        ),
        h('button', { class: 'btn', type: 'button', onclick: async () => download('my-data.json', await api.post(`/companies/${id}/users/${encodeURIComponent(me)}/export`)) }, t('privacy.downloadMine')),
        h('h2', {}, t('privacy.dpos')),
        dpoCard(t('privacy.companyDpo'), dpo),
        dpoCard(t('privacy.platformDpo'), platform),
        ctx.isAdmin ? dpoForm(id, dpo, reload) : null,
        ctx.isAdmin ? h('h2', {}, t('privacy.companyRequests')) : null,
        ctx.isAdmin ? requestRows(reqs.items) : null,
        ctx.isAdmin ? h('button', { class: 'btn', type: 'button', onclick: async () => download('company-data.json', await api.post(`/companies/${id}/export`)) }, t('privacy.downloadCompany')) : null,
      );
    });
    return box;
  });
}
