// Cross-site request forgery: a page on another site can make a browser send "simple" requests
// (GET, or a POST form) without a CORS preflight. Every GraphQL request must therefore carry
// something a form cannot: a JSON content type, or for GET one of the headers below. Form posts
// are refused outright: no client of this API sends them.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../gateway-error.js';

/** Any one of these on a GET marks it as sent by a script that passed CORS, not by a form or a link. */
export const CSRF_HEADERS = ['x-graphql-csrf', 'graphql-require-preflight', 'x-graphql-yoga-csrf'];

const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

const refuseForms: Plugin = {
  onRequestParse({ request }) {
    const contentType = request.headers.get('content-type')?.toLowerCase() ?? '';
    if (request.method === 'POST' && FORM_CONTENT_TYPES.some((type) => contentType.startsWith(type))) {
      throw gatewayError('UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL requests as application/json.', {
        http: { status: 415 },
      });
    }
  },
};

export interface CsrfOptions {
  /**
   * Headers any one of which lets a GET through.
   * @default CSRF_HEADERS
   */
  requestHeaders?: string[];
}

/** Refuses form posts (415) and GETs without one of `requestHeaders` (Yoga's CSRF prevention, 403 FORBIDDEN). */
export function useCsrfProtection(options: CsrfOptions = {}): Plugin {
  const requestHeaders = options.requestHeaders ?? CSRF_HEADERS;
  const yogaCheck = useCSRFPrevention({ requestHeaders });
  // Yoga's refusal has no code and does not say what to send; same check, with both.
  const csrf: Plugin = {
    onRequestParse(payload) {
      try {
        yogaCheck.onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const message = `A GET request needs a CSRF header (any value): ${requestHeaders.join(', ')}.`;
        throw gatewayError('FORBIDDEN', message, { http: { status: 403 } });
      }
    },
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(refuseForms);
      addPlugin(csrf);
    },
  };
}
