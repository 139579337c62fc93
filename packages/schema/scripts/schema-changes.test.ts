import { describe, expect, it } from 'vitest';
import { schemaChanges } from './schema-changes.js';

const BEFORE = /* GraphQL */ `
  enum Status { DUE PAID }
  type Invoice { id: ID!, number: String!, status: Status! }
  type Card { id: ID! }
  union Payable = Invoice
  type Query { invoice(id: ID!): Invoice, payable: Payable, cards(first: Int = 10): [Card!]! }
`;

describe('schemaChanges', () => {
  it('finds breaking changes and dangerous ones, and ignores additive ones', async () => {
    const after = BEFORE.replace('number: String!, ', '')
      .replace('DUE PAID', 'DUE PAID VOID')
      .replace('= Invoice', '= Invoice | Card')
      .replace('Int = 10', 'Int = 20')
      .replace('type Card { id: ID! }', 'type Card { id: ID!, brand: String }');
    const changes = await schemaChanges(BEFORE, after, []);
    const by = (level: string) => changes.filter((c) => c.level === level).map((c) => c.type);
    expect(by('BREAKING')).toEqual(['FIELD_REMOVED']);
    expect(by('DANGEROUS').sort()).toEqual([
      'ENUM_VALUE_ADDED',
      'FIELD_ARGUMENT_DEFAULT_CHANGED',
      'UNION_MEMBER_ADDED',
    ]);
    expect(changes.some((c) => c.type === 'FIELD_ADDED')).toBe(false);
    expect(changes.every((c) => !c.acknowledged)).toBe(true);
  });

  it('marks acknowledged changes by their message', async () => {
    const after = BEFORE.replace('number: String!, ', '');
    const [removed] = await schemaChanges(BEFORE, after, []);
    const again = await schemaChanges(BEFORE, after, [
      { change: removed!.message, reason: 'told partners in v2 notes' },
    ]);
    expect(again).toEqual([{ ...removed, acknowledged: true }]);
  });

  it('finds nothing between equal schemas', async () => {
    expect(await schemaChanges(BEFORE, BEFORE, [])).toEqual([]);
  });
});
