// Cross-origin calls from browsers: only the configured origins, matched exactly. Without a list the
// gateway sends no CORS headers at all, so browsers refuse every cross-origin call (Yoga's default
// would instead echo back any origin).
import type { YogaServerOptions } from 'graphql-yoga';
import { REQUEST_ID_HEADER } from '../request-info.js';

type CorsOption = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

export function corsPolicy(origins: readonly string[]): CorsOption {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      // Requested headers are echoed: the origin is already trusted, and the SDK may add its own.
      // What a browser client may read: the request id, and when it may call again (rate-limit.ts).
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'ratelimit-policy', 'ratelimit'],
      // Credentials travel in the Authorization / X-Api-Key headers, never in cookies.
      credentials: false,
      maxAge: 600,
    };
  };
}
