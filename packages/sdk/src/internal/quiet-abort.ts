/**
 * Node's fetch errors a streamed body when its request is aborted, and urql aborts a
 * subscription's request when it is unsubscribed; nobody is reading by then, so the error would
 * surface as an unhandled rejection. For event streams, end the body quietly on abort instead.
 */
export function endStreamQuietlyOnAbort(response: Response, signal: AbortSignal | null | undefined): Response {
  if (!signal || !response.body || !response.headers.get('content-type')?.includes('text/event-stream'))
    return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        if (signal.aborted) controller.close();
        else controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => undefined);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
