// The upload page (GET /playground/upload): GraphiQL cannot send files, so
// this page sends them with the ingestFiles mutation as a GraphQL multipart
// request, shows the upload's progress, then follows the batch over the
// batchStatus subscription until it succeeds or fails.
import './upload.css';
import { readPageConfig } from './page-config.ts';
import { formatHeaders } from './headers.ts';
import { GraphQLRequestError, postQuery } from './upload/graphql-http.ts';
import { DATASETS_QUERY } from './upload/operations.ts';
import type { DatasetsResult, InputFormat } from './upload/operations.ts';
import { ingestIntoNewBatch, uploadIntoBatch } from './upload/send-files.ts';
import { formatFromName, isJsonArray } from './upload/file-format.ts';
import { renderUploadView } from './upload/view.ts';
import { watchBatch } from './upload/watch-batch.ts';

const config = readPageConfig();
const root = document.getElementById('upload');
if (!root) throw new Error('the page has no #upload element');
const view = renderUploadView(root, config.endpoint);
view.headers.value = formatHeaders(config.defaultHeaders);
// ?batch=<id> fills an open batch instead of creating one.
const addressParameters = new URLSearchParams(window.location.search);
view.setBatch(addressParameters.get('batch') ?? '');

let stopWatching: (() => void) | null = null;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function currentHeaders(): Record<string, string> {
  const text = view.headers.value.trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GraphQLRequestError('The request headers are not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GraphQLRequestError('The request headers must be a JSON object of names to values.');
  }
  return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, String(value)]));
}

async function loadDatasets(): Promise<void> {
  try {
    const { datasets } = await postQuery<DatasetsResult>(config.endpoint, currentHeaders(), DATASETS_QUERY);
    view.showDatasets(datasets.nodes, datasets.pageInfo.hasNextPage);
    // A dataset named in the address (?dataset=<id>) is chosen for you.
    const wanted = addressParameters.get('dataset');
    if (wanted && datasets.nodes.some(({ id }) => id === wanted)) view.dataset.value = wanted;
  } catch (error) {
    view.showDatasetsUnavailable();
    view.showMessage(`Could not list the datasets: ${errorText(error)}`, 'error');
  }
}

async function onFilesChosen(): Promise<void> {
  const first = view.file.files?.[0];
  if (!first) return;
  const format = formatFromName(first.name);
  if (format) view.format.value = format;
  if (format === 'JSON') view.multiLineJson.checked = await isJsonArray(first);
}

async function upload(): Promise<void> {
  const files = Array.from(view.file.files ?? []);
  stopWatching?.();
  stopWatching = null;
  view.reset();
  view.submit.disabled = true;
  view.showMessage('Uploading…', 'info');
  try {
    const headers = currentHeaders();
    const format = view.format.value as InputFormat;
    const existingBatch = view.batch.value.trim();
    const report = { progress: view.showProgress, sent: view.showSent };
    const sent = existingBatch
      ? await uploadIntoBatch(config.endpoint, headers, existingBatch, files, report)
      : await ingestIntoNewBatch(
          config.endpoint,
          headers,
          { datasetId: view.dataset.value, format, isMultiLineJson: format === 'JSON' && view.multiLineJson.checked },
          files,
          report,
        );
    view.showBatch(sent.batchId, sent.files);
    view.showMessage('Batch completed by the gateway; following its status…', 'info');
    stopWatching = watchBatch(config.endpoint, headers, sent.batchId, {
      next: (event) => view.addStatusEvent(event),
      error: (message) => view.showMessage(`The status subscription failed: ${message}`, 'error'),
      complete: () => view.showMessage('The batch reached a final status.', 'info'),
    });
  } catch (error) {
    view.showMessage(`The upload failed: ${errorText(error)}`, 'error');
  } finally {
    view.submit.disabled = false;
  }
}

view.file.addEventListener('change', () => void onFilesChosen());
view.reloadDatasets.addEventListener('click', () => void loadDatasets());
view.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void upload();
});
void loadDatasets();
