// Persisted documents: operations are named by their sha256 hash, and the gateway runs its own copy of the text.
//
// The manifest is graphql-codegen's client-preset output, `{ "sha256:<hex>": "<document>" }`, which the SDK
// exports as `@billing/sdk/trusted-documents.json`; the SDK sends each operation's hash
// (`extensions.persistedQuery.sha256Hash`, the automatic persisted queries shape) instead of its text.
//
// - Trusted-documents mode (TRUSTED_DOCUMENTS_ONLY): only the manifest's operations run, named by hash
//   (`extensions.persistedQuery`, or `documentId`). A request that sends text is refused; one that sends a hash
//   and a text runs the manifest's text.
// - Otherwise, automatic persisted queries (@graphql-yoga/plugin-apq): the manifest's hashes are known from the
//   start, so the SDK's requests are answered at once; any client may register more by sending hash and text.
//
// GraphiQL in development: it writes its own queries, so in development mode requests made by the
// gateway's own GraphiQL page (a same-origin Referer of the GraphQL path) may send any document.
// A Referer is easy to forge outside a browser, which is why production never makes this exception.
import { readFileSync } from 'node:fs';
import { createInMemoryAPQStore, useAPQ, type APQStore } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { ErrorCode } from '@billing/schema/billing';
import { gatewayError } from '../gateway-error.js';

/** Document text by hash (hex, without the `sha256:` prefix). */
export type TrustedDocuments = ReadonlyMap<string, string>;

const normalizeHash = (key: string) =>
  key
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '');

export function loadTrustedDocuments(path: string): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read the trusted-documents manifest ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`the trusted-documents manifest ${path} must be a JSON object of hash -> document`);
  }
  const byHash = new Map<string, string>();
  for (const [key, text] of Object.entries(manifest)) {
    if (typeof text !== 'string')
      throw new Error(`the trusted-documents manifest ${path}: entry ${key} is not a string`);
    byHash.set(normalizeHash(key), text);
  }
  return byHash;
}

export interface PersistedDocumentsOptions {
  /** The manifest: document text by hash. */
  documents: TrustedDocuments;
  /** Run only the manifest's documents (trusted-documents mode); otherwise automatic persisted queries. */
  trustedOnly: boolean;
  /** In trusted-documents mode, whether this request may run a document that is not in the manifest. */
  allowArbitraryDocuments: (request: Request) => boolean;
}

type ParamsWithDocumentId = GraphQLParams & { documentId?: unknown };

function requestedHash(params: ParamsWithDocumentId): string | null {
  if (typeof params.documentId === 'string') return normalizeHash(params.documentId);
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? normalizeHash(persisted.sha256Hash) : null;
}

/** An APQ store that always knows the manifest's documents, and keeps what other clients register in an LRU. */
function manifestFirstStore(documents: TrustedDocuments): APQStore {
  const registered = createInMemoryAPQStore();
  return {
    get: (hash) => documents.get(normalizeHash(hash)) ?? registered.get(hash),
    set: (hash, query) => registered.set(hash, query),
  };
}

export function persistedDocumentPlugins(options: PersistedDocumentsOptions): Plugin[] {
  const { documents } = options;
  if (!options.trustedOnly) return [useAPQ({ store: manifestFirstStore(documents) })];

  const refusal = (message: string, code: ErrorCode, status: number) => () =>
    gatewayError(code, message, { http: { status } });

  // A request that names a hash runs the manifest's document for it, whatever text it also sends; `documentId`
  // (not a parameter Yoga knows) becomes the form the persisted-operations plugin reads.
  const nameByHash: Plugin = {
    onParams({ params, setParams }) {
      const withId = params as ParamsWithDocumentId;
      const hash = requestedHash(withId);
      if (!hash) return;
      const { documentId: _documentId, query: _query, ...rest } = withId;
      setParams({ ...rest, extensions: { ...params.extensions, persistedQuery: { version: 1, sha256Hash: hash } } });
    },
  };

  return [
    nameByHash,
    usePersistedOperations({
      getPersistedOperation: (hash) => documents.get(normalizeHash(hash)) ?? null,
      allowArbitraryOperations: options.allowArbitraryDocuments,
      customErrors: {
        persistedQueryOnly: refusal(
          "Only trusted documents run on this gateway: send one of the SDK's operations by hash (or its documentId).",
          'TRUSTED_DOCUMENT_REQUIRED',
          403,
        ),
        notFound: refusal(
          'No trusted document has this hash. Is the SDK newer than the gateway?',
          'TRUSTED_DOCUMENT_NOT_FOUND',
          400,
        ),
        keyNotFound: refusal('Send a document hash (documentId).', 'TRUSTED_DOCUMENT_REQUIRED', 400),
      },
    }) as Plugin,
  ];
}

/** Requests from the gateway's own GraphiQL page: same origin, Referer on the GraphQL path. */
export function isFromOwnGraphiQL(request: Request, graphqlPath: string): boolean {
  const referer = request.headers.get('referer');
  if (!referer) return false;
  try {
    const from = new URL(referer);
    const to = new URL(request.url);
    return from.origin === to.origin && from.pathname === graphqlPath;
  } catch {
    return false;
  }
}
