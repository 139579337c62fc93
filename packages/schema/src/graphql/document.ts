// An invoice's downloadable documents: the invoice PDF, and the receipt once paid.
import { DOCUMENT_KINDS, type IssuedDocumentLink, issueDocumentLinks } from '../billing/documents/index.js';
import { builder } from './builder.js';
import { Invoice } from './invoice.js';

export const DocumentKindEnum = builder.enumType('DocumentKind', { values: DOCUMENT_KINDS });

const InvoiceDocument = builder.objectRef<IssuedDocumentLink>('InvoiceDocument').implement({
  description: 'A PDF to download. Its link is signed for the caller and works for a few minutes only.',
  fields: (t) => ({
    kind: t.expose('kind', { type: DocumentKindEnum }),
    url: t.string({
      description:
        'Where to GET the PDF, relative to the API origin (`/documents/<token>`). No Authorization header needed: the link is the credential, checked against your access when used.',
      resolve: (link) => link.path,
    }),
    expiresAt: t.field({ type: 'DateTime', resolve: (link) => link.expiresAt.toISOString() }),
  }),
});

builder.drizzleObjectField(Invoice, 'documents', (t) =>
  t.field({
    type: [InvoiceDocument],
    description: 'The invoice PDF, and the receipt once the invoice is paid; fresh links on every read.',
    resolve: (invoice, _args, ctx) => issueDocumentLinks(ctx.services, ctx.access, invoice),
  }),
);
