// Capture stage: start one of this folder's worker modules on a thread, from the compiled or
// bundled JavaScript (a sibling file), or from the TypeScript sources under tsx (tests): worker
// threads do not inherit module hooks, so the worker registers tsx itself first.

import { Worker } from 'node:worker_threads';

/** `module` is the worker's file name without extension, e.g. 'decode-worker'. */
export function spawnWorker(module: 'decode-worker' | 'inflate-worker', workerData: unknown): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(`./${module}.js`, self), { workerData });
  const source = new URL(`./${module}.ts`, self).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
