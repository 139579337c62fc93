// Stands in for the PostgreSQL project when PostgreSQL cannot be reached outside CI (vitest.config.ts
// includes only this file then), so the closing count reports those suites as skipped, with the reason.
import { it } from 'vitest';
import { describeWithService, probePostgres } from '../services-available.js';

const postgres = await probePostgres(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
describeWithService(postgres, `PostgreSQL suites (${process.env.BILLING_POSTGRES_SUITES ?? '?'} files)`, () => {
  it('would run on PostgreSQL', () => {});
});
