// An SSE subscription over real HTTP, read in the background, for tests of live events.

/** Any answer to an SSE subscription request: refused (401, 429, ...) or an open stream. */
export interface SseResponse {
  status: number;
  headers: Headers;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the server ends the stream (or `close()` does). */
  ended: Promise<void>;
  close(): Promise<void>;
}

export async function requestSse(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: object = {},
): Promise<SseResponse> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const reader = response.body!.getReader();
  let text = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: () => text,
    ended,
    async close() {
      controller.abort();
      await ended;
    },
  };
}

/** An SSE subscription over real HTTP that must open; `text()` is everything received so far. */
export async function openSse(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: object = {},
): Promise<{ text(): string; waitFor(fragment: string, timeoutMs?: number): Promise<boolean>; stop(): Promise<void> }> {
  const sse = await requestSse(url, headers, query, variables);
  if (!sse.headers.get('content-type')?.includes('text/event-stream')) {
    const body = sse.text();
    await sse.close();
    throw new Error(`not an event stream: ${sse.status} ${body}`);
  }
  return {
    text: sse.text,
    async waitFor(fragment, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!sse.text().includes(fragment) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return sse.text().includes(fragment);
    },
    stop: sse.close,
  };
}

/** The `next` events of an SSE body: each one's `id:` line (or null) and its parsed `data:`. */
export function sseEvents<T = unknown>(text: string): { id: string | null; data: T }[] {
  return text
    .split('\n\n')
    .filter((block) => /^event: next$/m.test(block))
    .map((block) => ({
      id: /^id: (.*)$/m.exec(block)?.[1] ?? null,
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as T,
    }));
}
