// Relay paging over the Catalog's offsets and the Registry's `_page.next`:
// every item once, in order, and hasNextPage honest on the last page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import { startRecordingProxy } from '../helpers/recording-proxy.ts';

const emulator = await startEmulator();
const proxy = await startRecordingProxy(emulator.url);
afterAll(() => proxy.close());
const gw = await startGateway({ emulator, platformBaseUrl: proxy.url });
afterAll(() => gw.close());

interface Page<T> {
  nodes: T[];
  edges: Array<{ cursor: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
}

const DATASET_COUNT = 250;
const PREFIX = 'paging-';

async function loyaltySchemaId(): Promise<string> {
  const data = await gw.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 100) { nodes { id title } } }');
  const found = data.schemas.nodes.find((s) => s.title === 'Loyalty Members');
  if (!found) throw new Error('the seeded Loyalty Members schema is missing');
  return found.id;
}

describe('datasets paging', () => {
  beforeAll(async () => {
    const schemaId = await loyaltySchemaId();
    for (let i = 0; i < DATASET_COUNT; i += 25) {
      // 25 at a time: quick, and gentle on two cores.
      await Promise.all(
        Array.from({ length: Math.min(25, DATASET_COUNT - i) }, (_, j) =>
          gw.gqlOk('mutation ($name: String!, $schemaId: ID!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }', {
            name: `${PREFIX}${String(i + j).padStart(3, '0')}`,
            schemaId,
          }),
        ),
      );
    }
  });

  it('should return every dataset exactly once over pages of 100, with hasNextPage false at the end', async () => {
    const seen: string[] = [];
    const pages: Array<Page<{ id: string; name: string }>> = [];
    let after: string | null = null;
    do {
      const data: { datasets: Page<{ id: string; name: string }> } = await gw.gqlOk(
        'query ($after: String) { datasets(first: 100, after: $after) { nodes { id name } edges { cursor } pageInfo { hasNextPage endCursor } totalCount } }',
        { after },
      );
      pages.push(data.datasets);
      seen.push(...data.datasets.nodes.map((d) => d.name));
      after = data.datasets.pageInfo.hasNextPage ? data.datasets.pageInfo.endCursor : null;
    } while (after !== null && pages.length < 10);

    const ours = seen.filter((name) => name.startsWith(PREFIX));
    expect(ours).toHaveLength(DATASET_COUNT);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
    expect(pages.slice(0, -1).every((page) => page.nodes.length === 100 && page.pageInfo.hasNextPage)).toBe(true);
    expect(pages[0]!.totalCount).toBeNull();
    expect(pages[0]!.edges.at(-1)!.cursor).toBe(pages[0]!.pageInfo.endCursor);
  });

  it('should say there is no next page when a full page of 100 ends the list', async () => {
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: { datasets: Page<{ id: string }> } = await gw.gqlOk('query ($after: String) { datasets(first: 100, after: $after) { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }', { after });
      all.push(...data.datasets.edges.map((edge) => edge.cursor));
      if (!data.datasets.pageInfo.hasNextPage) break;
      after = data.datasets.pageInfo.endCursor;
    }
    // Start so that exactly 100 items remain.
    const cursor = all[all.length - 101]!;
    const last = await gw.gqlOk<{ datasets: Page<{ id: string }> }>('query ($after: String) { datasets(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage } } }', { after: cursor });
    expect(last.datasets.nodes).toHaveLength(100);
    expect(last.datasets.pageInfo.hasNextPage).toBe(false);
  });

  it('should continue after any edge cursor, not only the last one', async () => {
    const first = await gw.gqlOk<{ datasets: Page<{ id: string }> }>('{ datasets(first: 10) { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }');
    const fromFifth = await gw.gqlOk<{ datasets: Page<{ id: string }> }>('query ($after: String) { datasets(first: 3, after: $after) { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }', {
      after: first.datasets.edges[4]!.cursor,
    });
    expect(fromFifth.datasets.nodes.map((d) => d.id)).toEqual(first.datasets.nodes.slice(5, 8).map((d) => d.id));
  });

  it('should ask the Catalog only for the properties the selection needs', async () => {
    proxy.requests.length = 0;
    await gw.gqlOk('{ datasets(first: 5) { nodes { id name } } }');
    const list = proxy.requests.find((r) => r.method === 'GET' && /\/catalog\/dataSets\?/.test(r.path));
    expect(list).toBeDefined();
    expect(new URL(list!.path, 'http://x').searchParams.get('properties')).toBe('name');

    proxy.requests.length = 0;
    await gw.gqlOk('{ datasets(first: 5) { edges { node { ... on Dataset { created profileEnabled } } } } }');
    const second = proxy.requests.find((r) => r.method === 'GET' && /\/catalog\/dataSets\?/.test(r.path));
    expect(new URL(second!.path, 'http://x').searchParams.get('properties')?.split(',').sort()).toEqual(['created', 'tags']);
  });

  it('should filter by exact name, and refuse a name the Catalog would read as alternatives', async () => {
    const found = await gw.gqlOk<{ datasets: Page<{ name: string }> }>('{ datasets(first: 10, filter: { name: "paging-007" }) { nodes { name } pageInfo { hasNextPage } } }');
    expect(found.datasets.nodes).toEqual([{ name: 'paging-007' }]);
    expect(found.datasets.pageInfo.hasNextPage).toBe(false);
    const comma = await gw.gql('{ datasets(first: 10, filter: { name: "paging-007,paging-008" }) { nodes { name } } }');
    expect(comma.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('should refuse a page size over 100 and a cursor it did not issue', async () => {
    const big = await gw.gql('{ datasets(first: 101) { nodes { id } } }');
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const forged = await gw.gql('{ datasets(first: 5, after: "not-a-cursor") { nodes { id } } }');
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('schemas paging', () => {
  const TITLES = ['Paging A', 'Paging B', 'Paging C', 'Paging D', 'Paging E'];

  beforeAll(async () => {
    for (const title of TITLES) {
      await gw.gqlOk('mutation ($title: String!) { createSchema(input: { title: $title, class: PROFILE }) { schema { id } } }', { title });
    }
  });

  it('should walk all tenant schemas two at a time, in title order, ending with hasNextPage false', async () => {
    const titles: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let last: Page<{ title: string }> | undefined;
    do {
      const data: { schemas: Page<{ title: string }> } = await gw.gqlOk(
        'query ($after: String) { schemas(first: 2, after: $after) { nodes { title } edges { cursor } pageInfo { hasNextPage endCursor } totalCount } }',
        { after },
      );
      last = data.schemas;
      expect(last.nodes.length).toBeLessThanOrEqual(2);
      titles.push(...last.nodes.map((s) => s.title));
      after = last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null;
      pages += 1;
    } while (after !== null && pages < 50);

    expect(last?.pageInfo.hasNextPage).toBe(false);
    expect(new Set(titles).size).toBe(titles.length);
    for (const title of [...TITLES, 'Loyalty Members']) expect(titles).toContain(title);
    expect([...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(titles);

    const all = await gw.gqlOk<{ schemas: Page<{ title: string }> }>('{ schemas(first: 100) { nodes { title } pageInfo { hasNextPage endCursor } } }');
    expect(all.schemas.nodes.map((s) => s.title)).toEqual(titles);
    expect(all.schemas.pageInfo.hasNextPage).toBe(false);
  });

  it('should read the global container', async () => {
    const data = await gw.gqlOk<{ schemas: Page<{ title: string }> }>('{ schemas(first: 5, container: GLOBAL) { nodes { title } pageInfo { hasNextPage } } }');
    expect(Array.isArray(data.schemas.nodes)).toBe(true);
  });
});
