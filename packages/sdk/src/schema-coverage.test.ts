// The SDK's operations select every field the schema offers, so a field added to the schema (like
// `defaultPaymentMethod` once was) cannot silently stay out of reach of SDK users. A field left out on
// purpose is listed below with the reason. A deprecated field is on its way out, so none needs selecting (ErrorFields
// reads `Error.errorCode` under the name `code`, in place of the deprecated String `Error.code`).
import { readdirSync, readFileSync } from 'node:fs';
import {
  buildSchema,
  isInterfaceType,
  isObjectType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';

const LEFT_OUT_ON_PURPOSE: Record<string, string> = {
  'Query.node': 'generic refetch by global ID: the typed queries (invoice, billingProfile, ...) cover each type',
  'Query.nodes': 'generic refetch by global ID: the typed queries cover each type',
  'Node.id': 'selected on each concrete type instead',
  'Invoice.billingAccount': 'a back-reference: the SDK reads invoices from their account or profile',
  'BillingProfile.billingAccount': 'a back-reference: profiles are read from their account',
  'Payment.invoice': 'a back-reference: payments are read from their invoice',
};

const operationsDir = new URL('./operations/', import.meta.url);
const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
const operations = parse(
  readdirSync(operationsDir)
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => readFileSync(new URL(file, operationsDir), 'utf8'))
    .join('\n'),
);

function selectedFields(schema: GraphQLSchema): Set<string> {
  const typeInfo = new TypeInfo(schema);
  const selected = new Set<string>();
  visit(
    operations,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) selected.add(`${parent.name}.${field.name}`);
      },
    }),
  );
  return selected;
}

/** Every connection's edges (and their cursors): the SDK pages with `nodes` and `pageInfo`. */
const isConnectionEdges = (type: string, field: string) =>
  (type.endsWith('Connection') && field === 'edges') || type.endsWith('Edge');

describe('the SDK operations against the schema', () => {
  it('select every output field, except the ones left out on purpose', () => {
    const selected = selectedFields(schema);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const [field, definition] of Object.entries(type.getFields())) {
        if (definition.deprecationReason) continue;
        const viaInterface = isObjectType(type) && type.getInterfaces().some((i) => selected.has(`${i.name}.${field}`));
        if (
          !selected.has(`${type.name}.${field}`) &&
          !viaInterface &&
          !LEFT_OUT_ON_PURPOSE[`${type.name}.${field}`] &&
          !isConnectionEdges(type.name, field)
        ) {
          missing.push(`${type.name}.${field}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists no omission that the schema no longer has or the operations now select', () => {
    const selected = selectedFields(schema);
    const stale = Object.keys(LEFT_OUT_ON_PURPOSE).filter((key) => {
      const [type, field] = key.split('.') as [string, string];
      const named = schema.getType(type);
      const exists = (isObjectType(named) || isInterfaceType(named)) && field in named.getFields();
      return !exists || selected.has(key);
    });
    expect(stale).toEqual([]);
  });

  it('reads each profile default card in paymentMethods()', () => {
    expect(selectedFields(schema).has('BillingProfile.defaultPaymentMethod')).toBe(true);
  });
});
