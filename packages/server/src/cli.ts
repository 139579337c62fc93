#!/usr/bin/env node
// billing-gateway start | migrate | seed [--invoices N] | close-period | autopay | token <user> | sandbox-processor --port N
import { parseArgs } from 'node:util';
import {
  addDays,
  closeBillingPeriod,
  isoDate,
  isValidIsoDate,
  reconcileStalePayments,
  recordWireTransfer,
  runAutopayPass,
  systemClock,
} from '@billing/schema/billing';
import { demoUsageFor, isDatabaseEmpty, openStore, seedDemoData, seedLargeInvoices } from '@billing/schema/db';
import { createAuthenticator } from './auth.js';
import { databaseLocation, describeDatabase, loadConfig } from './config.js';
import { startGateway } from './gateway.js';
import { TOKEN_COMMAND } from './graphiql.js';
import { createLogger, type Logger } from './logger.js';
import { startSandboxService } from './sandbox-service.js';
import { createResources } from './services.js';

/** Exits after `close` on SIGINT or SIGTERM; a second signal exits at once. */
function closeOnSignal(close: () => Promise<void>, logger: Logger, message: string, fields: object = {}): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait for in-flight requests.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, ...fields }, message);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const USAGE = `usage: billing-gateway <command>
  start                         migrate, seed demo data into an empty database, serve GraphQL
  migrate                       apply database migrations
  seed [--invoices N]           seed demo data (if empty); with --invoices, add N invoices to the
       [--profile ID]           first billing profile (or ID) for benchmarks
  close-period [--profile ID]   close a billing period (default: last month, every profile): issue its
       [--period-end DATE]      invoice with demo usage, apply credits, charge autopay profiles' default
                                cards; rerunning it changes nothing and never charges twice
  autopay                       run one autopay pass: charge invoices whose (dunning) retry is due
  record-wire-transfer          record a transfer the bank received; applied only if it matches the
       --reference INVOICE_NO   invoice exactly, otherwise held for review
       --amount MINOR_UNITS --currency CUR --bank-reference ID [--received-on DATE]
  token <email | user id>       print a bearer token for a user (embedded mode)
  sandbox-processor --port N    run the sandbox payment processor as an HTTP service with its own
       [--host H]               ledger (SANDBOX_LEDGER_PATH); gateways reach it with
                                PAYMENT_PROCESSOR=http PROCESSOR_URL=http://H:N
Configuration comes from the environment: see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start': {
      const gateway = await startGateway(config);
      const users = await gateway.resources.store.db.query.users.findMany({ orderBy: { id: 'asc' } });
      const lines = [
        `Billing gateway (${config.mode}) on ${describeDatabase(config)}`,
        `GraphQL:  ${gateway.graphqlUrl}${config.graphiql ? '   (open it in a browser for GraphiQL)' : ''}`,
      ];
      if (config.mode === 'development' && !config.auth.jwksUrl) {
        lines.push(
          '',
          `Demo users: send "Authorization: Bearer <token>" (tokens valid 12 hours; new ones: ${TOKEN_COMMAND} <email>)`,
        );
        for (const user of users) {
          lines.push(`  ${user.email.padEnd(24)} ${await gateway.authenticator.mintUserToken(user.id)}`);
        }
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      closeOnSignal(() => gateway.close(), gateway.logger, 'shutting down: finishing in-flight requests', {
        delayMs: config.shutdownDelayMs,
        timeoutMs: config.shutdownTimeoutMs,
      });
      return new Promise<number>(() => {});
    }
    case 'migrate': {
      const store = openStore({ url: databaseLocation(config) });
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
      process.stdout.write(`migrated ${describeDatabase(config)} (${store.dialect})\n`);
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: { invoices: { type: 'string' }, profile: { type: 'string' } },
      });
      const store = openStore({ url: databaseLocation(config) });
      await store.migrate();
      const today = isoDate(systemClock.now());
      if (await isDatabaseEmpty(store)) {
        const result = await seedDemoData(store, { today });
        process.stdout.write(`seeded ${result.users.length} users, ${result.invoiceCount} invoices\n`);
      }
      if (values.invoices) {
        const count = Number(values.invoices);
        if (!Number.isSafeInteger(count) || count <= 0) throw new Error('--invoices must be a positive integer');
        const profileId = values.profile ? Number(values.profile) : 1;
        const profile = await store.db.query.billingProfiles.findFirst({ where: { id: profileId } });
        if (!profile) throw new Error(`no billing profile ${profileId}`);
        const existing = await store.db.$count(store.t.invoices);
        const started = Date.now();
        await seedLargeInvoices(store, {
          billingAccountId: profile.billingAccountId,
          billingProfileId: profile.id,
          currency: profile.currency,
          invoices: count,
          today,
          numberPrefix: `B${existing}-`,
          onProgress: (done, total) => process.stdout.write(`\r${done}/${total} invoices`),
        });
        process.stdout.write(`\nadded ${count} invoices in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
      await store.close();
      return 0;
    }
    case 'close-period': {
      const { values } = parseArgs({
        args: rest,
        options: { profile: { type: 'string' }, 'period-end': { type: 'string' } },
      });
      const today = isoDate(systemClock.now());
      // Default: the last day of the previous month.
      const periodEnd = values['period-end'] ?? addDays(`${today.slice(0, 8)}01`, -1);
      if (!isValidIsoDate(periodEnd)) throw new Error('--period-end must be a date (YYYY-MM-DD)');
      const periodStart = `${periodEnd.slice(0, 8)}01`;
      const resources = await createResources(config);
      try {
        // A run that crashed mid-charge left its attempt PROCESSING: settle it with the processor first.
        await reconcileStalePayments(resources.services);
        const profiles = values.profile
          ? [Number(values.profile)]
          : (await resources.store.db.query.billingProfiles.findMany({ orderBy: { id: 'asc' } })).map((p) => p.id);
        for (const billingProfileId of profiles) {
          const closed = await closeBillingPeriod(resources.services, {
            billingProfileId,
            periodStart,
            periodEnd,
            ...demoUsageFor(billingProfileId, periodEnd),
          });
          const autopay =
            closed.autopay.kind === 'skipped' ? `skipped (${closed.autopay.reason})` : closed.autopay.kind;
          process.stdout.write(
            `profile ${billingProfileId}: invoice ${closed.invoiceNumber} ${closed.created ? 'issued' : 'already issued'}, total ${closed.totalMinor}, credits ${closed.creditAppliedMinor}, due ${closed.amountDueMinor} (minor units); autopay: ${autopay}\n`,
          );
        }
      } finally {
        await resources.close();
      }
      return 0;
    }
    case 'autopay': {
      const resources = await createResources(config);
      try {
        await reconcileStalePayments(resources.services);
        const summary = await runAutopayPass(resources.services);
        process.stdout.write(`${summary ? JSON.stringify(summary) : 'another instance is running the pass'}\n`);
      } finally {
        await resources.close();
      }
      return 0;
    }
    case 'record-wire-transfer': {
      const { values } = parseArgs({
        args: rest,
        options: {
          reference: { type: 'string' },
          amount: { type: 'string' },
          currency: { type: 'string' },
          'bank-reference': { type: 'string' },
          'received-on': { type: 'string' },
        },
      });
      if (!values.reference || !values.amount || !values.currency || !values['bank-reference'])
        throw new Error(
          'record-wire-transfer needs --reference, --amount (minor units), --currency and --bank-reference',
        );
      const resources = await createResources(config);
      try {
        const recorded = await recordWireTransfer(
          resources.services,
          {
            reference: values.reference,
            amountMinor: Number(values.amount),
            currency: values.currency,
            bankReference: values['bank-reference'],
            receivedOn: values['received-on'] ?? isoDate(systemClock.now()),
          },
          `operator:${process.env.USER ?? 'cli'}`,
        );
        process.stdout.write(
          `wire transfer ${recorded.bankReference}: ${recorded.status}${recorded.holdReason ? ` (${recorded.holdReason})` : ''}\n`,
        );
      } finally {
        await resources.close();
      }
      return 0;
    }
    case 'sandbox-processor': {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, host: { type: 'string' } },
      });
      const port = Number(values.port ?? '');
      if (!Number.isSafeInteger(port) || port < 0 || port > 65_535 || values.port === undefined)
        throw new Error('sandbox-processor needs --port N (0 picks a free port)');
      const logger = createLogger(config);
      const service = await startSandboxService({
        port,
        ...(values.host ? { host: values.host } : {}),
        ledgerPath: config.payments.sandboxLedgerPath,
        latencyMs: config.payments.sandboxLatencyMs,
        logger,
      });
      process.stdout.write(
        `Sandbox processor on ${config.payments.sandboxLedgerPath}\nProcessor: ${service.url}   (PAYMENT_PROCESSOR=http PROCESSOR_URL=${service.url})\n`,
      );
      closeOnSignal(() => service.close(), logger, 'sandbox processor stopping');
      return new Promise<number>(() => {});
    }
    case 'token': {
      const who = rest[0];
      if (!who) throw new Error('token needs a user email or id');
      const resources = await createResources(config);
      try {
        const user = /^\d+$/.test(who)
          ? await resources.store.db.query.users.findFirst({ where: { id: Number(who) } })
          : await resources.store.db.query.users.findFirst({ where: { email: who } });
        if (!user) throw new Error(`no user ${who} (start the gateway once to seed the demo users)`);
        process.stdout.write(`${await createAuthenticator(config, resources.services).mintUserToken(user.id)}\n`);
      } finally {
        await resources.close();
      }
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
