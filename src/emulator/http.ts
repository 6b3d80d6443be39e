// The emulator's small HTTP toolkit: the request object route handlers get,
// body readers with limits, and JSON writers. No framework: node:http plus a
// find-my-way router (server.ts) keeps the emulator fast enough to serve as
// the "direct REST" baseline in benchmarks.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorError, legacyError, CONTENT_TYPE_ERROR } from './errors.ts';

export interface SandboxRef {
  readonly name: string;
  readonly id: string;
  readonly type: 'production' | 'development';
}

/** Who is calling and where: set by the gateway checks before a Platform route runs. */
export interface RequestScope {
  readonly orgId: string;
  readonly clientId: string;
  readonly sandbox: SandboxRef;
}

export interface EmulatorRequest {
  readonly method: string;
  /** The path without the query string, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly raw: IncomingMessage;
  /** The origin the client used (http://127.0.0.1:port), for absolute `_links`. */
  readonly origin: string;
  /** Present on Platform routes (after the gateway checks), absent on open routes. */
  readonly scope: RequestScope;
}

export type RouteHandler = (req: EmulatorRequest, res: ServerResponse) => Promise<void> | void;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': 0, ...headers });
  res.end();
}

export function header(req: EmulatorRequest | IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type of the request body, lower case, without parameters. */
export function mediaType(req: EmulatorRequest): string | undefined {
  const value = header(req, 'content-type');
  return value?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Throws the Platform's content-type error unless the body has one of the given types. */
export function requireContentType(req: EmulatorRequest, ...types: string[]): void {
  const type = mediaType(req);
  if (!type || !types.includes(type)) throw CONTENT_TYPE_ERROR();
}

/** Reads a whole (small) body into memory, refusing more than `limit` bytes with 413. */
export async function readBody(req: EmulatorRequest, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw legacyError(413, `Request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads and parses a JSON body; malformed JSON gets the Platform's 400. */
export async function readJson<T = unknown>(req: EmulatorRequest, limit?: number): Promise<T> {
  const body = await readBody(req, limit);
  if (body.length === 0) throw legacyError(400, 'Request body is required');
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw legacyError(400, 'Malformed JSON in request body');
  }
}

export function isEmulatorError(error: unknown): error is EmulatorError {
  return error instanceof EmulatorError;
}
