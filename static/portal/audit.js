// The company's audit trail.
import { auditPanel } from '../shared/audit.js';
import { withCompany } from './common.js';

export function render(ctx) {
  return withCompany(ctx, 'portalNav.audit', (company) => auditPanel({ companyId: company.id }));
}
