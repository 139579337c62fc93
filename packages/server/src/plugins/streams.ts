// Which responses are streams (subscriptions over SSE, incremental delivery). They never end by
// themselves, so a graceful shutdown cuts them instead of waiting (see gateway.ts); their clients
// reconnect, to another instance.
import type { ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { NodeServerContext } from '../request-info.js';

const streaming = new WeakSet<ServerResponse>();

export function isStreaming(response: ServerResponse): boolean {
  return streaming.has(response);
}

export function useStreamTracking(): Plugin<object, NodeServerContext> {
  return {
    onResultProcess({ result, serverContext }) {
      if (Symbol.asyncIterator in result && serverContext.res) streaming.add(serverContext.res);
    },
  };
}
