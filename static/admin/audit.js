// The audit log of the whole platform, filtered by period, action, actor and company.
import { auditPanel } from '../shared/audit.js';
import { integrityCard } from './audit-integrity.js';
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { pageHeader } from '../shared/ui.js';

export function render({ query, setTitle }) {
  setTitle(t('nav.audit'));
  return h(
    'div',
    {},
    pageHeader(t('nav.audit'), { subtitle: t('audit.subtitle') }),
    integrityCard(),
    auditPanel({ ownerView: true, companyHref: (id) => `#/companies/${encodeURIComponent(id)}?tab=audit`, initial: query }),
  );
}
