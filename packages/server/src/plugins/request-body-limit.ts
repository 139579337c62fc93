// Request bodies over `maxBytes` are refused with 413 REQUEST_ENTITY_TOO_LARGE, as Yoga's own
// `maxRequestBodySize` does, but without its cost on every request: Yoga pipes every body through a
// web TransformStream to count its bytes (with a new Request and AbortSignal around it), which was 4%
// of the invoices page's CPU. A body with a valid Content-Length needs no counting: node:http's parser
// delivers exactly that many bytes, and refuses a request that also says `Transfer-Encoding`. Only a
// body without one (chunked) is counted as it streams.
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../gateway-error.js';

// One non-negative integer: anything else (a list of values, as in request smuggling) is refused.
const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => gatewayError('REQUEST_ENTITY_TOO_LARGE', 'Request body too large', { http: { status: 413 } });

export interface RequestBodyLimitOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

export function useRequestBodyLimit({ maxBytes }: RequestBodyLimitOptions): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength))
          throw gatewayError('BAD_REQUEST', 'Content-Length header is invalid.', { http: { status: 400 } });
        if (Number(contentLength) > maxBytes) throw tooLarge();
        return;
      }
      if (requestParser == null || request.body == null) return;
      setRequestParser((original) => {
        const body = original.body;
        if (!body) return requestParser(original);
        // A native stream wants the native TransformStream, whatwg-node's its own.
        const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        let bytesRead = 0;
        const counted = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              bytesRead += chunk.byteLength;
              if (bytesRead > maxBytes) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return requestParser(
          new fetchAPI.Request(original.url, {
            method: original.method,
            headers: original.headers,
            signal: original.signal,
            body: counted,
            duplex: 'half',
          } as RequestInit),
        );
      });
    },
  };
}
