// A GraphQL multipart request (operations, map, one file part) streamed from
// a Readable, so the file is never held in memory by the client either.
import { Readable } from 'node:stream';
import { request } from 'undici';

export interface MultipartUpload {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: string;
  /** Variables, with null where the file goes. */
  readonly variables: Record<string, unknown>;
  /** Where the file goes, e.g. 'variables.file'. */
  readonly path: string;
  readonly fileName: string;
  readonly file: Readable;
}

const BOUNDARY_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A boundary as Chrome makes one for a FormData body (what Apollo Client's
 * upload link sends from a browser): `----WebKitFormBoundary` and 16 random
 * letters or digits, 38 characters. A multipart parser finds a longer
 * boundary faster, so the benchmark sends what the gateway's clients send.
 */
function browserBoundary(): string {
  let suffix = '';
  for (let i = 0; i < 16; i++) suffix += BOUNDARY_CHARACTERS[Math.floor(Math.random() * BOUNDARY_CHARACTERS.length)];
  return `----WebKitFormBoundary${suffix}`;
}

export async function postMultipart<T>(upload: MultipartUpload): Promise<{ status: number; body: { data?: T; errors?: unknown[] } }> {
  const boundary = browserBoundary();
  const head = [
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: upload.query, variables: upload.variables })}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: [upload.path] })}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${upload.fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  ].join('');
  const file = upload.file;
  const body = Readable.from(
    (async function* () {
      yield Buffer.from(head);
      for await (const chunk of file) yield chunk as Buffer;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })(),
    { objectMode: false },
  );
  const res = await request(upload.url, {
    method: 'POST',
    headers: { ...upload.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true' },
    body,
    headersTimeout: 1_800_000,
    bodyTimeout: 1_800_000,
  });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, body: JSON.parse(text) as { data?: T; errors?: unknown[] } };
  } catch {
    return { status: res.statusCode, body: { errors: [text.slice(0, 500)] } };
  }
}
