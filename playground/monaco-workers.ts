// Monaco runs its language services in web workers and asks
// `MonacoEnvironment.getWorker(label)` for them. The workers are bundled by
// scripts/build-playground.ts and served by the gateway, so that nothing is
// fetched from a CDN. This must run before GraphiQL first loads Monaco.

interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

export function installMonacoWorkers(workers: Readonly<Record<string, string>>): void {
  const fallback = workers.editor;
  if (fallback === undefined) throw new Error('the playground build has no editor worker');
  const environment: MonacoEnvironment = {
    getWorker(_workerId, label) {
      return new Worker(workers[label] ?? fallback, { name: label });
    },
  };
  (globalThis as { MonacoEnvironment?: MonacoEnvironment }).MonacoEnvironment = environment;
}
