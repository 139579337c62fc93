// Queries a client sends again and again run compiled by graphql-jit: the executor's per-field work
// (type checks, argument handling, path and info objects, a promise per field) is planned once per
// document instead of once per field per row. Measured on the invoices page (schema execution without
// HTTP, bench/README.md): 1,110 us interpreted, 944 us compiled.
//
// - A document is compiled once it has run `compileAfter` times on the interpreter: a compile costs
//   milliseconds, so a flood of distinct one-off documents never pays for one each.
// - Only queries: mutations are few and run their fields in order, subscriptions stream.
// - Answers are graphql-js's, errors included: a compiled run whose result has any error is run again
//   on the interpreter, and that result is the answer. graphql-jit's errors differ in small ways (no
//   `locations`, read-only fields, its own messages for refused variables), and a query reads only, so
//   running it twice changes nothing. Errors are the rare case; the hot path is the compiled one.
// - A document graphql-jit cannot compile stays on the interpreter.
// - This is the innermost executor: registered before the plugins that wrap execution (the response
//   cache adds fields to the document, tracing opens spans), so they wrap it. It compiles the
//   document it is handed, theirs included, and keeps compiled queries per document object, which
//   live as long as the caches holding that document do.
//
// Not @envelop/graphql-jit: it answers a document it fails to compile with the compile error, keeps
// graphql-jit's errors, and replaces whatever executor the plugins before it set.
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { isPromise, type Plugin } from 'graphql-yoga';

export interface CompiledQueriesOptions {
  /**
   * Executions of a document on the interpreter before it is compiled; 0 compiles on first use.
   * @default 2
   * @example useCompiledQueries({ compileAfter: 0 }) // every query compiled at once (tests)
   */
  compileAfter?: number;
  /** Told of each document compiled (once per document and operation). @default nothing */
  onCompile?: (document: DocumentNode) => void;
  /** Told of each document graphql-jit could not compile. @default nothing */
  onCompileError?: (errors: ExecutionResult['errors'], document: DocumentNode) => void;
}

/** Per document and operation name: runs so far, the compiled query, or null (not a query, or cannot). */
type Entry = number | CompiledQuery | null;

type Execute = (args: {
  schema: Parameters<typeof compileQuery>[0];
  document: DocumentNode;
  operationName?: string | null;
  rootValue?: unknown;
  contextValue?: unknown;
  variableValues?: Record<string, unknown> | null;
}) => unknown;

export function useCompiledQueries(options: CompiledQueriesOptions = {}): Plugin {
  const compileAfter = options.compileAfter ?? 2;
  const entries = new WeakMap<DocumentNode, Map<string, Entry>>();

  /** The compiled query for this document and operation, once it has earned one; else null. */
  function compiledFor(args: Parameters<Execute>[0]): CompiledQuery | null {
    const { document } = args;
    const operationName = args.operationName ?? '';
    let byName = entries.get(document);
    if (!byName) {
      byName = new Map();
      entries.set(document, byName);
    }
    const entry = byName.get(operationName) ?? 0;
    if (typeof entry !== 'number') return entry;
    if (getOperationAST(document, args.operationName)?.operation !== 'query') {
      byName.set(operationName, null);
      return null;
    }
    if (entry < compileAfter) {
      byName.set(operationName, entry + 1);
      return null;
    }
    const compiled = compileQuery(args.schema, document, args.operationName ?? undefined);
    if (!isCompiledQuery(compiled)) {
      options.onCompileError?.(compiled.errors, document);
      byName.set(operationName, null);
      return null;
    }
    byName.set(operationName, compiled);
    options.onCompile?.(document);
    return compiled;
  }

  return {
    onExecute({ executeFn, setExecuteFn }) {
      const interpret = executeFn as Execute;
      const execute: Execute = (args) => {
        const compiled = compiledFor(args);
        if (!compiled) return interpret(args);
        const answer = (result: ExecutionResult) => (result.errors?.length ? interpret(args) : result);
        const result = compiled.query(args.rootValue, args.contextValue, args.variableValues ?? {});
        return isPromise(result) ? result.then(answer) : answer(result);
      };
      setExecuteFn(execute as typeof executeFn);
    },
  };
}
