import type { StoreDb } from '../db/store.js';
import type { auditEvents } from '../db/tables.js';
import type { BillingServices } from './services.js';

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
/** Writes the entry inside `tx`, or in a transaction of its own. */
export async function recordAudit(services: BillingServices, entry: AuditEntry, at: Date, tx?: StoreDb): Promise<void> {
  const write = (db: StoreDb) => db.insert(services.store.t.auditEvents).values(auditRow(entry, at));
  await (tx ? write(tx) : services.store.transaction(write));
}
