// The ingestion worker: after COMPLETE a batch goes loading -> processing ->
// success | failed, with settings.processingDelayMs before each step so that
// clients can watch it move. Every uploaded file is read for real, every
// record coerced and validated against the dataset's resolved schema, and
// accepted rows become Parquet dataSetFiles `{batchId}-{n}`. Nothing becomes
// visible before the final status is written: produced files are recorded in
// the same transaction. A batch left loading-after-COMPLETE or processing by
// a stopped process is processed again from its uploaded files at the next
// start (the work only reads inputs and writes its outputs at the end, so
// doing it twice gives the same result).
import { createReadStream, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { RequestScope } from '../http.ts';
import { bumpVersion } from '../store/catalog-services.ts';
import type { CatalogServices } from '../store/catalog-services.ts';
import type { CatalogBody, Partition } from '../store/catalog-store.ts';
import { coerceRecord } from './coerce.ts';
import { exceedsThreshold, rowErrorEntries } from './partial-ingestion.ts';
import type { BatchErrorEntry } from './partial-ingestion.ts';
import { markUsed, parquetLayout, writeParquetRows } from './parquet-writer.ts';
import type { UsedFields } from './parquet-writer.ts';
import { readRecords } from './read-records.ts';
import { schemaColumns } from './schema-columns.ts';
import type { InputFormatOptions } from './read-records.ts';
import { ERROR_CODES, IngestFileError } from './types.ts';
import type { JsonRecord } from './types.ts';
import { createRecordValidator } from './validator.ts';
import type { ValidationError } from './validator.ts';
import type { XdmFieldSchema } from './xdm-field.ts';

/** What the import service keeps about a batch besides its Catalog body. */
export interface BatchInternal {
  scope: RequestScope;
  datasetId: string;
  input: InputFormatOptions;
  diagnostics: boolean;
  partialIngestionPercent?: number;
  completeRequested?: boolean;
}

export interface BatchWorker {
  /** Starts processing a completed batch in the background (tracked by the emulator's close()). */
  start(p: Partition, batchId: string): void;
  /** Picks up batches a previous process left half done. */
  resume(): void;
  /** Writes a status to the batch and the dataset's lastBatch* fields. */
  setStatus(p: Partition, batchId: string, status: string, extra?: CatalogBody): void;
  /** Writes only the dataset's lastBatch* fields (a batch was just created). */
  noteOnDataset(p: Partition, datasetId: string, batchId: string, status: string): void;
}

const UNKNOWN_ERROR: BatchErrorEntry = { code: '0070000017', description: 'Unknown error occurred.' };
const CORRUPT_ROW_MESSAGE = 'Row is corrupted and cannot be read, please fix and resend.';
const SAMPLE_SIZE = 10;

/** Characters of lines gathered before they go to the file in one write. */
const GATHER_CHARS = 64 * 1024;

/**
 * A JSON Lines file being written, opened on first use. Lines are gathered
 * into writes of about 64 KiB: a write per line cost more than validating
 * the record it held.
 */
class LineFile {
  private stream: WriteStream | undefined;
  private gathered = '';
  lines = 0;
  constructor(readonly path: string) {}
  /** Undefined when the line was taken; a promise to await when the file is behind (then wait before the next write). */
  write(value: unknown): Promise<unknown> | undefined {
    this.lines += 1;
    this.gathered += `${JSON.stringify(value)}\n`;
    return this.gathered.length >= GATHER_CHARS ? this.flush() : undefined;
  }
  private flush(): Promise<unknown> | undefined {
    this.stream ??= createWriteStream(this.path);
    const chunk = this.gathered;
    this.gathered = '';
    return this.stream.write(chunk) ? undefined : once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    if (this.gathered !== '') await this.flush();
    if (!this.stream) return;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  get used(): boolean {
    return this.lines > 0;
  }
}

/**
 * The records of a JSON Lines file this worker wrote. JSON.stringify never
 * writes a raw line break inside a value, so every `\n` ends a record.
 */
async function* jsonLines(path: string): AsyncGenerator<JsonRecord> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      if (end > start) yield JSON.parse(text.slice(start, end)) as JsonRecord;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield JSON.parse(rest) as JsonRecord;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createBatchWorker(services: CatalogServices): BatchWorker {
  const { catalog, batchFiles, files, registry, ctx } = services;
  const running = new Set<string>();

  function noteOnDataset(p: Partition, datasetId: string, batchId: string, status: string): void {
    const dataset = catalog.get('dataSets', p, datasetId);
    if (!dataset) return;
    const body: CatalogBody = { ...dataset.body, lastBatchId: batchId, lastBatchStatus: status, updated: ctx.now(), version: bumpVersion(dataset.body.version) };
    if (status === 'success') body.lastSuccessfulBatch = batchId;
    if (status === 'failed') body.lastFailedBatch = batchId;
    catalog.put('dataSets', p, datasetId, body);
  }

  function setStatus(p: Partition, batchId: string, status: string, extra: CatalogBody = {}): void {
    catalog.transaction(() => {
      const batch = catalog.get('batches', p, batchId);
      if (!batch) return;
      catalog.put('batches', p, batchId, { ...batch.body, ...extra, status, updated: ctx.now(), version: bumpVersion(batch.body.version) });
      noteOnDataset(p, (batch.internal as unknown as BatchInternal).datasetId, batchId, status);
    });
  }

  /** The batch, if it still waits for (or is in) processing. */
  function pending(p: Partition, batchId: string) {
    const batch = catalog.get('batches', p, batchId);
    if (!batch) return undefined;
    const internal = batch.internal as unknown as BatchInternal;
    const status = batch.body.status;
    return internal.completeRequested && (status === 'loading' || status === 'processing') ? { batch, internal } : undefined;
  }

  async function processBatch(p: Partition, batchId: string): Promise<void> {
    await delay(ctx.settings.processingDelayMs);
    const found = pending(p, batchId);
    if (!found) return;
    const { internal } = found;
    const started = ctx.now();
    setStatus(p, batchId, 'processing', { started });

    const temps: string[] = [];
    const tempFile = (): LineFile => {
      const path = files.tempPath();
      temps.push(path);
      return new LineFile(path);
    };
    try {
      const dataset = catalog.get('dataSets', p, internal.datasetId);
      const schemaRef = dataset?.body.schemaRef as { id?: string } | undefined;
      const schema = schemaRef?.id ? (registry.resolveSchema(internal.scope, schemaRef.id) as XdmFieldSchema | null) : null;
      const fileErrors: BatchErrorEntry[] = [];
      if (!dataset) fileErrors.push({ code: '404', description: `Dataset ${internal.datasetId} not found.`, rows: [] });
      else if (!schema) fileErrors.push({ code: '400', description: 'There was a problem retrieving xdm schema', rows: [] });

      const inputs = batchFiles.listFiles(p, batchId, 'upload');
      if (inputs.length === 0 && fileErrors.length === 0) fileErrors.push({ code: ERROR_CODES.emptyFile, description: 'Dataset file is empty. Please upload file with data.', rows: [] });

      const counts = { corrupt: 0, requiredMissing: 0, invalid: 0, accepted: 0 };
      let inputRecordCount = 0;
      let inputByteSize = 0;
      const failedRows = tempFile();
      const parsingErrors = tempFile();
      const conversionErrors = tempFile();
      const sample: unknown[] = [];
      const accepted: Array<{ file: LineFile; used: UsedFields }> = [];

      if (schema) {
        const validate = createRecordValidator(schema);
        for (const input of inputs) {
          inputByteSize += input.size;
          const out = { file: tempFile(), used: {} as UsedFields };
          try {
            for await (const item of readRecords(files.absolute(input.blob), input.name, internal.input.header === false ? { ...internal.input, columns: schemaColumns(schema) } : internal.input)) {
              inputRecordCount += 1;
              if (item.kind === 'corrupt') {
                counts.corrupt += 1;
                const entry = { _corrupt_record: item.raw, _errors: [{ code: '1401', message: CORRUPT_ROW_MESSAGE }], _filename: input.name, _row: item.row };
                const wait = parsingErrors.write(entry);
                if (wait) await wait;
                if (sample.length < SAMPLE_SIZE) sample.push(entry);
                continue;
              }
              const record = coerceRecord(item.record, schema, internal.input.format);
              const verdict = validate(record);
              if (verdict.errors.length === 0) {
                counts.accepted += 1;
                markUsed(record, schema, out.used);
                const wait = out.file.write(record);
                if (wait) await wait;
                continue;
              }
              if (verdict.requiredMissing) counts.requiredMissing += 1;
              else counts.invalid += 1;
              const failedWait = failedRows.write({ ...item.record, _validationErrors: verdict.errors });
              if (failedWait) await failedWait;
              const entry = { _errors: verdict.errors.map(errorOf(verdict.requiredMissing)), _filename: input.name, _row: item.row };
              const conversionWait = conversionErrors.write(entry);
              if (conversionWait) await conversionWait;
              if (sample.length < SAMPLE_SIZE) sample.push(entry);
            }
          } catch (error) {
            if (!(error instanceof IngestFileError)) throw error;
            fileErrors.push({ code: error.code, description: error.description, rows: [] });
          }
          await out.file.close();
          if (out.file.used) accepted.push(out);
        }
      }
      await Promise.all([failedRows.close(), parsingErrors.close(), conversionErrors.close()]);

      const failedCount = counts.corrupt + counts.requiredMissing + counts.invalid;
      const failed = fileErrors.length > 0 || exceedsThreshold(failedCount, inputRecordCount, internal.partialIngestionPercent);
      const errors = [...fileErrors, ...rowErrorEntries(counts, internal.diagnostics)];

      // Diagnostics (failed rows, row errors) are kept whether or not the batch succeeds.
      const diagnostics: Array<{ area: string; name: string; temp?: string; text?: string }> = [
        { area: 'meta', name: 'input_files/fileMetaData1.json', text: inputs.map((input) => JSON.stringify({ path: input.name, size: input.size })).join('\n') + (inputs.length ? '\n' : '') },
      ];
      if (internal.diagnostics && failedCount > 0) {
        if (failedRows.used) {
          diagnostics.push({ area: 'failed', name: '_SUCCESS', text: '' });
          diagnostics.push({ area: 'failed', name: `part-00000-${batchId}-c000.json`, temp: failedRows.path });
        }
        if (parsingErrors.used) diagnostics.push({ area: 'meta', name: 'row_errors/parsing_errors_0.json', temp: parsingErrors.path });
        if (conversionErrors.used) diagnostics.push({ area: 'meta', name: 'row_errors/conversion_errors_0.json', temp: conversionErrors.path });
        diagnostics.push({ area: 'meta', name: 'row_errors_sample.json', text: JSON.stringify(sample) });
      }
      const stored: Array<{ area: string; name: string; blob: string; size: number }> = [];
      for (const item of diagnostics) {
        const blob = files.newBlob(p, batchId, item.area);
        const size = item.temp
          ? await files.adopt(item.temp, blob)
          : await files.write((async function* () { yield Buffer.from(item.text ?? ''); })(), blob);
        stored.push({ area: item.area, name: item.name, blob, size });
      }

      const outputs: Array<{ id: string; name: string; blob: string; size: number; records: number }> = [];
      if (!failed && schema) {
        for (const [index, { file, used }] of accepted.entries()) {
          const layout = parquetLayout(schema, used);
          if (!layout) continue;
          const id = `${batchId}-${index + 1}`;
          const name = `part-${String(index).padStart(5, '0')}-${batchId}.snappy.parquet`;
          const blob = files.newBlob(p, batchId, 'files');
          const size = await files.produce(blob, (temp) => writeParquetRows(temp, schema, layout, jsonLines(file.path)));
          outputs.push({ id, name, blob, size, records: file.lines });
        }
      }

      await delay(ctx.settings.processingDelayMs);
      const now = ctx.now();
      const outputRecordCount = failed ? 0 : counts.accepted;
      const metrics: CatalogBody = {
        inputByteSize,
        inputFileCount: inputs.length,
        inputRecordCount,
        outputRecordCount,
        failedRecordCount: failedCount,
        outputByteSize: outputs.reduce((sum, o) => sum + o.size, 0),
        outputFileCount: outputs.length,
        startTime: started,
        endTime: now,
        recordsRead: inputRecordCount,
        recordsWritten: outputRecordCount,
        recordsFailed: failedCount,
        ...(failed ? { failureReason: errors[0]?.description ?? 'Batch failed.' } : {}),
      };
      const recorded = catalog.transaction(() => {
        if (!pending(p, batchId)) return false;
        const view = catalog.get('dataSets', p, internal.datasetId);
        for (const item of stored) batchFiles.putFile(p, batchId, item.area, item);
        for (const output of outputs) {
          batchFiles.putFile(p, batchId, `file:${output.id}`, { name: output.name, blob: output.blob, size: output.size });
          catalog.put(
            'dataSetFiles',
            p,
            output.id,
            {
              id: output.id,
              batchId,
              dataSetViewId: view?.body.viewId,
              imsOrg: internal.scope.orgId,
              createdClient: internal.scope.clientId,
              createdUser: `${internal.scope.clientId}@techacct.adobe.com`,
              updatedUser: `${internal.scope.clientId}@techacct.adobe.com`,
              version: '1.0.0',
              created: now,
              updated: now,
              records: output.records,
              size: output.size,
              isValid: true,
            },
            { dataSetId: internal.datasetId },
          );
        }
        setStatus(p, batchId, failed ? 'failed' : 'success', {
          completed: now,
          recordCount: outputRecordCount,
          failedRecordCount: failedCount,
          size: inputByteSize,
          metrics,
          errors,
          availableDates: {},
        });
        return true;
      });
      if (!recorded) {
        // Aborted or reverted meanwhile: what was produced belongs to nobody.
        await Promise.all([...stored, ...outputs].map((item) => files.remove(item.blob)));
        return;
      }
      if (!failed && schemaRef?.id) registry.markSchemaInUse(internal.scope, schemaRef.id);
    } catch (error) {
      process.stderr.write(`emulator: batch ${batchId} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (pending(p, batchId)) setStatus(p, batchId, 'failed', { completed: ctx.now(), errors: [UNKNOWN_ERROR], metrics: { failureReason: 'Unknown error occurred.' } });
    } finally {
      await Promise.all(temps.map((path) => rm(path, { force: true })));
    }
  }

  function start(p: Partition, batchId: string): void {
    const key = `${p.org}\u0000${p.sandbox}\u0000${batchId}`;
    if (running.has(key)) return;
    running.add(key);
    ctx.track(processBatch(p, batchId).finally(() => running.delete(key)));
  }

  return {
    start,
    setStatus,
    noteOnDataset,
    resume() {
      for (const batch of catalog.findByStatus('batches', ['loading', 'processing'])) {
        if ((batch.internal as unknown as BatchInternal).completeRequested) start(batch.partition, batch.id);
      }
    },
  };
}

function errorOf(requiredMissing: boolean) {
  return (error: ValidationError) => ({ code: requiredMissing && error.keyword === 'required' ? '1555' : '1212', message: error.message, pointer: error.pointerToViolation });
}
