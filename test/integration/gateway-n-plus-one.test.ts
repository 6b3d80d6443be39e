// A page of 100 datasets with their schema titles and last batch statuses
// costs at most 1 (the list) + one call per distinct schema + 1 (the batches,
// one multi-id lookup) upstream calls, counted by the emulator; the last
// batches' ids and statuses alone come with the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ faults: true });
const gw = await startGateway({ emulator });
afterAll(() => gw.close());

const DATASETS = 100;
const SCHEMA_TITLES = ['N+1 Members A', 'N+1 Members B'];

function upstreamCalls(): Record<string, number> {
  // The token call is not part of the query's cost (cached across requests).
  return Object.fromEntries(Object.entries(emulator.counters()).filter(([route]) => !route.includes('/ims/')));
}

describe('a page of datasets with schemas and last batches', () => {
  beforeAll(async () => {
    const seeded = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
    const schemaIds = [seeded.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id];
    for (const title of SCHEMA_TITLES) {
      const created = await gw.gqlOk<{ createSchema: { schema: { id: string } } }>('mutation ($title: String!) { createSchema(input: { title: $title, class: PROFILE }) { schema { id } } }', { title });
      schemaIds.push(created.createSchema.schema.id);
    }
    for (let i = 0; i < DATASETS; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const n = i + j;
          const created = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>(
            'mutation ($name: String!, $schemaId: ID!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }',
            { name: `n1-${n}`, schemaId: schemaIds[n % schemaIds.length] },
          );
          // Every other dataset gets a batch, so lastBatch has both answers.
          if (n % 2 === 0) {
            await gw.gqlOk('mutation ($datasetId: ID!) { createBatch(input: { datasetId: $datasetId, format: JSON }) { batch { id } } }', { datasetId: created.createDataset.dataset.id });
          }
        }),
      );
    }
  });

  it('should cost at most 1 + distinct schemas + 1 upstream calls', async () => {
    emulator.resetCounters();
    const data = await gw.gqlOk<{ datasets: { nodes: Array<{ name: string; schema: { title: string } | null; lastBatch: { status: string } | null }> } }>(
      '{ datasets(first: 100) { nodes { name schema { title } lastBatch { status } } } }',
    );
    const nodes = data.datasets.nodes;
    expect(nodes).toHaveLength(100);
    const distinctSchemas = new Set(nodes.map((d) => d.schema?.title));
    expect(distinctSchemas.size).toBe(3);
    expect(nodes.filter((d) => d.lastBatch !== null).length).toBeGreaterThan(0);
    expect(nodes.filter((d) => d.lastBatch === null).length).toBeGreaterThan(0);
    expect(nodes.every((d) => d.lastBatch === null || d.lastBatch.status === 'LOADING')).toBe(true);

    const calls = upstreamCalls();
    const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
    expect(total, JSON.stringify(calls)).toBeLessThanOrEqual(1 + distinctSchemas.size + 1);
  });

  it('should answer lastBatch { id status } from the datasets alone, and look the batches up for any other batch field', async () => {
    type Node = { id: string; lastBatch: { id: string; status: string; rawStatus: string; created?: number } | null };
    emulator.resetCounters();
    const fromDatasets = await gw.gqlOk<{ datasets: { nodes: Node[] } }>('{ datasets(first: 100) { nodes { id lastBatch { id status rawStatus } } } }');
    expect(upstreamCalls()).toEqual({ 'GET /data/foundation/catalog/dataSets': 1 });

    emulator.resetCounters();
    const fromBatches = await gw.gqlOk<{ datasets: { nodes: Node[] } }>('{ datasets(first: 100) { nodes { id lastBatch { id status rawStatus created } } } }');
    expect(upstreamCalls()).toEqual({ 'GET /data/foundation/catalog/dataSets': 1, 'GET /data/foundation/catalog/batches/:ids': 1 });

    // Both ways give the same batches and statuses; the second also has what only the batch holds.
    expect(fromDatasets.datasets.nodes.filter((d) => d.lastBatch !== null).length).toBe(DATASETS / 2);
    expect(fromDatasets.datasets.nodes).toEqual(fromBatches.datasets.nodes.map(({ id, lastBatch }) => ({ id, lastBatch: lastBatch && { id: lastBatch.id, status: lastBatch.status, rawStatus: lastBatch.rawStatus } })));
    expect(fromBatches.datasets.nodes.every((d) => d.lastBatch === null || typeof d.lastBatch.created === 'string')).toBe(true);
  });

  it('should look a dataset up once however often the query names it', async () => {
    const { datasets } = await gw.gqlOk<{ datasets: { nodes: Array<{ id: string }> } }>('{ datasets(first: 1) { nodes { id } } }');
    const id = datasets.nodes[0]!.id;
    emulator.resetCounters();
    await gw.gqlOk('query ($id: ID!) { a: dataset(id: $id) { name } b: dataset(id: $id) { description } c: dataset(id: $id) { schema { title } } }', { id });
    const lookups = Object.entries(upstreamCalls()).filter(([route]) => route.includes('/catalog/'));
    expect(lookups.reduce((sum, [, n]) => sum + n, 0)).toBe(1);
  });
});
