// Follows one batch (or the batches of a dataset) from a terminal, over the
// gateway's batchStatus subscription: one line per state, until a terminal
// status. `npm run watch-batch -- <batchId>` or `-- --dataset <datasetId>`.
//
// Environment: GATEWAY_URL (default http://127.0.0.1:4000/graphql), and the
// headers of the gateway's auth mode: GATEWAY_API_KEY (oauth/static), or
// AEP_ACCESS_TOKEN, AEP_API_KEY and AEP_ORG_ID (pass-through); SANDBOX
// (default prod).
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

interface Event {
  batch: { id: string; status: string; rawStatus: string; metrics: { recordsRead: number | null; recordsWritten: number | null; failedRecordCount: number | null } | null; errors: Array<{ code: string | null; description: string | null }> };
  previousStatus: string | null;
  terminal: boolean;
  observedAt: string;
}

const FIELDS = 'batch { id status rawStatus metrics { recordsRead recordsWritten failedRecordCount } errors { code description } } previousStatus terminal observedAt';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { dataset: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
const batchId = positionals[0];
if (values.help || (!batchId && !values.dataset)) {
  process.stdout.write('usage: npm run watch-batch -- <batchId> | --dataset <datasetId>\n');
  process.exit(values.help ? 0 : 2);
}

const env = process.env;
const connectionParams: Record<string, string> = { 'x-sandbox-name': env.SANDBOX ?? 'prod' };
if (env.GATEWAY_API_KEY) connectionParams['x-gateway-api-key'] = env.GATEWAY_API_KEY;
if (env.AEP_ACCESS_TOKEN) connectionParams.authorization = `Bearer ${env.AEP_ACCESS_TOKEN}`;
if (env.AEP_API_KEY) connectionParams['x-api-key'] = env.AEP_API_KEY;
if (env.AEP_ORG_ID) connectionParams['x-gw-ims-org-id'] = env.AEP_ORG_ID;

const url = (env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql').replace(/^http/, 'ws');
const client = createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });

const [field, query, variables] = values.dataset
  ? (['datasetBatches', `subscription ($id: ID!) { datasetBatches(datasetId: $id) { ${FIELDS} } }`, { id: values.dataset }] as const)
  : (['batchStatus', `subscription ($id: ID!) { batchStatus(id: $id) { ${FIELDS} } }`, { id: batchId }] as const);

function line(event: Event): string {
  const { batch } = event;
  const change = event.previousStatus ? `${event.previousStatus} -> ${batch.status}` : batch.status;
  const metrics = batch.metrics ? ` read=${batch.metrics.recordsRead ?? '?'} written=${batch.metrics.recordsWritten ?? '?'} failed=${batch.metrics.failedRecordCount ?? '?'}` : '';
  const errors = batch.errors.map((e) => `\n    ${e.code ?? ''} ${e.description ?? ''}`).join('');
  return `${event.observedAt}  ${batch.id}  ${change}${metrics}${errors}\n`;
}

let failed = false;
try {
  for await (const result of client.iterate<Record<string, Event>>({ query, variables })) {
    if (result.errors) {
      process.stderr.write(`${result.errors.map((e) => `${String(e.extensions?.code ?? 'ERROR')}: ${e.message}`).join('\n')}\n`);
      failed = true;
      break;
    }
    const event = result.data?.[field];
    if (event) process.stdout.write(line(event));
  }
} catch (error) {
  const errors = Array.isArray(error) ? (error as Array<{ message: string; extensions?: { code?: string } }>) : [];
  const message = errors.length > 0 ? errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n') : error instanceof Error ? error.message : `connection closed (${(error as { code?: number }).code ?? 'unknown'})`;
  process.stderr.write(`${message}\n`);
  failed = true;
} finally {
  await client.dispose();
}
process.exit(failed ? 1 : 0);
