// The page: lists datasets (a query), uploads the chosen file into a new batch
// of the chosen dataset (ingestFiles: create, upload, complete in one
// mutation), then follows the batch over a subscription until its status is
// terminal. Elements carry ids and data attributes a test can wait on.
import type { Subscription } from 'rxjs';
import { createApolloClient } from './apollo.ts';
import { formatOf } from './format.ts';
import type { ExampleBatchStatusSubscription, ExampleDatasetsQuery } from './gql/graphql.ts';
import { BatchStatusSubscription, DatasetsQuery, IngestFileMutation } from './operations.ts';
import './style.css';

type DatasetNode = ExampleDatasetsQuery['datasets']['nodes'][number];
type StatusEvent = ExampleBatchStatusSubscription['batchStatus'];

const client = createApolloClient(window.location);

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const datasetsState = element<HTMLParagraphElement>('datasets-state');
const datasetList = element<HTMLUListElement>('datasets');
const form = element<HTMLFormElement>('upload-form');
const fileInput = element<HTMLInputElement>('file');
const uploadButton = element<HTMLButtonElement>('upload');
const message = element<HTMLParagraphElement>('message');
const batchIdOut = element<HTMLElement>('batch-id');
const batchStatusOut = element<HTMLElement>('batch-status');
const eventList = element<HTMLOListElement>('events');

let following: Subscription | undefined;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function datasetItem(dataset: DatasetNode, checked: boolean): HTMLLIElement {
  const item = document.createElement('li');
  const label = document.createElement('label');
  const radio = document.createElement('input');
  radio.type = 'radio';
  radio.name = 'dataset';
  radio.value = dataset.id;
  radio.checked = checked;
  radio.dataset.name = dataset.name;
  const last = dataset.lastBatch ? `, last batch ${dataset.lastBatch.status}` : '';
  label.append(radio, ` ${dataset.name} (${dataset.schema?.title ?? 'no schema'}${last})`);
  item.append(label);
  return item;
}

async function loadDatasets(): Promise<void> {
  const { data, error } = await client.query({ query: DatasetsQuery, variables: { first: 50 }, fetchPolicy: 'network-only' });
  if (error || !data) {
    datasetsState.textContent = `Could not list datasets: ${error?.message ?? 'no data'}`;
    return;
  }
  const nodes = data.datasets.nodes;
  datasetList.replaceChildren(...nodes.map((dataset, index) => datasetItem(dataset, index === 0)));
  datasetsState.textContent = nodes.length === 0 ? 'No datasets yet: create one first.' : `${nodes.length} datasets`;
  datasetsState.dataset.count = String(nodes.length);
  uploadButton.disabled = nodes.length === 0;
}

function showEvent(event: StatusEvent): void {
  const { batch } = event;
  batchStatusOut.textContent = batch.status;
  batchStatusOut.dataset.status = batch.status;
  const line = document.createElement('li');
  const metrics = batch.metrics ? `, ${batch.metrics.recordsWritten ?? 0} of ${batch.metrics.recordsRead ?? 0} records written` : '';
  const errors = batch.errors.length > 0 ? `, errors: ${batch.errors.map((e) => `${e.code ?? ''} ${e.description ?? ''}`.trim()).join('; ')}` : '';
  line.textContent = `#${event.sequence} ${batch.status} (${batch.rawStatus})${metrics}${errors}`;
  eventList.append(line);
}

/** Follows one batch until the gateway ends the stream at a terminal status. */
function follow(batchId: string): void {
  following?.unsubscribe();
  eventList.replaceChildren();
  following = client.subscribe({ query: BatchStatusSubscription, variables: { id: batchId } }).subscribe({
    next: ({ data, error }) => {
      if (error) message.textContent = `Subscription error: ${error.message}`;
      if (data) showEvent(data.batchStatus);
    },
    error: (error: unknown) => {
      message.textContent = `Subscription failed: ${errorText(error)}`;
    },
    complete: () => {
      message.textContent = `Batch ${batchId} finished: ${batchStatusOut.dataset.status ?? ''}`;
      void loadDatasets();
    },
  });
}

async function upload(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const file = fileInput.files?.[0];
  const chosen = datasetList.querySelector<HTMLInputElement>('input[name="dataset"]:checked');
  if (!file || !chosen) {
    message.textContent = 'Choose a dataset and a file.';
    return;
  }
  const format = formatOf(file.name);
  if (!format) {
    message.textContent = `${file.name}: only .json, .parquet and .csv files can be ingested.`;
    return;
  }
  uploadButton.disabled = true;
  message.textContent = `Uploading ${file.name} into ${chosen.dataset.name ?? chosen.value}…`;
  try {
    const { data } = await client.mutate({ mutation: IngestFileMutation, variables: { datasetId: chosen.value, files: [file], sizes: [file.size], format } });
    if (!data) throw new Error('the gateway answered without data');
    const { batch, files } = data.ingestFiles;
    batchIdOut.textContent = batch.id;
    batchStatusOut.textContent = batch.status;
    batchStatusOut.dataset.status = batch.status;
    message.textContent = `Sent ${files.map((f) => `${f.fileName} (${f.bytes} bytes, ${f.protocol})`).join(', ')}; following the batch…`;
    follow(batch.id);
  } catch (error) {
    message.textContent = `Upload failed: ${errorText(error)}`;
  } finally {
    uploadButton.disabled = false;
  }
}

form.addEventListener('submit', (event) => void upload(event));
loadDatasets().catch((error: unknown) => {
  datasetsState.textContent = `Could not list datasets: ${errorText(error)}`;
});
