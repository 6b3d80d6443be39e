// A Platform client wired to an undici MockAgent (passed as the dispatcher,
// never installed globally), recording every upstream attempt.
import { MockAgent, type Interceptable } from 'undici';
import { createPlatformClient, type FullPlatformClient, type PlatformClientOptions } from '../../../src/platform/index.ts';
import type { CallInfo } from '../../../src/platform/http.ts';
import type { PlatformScope } from '../../../src/platform/types.ts';

export const BASE_URL = 'https://platform.test';
export const IMS_URL = 'https://ims.test';
export const SCOPE: PlatformScope = { orgId: '0DEC0DE0000000000000000A@AdobeOrg', sandbox: 'prod' };

export interface MockPlatform {
  readonly agent: MockAgent;
  readonly platform: Interceptable;
  readonly ims: Interceptable;
  readonly client: FullPlatformClient;
  readonly calls: CallInfo[];
}

export function mockPlatform(options: Partial<PlatformClientOptions> = {}): MockPlatform {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const calls: CallInfo[] = [];
  const client = createPlatformClient({
    baseUrl: BASE_URL,
    imsUrl: IMS_URL,
    auth: { mode: 'static', token: 'static-token', apiKey: 'static-key' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    dispatcher: agent,
    onCall: (info) => calls.push(info),
    ...options,
  });
  return { agent, platform: agent.get(BASE_URL), ims: agent.get(IMS_URL), client, calls };
}

/** A keyed Catalog body: `{ id: { ...fields } }` for each id. */
export function keyed(ids: readonly string[], fields: Record<string, unknown> = {}): Record<string, Record<string, unknown>> {
  return Object.fromEntries(ids.map((id) => [id, { name: `name-${id}`, ...fields }]));
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** Reads a request body the way a server would, whatever form the client gave it. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Request headers as a MockAgent reply callback sees them (object or flat list), as an object. */
export function headerObject(headers: unknown): Record<string, string> {
  if (!Array.isArray(headers)) return { ...(headers as Record<string, string>) };
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  return out;
}
