// The company's API usage: a chart, a table and the CSV.
import { api } from '../shared/api.js';
import { h, mount } from '../shared/dom.js';
import { usagePanel } from '../shared/usage.js';
import { loadingState } from '../shared/ui.js';
import { withCompany } from './common.js';

export function render(ctx) {
  return withCompany(ctx, 'portalNav.usage', (company) => {
    const box = h('div', {}, loadingState());
    // Application names come from the company's links; usage still shows ids without them.
    api
      .get(`/companies/${encodeURIComponent(company.id)}/links`)
      .then((d) => ((d && d.items) || []).map((l) => ({ id: l.application_id, name: l.application_name || l.application_id })))
      .catch(() => [])
      .then((apps) => mount(box, usagePanel({ companyId: company.id, applications: apps })));
    return box;
  });
}
