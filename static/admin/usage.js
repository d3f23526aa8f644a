// Usage reports: requests per day for everyone, one company or one application, with CSV.
import { allItems } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { usagePanel } from '../shared/usage.js';
import { loadingState, pageHeader } from '../shared/ui.js';

export function render({ query, setTitle }) {
  setTitle(t('nav.usage'));
  const body = h('div', {}, loadingState());
  allItems('/applications')
    .catch(() => [])
    .then((apps) => mount(body, usagePanel({ applications: apps, companyFilter: true, initial: query })));
  return h('div', {}, pageHeader(t('nav.usage'), { subtitle: t('usage.subtitle') }), body);
}
