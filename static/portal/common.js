// Every portal screen loads the company named in its URL first: the API answers 404 for a
// company that is not the user's, and the screen then says "not found".
import { api } from '../shared/api.js';
import { companyName } from '../shared/company.js';
import { h, mount } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { errorState, loadingState, notFoundPage, pageHeader } from '../shared/ui.js';

/** withCompany(ctx, titleKey, (company) => nodes) → element that fills in once loaded. */
export function withCompany(ctx, titleKey, build) {
  const root = h('div', {}, loadingState());
  async function load() {
    try {
      const company = await api.get(`/companies/${encodeURIComponent(ctx.params.id)}`);
      ctx.setTitle(t(titleKey));
      mount(root, pageHeader(t(titleKey), { subtitle: companyName(company) }), build(company, load));
      const heading = root.querySelector('h1');
      if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
    } catch (err) {
      if (err.status === 404) {
        ctx.setTitle(t('notFound.title'));
        mount(root, notFoundPage(ctx.home));
        root.querySelector('h1').focus();
      } else {
        mount(root, errorState(err, load));
      }
    }
  }
  load();
  return root;
}
