// A mixed workload against one gateway, for the load test and the soak
// benchmark: N concurrent clients, each looping until the deadline over
// queries (80 %), uploads (10 %: uploadBatchFile into a new batch, or
// ingestFiles) and subscriptions (10 %: batchStatus of a recent batch).
// Every answer is classified: ok, or an error with its extensions.code. Every
// upload the gateway reported as done is checked afterwards against what the
// emulator stored (sha256 of the stored bytes).
import { createHash } from 'node:crypto';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { storedUploadDigest } from '../../bench/lib/platform.ts';
import { multipartBody } from './multipart.ts';

export interface LoadMixOptions {
  readonly gatewayUrl: string;
  /** Sent with every request and as WebSocket connectionParams (the gateway key). */
  readonly headers: Readonly<Record<string, string>>;
  /** The emulator's data folder: stored uploads are read from it to check them byte by byte. */
  readonly emulatorDataDir: string;
  readonly datasetId: string;
  /** A batch that stays open: subscriptions follow it when no recent batch is known. */
  readonly openBatchId: string;
  readonly clients: number;
  readonly seconds: number;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface LoadReport {
  readonly operations: number;
  readonly queries: number;
  readonly uploads: number;
  readonly subscriptions: number;
  /** Operations answered without error. */
  readonly ok: number;
  /** Errors by extensions.code (transport failures as TRANSPORT:<reason>). */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly uploadsOk: number;
  readonly uploadsFailed: number;
  /** Uploads reported done whose stored bytes match (sha256 and size). */
  readonly uploadsByteExact: number;
  /** Uploads reported done whose stored bytes do not match, or are missing. */
  readonly uploadsMismatched: readonly string[];
  readonly subscriptionEvents: number;
}

const QUERIES = [
  '{ datasets(first: 5) { nodes { id name } } }',
  '{ batches(first: 5) { nodes { id status rawStatus } } }',
  '{ schemas(first: 5) { nodes { id title } } }',
  '{ currentSandbox { name } }',
];
const UPLOAD = 'mutation ($input: UploadBatchFileInput!) { uploadBatchFile(input: $input) { file { fileName bytes sha256 } } }';
const INGEST = 'mutation ($input: IngestFilesInput!) { ingestFiles(input: $input) { batch { id } files { fileName bytes sha256 } } }';
const BATCH_STATUS = 'subscription ($id: ID!) { batchStatus(id: $id) { batch { id status } terminal } }';

interface GqlAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: { code?: unknown } }>;
}

