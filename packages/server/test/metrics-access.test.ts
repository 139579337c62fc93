// Who may read /metrics, over real HTTP: anyone in development, nobody in production unless
// METRICS_TOKEN is set, and then only with that bearer token (never a user's token).
import { describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.js';

const TOKEN = 'metrics-scraper-token-0123456789';

async function withGateway(env: Record<string, string>, check: (gw: TestGateway, url: string) => Promise<void>) {
  const gw = await startTestGateway({ env });
  try {
    await check(gw, gw.url.replace('/graphql', '/metrics'));
  } finally {
    await gw.close();
  }
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

describe('/metrics', () => {
  it('is open in development', () =>
    withGateway({}, async (_gw, url) => {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('billing_payments_total');
    }));

  it('is absent (404) in production without METRICS_TOKEN', () =>
    withGateway({ BILLING_MODE: 'production' }, async (gw, url) => {
      const response = await get(url, gw.headersFor('ada'));
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('billing_payments_total');
    }));

  it.each(['production', 'development'])('with METRICS_TOKEN (%s) needs exactly that bearer token', (mode) =>
    withGateway({ BILLING_MODE: mode, METRICS_TOKEN: TOKEN }, async (gw, url) => {
      for (const headers of [
        {},
        gw.headersFor('ada'),
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: TOKEN },
      ]) {
        const refused = await get(url, headers);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer');
        expect(await refused.text()).toBe('');
      }
      const response = await get(url, { authorization: `Bearer ${TOKEN}` });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('billing_payments_total');
    }),
  );
});
