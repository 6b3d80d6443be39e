// The playground in a real browser (Debian's Chromium through playwright-core)
// against a real gateway and emulator on port 0: GraphiQL runs the tutorial's
// first query, a second GraphiQL tab follows a batch over graphql-ws while the
// upload page fills it, the upload page ingests a file into a new batch, and no
// request ever leaves the gateway's origin. Screenshots of each step go to
// test-artifacts/playground/.
//
// A smaller suite, without a browser, checks that production turns the
// playground and introspection off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { chromiumMissing, serviceGate } from '../helpers/services.ts';
import { foreignRequests, launchChromium } from '../helpers/chromium.ts';
import type { Browser } from '../helpers/chromium.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import type { TestEmulator } from '../helpers/start-emulator.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import type { RunningGateway } from '../helpers/start-gateway.ts';
import { buildPlayground } from '../../scripts/build-playground.ts';

const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'playground');
// Three Loyalty Members records, JSON Lines, valid against the emulator's seeded schema.
const MEMBERS_FILE = fileURLToPath(new URL('../fixtures/files/loyalty-members.json', import.meta.url));
// Slow enough for both pages to see the batch pass through its states.
const PROCESSING_DELAY_MS = 1_500;
const STEP_TIMEOUT_MS = 20_000;

const skipBrowser = serviceGate(chromiumMissing(), 'playground e2e');

interface SchemasResult {
  schemas: { nodes: Array<{ id: string; title: string }> };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

// Monaco renders spaces as U+00A0 and only the lines in view: match loosely.
function monacoText(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s'));
}

/**
 * Replaces a Monaco editor's content, as a paste: typed text would go through
 * Monaco's auto-closing and suggestions (a suggestion open when a commit
 * character is typed replaces a word), which makes long values flaky.
 */
async function setEditorText(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((pasted) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData('text/plain', pasted);
    document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, text);
  await expect.poll(() => editor.locator('.view-lines').textContent()).toMatch(monacoText(text.slice(0, 12)));
}

async function openGraphiQL(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.graphiql-container').waitFor({ timeout: STEP_TIMEOUT_MS });
  // The schema is fetched (introspection) once the page is up; the docs need
  // it. GraphiQL remembers an open explorer across pages of the same profile.
  const showDocs = page.getByRole('button', { name: /Show Documentation Explorer/i });
  if ((await showDocs.count()) > 0) await showDocs.click();
  await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: STEP_TIMEOUT_MS }).toMatch(/Root Types/);
}

async function runActiveTab(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Execute query/i }).click();
}

/** Waits for the upload page's batch status; on a timeout, the page's message says why. */
async function waitForUploadStatus(page: Page, status: string): Promise<void> {
  const state = async () => {
    const current = await page.locator('#batch-status').getAttribute('data-status');
    return `status: ${current ?? 'none'}; message: ${await page.locator('#message').textContent()}`;
  };
  await expect.poll(state, { timeout: STEP_TIMEOUT_MS }).toMatch(new RegExp(`^status: ${status};`));
}

/** The editor shown below the operation: variables or headers, whichever tab is open. */
function activeToolEditor(page: Page): Locator {
  return page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
}

function responseText(page: Page): Promise<string | null> {
  return page.locator('.graphiql-response').textContent();
}

