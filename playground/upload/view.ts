// The upload page's elements: a form, the upload's progress, and the batch's
// status events as they arrive. Ids and data-* attributes are stable: the
// browser test reads them.
import { h } from './dom.ts';
import { formatBytes } from './file-format.ts';
import type { BatchStatusEvent } from './operations.ts';

export interface UploadView {
  readonly form: HTMLFormElement;
  readonly file: HTMLInputElement;
  readonly dataset: HTMLSelectElement;
  readonly reloadDatasets: HTMLButtonElement;
  readonly format: HTMLSelectElement;
  /** An open batch to fill; empty for a new batch. */
  readonly batch: HTMLInputElement;
  readonly multiLineJson: HTMLInputElement;
  readonly headers: HTMLTextAreaElement;
  readonly submit: HTMLButtonElement;
  /** Fills an open batch (dataset and format are the batch's own), or '' for a new batch. */
  setBatch(batchId: string): void;
  showDatasets(datasets: ReadonlyArray<{ id: string; name: string }>, more: boolean): void;
  showDatasetsUnavailable(): void;
  showProgress(loaded: number, total: number): void;
  showSent(): void;
  showBatch(batchId: string, files: ReadonlyArray<{ fileName: string; bytes: number; protocol: string }>): void;
  addStatusEvent(event: BatchStatusEvent): void;
  showMessage(text: string, kind: 'info' | 'error'): void;
  reset(): void;
}

