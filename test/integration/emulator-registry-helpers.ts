// Plain-HTTP helpers for the Schema Registry suites: a call as a client of the
// Platform sends it (the emulator's headers, an optional Accept and JSON
// body), and the bodies of a tenant field group and schema on the Profile class.
import type { TestEmulator } from '../helpers/start-emulator.ts';

export const REGISTRY = '/data/foundation/schemaregistry';
export const PROFILE = 'https://ns.adobe.com/xdm/context/profile';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RegistryCallOptions {
  readonly accept?: string;
  /** Sent as is when a string, else as JSON. */
  readonly body?: unknown;
  /** @default 'application/json' when there is a body */
  readonly contentType?: string;
  readonly sandbox?: string;
}

export interface RegistryReply {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

/** A caller of the emulator's Schema Registry: paths are under /data/foundation/schemaregistry. */
export function registryCaller(emulator: TestEmulator) {
  return async function call(method: string, path: string, init: RegistryCallOptions = {}): Promise<RegistryReply> {
    const headers: Record<string, string> = { ...(await emulator.headers(init.sandbox)) };
    if (init.accept) headers.accept = init.accept;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(emulator.url + REGISTRY + path, {
      method,
      headers,
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json, headers: res.headers };
  };
}

/** A tenant field group for the Profile class with `fields` under the tenant's own object. */
export const fieldGroupBody = (tenant: string, title: string, fields: Json) => ({
  title,
  description: `${title} fields`,
  type: 'object',
  'meta:intendedToExtend': [PROFILE],
  definitions: { main: { properties: { [`_${tenant}`]: { type: 'object', properties: fields } } } },
  allOf: [{ $ref: '#/definitions/main' }],
});

/** A schema of the Profile class with the given field groups. */
export const schemaBody = (title: string, ...fieldGroups: string[]) => ({
  title,
  description: `${title} schema`,
  type: 'object',
  allOf: [{ $ref: PROFILE }, ...fieldGroups.map(($ref) => ({ $ref }))],
});
