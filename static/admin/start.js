// The first steps on a fresh install: a company, an application, a key and a link. Each is
// ticked once done; the list leaves the overview when all four are.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';

const any = async (path, query) => {
  const page = await api.get(path, { ...query, limit: 1 });
  return Boolean(page && page.items && page.items.length);
};

/** {company, application, key, link}: which first steps are done. */
async function progress() {
  const [company, apps, link] = await Promise.all([any('/companies'), api.get('/applications', { limit: 200 }), any('/links')]);
  const items = (apps && apps.items) || [];
  const keys = await Promise.all(items.map((a) => any(`/applications/${encodeURIComponent(a.id)}/credentials`)));
  return { company, application: items.length > 0, key: keys.some(Boolean), link };
}

const STEPS = [
  ['company', '#/companies/new'],
  ['application', '#/applications'],
  ['key', '#/applications'],
  ['link', '#/links'],
];

/** A card that appears only while a first step is left; nothing while it loads or fails. */
export function gettingStarted() {
  const el = h('div');
  progress().then(
    (done) => {
      if (STEPS.every(([k]) => done[k])) return;
      const count = STEPS.filter(([k]) => done[k]).length;
      mount(
        el,
        h(
          'section',
          { class: 'card start', 'aria-labelledby': 'start-title' },
          h('h2', { id: 'start-title' }, t('start.title')),
          h('p', { class: 'muted' }, t('start.progress', { done: count, total: STEPS.length })),
          h(
            'ol',
            { class: 'checklist' },
            STEPS.map(([k, href]) =>
              h(
                'li',
                { class: done[k] ? 'done' : 'todo' },
                h('span', { class: 'check', 'aria-hidden': 'true' }, done[k] ? '✓' : ''),
                done[k] ? h('span', {}, t(`start.${k}`)) : h('a', { href }, t(`start.${k}`)),
                h('span', { class: 'sr-only' }, ` (${t(done[k] ? 'start.done' : 'start.todo')})`),
              ),
            ),
          ),
        ),
      );
    },
    // A helper, not a report: the cards below show the same endpoints' errors.
    () => {},
  );
  return el;
}
