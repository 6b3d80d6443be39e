// Fixture files for the ingest tests, written into a fresh temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { XdmFieldSchema } from '../../../src/emulator/ingest/xdm-field.ts';
import type { RecordItem, RecordSource } from '../../../src/emulator/ingest/types.ts';

export function fixtureDir(): (name: string, content: string | Uint8Array | ArrayBuffer) => string {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content instanceof ArrayBuffer ? new Uint8Array(content) : content);
    return path;
  };
}

export async function collect(source: RecordSource): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for await (const item of source) items.push(item);
  return items;
}

/** A resolved schema in the registry's xed-full shape, with every XDM type. */
export const MEMBER_SCHEMA: XdmFieldSchema = {
  type: 'object',
  'meta:xdmType': 'object',
  properties: {
    _aeplocal: {
      type: 'object',
      'meta:xdmType': 'object',
      required: ['loyaltyId'],
      properties: {
        loyaltyId: { type: 'string', 'meta:xdmType': 'string' },
        tier: { type: 'string', 'meta:xdmType': 'string', enum: ['gold', 'silver'] },
        points: { type: 'integer', 'meta:xdmType': 'int', minimum: -2147483648, maximum: 2147483648 },
        level: { type: 'integer', 'meta:xdmType': 'byte', minimum: -128, maximum: 128 },
        balance: { type: 'integer', 'meta:xdmType': 'long' },
        score: { type: 'number', 'meta:xdmType': 'number' },
        active: { type: 'boolean', 'meta:xdmType': 'boolean' },
        memberSince: { type: 'string', format: 'date', 'meta:xdmType': 'date' },
        lastSeen: { type: 'string', format: 'date-time', 'meta:xdmType': 'date-time' },
        tags: { type: 'array', 'meta:xdmType': 'array', items: { type: 'string', 'meta:xdmType': 'string' } },
        attributes: { type: 'object', 'meta:xdmType': 'map', additionalProperties: { type: 'string', 'meta:xdmType': 'string' } },
        address: {
          type: 'object',
          'meta:xdmType': 'object',
          properties: { city: { type: 'string', 'meta:xdmType': 'string' }, zip: { type: 'string', 'meta:xdmType': 'string' } },
        },
      },
    },
    personID: { type: 'string', 'meta:xdmType': 'string' },
  },
};
