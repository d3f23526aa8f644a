// The application page's Roles card: the roles the application declares (key, name,
// description), added, edited and removed by the owner. Every change sends the whole list
// (PUT /applications/{id}/roles); removing a role removes its grants, so it asks first.
import { api } from '../shared/api.js';
import { actionButton } from '../shared/dialog.js';
import { h } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { table } from '../shared/list.js';
import { card, emptyState, loadInto, notify } from '../shared/ui.js';
import { formDialog } from '../shared/user-edit.js';

const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const rolesPath = (app) => `/applications/${encodeURIComponent(app.id)}/roles`;

/** What the API takes back: the declared fields only. */
const plain = (r) => ({ key: r.key, name: r.name, ...(r.description ? { description: r.description } : {}) });

export function rolesCard(app) {
  const body = h('div');
  let roles = [];
  const save = (next) => api.put(rolesPath(app), { roles: next.map(plain) }).then((r) => (roles = r.roles));

  const editButton = (role) => {
    const btn = h('button', { type: 'button', class: 'btn small' }, t('roles.edit'));
    btn.addEventListener('click', async () => {
      const saved = await formDialog({
        title: t('roles.editTitle', { key: role.key }),
        fields: [
          { name: 'name', label: t('roles.name'), required: true, maxLength: 80, value: role.name, autocomplete: 'off' },
          { name: 'description', label: t('roles.description'), type: 'textarea', maxLength: 300, value: role.description || '' },
        ],
        submitLabel: t('action.save'),
        onSubmit: (v) => save(roles.map((r) => (r.key === role.key ? { key: r.key, name: v.name, description: v.description } : r))),
      });
      if (saved) {
        notify(t('roles.saved', { key: role.key }));
        reload();
      }
    });
    return btn;
  };

  const removeButton = (role) =>
    actionButton(t('roles.remove'), {
      danger: true,
      confirm: { title: t('roles.removeTitle', { key: role.key }), message: t('roles.removeText'), confirmLabel: t('roles.remove') },
      run: () => save(roles.filter((r) => r.key !== role.key)),
      done: t('roles.removed', { key: role.key }),
      after: reload,
    });

  function reload() {
    return loadInto(
      body,
      () => api.get(rolesPath(app)),
      (answer) => {
        roles = answer.roles || [];
        if (!roles.length) return emptyState(t('roles.empty'));
        return table(
          [
            { label: t('roles.key'), render: (r) => h('code', {}, r.key) },
            { label: t('roles.name'), render: (r) => h('strong', {}, r.name) },
            { label: t('roles.description'), render: (r) => r.description || '—' },
            { label: t('list.actions'), className: 'actions', render: (r) => h('div', { class: 'row-actions' }, editButton(r), removeButton(r)) },
          ],
          roles,
          { caption: t('roles.title') },
        );
      },
    );
  }

  const form = createForm({
    columns: 2,
    fields: [
      {
        name: 'key',
        label: t('roles.keyField'),
        required: true,
        maxLength: 40,
        autocomplete: 'off',
        hint: t('roles.keyHint'),
        validate: (v) => (!v ? null : !KEY.test(v) ? t('roles.keyInvalid') : roles.some((r) => r.key === v) ? t('roles.keyTaken') : null),
      },
      { name: 'name', label: t('roles.nameField'), required: true, maxLength: 80, autocomplete: 'off' },
      { name: 'description', label: t('roles.descriptionField'), maxLength: 300, autocomplete: 'off' },
    ],
    submitLabel: t('roles.add'),
    async onSubmit(v) {
      try {
        await save([...roles, { key: v.key, name: v.name, description: v.description }]);
      } catch (err) {
        // The new role is the last of the list: point the error at its field in this form.
        if (err.field) err.field = err.field.replace(/^roles\[\d+\]\./, '');
        throw err;
      }
      for (const f of Object.values(form.fields)) f.value = '';
      notify(t('roles.added', { key: v.key }));
      reload();
    },
  });
  reload();
  return card(t('roles.title'), h('p', { class: 'muted' }, t('roles.intro')), body, h('h3', {}, t('roles.new')), form.el);
}
