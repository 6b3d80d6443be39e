// Graceful shutdown of a gateway process (`aep-graphql serve`): on SIGTERM a
// slow upload that is running still completes and is byte-exact upstream, a
// new request during the drain is refused (503 SHUTTING_DOWN, or the
// connection is refused once the server is closed), a subscriber receives
// `complete`, and the process exits 0. An upload still running at
// SHUTDOWN_TIMEOUT_MS is cut off, leaves nothing in its batch, and the process
// exits all the same.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gqlTo, PROCESS_GATEWAY_KEY, startGatewayProcess } from '../helpers/gateway-process.ts';
import { startEmulator } from '../helpers/start-emulator.ts';
import { waitForTerminalBatch } from '../helpers/batches.ts';
import { startGateway } from '../helpers/start-gateway.ts';
import { createTestClient, follow } from '../helpers/ws-client.ts';

const emulator = await startEmulator({ faults: true, processingDelayMs: 20 });
const KEY = { 'x-gateway-api-key': PROCESS_GATEWAY_KEY };
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function membersFile(lines: number): Buffer {
  return Buffer.from(
    Array.from({ length: lines }, (_, i) => JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: `S-${String(i).padStart(6, '0')}`, loyaltyLevel: 'gold', loyaltyPoints: i } } })).join('\n'),
  );
}

