// GET /documents/<token>: an invoice PDF or receipt behind a signed, short-lived link. The link is
// the credential (a browser follows it without the API's Authorization header); the billing rules
// check it and the access of whom it was issued to. Refusals say nothing about other tenants:
// tampered, foreign and missing all answer 404; only a genuine but expired link answers 410.
import { DocumentLinkRefusedError, DOCUMENTS_PATH, NotFoundError, openDocumentLink } from '@billing/schema/billing';
import type { BillingServices } from '@billing/schema/billing';
import type { Plugin } from 'graphql-yoga';

/** What the request log prints instead of the path: the token is a credential. */
export function redactDocumentPath(path: string): string {
  return path.startsWith(DOCUMENTS_PATH) ? `${DOCUMENTS_PATH}<token>` : path;
}

const NO_STORE = { 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' };

export function useDocumentDownloads(services: BillingServices): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(DOCUMENTS_PATH)) return;
      const refuse = (status: number, message: string) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ error: message }), {
            status,
            headers: { ...NO_STORE, 'content-type': 'application/json' },
          }),
        );
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return refuse(405, 'Documents are downloaded with GET.');
      try {
        const document = await openDocumentLink(services, url.pathname.slice(DOCUMENTS_PATH.length));
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(document.pdf), {
            status: 200,
            headers: {
              ...NO_STORE,
              'content-type': 'application/pdf',
              'content-length': String(document.pdf.length),
              'content-disposition': `attachment; filename="${document.filename}"`,
            },
          }),
        );
      } catch (error) {
        if (error instanceof DocumentLinkRefusedError) {
          refuse(error.refusal === 'EXPIRED' ? 410 : 404, error.message);
        } else if (error instanceof NotFoundError) {
          refuse(404, 'Document not found.');
        } else {
          throw error;
        }
      }
    },
  };
}
