// Links and users carry only ids. The owner's screens show names instead, looked up only for the
// rows on screen (company names once per id and page load).
import { allItems, api } from '../shared/api.js';
import { companyName } from '../shared/company.js';

const companies = new Map();

function companyNameOf(id) {
  if (!companies.has(id)) {
    companies.set(
      id,
      api.get(`/companies/${encodeURIComponent(id)}`).then(companyName, () => id),
    );
  }
  return companies.get(id);
}

/** The items of a page (links, users), each with `company_name` when it has a company. */
export async function withCompanyNames(items) {
  const names = await Promise.all(items.map((it) => (it.company_id ? companyNameOf(it.company_id) : null)));
  return items.map((it, i) => ({ ...it, company_name: names[i] || undefined }));
}

/** The links of a page, each with `application_name` (applications are few: one request). */
export async function withApplicationNames(links) {
  const byId = await allItems('/applications').then(
    (apps) => new Map(apps.map((a) => [a.id, a.name])),
    () => new Map(),
  );
  return links.map((l) => ({ ...l, application_name: byId.get(l.application_id) || l.application_id }));
}
