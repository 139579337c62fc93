import type { BillingDb } from '../db/connection.js';
import { auditEvents } from '../db/tables.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  outcome: string;
  billingAccountId?: number | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** The audit row for an entry; for writing it inside a transaction with the change it records. */
export function auditRow(entry: AuditEntry, at: Date): typeof auditEvents.$inferInsert {
  return {
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    billingAccountId: entry.billingAccountId ?? null,
    detail: entry.detail ?? null,
    createdAt: at.toISOString(),
  };
}

/** Appends to the audit trail. Never pass secrets, card numbers or CVCs in `detail`. */
export async function recordAudit(db: BillingDb, entry: AuditEntry, at: Date): Promise<void> {
  await db.insert(auditEvents).values(auditRow(entry, at));
}
