// Lever: node:cluster. The primary forks WORKERS (default: one per core) and each worker runs the
// real gateway (startGateway with the same environment) on the shared port, over one WAL database.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadConfig, startGateway, type RunningGateway } from '@billing/server';
import { announce, exitOnSignals } from './common.js';

const workers = Number(process.env.WORKERS ?? availableParallelism());

if (cluster.isPrimary) {
  let listening = 0;
  let url = '';
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    worker.on('message', (message: { listening?: string }) => {
      if (!message.listening) return;
      url = message.listening;
      if (++listening === workers) announce(url);
    });
  }
  cluster.on('exit', (worker, code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      process.stderr.write(`worker ${worker.process.pid} exited (${code ?? signal})\n`);
  });
  exitOnSignals(async () => {
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (!worker || worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.kill('SIGTERM');
          }),
      ),
    );
  });
} else {
  const gateway: RunningGateway = await startGateway(loadConfig(process.env));
  process.send?.({ listening: gateway.graphqlUrl });
  exitOnSignals(() => gateway.close());
}
