// The company's configuration for each linked application, in forms generated from the
// schemas the applications declared (company admins only, like the API).
import { h } from '../shared/dom.js';
import { configPanels } from '../shared/config-form.js';
import { t } from '../shared/i18n.js';
import { withCompany } from './common.js';

export function render(ctx) {
  return withCompany(ctx, 'portalNav.config', (company) => h('div', {}, h('p', { class: 'muted' }, t('config.intro')), configPanels(company.id)));
}
