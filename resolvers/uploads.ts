// File uploads: the multipart part's stream goes straight to the platform
// client, which picks one PUT or the large-file protocol; nothing is buffered
// whole here. `ingestFiles` is the tutorial in one call: create, upload each
// file in order, complete.
import type { UploadResult } from '../src/platform/client.ts';
import type { GatewayContext } from '../src/gateway/context.ts';
import type { Resolvers, UploadedFile } from '../src/generated/resolvers-types.ts';
import type { UploadValue } from '../src/gateway/upload-types.ts';
import { badUserInput } from '../src/gateway/errors.ts';
import { createBatchBody, datasetIdOf, reloadBatch } from './batches.ts';

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

function uploadedFile(result: UploadResult): UploadedFile {
  return { fileName: result.fileName, bytes: result.bytes, sha256: result.sha256, protocol: result.protocol === 'large' ? 'LARGE' : 'SINGLE' };
}

async function sendFile(ctx: GatewayContext, batchId: string, datasetId: string, upload: UploadValue, fileName?: string | null): Promise<UploadResult> {
  const file = await upload;
  const name = checkFileName(fileName ?? file.filename);
  let stream: ReturnType<typeof file.createReadStream>;
  try {
    stream = file.createReadStream();
  } catch (error) {
    // The parser refuses a second read of one part (a map that points two variables at one file) or a part that failed.
    if (typeof (error as { status?: unknown }).status === 'number') throw error;
    throw badUserInput(`the file ${JSON.stringify(file.filename)} can be used once per request: map each variable to its own file part`);
  }
  // The parser only marks a part cut at MAX_FILE_SIZE as truncated and ends it
  // cleanly: fail it instead, or a cut file would go upstream as if whole.
  stream.once('limit', () => {
    stream.destroy(badUserInput(`${JSON.stringify(file.filename)} is larger than ${ctx.config.maxFileSize} bytes, the largest file this gateway takes (MAX_FILE_SIZE)`));
  });
  return ctx.platform.ingestion.uploadFile(batchId, datasetId, name, { stream });
}

export const uploadResolvers: Resolvers = {
  Mutation: {
    uploadBatchFile: async (_root, { input }, ctx) => {
      const batch = await ctx.loaders.batch.load(input.batchId);
      const datasetId = datasetIdOf(batch);
      if (!datasetId) throw badUserInput(`batch ${input.batchId} is not related to a dataset`);
      const result = await sendFile(ctx, batch.id, datasetId, input.file, input.fileName);
      return { batch, file: uploadedFile(result) };
    },

    ingestFiles: async (_root, { input }, ctx) => {
      if (input.files.length === 0) throw badUserInput('"files" must hold at least one file');
      // One part mapped to two variables arrives as the same upload twice: refused before a batch exists.
      if (new Set(input.files).size !== input.files.length) throw badUserInput('"files" lists the same file part twice: map each entry to its own part');
      const body = createBatchBody(input.datasetId, input);
      await ctx.loaders.dataset.load(input.datasetId);
      const batch = await ctx.platform.ingestion.createBatch(body);
      const files: UploadedFile[] = [];
      try {
        // In order: the parts arrive one after the other on one request stream.
        for (const upload of input.files) files.push(uploadedFile(await sendFile(ctx, batch.id, input.datasetId, upload)));
        await ctx.platform.ingestion.completeBatch(batch.id);
      } catch (error) {
        // Leave no half-filled batch behind; the original error is what the client needs.
        await ctx.platform.ingestion.abortBatch(batch.id).catch((abortError: unknown) => {
          ctx.logger.warn({ batchId: batch.id, err: abortError }, 'could not abort a failed ingestFiles batch');
        });
        throw error;
      }
      return { batch: await reloadBatch(batch.id, ctx), files };
    },
  },
};