export function renderUploadView(root: HTMLElement, graphiqlPath: string): UploadView {
  const file = h('input', { type: 'file', id: 'file', name: 'file', multiple: true, required: true });
  const dataset = h('select', { id: 'dataset', name: 'dataset', required: true }, h('option', { value: '' }, 'Loading datasets…'));
  const reloadDatasets = h('button', { type: 'button', id: 'reload-datasets' }, 'Reload');
  const format = h(
    'select',
    { id: 'format', name: 'format' },
    h('option', { value: 'PARQUET' }, 'Parquet'),
    h('option', { value: 'JSON' }, 'JSON'),
    h('option', { value: 'CSV' }, 'CSV'),
  );
  const multiLineJson = h('input', { type: 'checkbox', id: 'multi-line-json', name: 'multiLineJson' });
  const batch = h('input', {
    type: 'text',
    id: 'batch',
    name: 'batch',
    placeholder: 'empty: a new batch (ingestFiles); or the id of a batch in LOADING state',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const headers = h('textarea', { id: 'headers', name: 'headers', rows: '6', spellcheck: 'false' });
  const submit = h('button', { type: 'submit', id: 'submit' }, 'Upload and ingest');

  const form = h(
    'form',
    { id: 'upload-form' },
    h('label', { for: 'file' }, 'Files'),
    file,
    h('label', { for: 'dataset' }, 'Dataset'),
    h('div', { class: 'inline' }, dataset, reloadDatasets),
    h('label', { for: 'batch' }, 'Into batch'),
    batch,
    h('label', { for: 'format' }, 'Format'),
    format,
    h('span', {}),
    h('label', { class: 'checkbox', for: 'multi-line-json' }, multiLineJson, 'JSON file is one top-level array (not JSON Lines)'),
    h('label', { for: 'headers' }, 'Request headers (JSON)'),
    headers,
    h('span', {}),
    submit,
  );

  const progressBar = h('progress', { id: 'upload-progress', max: '1', value: '0' });
  const progressText = h('span', { id: 'upload-progress-text' });
  const progressSection = h('section', { id: 'upload-section', hidden: true }, h('h2', {}, 'Upload'), progressBar, progressText);

  const batchId = h('code', { id: 'batch-id' });
  const batchStatus = h('span', { id: 'batch-status', class: 'status' });
  const uploadedFiles = h('ul', { id: 'uploaded-files' });
  const events = h('ol', { id: 'status-events' });
  const batchSection = h(
    'section',
    { id: 'batch-section', hidden: true },
    h('h2', {}, 'Batch ', batchId, ' ', batchStatus),
    uploadedFiles,
    h('h3', {}, 'Status, live'),
    events,
  );
  const message = h('p', { id: 'message', role: 'status' });

  root.append(
    h('header', {}, h('h1', {}, 'Upload files into a dataset'), h('a', { href: graphiqlPath }, 'Back to GraphiQL')),
    h(
      'p',
      { class: 'lead' },
      'Sends the files as a GraphQL multipart request (',
      h('code', {}, 'ingestFiles'),
      ' into a new batch, or ',
      h('code', {}, 'uploadBatchFile'),
      ' then ',
      h('code', {}, 'completeBatch'),
      ' into an open one), then follows the batch with the ',
      h('code', {}, 'batchStatus'),
      ' subscription.',
    ),
    form,
    progressSection,
    batchSection,
    message,
  );

  // A batch already has its dataset and format.
  function syncBatchMode(): void {
    const existing = batch.value.trim() !== '';
    dataset.disabled = existing;
    dataset.required = !existing;
    format.disabled = existing;
    multiLineJson.disabled = existing;
  }
  batch.addEventListener('input', syncBatchMode);

  return {
    form,
    file,
    dataset,
    reloadDatasets,
    format,
    batch,
    multiLineJson,
    headers,
    submit,
    setBatch(batchId) {
      batch.value = batchId;
      syncBatchMode();
    },
    showDatasets(datasets, more) {
      const selected = dataset.value;
      dataset.replaceChildren(
        h('option', { value: '' }, datasets.length ? 'Choose a dataset' : 'No dataset yet: create one in GraphiQL'),
        ...datasets.map(({ id, name }) => h('option', { value: id }, `${name} (${id})`)),
      );
      if (datasets.some(({ id }) => id === selected)) dataset.value = selected;
      if (more) dataset.append(h('option', { value: '', disabled: true }, 'Only the first 100 datasets are listed'));
    },
    showDatasetsUnavailable() {
      dataset.replaceChildren(h('option', { value: '' }, 'Datasets unavailable (see the message below)'));
    },
    showProgress(loaded, total) {
      progressSection.hidden = false;
      progressBar.max = total;
      progressBar.value = loaded;
      progressText.textContent = `${formatBytes(loaded)} of ${formatBytes(total)} (${Math.floor((loaded / total) * 100)}%)`;
    },
    showSent() {
      progressBar.value = progressBar.max;
      progressText.textContent = `${formatBytes(progressBar.max)} sent; the gateway is finishing…`;
    },
    showBatch(id, files) {
      // The request also carried the operation and multipart framing: report the files' own bytes.
      const fileBytes = files.reduce((sum, file) => sum + file.bytes, 0);
      progressText.textContent = `${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(fileBytes)}, sent`;
      batchSection.hidden = false;
      batchId.textContent = id;
      uploadedFiles.replaceChildren(
        ...files.map((f) => h('li', {}, `${f.fileName}: ${formatBytes(f.bytes)} sent (${f.protocol.toLowerCase()} upload)`)),
      );
    },
    addStatusEvent(event) {
      const { batch } = event;
      batchStatus.textContent = batch.status;
      batchStatus.dataset.status = batch.status;
      const metrics = batch.metrics
        ? ` · read ${batch.metrics.recordsRead ?? '?'}, written ${batch.metrics.recordsWritten ?? '?'}, failed ${batch.metrics.failedRecordCount ?? 0}`
        : '';
      const errors = batch.errors.map((e) => h('li', {}, `${e.code ?? 'error'}: ${e.description ?? ''}`));
      events.append(
        h(
          'li',
          { 'data-status': batch.status },
          h('time', {}, new Date().toLocaleTimeString()),
          ' ',
          event.previousStatus ? `${event.previousStatus} → ` : '',
          h('strong', {}, batch.status),
          batch.rawStatus.toUpperCase() === batch.status ? '' : ` (${batch.rawStatus})`,
          metrics,
          errors.length ? h('ul', { class: 'errors' }, ...errors) : null,
        ),
      );
    },
    showMessage(text, kind) {
      message.textContent = text;
      message.className = kind;
    },
    reset() {
      progressSection.hidden = true;
      batchSection.hidden = true;
      events.replaceChildren();
      uploadedFiles.replaceChildren();
      batchStatus.textContent = '';
      delete batchStatus.dataset.status;
      message.textContent = '';
      message.className = '';
    },
  };
}
