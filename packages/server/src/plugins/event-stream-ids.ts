// SSE `id:` lines for `billingEvents`: each event's id goes into its result's `extensions.eventId`
// and, on a text/event-stream response, into an `id:` line of the same SSE event. A client that
// reconnects sends the last one back as `Last-Event-ID` (EventSource does so by itself), and the
// stream resumes after it (the context's `lastEventId`, read by the subscription).
import { lastStreamedEventId } from '@billing/schema/graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Adds `id: <eventId>` to every SSE event whose data carries `extensions.eventId`. */
function eventIdLines(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      // Whole SSE events only (they end with a blank line), however the bytes were chunked.
      for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const id = /^data: .*"eventId":"(evt_[0-9a-f]+)"/m.exec(event)?.[1];
        controller.enqueue(encoder.encode(id ? `id: ${id}\n${event}\n\n` : `${event}\n\n`));
      }
    },
    flush(controller) {
      if (pending) controller.enqueue(encoder.encode(pending));
    },
  });
}

export function useEventStreamIds(): Plugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as object;
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const eventId = lastStreamedEventId.get(context);
              if (eventId && result.data) setResult({ ...result, extensions: { ...result.extensions, eventId } });
            },
          };
        },
      };
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // Every response passes here: the stream test first, the header only for streams.
      if (!isAsyncIterable(result) || !resultProcessor) return;
      if (!request.headers.get('accept')?.includes('text/event-stream')) return;
      setResultProcessor(async (processed, fetchAPI, acceptedMediaType) => {
        const response = await resultProcessor(processed, fetchAPI, acceptedMediaType);
        if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
        return new fetchAPI.Response(response.body.pipeThrough(eventIdLines()), response);
      }, 'text/event-stream');
    },
  };
}
