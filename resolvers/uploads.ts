// File uploads: the multipart part's stream goes straight to the platform
// client, which picks one PUT or the large-file protocol; nothing is buffered
// whole here. With the size announced (`size`, or `sizes` of `ingestFiles`), every
// request upstream streams from the client's bytes; without it, the platform
// client holds at most one part. `ingestFiles` is the tutorial in one call: create, upload each
// file in order, check that the Platform holds every byte, complete.
//
// Nothing is lost silently: a file that does not arrive whole (the client's
// stream stops, the Platform fails past the retries) is reported as
// UPLOAD_INCOMPLETE with the bytes read and the bytes the Platform holds, and
// its batch stays open so that the file can be sent again.
//
// Files are hashed on the way only when the answer shows their sha256
// (upload-selection.ts): the digest is a third of the CPU of an upload.
import type { UploadResult } from '../src/platform/client.ts';
import type { GatewayContext } from '../src/gateway/context.ts';
import type { Resolvers, UploadedFile } from '../src/generated/resolvers-types.ts';
import type { UploadValue } from '../src/gateway/upload-types.ts';
import { badUserInput } from '../src/gateway/errors.ts';
import { countingStream } from '../src/gateway/counting-stream.ts';
import { selectsSha256 } from '../src/gateway/upload-selection.ts';
import { isUploadRefusal, missingFile, refusedFile, uploadIncomplete, verifyArrived } from '../src/gateway/upload-incomplete.ts';
import type { MissingFile } from '../src/gateway/upload-incomplete.ts';
import { createBatchBody, datasetIdOf, reloadBatch } from './batches.ts';

/** graphql-upload-minimal's status for a request that disconnected while its files streamed. */
const CLIENT_CLOSED_REQUEST = 499;

function hasControlOrBackslash(name: string): boolean {
  for (const char of name) if (char.charCodeAt(0) < 0x20 || char === '\\') return true;
  return false;
}

/** A name inside the batch: relative, no `..` segments, no control characters. */
function checkFileName(name: string): string {
  const segments = name.split('/');
  if (name === '' || name.length > 1_024 || name.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || hasControlOrBackslash(name)) {
    throw badUserInput(`${JSON.stringify(name)} is not a usable file name: use a relative name without '..' segments`);
  }
  return name;
}

/** A size the client announces: a whole number of bytes within MAX_FILE_SIZE, checked before any byte of the file is read. */
function checkSize(ctx: GatewayContext, size: number | null | undefined): number | undefined {
  if (size === null || size === undefined) return undefined;
  if (!(Number.isSafeInteger(size) && size >= 0)) throw badUserInput(`"size" must be a whole number of bytes, not ${size}`);
  if (size > ctx.config.maxFileSize) throw badUserInput(`a file of ${size} bytes is larger than ${ctx.config.maxFileSize} bytes, the largest file this gateway takes (MAX_FILE_SIZE)`);
  return size;
}

/**
 * Reads a refused file to its end and drops the bytes. Left unread, it would
 * stop the multipart parser: the files after it in the request would never
 * arrive, and the connection could not carry the client's next request.
 */
function discard(file: Awaited<UploadValue>): void {
  try {
    const stream = file.createReadStream();
    stream.on('error', () => undefined);
    stream.resume();
  } catch {
    // Already read, or cut: nothing holds the parser.
  }
}

function uploadedFile(result: UploadResult): UploadedFile {
  const file = { fileName: result.fileName, bytes: result.bytes, protocol: result.protocol === 'large' ? 'LARGE' : 'SINGLE' } as const;
  // Without a digest the field is not selected; were it read anyway, GraphQL would fail it as null rather than answer a wrong value.
  return (result.sha256 === undefined ? file : { ...file, sha256: result.sha256 }) as UploadedFile;
}

type SendOutcome = { readonly ok: true; readonly result: UploadResult } | { readonly ok: false; readonly missing: MissingFile; readonly error: unknown };

/** A file that did not arrive whole, logged with its figures: a client cut off never reads its answer. */
function lost(ctx: GatewayContext, batchId: string, missing: MissingFile, error: unknown): SendOutcome {
  ctx.logger.warn({ batchId, fileName: missing.fileName, bytesSent: missing.bytesSent, bytesReceivedUpstream: missing.bytesReceivedUpstream, causeCode: missing.causeCode }, 'upload incomplete');
  return { ok: false, missing, error };
}

/**
 * Streams one file into a batch. A refusal (bad name, too large, unknown
 * batch) is thrown as it is; a file that did not arrive whole comes back as
 * a MissingFile with what the Platform holds of it.
 */
