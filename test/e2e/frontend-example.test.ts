// The example frontend (examples/frontend: Vite, Apollo Client, graphql-ws,
// apollo-upload-client, codegen's typed documents) built from its sources and
// run in Chromium against a real gateway and emulator. The built files are
// served by `vite preview`, which forwards /graphql (HTTP and WebSocket) to
// the gateway as a reverse proxy would: the stock clients, unchanged, list
// datasets (as automatic persisted queries), upload a file into a new batch
// and follow it to SUCCESS over a subscription. Screenshots go to
// test-artifacts/frontend/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import { exampleConfig } from '../../examples/frontend/vite.config.ts';
import { chromiumMissing, serviceGate } from '../helpers/services.ts';
import { foreignRequests, launchChromium } from '../helpers/chromium.ts';
import type { Browser } from '../helpers/chromium.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';

const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'frontend');
// Three Loyalty Members records, JSON Lines, valid against the emulator's seeded schema.
const MEMBERS_FILE = fileURLToPath(new URL('../fixtures/files/loyalty-members.json', import.meta.url));
// Slow enough for the page to see the batch pass through its states.
const PROCESSING_DELAY_MS = 1_500;
const STEP_TIMEOUT_MS = 20_000;
const DATASET_NAME = 'Loyalty Members (frontend example)';

const skipBrowser = serviceGate(chromiumMissing(), 'frontend example e2e');

describe.skipIf(skipBrowser)('example frontend in Chromium', () => {
  let browser: Browser;
  let gateway: RunningGateway;
  let server: PreviewServer;
  let appUrl: string;
  let outDir: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const emulator = await startEmulator({ processingDelayMs: PROCESSING_DELAY_MS });
    // As `npm start` runs it: open on loopback, polling fast enough to see each state.
    gateway = await startGateway({
      emulator,
      env: { GATEWAY_OPEN: 'true', BATCH_POLL_INTERVAL_MS: '250', BATCH_POLL_MAX_INTERVAL_MS: '500' },
    });
    const { schemas } = await gateway.gqlOk<{ schemas: { nodes: Array<{ id: string; title: string }> } }>('{ schemas(first: 50) { nodes { id title } } }');
    const loyalty = schemas.nodes.find((schema) => schema.title === 'Loyalty Members');
    if (!loyalty) throw new Error(`the emulator's seed has no Loyalty Members schema: ${JSON.stringify(schemas.nodes)}`);
    await gateway.gqlOk('mutation($schemaId: ID!, $name: String!) { createDataset(input: { name: $name, schemaId: $schemaId }) { dataset { id } } }', {
      schemaId: loyalty.id,
      name: DATASET_NAME,
    });

    // The app under test is built from its sources now, into a fresh directory.
    outDir = await mkdtemp(join(tmpdir(), 'frontend-example-'));
    const config = { ...exampleConfig(gateway.url), configFile: false as const, logLevel: 'silent' as const };
    await build({ ...config, build: { outDir, emptyOutDir: true } });
    server = await preview({ ...config, build: { outDir }, preview: { ...config.preview, host: '127.0.0.1', port: 0, strictPort: false } });
    const address = server.httpServer.address();
    if (address === null || typeof address === 'string') throw new Error('vite preview is not listening on a TCP port');
    appUrl = `http://127.0.0.1:${address.port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await gateway?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('should list datasets, upload a file into a new batch and follow it to SUCCESS', async () => {
    const page = await browser.newPage();
    // What the app sent for its datasets query, and what came back.
    const datasetCalls: Array<{ sentQuery: boolean; hash: unknown; code: unknown; data: boolean }> = [];
    page.on('response', async (response) => {
      const request = response.request();
      const body = request.postDataJSON() as { operationName?: string; query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } } | null;
      if (request.method() !== 'POST' || body?.operationName !== 'ExampleDatasets') return;
      const answer = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
      datasetCalls.push({ sentQuery: typeof body.query === 'string', hash: body.extensions?.persistedQuery?.sha256Hash, code: answer.errors?.[0]?.extensions?.code, data: answer.data !== undefined && answer.data !== null });
    });
    await page.goto(appUrl);
    const datasetRadio = page.getByRole('radio', { name: new RegExp(DATASET_NAME.replace(/[()]/g, '\\$&')) });
    await datasetRadio.waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.screenshot({ path: join(SCREENSHOTS, '01-datasets.png') });

    await datasetRadio.check();
    await page.locator('#file').setInputFiles(MEMBERS_FILE);
    await page.locator('#upload').click();

    const state = async () => `status: ${(await page.locator('#batch-status').getAttribute('data-status')) ?? 'none'}; message: ${await page.locator('#message').textContent()}; errors: ${browser.pageErrors.join(' | ')}`;
    await expect.poll(state, { timeout: STEP_TIMEOUT_MS }).toMatch(/^status: (LOADING|QUEUED|STAGING|PROCESSING|SUCCESS);/);
    await page.screenshot({ path: join(SCREENSHOTS, '02-uploaded.png') });
    await expect.poll(state, { timeout: STEP_TIMEOUT_MS }).toMatch(/^status: SUCCESS;/);
    await expect.poll(() => page.locator('#message').textContent(), { timeout: STEP_TIMEOUT_MS }).toMatch(/finished: SUCCESS/);
    await page.screenshot({ path: join(SCREENSHOTS, '03-success.png') });

    // The events came over the subscription: the first state, then each change up to SUCCESS.
    const events = await page.locator('#events li').allTextContents();
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatch(/SUCCESS .*3 of 3 records written/);

    // The gateway agrees, asked directly.
    const batchId = await page.locator('#batch-id').textContent();
    const { batch } = await gateway.gqlOk<{ batch: { status: string; metrics: { recordsWritten: number } } }>('query($id: ID!) { batch(id: $id) { status metrics { recordsWritten } } }', { id: batchId });
    expect(batch).toEqual({ status: 'SUCCESS', metrics: { recordsWritten: 3 } });

    // Apollo's PersistedQueryLink against the gateway's APQ: the hash alone is
    // unknown at first, the query registers it, and the list reloaded after
    // the batch finished went by hash alone.
    await expect.poll(() => datasetCalls.length, { timeout: STEP_TIMEOUT_MS }).toBeGreaterThanOrEqual(3);
    const hash = datasetCalls[0]!.hash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetCalls.slice(0, 3)).toEqual([
      { sentQuery: false, hash, code: 'PERSISTED_QUERY_NOT_FOUND', data: false },
      { sentQuery: true, hash, code: undefined, data: true },
      { sentQuery: false, hash, code: undefined, data: true },
    ]);

    // Everything went through the app's own origin: HTTP and the graphql-ws socket.
    const origin = new URL(appUrl).origin;
    expect(foreignRequests(browser.requested, origin)).toEqual([]);
    expect(browser.requested).toContain(`ws://127.0.0.1:${new URL(appUrl).port}/graphql`);
    expect(browser.pageErrors).toEqual([]);
  });
});
