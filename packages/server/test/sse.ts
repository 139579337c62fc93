// An SSE subscription over real HTTP, read in the background, for tests of live events.
/** An SSE subscription over real HTTP; `text()` is everything received so far. */
export async function openSse(
  url: string,
  headers: Record<string, string>,
  query: string,
): Promise<{ text(): string; waitFor(fragment: string, timeoutMs?: number): Promise<boolean>; stop(): Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
  });
  if (!response.headers.get('content-type')?.includes('text/event-stream'))
    throw new Error(`not an event stream: ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let text = '';
  const read = (async () => {
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
    text: () => text,
    async waitFor(fragment, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(fragment) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return text.includes(fragment);
    },
    async stop() {
      controller.abort();
      await read;
    },
  };
}
