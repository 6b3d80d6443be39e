// The dataset and batch mutations the tutorial does not walk through:
// update (name, tags, the Profile and Identity switches), delete, abort; and
// the lists hanging off a dataset and a schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';

const emulator = await startEmulator({ processingDelayMs: 20 });
const gw = await startGateway({ emulator });
afterAll(() => gw.close());

let schemaId = '';

async function createDataset(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await gw.gqlOk<{ createDataset: { dataset: { id: string } } }>('mutation ($input: CreateDatasetInput!) { createDataset(input: $input) { dataset { id } } }', {
    input: { name, schemaId, ...extra },
  });
  return data.createDataset.dataset.id;
}

beforeAll(async () => {
  const schemas = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
  schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
});

describe('dataset mutations', () => {
  it('should update the name, the tags and the Profile/Identity switches, keeping reserved tags in step', async () => {
    const id = await createDataset('before', { tags: { team: ['crm'] }, identityEnabled: true });
    const updated = await gw.gqlOk<{ updateDataset: { dataset: { name: string; description: string | null; tags: Record<string, string[]>; profileEnabled: boolean; identityEnabled: boolean } } }>(
      'mutation ($input: UpdateDatasetInput!) { updateDataset(input: $input) { dataset { name description tags profileEnabled identityEnabled } } }',
      { input: { id, name: 'after', description: 'now described', profileEnabled: true, tags: { team: ['marketing'] } } },
    );
    expect(updated.updateDataset.dataset).toMatchObject({ name: 'after', description: 'now described', profileEnabled: true, identityEnabled: true });
    expect(updated.updateDataset.dataset.tags.team).toEqual(['marketing']);
    expect(updated.updateDataset.dataset.tags.unifiedProfile).toContain('enabled:true');

    const off = await gw.gqlOk<{ updateDataset: { dataset: { identityEnabled: boolean; profileEnabled: boolean } } }>(
      'mutation ($id: ID!) { updateDataset(input: { id: $id, identityEnabled: false }) { dataset { identityEnabled profileEnabled } } }',
      { id },
    );
    expect(off.updateDataset.dataset).toEqual({ identityEnabled: false, profileEnabled: true });
  });

  it('should refuse an update that changes nothing, and malformed tags', async () => {
    const id = await createDataset('unchanged');
    const nothing = await gw.gql('mutation ($id: ID!) { updateDataset(input: { id: $id }) { dataset { id } } }', { id });
    expect(nothing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badTags = await gw.gql('mutation ($id: ID!) { updateDataset(input: { id: $id, tags: { team: "not a list" } }) { dataset { id } } }', { id });
    expect(badTags.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('should refuse tags in a namespace reserved to Adobe with FORBIDDEN', async () => {
    const id = await createDataset('reserved');
    const result = await gw.gql('mutation ($id: ID!, $tags: JSON) { updateDataset(input: { id: $id, tags: $tags }) { dataset { id } } }', { id, tags: { 'adobe/pqs/table': ['x'] } });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('should delete a dataset: then it reads as null, and a second delete is NOT_FOUND', async () => {
    const id = await createDataset('doomed');
    const deleted = await gw.gqlOk<{ deleteDataset: { deletedId: string } }>('mutation ($id: ID!) { deleteDataset(input: { id: $id }) { deletedId } }', { id });
    expect(deleted.deleteDataset.deletedId).toBe(id);
    const after = await gw.gql<{ dataset: unknown }>('query ($id: ID!) { dataset(id: $id) { id } }', { id });
    expect(after.data?.dataset).toBeNull();
    const again = await gw.gql('mutation ($id: ID!) { deleteDataset(input: { id: $id }) { deletedId } }', { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should refuse a dataset on a schema that does not exist', async () => {
    const result = await gw.gql('mutation { createDataset(input: { name: "orphan", schemaId: "_aeplocal.schemas.nothere" }) { dataset { id } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('batch mutations and lists', () => {
  it('should abort a loading batch', async () => {
    const datasetId = await createDataset('aborting');
    const created = await gw.gqlOk<{ createBatch: { batch: { id: string } } }>('mutation ($id: ID!) { createBatch(input: { datasetId: $id, format: PARQUET }) { batch { id } } }', { id: datasetId });
    const aborted = await gw.gqlOk<{ abortBatch: { batch: { status: string; terminal: boolean } } }>('mutation ($id: ID!) { abortBatch(input: { batchId: $id }) { batch { status terminal } } }', {
      id: created.createBatch.batch.id,
    });
    expect(aborted.abortBatch.batch).toEqual({ status: 'ABORTED', terminal: true });
  });

  it('should refuse a batch on a dataset that does not exist with NOT_FOUND', async () => {
    const result = await gw.gql('mutation { createBatch(input: { datasetId: "000000000000000000000000", format: JSON }) { batch { id } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('should list a dataset batches by status, its files, and the datasets of its schema', async () => {
    const datasetId = await createDataset('listed');
    const ingested = await gw.upload<{ ingestFiles: { batch: { id: string } } }>(
      { query: 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } } }', variables: { input: { datasetId, format: 'JSON', files: [null, null] } } },
      [
        { path: 'variables.input.files.0', name: 'a.json', content: JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'A' } } }) },
        { path: 'variables.input.files.1', name: 'b.json', content: JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: 'B' } } }) },
      ],
    );
    expect(ingested.errors).toBeUndefined();
    const batchId = ingested.data!.ingestFiles.batch.id;
    expect((await waitForTerminalBatch(gw, batchId)).status).toBe('SUCCESS');
    await gw.gqlOk('mutation ($id: ID!) { createBatch(input: { datasetId: $id, format: JSON }) { batch { id } } }', { id: datasetId });

    const data = await gw.gqlOk<{
      dataset: {
        succeeded: { nodes: Array<{ id: string }> };
        loading: { nodes: Array<{ status: string }> };
        files: { nodes: Array<{ batchId: string }>; pageInfo: { hasNextPage: boolean } };
        schema: { datasets: Array<{ id: string }> };
        rows: unknown[];
      };
      batches: { nodes: Array<{ id: string; datasetId: string }> };
    }>(
      `query ($id: ID!) {
        dataset(id: $id) {
          succeeded: batches(first: 10, status: [SUCCESS]) { nodes { id } }
          loading: batches(first: 10, status: [LOADING]) { nodes { status } }
          files(first: 10) { nodes { batchId } pageInfo { hasNextPage } }
          schema { datasets(first: 100) { id } }
          rows(limit: 10)
        }
        batches(first: 10, filter: { datasetId: $id, status: [SUCCESS] }) { nodes { id datasetId } }
      }`,
      { id: datasetId },
    );
    expect(data.dataset.succeeded.nodes.map((b) => b.id)).toEqual([batchId]);
    expect(data.dataset.loading.nodes).toEqual([{ status: 'LOADING' }]);
    expect(data.dataset.files.nodes.length).toBeGreaterThan(0);
    expect(data.dataset.files.nodes.every((f) => f.batchId === batchId)).toBe(true);
    expect(data.dataset.files.pageInfo.hasNextPage).toBe(false);
    expect(data.dataset.schema.datasets.map((d) => d.id)).toContain(datasetId);
    expect(data.dataset.rows).toHaveLength(2);
    expect(data.batches.nodes).toEqual([{ id: batchId, datasetId }]);
  });

  it('should refuse UNKNOWN as a status filter', async () => {
    const result = await gw.gql('{ batches(first: 5, filter: { status: [UNKNOWN] }) { nodes { id } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
