// The entry point for "who am I, and what may I do": the signed-in user or API key.
import type { AccessView } from '../billing/access.js';
import type { UserRow } from '../db/reads.js';
import { BillingAccount } from './billing-account.js';
import { builder } from './builder.js';
import { parseNodeId } from './ids.js';

export const User = builder.loadableNode('User', {
  description: 'A person who signs in. Only the user themself can see this object.',
  id: { resolve: (u: UserRow) => u.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.usersByIds(ids),
  sort: (u) => u.id,
  fields: (t) => ({
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
  }),
});

export const PrincipalKindEnum = builder.enumType('PrincipalKind', { values: ['USER', 'API_KEY'] as const });

export const Viewer = builder.objectRef<AccessView>('Viewer').implement({
  description: 'Whoever is calling: a signed-in user or a partner API key.',
  fields: (t) => ({
    kind: t.field({
      type: PrincipalKindEnum,
      resolve: (access) => (access.principal?.kind === 'api-key' ? 'API_KEY' : 'USER'),
    }),
    user: t.field({
      type: User,
      nullable: true,
      description: 'The signed-in user; null when calling with an API key.',
      resolve: (access) => access.userId,
    }),
    billingAccounts: t.field({
      type: [BillingAccount],
      description:
        "Every billing account the viewer has any role on (or, for an API key, its own account), with the viewer's role, agreement type and permissions on each.",
      resolve: (access) => access.visibleAccountIds().sort((a, b) => a - b),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    nullable: true,
    description: 'The caller. Null for anonymous requests, which see no billing data.',
    resolve: (_root, _args, ctx) => (ctx.access.principal ? ctx.access : null),
  }),
);
