// The user dialog's "Application roles": one group of checkboxes per application linked to
// the company that declares roles, ticked for the roles the user holds. Saving sends only the
// applications whose boxes changed (PUT .../app-roles/{application_id}).
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export function userAppRoles(companyId, user) {
  const base = `/companies/${encodeURIComponent(companyId)}`;
  const el = h('fieldset', { class: 'app-roles', dataset: { appRoles: '' } }, h('legend', {}, t('roles.userSection')), h('p', { class: 'muted' }, t('state.loading')));
  // Per application: its boxes and the keys held when the dialog opened.
  const groups = [];
  const ready = Promise.all([api.get(`${base}/app-roles`), api.get(`${base}/users/${encodeURIComponent(user.id)}/app-roles`)])
    .then(([catalog, held]) => {
      const heldBy = Object.fromEntries((held.items || []).map((i) => [i.application_id, i.roles]));
      const apps = (catalog.items || []).filter((a) => a.roles.length);
      const parts = apps.map((a) => {
        const had = heldBy[a.application_id] || [];
        const boxes = a.roles.map((r) => ({ key: r.key, box: h('input', { type: 'checkbox', value: r.key, checked: had.includes(r.key), dataset: { app: a.application_id, role: r.key } }) }));
        groups.push({ app: a.application_id, had: [...had].sort(), boxes });
        return h(
          'div',
          { class: 'app-roles-group' },
          h('p', {}, h('strong', {}, a.application_name)),
          h('div', { class: 'checks stacked' }, boxes.map(({ key, box }) => {
            const role = a.roles.find((r) => r.key === key);
            return h('label', { title: role.description || '' }, box, ' ', role.name, ' ', h('code', { class: 'muted' }, key));
          })),
        );
      });
      el.replaceChildren(h('legend', {}, t('roles.userSection')), ...(parts.length ? parts : [h('p', { class: 'muted' }, t('roles.userNone'))]));
    })
    .catch(() => el.remove());

  return {
    el,
    /** Sends the applications whose roles changed; true when something was sent. */
    async save() {
      await ready;
      let sent = false;
      for (const g of groups) {
        const now = g.boxes.filter((b) => b.box.checked).map((b) => b.key).sort();
        if (now.join(' ') === g.had.join(' ')) continue;
        await api.put(`${base}/users/${encodeURIComponent(user.id)}/app-roles/${encodeURIComponent(g.app)}`, { roles: now });
        g.had = now;
        sent = true;
      }
      return sent;
    },
  };
}