describe('SIGTERM', () => {
  it('should finish a running upload, refuse new requests, complete subscriptions and exit 0', async () => {
    const gateway = await startGatewayProcess(emulator, { SHUTDOWN_TIMEOUT_MS: '30000' });
    const schemas = await gqlTo<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(gateway.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gqlTo<{ createDataset: { dataset: { id: string } } }>(gateway.url, 'mutation ($s: ID!) { createDataset(input: { name: "shutdown", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const datasetId = dataset.createDataset.dataset.id;
    const newBatch = async () =>
      (await gqlTo<{ createBatch: { batch: { id: string } } }>(gateway.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: datasetId })).createBatch.batch.id;
    const uploadBatch = await newBatch();
    const watchedBatch = await newBatch();

    // A subscriber of a batch that stays open.
    const subscriber = follow<{ batchStatus: { batch: { status: string } } }>(createTestClient(gateway.url, KEY), 'subscription ($id: ID!) { batchStatus(id: $id) { batch { status } } }', { id: watchedBatch });
    await subscriber.atLeast(1);

    // A slow upload: the multipart body trickles in, in 20 chunks, the last ones after SIGTERM.
    const file = membersFile(2_000);
    const boundary = 'shutdown-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
        `${JSON.stringify({ query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes sha256 } } }', variables: { input: { batchId: uploadBatch, file: null } } })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: ['variables.input.file'] })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="slow.json"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const chunks = 20;
    const chunkSize = Math.ceil(file.length / chunks);
    let signalled!: () => void;
    const afterSignal = new Promise<void>((resolve) => (signalled = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(head));
        for (let i = 0; i < chunks; i++) {
          if (i === chunks / 2) await afterSignal;
          controller.enqueue(new Uint8Array(file.subarray(i * chunkSize, (i + 1) * chunkSize)));
          // The client throttles its stream.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        controller.enqueue(new Uint8Array(Buffer.from(`\r\n--${boundary}--\r\n`)));
        controller.close();
      },
    });
    const upload = fetch(gateway.url, {
      method: 'POST',
      headers: { ...KEY, 'apollo-require-preflight': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    // Half the file has reached the gateway when the signal comes.
    const metricsUrl = gateway.url.replace(/\/graphql$/, '/metrics');
    const receivedBytes = async () => Number(/^aep_gateway_upload_received_bytes_total(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    await expect.poll(receivedBytes, { timeout: 10_000 }).toBeGreaterThanOrEqual(head.length + (chunks / 2) * chunkSize);

    gateway.child.kill('SIGTERM');
    await expect.poll(() => gateway.stderr().includes('SIGTERM: stopping'), { timeout: 10_000 }).toBe(true);

    // A new request while the gateway drains.
    const refused = await fetch(gateway.url, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).then(
      async (res) => `${res.status} ${((await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code ?? ''}`,
      (error: unknown) => `connection refused (${String((error as { cause?: { code?: string } }).cause?.code ?? error)})`,
    );
    expect(refused).toMatch(/^(503 SHUTTING_DOWN|connection refused)/);
    signalled();

    const answer = (await (await upload).json()) as { data?: { uploadBatchFile: { file: { fileName: string; bytes: number; sha256: string } } }; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.uploadBatchFile.file).toEqual({ fileName: 'slow.json', bytes: file.length, sha256: sha256(file) });
    await subscriber.ended;
    expect(subscriber.completed).toBe(true);
    expect(subscriber.errors).toBeUndefined();
    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    // Upstream, the file is whole: the Platform holds every byte, and every record comes back.
    const head200 = await fetch(`${emulator.url}/data/foundation/import/batches/${uploadBatch}/datasets/${datasetId}/files/slow.json`, { method: 'HEAD', headers: await emulator.headers() });
    expect(head200.headers.get('range')).toBe(`bytes=0-${file.length - 1}`);
    const reader = await startGateway({ emulator });
    try {
      await reader.gqlOk('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: uploadBatch });
      expect((await waitForTerminalBatch(reader, uploadBatch)).status).toBe('SUCCESS');
      const rows = await reader.gqlOk<{ batch: { rows: unknown[] } }>('query ($id: ID!) { batch(id: $id) { rows(limit: 1000) } }', { id: uploadBatch });
      const firstRecords = file.toString('utf8').split('\n').slice(0, 1000).map((line) => JSON.parse(line) as unknown);
      expect(sha256(JSON.stringify(rows.batch.rows))).toBe(sha256(JSON.stringify(firstRecords)));
    } finally {
      await reader.close();
    }
    console.log(
      `SIGTERM with an upload half sent: the upload finished (${file.length} bytes, sha256 equal upstream, Range bytes=0-${file.length - 1}); ` +
        `a new request during the drain: ${refused}; the subscriber got complete after ${subscriber.results.length} event(s); exit code ${exit.code}`,
    );
  });

  it('should cut off an upload that is still running at SHUTDOWN_TIMEOUT_MS and exit', async () => {
    const gateway = await startGatewayProcess(emulator, { SHUTDOWN_TIMEOUT_MS: '1000' });
    const schemas = await gqlTo<{ schemas: { nodes: Array<{ id: string; title: string }> } }>(gateway.url, '{ schemas(first: 50) { nodes { id title } } }');
    const schemaId = schemas.schemas.nodes.find((s) => s.title === 'Loyalty Members')!.id;
    const dataset = await gqlTo<{ createDataset: { dataset: { id: string } } }>(gateway.url, 'mutation ($s: ID!) { createDataset(input: { name: "stalled", schemaId: $s }) { dataset { id } } }', { s: schemaId });
    const batch = await gqlTo<{ createBatch: { batch: { id: string } } }>(gateway.url, 'mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: dataset.createDataset.dataset.id });
    const batchId = batch.createBatch.batch.id;
    const boundary = 'stalled-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
        `${JSON.stringify({ query: 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { bytes } } }', variables: { input: { batchId, file: null } } })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: ['variables.input.file'] })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="stalled.json"\r\nContent-Type: application/octet-stream\r\n\r\n{"a":`,
    );
    // The client sends the start of its upload, then nothing more: it would never finish.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(head));
      },
    });
    const upload = fetch(gateway.url, {
      method: 'POST',
      headers: { ...KEY, 'apollo-require-preflight': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit).then(
      (res) => `answered ${res.status}`,
      (error: unknown) => `cut off (${String((error as { cause?: { code?: string } }).cause?.code ?? error)})`,
    );
    const metricsUrl = gateway.url.replace(/\/graphql$/, '/metrics');
    await expect.poll(async () => /^aep_gateway_upload_received_bytes_total(?:\{[^}]*\})? [1-9]/m.test(await (await fetch(metricsUrl)).text()), { timeout: 10_000 }).toBe(true);

    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    const outcome = await upload;
    expect(outcome).toMatch(/^cut off/);
    expect(exit).toEqual({ code: 0, signal: null });
    // Nothing of the cut file reached the batch, which stays open for a retry.
    const stored = await fetch(`${emulator.url}/data/foundation/import/batches/${batchId}/datasets/${dataset.createDataset.dataset.id}/files/stalled.json`, { method: 'HEAD', headers: await emulator.headers() });
    expect(stored.status).toBe(404);
    console.log(`SHUTDOWN_TIMEOUT_MS=1000 with an upload that never finishes: the upload was ${outcome}; the process exited with code ${exit.code}`);
  });
});