async function sendFile(ctx: GatewayContext, batchId: string, datasetId: string, upload: UploadValue, sha256: boolean, fileName?: string | null, size?: number | null): Promise<SendOutcome> {
  let file: Awaited<UploadValue>;
  try {
    file = await upload;
  } catch (error) {
    // The parser's own refusals (a part not sent, too many files) keep their 4xx meaning; 499 is a request cut off.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status !== CLIENT_CLOSED_REQUEST) throw error;
    // The part never arrived (the request broke off before it): nothing of it was sent.
    const missing = fileName ? await missingFile(ctx.platform, batchId, datasetId, fileName, 0, error) : { ...refusedFile('unnamed file', error), causeCode: 'UPLOAD_INCOMPLETE' as const };
    return lost(ctx, batchId, missing, error);
  }
  let name: string;
  let announced: number | undefined;
  try {
    name = checkFileName(fileName ?? file.filename);
    announced = checkSize(ctx, size);
  } catch (error) {
    discard(file);
    throw error;
  }
  let stream: ReturnType<typeof file.createReadStream>;
  try {
    stream = file.createReadStream();
  } catch (error) {
    // The parser refuses a second read of one part (a map that points two variables at one file) or a part over the limit.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status !== CLIENT_CLOSED_REQUEST) throw error;
    if (error instanceof Error && /multiple times/.test(error.message)) {
      throw badUserInput(`the file ${JSON.stringify(file.filename)} can be used once per request: map each variable to its own file part`);
    }
    // The part broke off before it was read (the request ended inside it): none of it went upstream.
    return lost(ctx, batchId, await missingFile(ctx.platform, batchId, datasetId, name, 0, error), error);
  }
  // The parser only marks a part cut at MAX_FILE_SIZE as truncated and ends it
  // cleanly: fail it instead, or a cut file would go upstream as if whole.
  stream.once('limit', () => {
    stream.destroy(badUserInput(`${JSON.stringify(file.filename)} is larger than ${ctx.config.maxFileSize} bytes, the largest file this gateway takes (MAX_FILE_SIZE)`));
  });
  const counted = countingStream(stream);
  try {
    const source = announced === undefined ? { stream: counted.stream, sha256 } : { stream: counted.stream, size: announced, sha256 };
    return { ok: true, result: await ctx.platform.ingestion.uploadFile(batchId, datasetId, name, source) };
  } catch (error) {
    if (isUploadRefusal(error)) throw error;
    const missing = await missingFile(ctx.platform, batchId, datasetId, name, counted.read(), error);
    return lost(ctx, batchId, missing, error);
  }
}

/** As sendFile, for ingestFiles: a refused file is reported with the others (its batch exists already), not thrown alone. */
async function sendFileOfMany(ctx: GatewayContext, batchId: string, datasetId: string, upload: UploadValue, sha256: boolean, size: number | undefined): Promise<SendOutcome> {
  try {
    return await sendFile(ctx, batchId, datasetId, upload, sha256, null, size);
  } catch (error) {
    if (!isUploadRefusal(error)) throw error;
    const file = await Promise.resolve(upload).catch(() => null);
    const missing = refusedFile(file?.filename ?? 'unnamed file', error);
    return { ok: false, missing, error };
  }
}

export const uploadResolvers: Resolvers = {
  Mutation: {
    uploadBatchFile: async (_root, { input }, ctx, info) => {
      const batch = await ctx.loaders.batch.load(input.batchId);
      const datasetId = datasetIdOf(batch);
      if (!datasetId) throw badUserInput(`batch ${input.batchId} is not related to a dataset`);
      const outcome = await sendFile(ctx, batch.id, datasetId, input.file, selectsSha256(info, 'file'), input.fileName, input.size);
      if (!outcome.ok) throw uploadIncomplete(batch.id, [outcome.missing], false);
      return { batch, file: uploadedFile(outcome.result) };
    },

    ingestFiles: async (_root, { input }, ctx, info) => {
      if (input.files.length === 0) throw badUserInput('"files" must hold at least one file');
      // One part mapped to two variables arrives as the same upload twice: refused before a batch exists.
      if (new Set(input.files).size !== input.files.length) throw badUserInput('"files" lists the same file part twice: map each entry to its own part');
      if (input.sizes && input.sizes.length !== input.files.length) throw badUserInput(`"sizes" lists ${input.sizes.length} sizes for ${input.files.length} files: give one per file, in the same order`);
      const body = createBatchBody(input.datasetId, input);
      await ctx.loaders.dataset.load(input.datasetId);
      const batch = await ctx.platform.ingestion.createBatch(body);
      const sent: UploadResult[] = [];
      const missing: MissingFile[] = [];
      const sha256 = selectsSha256(info, 'files');
      // In order: the parts arrive one after the other on one request stream.
      // A file that fails does not stop the others: the client then resends only what is missing.
      for (const [index, upload] of input.files.entries()) {
        const outcome = await sendFileOfMany(ctx, batch.id, input.datasetId, upload, sha256, input.sizes?.[index]);
        if (outcome.ok) sent.push(outcome.result);
        else missing.push(outcome.missing);
      }
      missing.push(...(await verifyArrived(ctx.platform, batch.id, input.datasetId, sent)));
      // Never completed with a file missing: the batch stays open (loading) for the client to resend it.
      const [first, ...rest] = missing;
      if (first) throw uploadIncomplete(batch.id, [first, ...rest], true);
      await ctx.platform.ingestion.completeBatch(batch.id);
      return { batch: await reloadBatch(batch.id, ctx), files: sent.map(uploadedFile) };
    },
  },
};
