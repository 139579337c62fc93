// BillingReads once, for every dialect: the SQL (written in the subset SQLite and PostgreSQL both
// run: quoted camelCase aliases, row-value comparisons, IS NOT DISTINCT FROM) and the row mapping.
// A dialect supplies only how a list of ids is bound and how a statement runs (reads-sqlite.ts,
// reads-pg.ts), so both answer every lookup identically (reads.test.ts runs on both).
import type {
  AccountRow,
  ApiKeyRow,
  BillingReads,
  CreditApplicationRow,
  CreditRow,
  InvoiceKey,
  InvoiceListFilter,
  InvoicePageQuery,
  InvoiceRow,
  InvoiceScope,
  LineItemRow,
  PaymentMethodRow,
  PaymentRow,
  ProfileRow,
  RoleAssignmentRow,
  UserRow,
  WebhookDeliveryAttemptReadRow,
  WebhookDeliveryPageQuery,
  WebhookDeliveryReadRow,
  WebhookEndpointReadRow,
  WireTransferReadRow,
} from './reads.js';

export interface ReadDialect {
  /** `column <inList>` matches any value of one bound list (with one `?`). */
  inList: string;
  /** The bound value of a list for `inList`. */
  listParam(values: readonly (number | string)[]): unknown;
  /** Runs one statement with `?` placeholders. */
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

const INVOICE_COLUMNS = `i.id, i.number, i.billing_account_id AS "billingAccountId", i.billing_profile_id AS "billingProfileId",
  i.period_start AS "periodStart", i.period_end AS "periodEnd", i.invoice_date AS "invoiceDate", i.due_date AS "dueDate",
  i.currency, i.subtotal_minor AS "subtotalMinor", i.tax_minor AS "taxMinor", i.total_minor AS "totalMinor",
  i.amount_due_minor AS "amountDueMinor", i.credit_applied_minor AS "creditAppliedMinor",
  i.next_autopay_at AS "nextAutopayAt", i.lifecycle, i.paid_at AS "paidAt"`;
const PROFILE_COLUMNS = `id, billing_account_id AS "billingAccountId", display_name AS "displayName", currency,
  invoice_email AS "invoiceEmail", default_payment_method_id AS "defaultPaymentMethodId",
  default_payment_type AS "defaultPaymentType", autopay`;
const PAYMENT_COLUMNS = `p.id, p.billing_account_id AS "billingAccountId", i.billing_profile_id AS "billingProfileId",
  p.invoice_id AS "invoiceId", p.payment_method_id AS "paymentMethodId", p.amount_minor AS "amountMinor", p.currency,
  p.status, p.failure_code AS "failureCode", p.processor_reference AS "processorReference", p.created_at AS "createdAt",
  p.updated_at AS "updatedAt"`;
const PAYMENT_METHOD_COLUMNS = `m.id, m.billing_account_id AS "billingAccountId", m.billing_profile_id AS "billingProfileId",
  m.brand, m.last4, m.exp_month AS "expMonth", m.exp_year AS "expYear", m.holder_name AS "holderName",
  m.created_at AS "createdAt", m.removed_at AS "removedAt", m.not_for_recurring AS "notForRecurring",
  (bp.default_payment_method_id IS NOT DISTINCT FROM m.id) AS "isDefault"`;
const API_KEY_COLUMNS = `id, billing_account_id AS "billingAccountId", name, prefix, scopes, created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

const WEBHOOK_ENDPOINT_COLUMNS = `id, billing_account_id AS "billingAccountId", url, description, event_types AS "eventTypes",
  enabled, previous_secret_expires_at AS "previousSecretExpiresAt", created_at AS "createdAt", updated_at AS "updatedAt"`;
// The event's data as text on both dialects (CAST of jsonb is its JSON text).
const WEBHOOK_DELIVERY_SELECT = `SELECT d.id, d.endpoint_id AS "endpointId", d.billing_account_id AS "billingAccountId",
  d.status, d.attempt_count AS "attemptCount", d.next_attempt_at AS "nextAttemptAt", d.created_at AS "createdAt",
  d.updated_at AS "updatedAt", e.id AS "eventId", e.type AS "eventType", e.sequence AS "eventSequence",
  e.occurred_at AS "occurredAt", CAST(e.data AS TEXT) AS "eventData"
  FROM webhook_deliveries d JOIN billing_events e ON e.sequence = d.event_sequence`;

const statements = (IN: string) =>
  ({
    usersByIds: `SELECT id, email, display_name AS "displayName" FROM users WHERE id ${IN}`,
    roleAssignmentsByUserIds: `SELECT user_id AS "userId", billing_account_id AS "billingAccountId",
    billing_profile_id AS "billingProfileId", role FROM billing_role_assignments WHERE user_id ${IN}`,
    accountsByIds: `SELECT id, display_name AS "displayName", agreement_type AS "agreementType", status,
    owner_user_id AS "ownerUserId", created_at AS "createdAt" FROM billing_accounts WHERE id ${IN}`,
    profilesByIds: `SELECT ${PROFILE_COLUMNS} FROM billing_profiles WHERE id ${IN}`,
    profilesByAccountIds: `SELECT ${PROFILE_COLUMNS} FROM billing_profiles WHERE billing_account_id ${IN} ORDER BY id`,
    invoicesByIds: `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.id ${IN}`,
    invoicesByNumbers: `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE i.number ${IN}`,
    lineItemsByInvoiceIds: `SELECT l.id, l.invoice_id AS "invoiceId", l.position, l.description,
    l.service_name AS "serviceName", l.quantity, l.unit_price_minor AS "unitPriceMinor", l.amount_minor AS "amountMinor",
    i.currency FROM invoice_line_items l JOIN invoices i ON i.id = l.invoice_id
    WHERE l.invoice_id ${IN} ORDER BY l.invoice_id, l.position`,
    paymentsByIds: `SELECT ${PAYMENT_COLUMNS} FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id ${IN}`,
    paymentsByInvoiceIds: `SELECT ${PAYMENT_COLUMNS} FROM payments p JOIN invoices i ON i.id = p.invoice_id
    WHERE p.invoice_id ${IN} ORDER BY p.id DESC`,
    paymentMethodsByIds: `SELECT ${PAYMENT_METHOD_COLUMNS} FROM payment_methods m
    JOIN billing_profiles bp ON bp.id = m.billing_profile_id WHERE m.id ${IN}`,
    activePaymentMethodsByProfileIds: `SELECT ${PAYMENT_METHOD_COLUMNS} FROM payment_methods m
    JOIN billing_profiles bp ON bp.id = m.billing_profile_id
    WHERE m.billing_profile_id ${IN} AND m.removed_at IS NULL
    ORDER BY m.billing_profile_id, "isDefault" DESC, m.id`,
    creditsByAccountIds: `SELECT id, billing_account_id AS "billingAccountId", description, currency,
    amount_minor AS "amountMinor", remaining_minor AS "remainingMinor", expires_on AS "expiresOn", created_at AS "createdAt"
    FROM credits WHERE billing_account_id ${IN} ORDER BY id`,
    creditApplicationsByCreditIds: `SELECT a.id, a.credit_id AS "creditId", a.invoice_id AS "invoiceId",
    a.amount_minor AS "amountMinor", c.currency, a.created_at AS "createdAt"
    FROM credit_applications a JOIN credits c ON c.id = a.credit_id WHERE a.credit_id ${IN} ORDER BY a.credit_id, a.id`,
    wireTransfersByInvoiceIds: `SELECT id, invoice_id AS "invoiceId", reference, amount_minor AS "amountMinor", currency,
    received_on AS "receivedOn", status, hold_reason AS "holdReason", created_at AS "createdAt"
    FROM wire_transfers WHERE invoice_id ${IN} ORDER BY invoice_id, id`,
    apiKeysByIds: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id ${IN}`,
    apiKeysByAccountIds: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE billing_account_id ${IN} ORDER BY id DESC`,
    webhookEndpointsByIds: `SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id ${IN}`,
    webhookEndpointsByAccountIds: `SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints
    WHERE billing_account_id ${IN} ORDER BY id`,
    webhookDeliveriesByIds: `${WEBHOOK_DELIVERY_SELECT} WHERE d.id ${IN}`,
    webhookDeliveryAttemptsByDeliveryIds: `SELECT id, delivery_id AS "deliveryId", started_at AS "startedAt",
    status_code AS "statusCode", duration_ms AS "durationMs", response_body AS "responseBody", error_kind AS "errorKind"
    FROM webhook_delivery_attempts WHERE delivery_id ${IN} ORDER BY delivery_id, id`,
  }) as const;

const ORDER_COLUMN = { invoiceDate: 'i.invoice_date', dueDate: 'i.due_date' } as const;

type Mapper<T> = (row: Record<string, unknown>) => T;
const asIs = <T>(row: Record<string, unknown>) => row as T;
// SQLite answers 0/1 and JSON text where PostgreSQL answers booleans and jsonb.
const paymentMethod: Mapper<PaymentMethodRow> = (row) => ({
  ...(row as unknown as PaymentMethodRow),
  isDefault: Boolean(row.isDefault),
  notForRecurring: Boolean(row.notForRecurring),
});
const profile: Mapper<ProfileRow> = (row) => ({ ...(row as unknown as ProfileRow), autopay: Boolean(row.autopay) });
const apiKey: Mapper<ApiKeyRow> = (row) => ({
  ...(row as unknown as ApiKeyRow),
  scopes: typeof row.scopes === 'string' ? JSON.parse(row.scopes) : row.scopes,
});

const webhookEndpoint: Mapper<WebhookEndpointReadRow> = (row) => ({
  ...(row as unknown as WebhookEndpointReadRow),
  enabled: Boolean(row.enabled),
  eventTypes: typeof row.eventTypes === 'string' ? JSON.parse(row.eventTypes) : row.eventTypes,
});

export function createReads(dialect: ReadDialect): BillingReads {
  const { inList, listParam } = dialect;
  const SQL = statements(inList);
  const all = async <T>(sql: string, params: readonly unknown[], map: Mapper<T> = asIs): Promise<T[]> => {
    const rows = await dialect.all(sql, params);
    return map === asIs ? (rows as T[]) : rows.map(map);
  };
  const byList =
    <T>(sql: string, map?: Mapper<T>) =>
    async (values: readonly (number | string)[]): Promise<T[]> =>
      values.length === 0 ? [] : all(sql, [listParam(values)], map);

  /** Scope and filter as a WHERE clause; the scope comes first so it picks the (scope, date, id) index. */
  function whereClause(scope: InvoiceScope, filter: InvoiceListFilter): { sql: string[]; params: unknown[] } {
    const sql: string[] = [];
    const params: unknown[] = [];
    const profiles = scope.billingProfileIds;
    if (profiles === null) {
      sql.push('i.billing_account_id = ?');
      params.push(scope.billingAccountId);
    } else if (profiles.length === 1) {
      // The profile's own (profile, column, id) index; the account is implied (see InvoiceScope).
      sql.push('i.billing_profile_id = ?');
      params.push(profiles[0]);
    } else {
      sql.push(`i.billing_profile_id ${inList}`);
      params.push(listParam(profiles));
    }
    if (filter.statusConditions) {
      const any = filter.statusConditions.map((c) => {
        const parts = [`i.lifecycle ${inList}`];
        params.push(listParam(c.lifecycles));
        if (c.dueBefore !== undefined) {
          parts.push('i.due_date < ?');
          params.push(c.dueBefore);
        }
        if (c.dueOnOrAfter !== undefined) {
          parts.push('i.due_date >= ?');
          params.push(c.dueOnOrAfter);
        }
        return `(${parts.join(' AND ')})`;
      });
      sql.push(any.length === 0 ? '1 = 0' : `(${any.join(' OR ')})`);
    }
    if (filter.dueOnOrAfter !== undefined) {
      sql.push('i.due_date >= ?');
      params.push(filter.dueOnOrAfter);
    }
    if (filter.dueOnOrBefore !== undefined) {
      sql.push('i.due_date <= ?');
      params.push(filter.dueOnOrBefore);
    }
    if (filter.number !== undefined) {
      sql.push('i.number = ?');
      params.push(filter.number);
    }
    return { sql, params };
  }

  return {
    usersByIds: byList<UserRow>(SQL.usersByIds),
    roleAssignmentsByUserIds: byList<RoleAssignmentRow>(SQL.roleAssignmentsByUserIds),
    accountsByIds: byList<AccountRow>(SQL.accountsByIds),
    profilesByIds: byList(SQL.profilesByIds, profile),
    profilesByAccountIds: byList(SQL.profilesByAccountIds, profile),
    invoicesByIds: byList<InvoiceRow>(SQL.invoicesByIds),
    invoicesByNumbers: byList<InvoiceRow>(SQL.invoicesByNumbers),
    lineItemsByInvoiceIds: byList<LineItemRow>(SQL.lineItemsByInvoiceIds),
    paymentsByIds: byList<PaymentRow>(SQL.paymentsByIds),
    paymentsByInvoiceIds: byList<PaymentRow>(SQL.paymentsByInvoiceIds),
    paymentMethodsByIds: byList(SQL.paymentMethodsByIds, paymentMethod),
    activePaymentMethodsByProfileIds: byList(SQL.activePaymentMethodsByProfileIds, paymentMethod),
    creditsByAccountIds: byList<CreditRow>(SQL.creditsByAccountIds),
    creditApplicationsByCreditIds: byList<CreditApplicationRow>(SQL.creditApplicationsByCreditIds),
    wireTransfersByInvoiceIds: byList<WireTransferReadRow>(SQL.wireTransfersByInvoiceIds),
    apiKeysByIds: byList(SQL.apiKeysByIds, apiKey),
    apiKeysByAccountIds: byList(SQL.apiKeysByAccountIds, apiKey),

    webhookEndpointsByIds: byList(SQL.webhookEndpointsByIds, webhookEndpoint),
    webhookEndpointsByAccountIds: byList(SQL.webhookEndpointsByAccountIds, webhookEndpoint),
    webhookDeliveriesByIds: byList<WebhookDeliveryReadRow>(SQL.webhookDeliveriesByIds),
    webhookDeliveryAttemptsByDeliveryIds: byList<WebhookDeliveryAttemptReadRow>(
      SQL.webhookDeliveryAttemptsByDeliveryIds,
    ),

    async webhookDeliveryPage(query: WebhookDeliveryPageQuery) {
      if (query.limit <= 0) return [];
      const where = ['d.endpoint_id = ?'];
      const params: unknown[] = [query.endpointId];
      if (query.beforeId !== undefined) {
        where.push('d.id < ?');
        params.push(query.beforeId);
      }
      if (query.afterId !== undefined) {
        where.push('d.id > ?');
        params.push(query.afterId);
      }
      const direction = query.fromEnd ? 'ASC' : 'DESC';
      return all<WebhookDeliveryReadRow>(
        `${WEBHOOK_DELIVERY_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.id ${direction} LIMIT ?`,
        [...params, query.limit],
      );
    },

    async invoicePage(query: InvoicePageQuery) {
      if (query.scope.billingProfileIds?.length === 0 || query.limit <= 0) return [];
      const where = whereClause(query.scope, query.filter);
      const column = ORDER_COLUMN[query.order.column];
      // Row-value comparisons on (column, id) are a range on the (scope, column, id) index: a deep
      // page costs what the first one does.
      const bound = (key: InvoiceKey, later: boolean) => {
        where.sql.push(`(${column}, i.id) ${later === query.order.descending ? '<' : '>'} (?, ?)`);
        where.params.push(key.value, key.id);
      };
      if (query.after) bound(query.after, true);
      if (query.before) bound(query.before, false);
      const descending = query.order.descending !== query.fromEnd;
      const direction = descending ? 'DESC' : 'ASC';
      const sql = `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE ${where.sql.join(' AND ')}
        ORDER BY ${column} ${direction}, i.id ${direction} LIMIT ?`;
      return all<InvoiceRow>(sql, [...where.params, query.limit]);
    },

    async invoiceCount(scope: InvoiceScope, filter: InvoiceListFilter) {
      if (scope.billingProfileIds?.length === 0) return 0;
      if (Object.values(filter).every((condition) => condition === undefined)) {
        // Unfiltered: the per-profile counts the invoices table's triggers keep (tables.ts, invoiceCounts),
        // a few rows instead of every invoice of the scope.
        const profiles = scope.billingProfileIds;
        const [column, value] =
          profiles === null
            ? ['billing_account_id = ?', scope.billingAccountId]
            : profiles.length === 1
              ? ['billing_profile_id = ?', profiles[0]]
              : [`billing_profile_id ${inList}`, listParam(profiles)];
        const [row] = await all<{ n: unknown }>(
          `SELECT coalesce(sum(invoices), 0) AS n FROM invoice_counts WHERE ${column}`,
          [value],
        );
        return Number(row!.n);
      }
      const where = whereClause(scope, filter);
      const [row] = await all<{ n: unknown }>(
        `SELECT count(*) AS n FROM invoices i WHERE ${where.sql.join(' AND ')}`,
        where.params,
      );
      // PostgreSQL's count is a bigint.
      return Number(row!.n);
    },
  };
}
