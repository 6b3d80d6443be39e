// What the upload suites share: files of Loyalty Members records, a dataset
// and JSON batches to send them into (through the gateway, as a client
// would), and what the Platform holds of a file (HEAD, as its clients ask).
import type { RunningGateway } from './start-gateway.ts';
import type { TestEmulator } from './start-emulator.ts';

/** JSON Lines of Loyalty Members records, at least `size` bytes; ids start with `prefix`. */
export function loyaltyMembersJsonl(size: number, prefix = 'L'): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: `${prefix}-${String(i).padStart(7, '0')}`, loyaltyLevel: i % 2 ? 'gold' : 'silver', loyaltyPoints: i } } });
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(lines.join('\n'));
}

/** A new dataset on the seeded Loyalty Members schema; its id. */
export async function createLoyaltyDataset(gw: RunningGateway, name: string): Promise<string> {
  const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
  const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
  const dataset = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($name: String!, $schemaId: ID!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }', {
    name,
    schemaId,
  });
  return dataset.createDataset.dataset.id;
}

/** A new JSON batch on the dataset; its id. */
export async function createJsonBatch(gw: RunningGateway, datasetId: string): Promise<string> {
  const batch = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($id: ID!) { createBatch(input: { datasetId: $id, format: JSON }) { batch { id } } }', { id: datasetId });
  return batch.createBatch.batch.id;
}

/** What the Platform holds of a file: HEAD on its path, straight to the emulator. */
export async function upstreamHead(emulator: TestEmulator, batchId: string, datasetId: string, fileName: string): Promise<{ status: number; range: string | null }> {
  const res = await fetch(`${emulator.url}/data/foundation/import/batches/${batchId}/datasets/${datasetId}/files/${fileName}`, { method: 'HEAD', headers: await emulator.headers() });
  return { status: res.status, range: res.headers.get('range') };
}
