// Following a batch through the gateway until the Platform is done with it.
import type { RunningGateway } from './start-gateway.ts';

export interface BatchState {
  readonly id: string;
  readonly status: string;
  readonly rawStatus: string;
  readonly terminal: boolean;
}

/** Polls `batch(id)` until its status is terminal; fails after `attempts` polls. */
export async function waitForTerminalBatch(gw: RunningGateway, id: string, headers: Record<string, string> = {}, attempts = 200): Promise<BatchState> {
  for (let i = 0; i < attempts; i++) {
    const data = await gw.gqlOk<{ batch: BatchState | null }>('query ($id: ID!) { batch(id: $id) { id status rawStatus terminal } }', { id }, headers);
    if (!data.batch) throw new Error(`batch ${id} does not exist`);
    if (data.batch.terminal) return data.batch;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`batch ${id} did not reach a terminal status`);
}