describe.skipIf(skipBrowser)('playground in Chromium', () => {
  let browser: Browser;
  let emulator: TestEmulator;
  let gateway: RunningGateway;
  let origin: string;
  // Where the pages may send requests: the gateways this suite started.
  const gatewayOrigins: string[] = [];
  let graphiqlUrl: string;
  let schemaId: string;
  let dataset: Promise<string> | undefined;

  // One dataset on the Loyalty Members schema for the ingestion tests, made on first use.
  function loyaltyDataset(): Promise<string> {
    dataset ??= gateway
      .gqlOk<{ createDataset: { dataset: { id: string } } }>(
        'mutation($schemaId: ID!) { createDataset(input: { name: "Loyalty Members (playground e2e)", schemaId: $schemaId }) { dataset { id } } }',
        { schemaId },
      )
      .then((created) => created.createDataset.dataset.id);
    return dataset;
  }

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // The bundle under test is the one of these sources, not an older build.
    await buildPlayground();
    emulator = await startEmulator({ processingDelayMs: PROCESSING_DELAY_MS });
    // As `npm start` runs it: open on loopback, in front of the emulator.
    gateway = await startGateway({
      emulator,
      // Polls fast enough to see each state the emulator passes through.
      env: { GATEWAY_OPEN: 'true', PLAYGROUND: 'true', BATCH_POLL_INTERVAL_MS: '250', BATCH_POLL_MAX_INTERVAL_MS: '500' },
      playgroundDeps: { emulator: true },
    });
    graphiqlUrl = gateway.url;
    origin = new URL(gateway.url).origin;
    gatewayOrigins.push(origin);

    const { schemas } = await gateway.gqlOk<SchemasResult>('{ schemas(first: 50) { nodes { id title } } }');
    const loyalty = schemas.nodes.find((schema) => schema.title === 'Loyalty Members');
    if (!loyalty) throw new Error(`the emulator's seed has no Loyalty Members schema: ${JSON.stringify(schemas.nodes)}`);
    schemaId = loyalty.id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('should run the Loyalty Members schema query in GraphiQL, with docs and autocomplete', async () => {
    const page = await browser.newPage();
    await openGraphiQL(page, graphiqlUrl);
    await screenshot(page, '01-graphiql-docs');

    // Room for the result in the screenshot.
    await page.getByRole('button', { name: /Hide Documentation Explorer/i }).click();
    // The first default tab is the tutorial's first step.
    await expect.poll(() => page.locator('.graphiql-tab-active').textContent()).toContain('LoyaltyMembersSchema');
    await runActiveTab(page);
    await expect.poll(() => responseText(page), { timeout: STEP_TIMEOUT_MS }).toMatch(monacoText('"title": "Loyalty Members"'));
    // Long ids wrap in the editor: look for the id's last segment.
    await expect.poll(() => responseText(page)).toContain(schemaId.split('/').at(-1));
    await screenshot(page, '02-graphiql-schema-query');

    // Autocomplete from the schema, in a new tab.
    await page.getByRole('button', { name: 'New tab' }).click();
    await page.locator('.graphiql-query-editor .monaco-editor').first().click();
    await page.keyboard.insertText('{ data');
    await page.keyboard.press('Control+Space');
    const suggestions = page.locator('.suggest-widget');
    await expect.poll(() => suggestions.textContent(), { timeout: STEP_TIMEOUT_MS }).toMatch(/datasets/);
    await screenshot(page, '03-graphiql-autocomplete');
  });

  it('should follow a batch in a second GraphiQL tab while the upload page fills it', async () => {
    const datasetId = await loyaltyDataset();
    const { createBatch } = await gateway.gqlOk<{ createBatch: { batch: { id: string; status: string } } }>(
      'mutation($datasetId: ID!) { createBatch(input: { datasetId: $datasetId, format: JSON }) { batch { id status } } }',
      { datasetId },
    );
    const batchId = createBatch.batch.id;
    expect(createBatch.batch.status).toBe('LOADING');

    // A second browser tab: GraphiQL's WatchBatch example, on this batch.
    const watcher = await browser.context.newPage();
    await openGraphiQL(watcher, graphiqlUrl);
    await watcher.locator('.graphiql-tab', { hasText: 'WatchBatch' }).click();
    await watcher.getByRole('button', { name: 'Variables' }).click();
    const variables = activeToolEditor(watcher);
    await setEditorText(watcher, variables, `{"id": "${batchId}"}`);
    await runActiveTab(watcher);
    await expect.poll(() => responseText(watcher), { timeout: STEP_TIMEOUT_MS }).toMatch(monacoText('"status": "LOADING"'));
    await screenshot(watcher, '04-graphiql-subscription-loading');

    // The upload page, on the batch opened above.
    const upload = await browser.newPage();
    await upload.goto(`${origin}/playground/upload?batch=${encodeURIComponent(batchId)}`);
    await upload.locator('#file').setInputFiles(MEMBERS_FILE);
    await upload.locator('#submit').click();
    await waitForUploadStatus(upload, 'SUCCESS');
    expect(await upload.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => bar.value === bar.max && bar.max > 0)).toBe(true);
    expect(await upload.locator('#batch-id').textContent()).toBe(batchId);
    await screenshot(upload, '05-upload-into-batch-success');

    // GraphiQL saw the same batch reach SUCCESS, live.
    await watcher.bringToFront();
    await expect.poll(() => responseText(watcher), { timeout: STEP_TIMEOUT_MS }).toMatch(monacoText('"status": "SUCCESS"'));
    await screenshot(watcher, '06-graphiql-subscription-success');
  });

  it('should ingest a file into a new batch from the upload page and show its status live', async () => {
    const datasetId = await loyaltyDataset();
    const page = await browser.newPage();
    await page.goto(`${origin}/playground/upload`);
    // The dataset list comes from the datasets query.
    await expect.poll(() => page.locator(`#dataset option[value="${datasetId}"]`).count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    await page.locator('#dataset').selectOption(datasetId);
    await page.locator('#file').setInputFiles(MEMBERS_FILE);
    // The format follows the file name.
    expect(await page.locator('#format').inputValue()).toBe('JSON');
    await page.locator('#submit').click();

    await waitForUploadStatus(page, 'SUCCESS');
    const statuses = await page.locator('#status-events > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    expect(statuses.at(-1)).toBe('SUCCESS');
    expect(statuses.length).toBeGreaterThan(1);
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/final status/);
    await screenshot(page, '07-upload-ingest-success');
  });

  it('should prefill the four Platform headers in pass-through mode, and run with real ones', async () => {
    const passThrough = await startGateway({ emulator, env: { AUTH_MODE: 'pass-through', PLAYGROUND: 'true' } });
    gatewayOrigins.push(new URL(passThrough.url).origin);
    try {
      const page = await browser.newPage();
      // The schema loads with the placeholders: the gateway wants them present, not valid, to introspect.
      await openGraphiQL(page, passThrough.url);
      await page.getByRole('button', { name: 'Headers' }).click();
      const headersEditor = activeToolEditor(page);
      for (const name of ['Authorization', 'x-api-key', 'x-gw-ims-org-id', 'x-sandbox-name']) {
        await expect.poll(() => headersEditor.textContent()).toContain(`"${name}"`);
      }
      await screenshot(page, '08-pass-through-headers');

      // The first tab is active on this origin. Clicking a tab would restore
      // its saved state, which lags the editors by a debounce.
      await expect.poll(() => page.locator('.graphiql-tab-active').textContent()).toContain('LoyaltyMembersSchema');
      await setEditorText(page, headersEditor, JSON.stringify(await emulator.headers()));
      await runActiveTab(page);
      await expect.poll(() => responseText(page), { timeout: STEP_TIMEOUT_MS }).toMatch(monacoText('"title": "Loyalty Members"'));
      await page.close();
    } finally {
      await passThrough.close();
    }
  });

  it('should never ask for anything from another host', () => {
    expect(browser.requested.length).toBeGreaterThan(0);
    // The WebSocket of the subscriptions and Monaco's workers are among them.
    expect(browser.requested.some((url) => url.startsWith(`ws://${new URL(origin).host}/graphql`))).toBe(true);
    expect(browser.requested.some((url) => /\/playground\/assets\/graphql-[A-Z0-9]+\.js$/.test(url))).toBe(true);
    expect(foreignRequests(browser.requested, gatewayOrigins)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('playground in production', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    const emulator = await startEmulator();
    gateway = await startGateway({ emulator, env: { NODE_ENV: 'production' } });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('should serve no playground: GraphQL JSON on /graphql, 404 elsewhere', async () => {
    const origin = new URL(gateway.url).origin;
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    await page.arrayBuffer();
    for (const path of ['/', '/playground/upload', '/playground/assets/manifest.json']) {
      const response = await fetch(`${origin}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      await response.arrayBuffer();
    }
  });

  it('should refuse introspection', async () => {
    const result = await gateway.gql('{ __schema { queryType { name } } }');
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
  });
});
