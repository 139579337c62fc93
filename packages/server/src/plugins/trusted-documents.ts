// Trusted documents (opt-in, TRUSTED_DOCUMENTS_ONLY): only the operations the SDK was built with
// run; any other document is refused before it is validated or executed.
//
// The manifest is graphql-codegen's client-preset output: `{ "sha256:<hex>": "<document>" }`.
// A client may name a document by hash (`documentId`, or `extensions.persistedQuery.sha256Hash`),
// or send its text: the text is accepted when it is one of the manifest's documents up to layout and
// order (of selections, arguments, variables, definitions), because that is how the SDK (urql) sends
// them: it prints the same document in source order, while the manifest stores it sorted. Either way what runs is the
// manifest's text.
//
// GraphiQL in development: it writes its own queries, so in development mode requests made by the
// gateway's own GraphiQL page (a same-origin Referer of the GraphQL path) may send any document.
// A Referer is easy to forge outside a browser, which is why production never makes this exception.
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse, print, visit, type ASTNode, type DocumentNode } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';

export interface TrustedDocuments {
  /** Document text by hash (hex, without the `sha256:` prefix). */
  readonly byHash: ReadonlyMap<string, string>;
  /** Hash by canonical form of the document (see `canonicalForm`). */
  readonly byCanonicalForm: ReadonlyMap<string, string>;
}

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
  const byCanonicalForm = new Map<string, string>();
  for (const [key, text] of Object.entries(manifest)) {
    if (typeof text !== 'string')
      throw new Error(`the trusted-documents manifest ${path}: entry ${key} is not a string`);
    const hash = normalizeHash(key);
    byHash.set(hash, text);
    byCanonicalForm.set(canonicalForm(parse(text)), hash);
  }
  return { byHash, byCanonicalForm };
}

function sortedByPrint<T extends ASTNode>(nodes: readonly T[]): T[] {
  return nodes
    .map((node) => [print(node), node] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, node]) => node);
}

/** The document with definitions, selections, arguments and variable definitions in a fixed order, printed. */
export function canonicalForm(document: DocumentNode): string {
  const sorted = visit(document, {
    SelectionSet: { leave: (node) => ({ ...node, selections: sortedByPrint(node.selections) }) },
    Field: { leave: (node) => ({ ...node, arguments: sortedByPrint(node.arguments ?? []) }) },
    OperationDefinition: {
      leave: (node) => ({ ...node, variableDefinitions: sortedByPrint(node.variableDefinitions ?? []) }),
    },
    Document: { leave: (node) => ({ ...node, definitions: sortedByPrint(node.definitions) }) },
  });
  return print(sorted);
}

export interface TrustedDocumentsOptions {
  documents: TrustedDocuments;
  /** Whether this request may run a document that is not in the manifest. */
  allowArbitraryDocuments: (request: Request) => boolean;
  /** Parsing a submitted text to compare it stops at this many tokens (the document limit). */
  maxTokens: number;
}

type ParamsWithDocumentId = GraphQLParams & { documentId?: unknown };

function requestedHash(params: ParamsWithDocumentId): string | null {
  if (typeof params.documentId === 'string') return normalizeHash(params.documentId);
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? normalizeHash(persisted.sha256Hash) : null;
}

export function useTrustedDocuments(options: TrustedDocumentsOptions): Plugin {
  const { documents } = options;
  const refusal = (message: string, code: string, status: number) => () =>
    new GraphQLError(message, { extensions: { code, http: { status } } });

  // Turns a submitted text that is a manifest document into a reference to it, and drops
  // `documentId` (not a parameter Yoga knows) in favour of the form the persisted-operations plugin reads.
  const matchSubmittedText: Plugin = {
    onParams({ params, setParams }) {
      const withId = params as ParamsWithDocumentId;
      let hash = requestedHash(withId);
      if (!hash && typeof params.query === 'string') {
        let document: DocumentNode | null = null;
        try {
          document = parse(params.query, { noLocation: true, maxTokens: options.maxTokens });
        } catch {
          // Not a parsable document, so not a trusted one: refused below like any other.
        }
        hash = document ? (documents.byCanonicalForm.get(canonicalForm(document)) ?? null) : null;
      }
      if (!hash) return;
      const { documentId: _documentId, query: _query, ...rest } = withId;
      setParams({ ...rest, extensions: { ...params.extensions, persistedQuery: { version: 1, sha256Hash: hash } } });
    },
  };

  const persistedOperations = usePersistedOperations({
    getPersistedOperation: (hash) => documents.byHash.get(normalizeHash(hash)) ?? null,
    allowArbitraryOperations: options.allowArbitraryDocuments,
    customErrors: {
      persistedQueryOnly: refusal(
        "Only trusted documents run on this gateway: send one of the SDK's operations (or its documentId).",
        'TRUSTED_DOCUMENT_REQUIRED',
        403,
      ),
      notFound: refusal(
        'No trusted document has this hash. Is the SDK newer than the gateway?',
        'TRUSTED_DOCUMENT_NOT_FOUND',
        400,
      ),
      keyNotFound: refusal('Send a document hash (documentId) or query text.', 'TRUSTED_DOCUMENT_REQUIRED', 400),
    },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(matchSubmittedText);
      addPlugin(persistedOperations);
    },
  };
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
