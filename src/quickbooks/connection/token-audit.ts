/** The token manager's onRefreshed: a refresh that rotated the refresh token is worth an audit line. */
import type { AuditRepository } from '../../audit/audit-repository.js';

export function auditRotations(audit: AuditRepository) {
  return async (realmId: string, info: { rotated: boolean; intuitTid: string | null }): Promise<void> => {
    if (!info.rotated) return;
    await audit.record({
      action: 'quickbooks.refreshed',
      summary: 'Refreshed the QuickBooks tokens; Intuit rotated the refresh token',
      realmId,
      intuitTid: info.intuitTid,
    });
  };
}
