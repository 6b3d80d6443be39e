// A stand-in OpenTelemetry collector for the benchmarks: an HTTP server in
// the benchmark's own process that accepts OTLP/HTTP exports (POST
// /v1/traces), reads and discards them, and counts what came: requests, bytes
// and spans. Spans are counted by their `"spanId":` keys in the JSON body
// (the gateway's exporter sends OTLP JSON), a byte search, not a parse, so
// that the sink costs the shared machine as little as possible.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSink {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** What arrived so far. */
  counts(): { readonly exports: number; readonly bytes: number; readonly spans: number };
  close(): Promise<void>;
}

const SPAN_KEY = Buffer.from('"spanId":');

function occurrences(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url === '/v1/traces') {
        exports++;
        bytes += body.length;
        spans += occurrences(body, SPAN_KEY);
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ exports, bytes, spans }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
