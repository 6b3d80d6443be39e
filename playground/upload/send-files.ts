// The two ways the upload page sends files. Into a new batch: one ingestFiles
// request (create, upload, complete). Into a batch opened beforehand (with
// createBatch in GraphiQL): one uploadBatchFile request per file, then
// completeBatch. Both report the bytes sent over all files.
import { postMultipart, postQuery } from './graphql-http.ts';
import { COMPLETE_BATCH_MUTATION, INGEST_FILES_MUTATION, UPLOAD_BATCH_FILE_MUTATION } from './operations.ts';
import type { CompleteBatchResult, IngestFilesResult, InputFormat, UploadBatchFileResult, UploadedFile } from './operations.ts';

export interface SendProgress {
  progress(loaded: number, total: number): void;
  /** Every byte left the browser; the gateway is still finishing. */
  sent(): void;
}

export interface SentFiles {
  readonly batchId: string;
  readonly files: readonly UploadedFile[];
}

export interface NewBatch {
  readonly datasetId: string;
  readonly format: InputFormat;
  readonly isMultiLineJson: boolean;
}

export async function ingestIntoNewBatch(
  endpoint: string,
  headers: Readonly<Record<string, string>>,
  batch: NewBatch,
  files: readonly File[],
  report: SendProgress,
): Promise<SentFiles> {
  const { ingestFiles } = await postMultipart<IngestFilesResult>(
    endpoint,
    headers,
    {
      query: INGEST_FILES_MUTATION,
      // The sizes let the gateway stream each file straight through, holding none of it.
      variables: { input: { ...batch, files: files.map(() => null), sizes: files.map((file) => file.size) } },
      files: files.map((file, index) => ({ path: `input.files.${index}`, file })),
    },
    ({ loaded, total }) => report.progress(loaded, total),
    () => report.sent(),
  );
  return { batchId: ingestFiles.batch.id, files: ingestFiles.files };
}

export async function uploadIntoBatch(
  endpoint: string,
  headers: Readonly<Record<string, string>>,
  batchId: string,
  files: readonly File[],
  report: SendProgress,
): Promise<SentFiles> {
  // Progress counts file bytes; each request's multipart framing is left out.
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let done = 0;
  const uploaded: UploadedFile[] = [];
  for (const file of files) {
    const { uploadBatchFile } = await postMultipart<UploadBatchFileResult>(
      endpoint,
      headers,
      { query: UPLOAD_BATCH_FILE_MUTATION, variables: { input: { batchId, file: null, size: file.size } }, files: [{ path: 'input.file', file }] },
      ({ loaded, total: requestTotal }) => report.progress(done + Math.min(file.size, (loaded / requestTotal) * file.size), total),
      () => undefined,
    );
    done += file.size;
    uploaded.push(uploadBatchFile.file);
  }
  report.sent();
  await postQuery<CompleteBatchResult>(endpoint, headers, COMPLETE_BATCH_MUTATION, { input: { batchId } });
  return { batchId, files: uploaded };
}
