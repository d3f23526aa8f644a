// The company's users: company admins manage them, members see the list read-only.
import { usersPanel } from '../shared/users.js';
import { withCompany } from './common.js';

export function render(ctx) {
  return withCompany(ctx, 'portalNav.users', (company) => usersPanel({ companyId: company.id, canManage: ctx.isAdmin, selfId: ctx.session.user.id }));
}
