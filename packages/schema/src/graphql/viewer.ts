// The entry point for "who am I, and what may I do": the signed-in user or API key.
import type { AccessView } from '../billing/access.js';
import { builder } from './builder.js';

export const User = builder.drizzleNode('users', {
  name: 'User',
  description: 'A person who signs in. Only the user themself can see this object.',
  id: { column: (u) => u.id },
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
    user: t.drizzleField({
      type: 'users',
      nullable: true,
      description: 'The signed-in user; null when calling with an API key.',
      resolve: (query, access, _args, ctx) =>
        access.userId === null ? null : ctx.services.db.query.users.findFirst(query({ where: { id: access.userId } })),
    }),
    billingAccounts: t.drizzleField({
      type: ['billingAccounts'],
      description:
        "Every billing account the viewer has any role on (or, for an API key, its own account), with the viewer's role, agreement type and permissions on each.",
      resolve: (query, access, _args, ctx) =>
        ctx.services.db.query.billingAccounts.findMany(
          query({ where: { id: { in: access.visibleAccountIds() } }, orderBy: { id: 'asc' } }),
        ),
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