interface SentFile {
  readonly batchId: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly bytes: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function smallFile(random: () => number, tag: string): Buffer {
  const lines = 1 + Math.floor(random() * 20);
  return Buffer.from(
    Array.from({ length: lines }, (_, i) => JSON.stringify({ _aeplocal: { loyalty: { loyaltyId: `${tag}-${i}`, loyaltyLevel: i % 2 ? 'gold' : 'silver', loyaltyPoints: Math.floor(random() * 1000) } } })).join('\n'),
  );
}

export async function runLoadMix(options: LoadMixOptions): Promise<LoadReport> {
  const random = options.random ?? Math.random;
  const deadline = Date.now() + options.seconds * 1000;
  const errorsByCode: Record<string, number> = {};
  const sent: SentFile[] = [];
  const recentBatches: string[] = [];
  const counts = { operations: 0, queries: 0, uploads: 0, subscriptions: 0, ok: 0, uploadsOk: 0, uploadsFailed: 0, subscriptionEvents: 0 };
  let fileSerial = 0;

  const countError = (code: string) => (errorsByCode[code] = (errorsByCode[code] ?? 0) + 1);
  /** Counts an answer; true when it has no error. */
  const classify = (answer: GqlAnswer): boolean => {
    if (!answer.errors?.length) return true;
    for (const error of answer.errors) countError(typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE');
    return false;
  };

  async function post(body: string | FormData, json: boolean): Promise<GqlAnswer> {
    try {
      const res = await fetch(options.gatewayUrl, {
        method: 'POST',
        headers: { ...options.headers, ...(json ? { 'content-type': 'application/json' } : { 'apollo-require-preflight': 'true' }) },
        body,
      });
      const text = await res.text();
      try {
        return JSON.parse(text) as GqlAnswer;
      } catch {
        return { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${res.status}_NOT_JSON` } }] };
      }
    } catch (error) {
      return { errors: [{ message: String(error), extensions: { code: `TRANSPORT:${String((error as { cause?: { code?: string } }).cause?.code ?? 'failed')}` } }] };
    }
  }

  const gql = (query: string, variables: Record<string, unknown> = {}) => post(JSON.stringify({ query, variables }), true);

  async function query(): Promise<void> {
    counts.queries++;
    if (classify(await gql(QUERIES[Math.floor(random() * QUERIES.length)]!))) counts.ok++;
  }

  async function upload(worker: number): Promise<void> {
    counts.uploads++;
    const files = Array.from({ length: random() < 0.5 ? 1 : 2 }, () => ({ name: `load-${worker}-${++fileSerial}.json`, content: smallFile(random, `W${worker}`) }));
    if (random() < 0.5) {
      const input = { datasetId: options.datasetId, format: 'JSON', files: files.map(() => null) };
      const answer = await post(multipartBody({ query: INGEST, variables: { input } }, files.map((file, i) => ({ path: `variables.input.files.${i}`, name: file.name, content: file.content }))), false);
      const ingested = answer.data?.ingestFiles as { batch: { id: string }; files: Array<{ fileName: string; bytes: number; sha256: string }> } | null | undefined;
      if (classify(answer) && ingested) {
        counts.ok++;
        counts.uploadsOk++;
        recentBatches.push(ingested.batch.id);
        for (const file of ingested.files) sent.push({ batchId: ingested.batch.id, ...file });
        checkReported(files, ingested.files);
      } else counts.uploadsFailed++;
      return;
    }
    const created = await gql('mutation ($d: ID!) { createBatch(input: { datasetId: $d, format: JSON }) { batch { id } } }', { d: options.datasetId });
    const batchId = (created.data?.createBatch as { batch: { id: string } } | null | undefined)?.batch.id;
    if (!classify(created) || !batchId) {
      counts.uploadsFailed++;
      return;
    }
    recentBatches.push(batchId);
    let allOk = true;
    for (const file of files) {
      const answer = await post(multipartBody({ query: UPLOAD, variables: { input: { batchId, file: null } } }, [{ path: 'variables.input.file', name: file.name, content: file.content }]), false);
      const uploaded = (answer.data?.uploadBatchFile as { file: { fileName: string; bytes: number; sha256: string } } | null | undefined)?.file;
      if (classify(answer) && uploaded) {
        sent.push({ batchId, ...uploaded });
        checkReported([file], [uploaded]);
      } else allOk = false;
    }
    // A batch with a failed file stays open, as a client that gave up would leave it.
    if (allOk && classify(await gql('mutation ($id: ID!) { completeBatch(input: { batchId: $id }) { batch { id } } }', { id: batchId }))) {
      counts.ok++;
      counts.uploadsOk++;
    } else counts.uploadsFailed++;
  }

  /** The gateway's own figures must be those of the bytes the client sent. */
  function checkReported(files: ReadonlyArray<{ name: string; content: Buffer }>, reported: ReadonlyArray<{ fileName: string; bytes: number; sha256: string }>): void {
    for (const file of files) {
      const match = reported.find((r) => r.fileName === file.name);
      if (!match || match.bytes !== file.content.length || match.sha256 !== sha256(file.content)) countError('REPORTED_FIGURES_DIFFER');
    }
  }

  async function subscribe(client: Client): Promise<void> {
    counts.subscriptions++;
    const id = recentBatches.length > 0 ? recentBatches[Math.floor(random() * recentBatches.length)]! : options.openBatchId;
    let events = 0;
    const outcome = await new Promise<'complete' | 'error' | 'enough'>((resolve) => {
      let stop: () => void = () => undefined;
      // A subscriber stays for a few events at most: enough to see the stream work, not to hold a client forever.
      const cap = setTimeout(() => {
        stop();
        resolve('enough');
      }, 1_000);
      stop = client.subscribe(
        { query: BATCH_STATUS, variables: { id } },
        {
          next: (result) => {
            events++;
            if (result.errors?.length) for (const error of result.errors) countError(typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE');
          },
          error: (error: unknown) => {
            clearTimeout(cap);
            const list = Array.isArray(error) ? (error as Array<{ extensions?: { code?: unknown } }>) : [];
            if (list.length > 0) for (const e of list) countError(typeof e.extensions?.code === 'string' ? e.extensions.code : 'NO_CODE');
            else countError('TRANSPORT:websocket');
            resolve('error');
          },
          complete: () => {
            clearTimeout(cap);
            resolve('complete');
          },
        },
      );
    });
    counts.subscriptionEvents += events;
    if (outcome !== 'error' && events > 0) counts.ok++;
  }

  async function worker(index: number): Promise<void> {
    let ws: Client | undefined;
    try {
      while (Date.now() < deadline) {
        counts.operations++;
        const pick = random();
        if (pick < 0.8) await query();
        else if (pick < 0.9) await upload(index);
        else {
          ws ??= createClient({ url: options.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { ...options.headers }, retryAttempts: 0, lazy: true });
          await subscribe(ws);
        }
      }
    } finally {
      await ws?.dispose();
    }
  }

  await Promise.all(Array.from({ length: options.clients }, (_, i) => worker(i)));

  // Every upload reported done: the emulator holds exactly those bytes.
  let byteExact = 0;
  const mismatched: string[] = [];
  for (const file of sent) {
    const stored = await storedUploadDigest(options.emulatorDataDir, file.batchId, file.fileName).catch(() => null);
    if (stored && stored.sha256 === file.sha256 && stored.size === file.bytes) byteExact++;
    else mismatched.push(`${file.batchId}/${file.fileName}`);
  }
  return { ...counts, errorsByCode, uploadsByteExact: byteExact, uploadsMismatched: mismatched };
}
