import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useProductionErrorScrubbing } from './production-errors.js';

describe('useProductionErrorScrubbing', () => {
  it('drops "Did you mean" hints, which map the schema for someone without introspection', async () => {
    const plain = await postTo(pluginYoga([]), { query: '{ helo }' });
    expect(plain.json.errors?.[0]?.message).toMatch(/Did you mean/);
    const r = await postTo(pluginYoga([useProductionErrorScrubbing()]), { query: '{ helo }' });
    expect(r.json.errors?.[0]?.message).toBe('Cannot query field "helo" on type "Query".');
  });

  it('removes internal extensions from any error', async () => {
    const r = await postTo(pluginYoga([useProductionErrorScrubbing()]), { query: '{ boom }' });
    expect(r.json.errors?.[0]).toMatchObject({ message: 'Unexpected error.' });
    expect(JSON.stringify(r.json)).not.toMatch(/originalError|stacktrace|kaboom/);
  });
});
