/** Applies the migrations in a worker thread, so the schema engine's WebAssembly memory goes when the worker exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { applyMigrationsHere } from './migrate.ts';

applyMigrationsHere({ connectionString: (workerData as { connectionString: string }).connectionString }).then(
  (applied) => parentPort!.postMessage({ applied }),
  (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
);
