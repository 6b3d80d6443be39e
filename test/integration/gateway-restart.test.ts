// A gateway restart during a subscription loses no terminal event for a
// client that subscribes again: the gateway process is killed (SIGKILL) while
// the batch is processing, the batch succeeds while no gateway runs, and a new
// gateway process answers the resubscription with the terminal state.
import { describe, expect, it } from 'vitest';
import { gqlTo, PROCESS_GATEWAY_KEY, startGatewayProcess } from '../helpers/gateway-process.ts';
import { postMultipart } from '../helpers/multipart.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 1_500 });
const KEY = { 'x-gateway-api-key': PROCESS_GATEWAY_KEY };
const BATCH_STATUS = 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id status } previousStatus terminal initial sequence } }';
type StatusData = { batchStatus: { batch: { id: string; status: string }; previousStatus: string | null; terminal: boolean; initial: boolean; sequence: number } };

/** The batch status as the Platform has it, read without any gateway. */
async function upstreamStatus(batchId: string): Promise<string> {
  const res = await fetch(`${emulator.url}/data/foundation/catalog/batches/${batchId}`, { headers: await emulator.headers() });
  const body = (await res.json()) as Record<string, { status?: string }>;
  return String(body[batchId]?.status);
}

describe('a gateway restart during a subscription', () => {
  it('should give a client that resubscribes the terminal state reached while no gateway ran', async () => {
    const first = await startGatewayProcess(emulator);
    const schemas = await gqlTo<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(first.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gqlTo<{ createDataset: { dataset: { id: string } } }>(first.url, 'mutation ($s: ID!) { createDataset(input: { name: "restart", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const batch = await gqlTo<{ createBatch: { batch: { id: string } } }>(first.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: dataset.createDataset.dataset.id });
    const batchId = batch.createBatch.batch.id;
    const uploaded = await postMultipart(
      first.url,
      { query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName } } }', variables: { input: { batchId, file: null } } },
      [{ path: 'variables.input.file', name: 'm.json', content: JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'R-1', loyaltyLevel: 'gold', loyaltyPoints: 1 } } }) }],
      KEY,
    );
    expect(uploaded.errors).toBeUndefined();

    const before = follow<StatusData>(createTestClient(first.url, KEY), BATCH_STATUS, { id: batchId });
    await before.atLeast(1);
    await gqlTo(first.url, 'mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId });
    await before.atLeast(2);
    expect(before.results.map((r) => r.data?.batchStatus.batch.status)).toEqual(['LOADING', 'PROCESSING']);

    // Killed mid-processing: the stream breaks off without its terminal event.
    first.child.kill('SIGKILL');
    await first.exited;
    await before.ended;
    expect(before.completed).toBe(false);
    expect(before.results.some((r) => r.data?.batchStatus.terminal)).toBe(false);

    // The batch finishes while no gateway runs.
    await expect.poll(() => upstreamStatus(batchId), { timeout: 20_000, interval: 200 }).toBe('success');

    // A client subscribes again, to a new gateway process.
    const second = await startGatewayProcess(emulator);
    const after = follow<StatusData>(createTestClient(second.url, KEY), BATCH_STATUS, { id: batchId });
    await after.ended;
    expect(after.errors).toBeUndefined();
    expect(after.completed).toBe(true);
    expect(after.results.map((r) => r.data?.batchStatus)).toMatchObject([{ batch: { id: batchId, status: 'SUCCESS' }, terminal: true, initial: true }]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    console.log(
      `killed (SIGKILL) after ${before.results.map((r) => r.data?.batchStatus.batch.status).join(' -> ')}; batch reached success with no gateway running; ` +
        `resubscribed to a new process: ${after.results.map((r) => `${r.data?.batchStatus.batch.status} terminal=${String(r.data?.batchStatus.terminal)}`).join(', ')}, stream completed`,
    );
  });
});
