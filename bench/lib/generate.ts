// Generated inputs, from a seeded PRNG, streamed to disk and never held whole
// in memory: Loyalty Members rows (JSON Lines, CSV, Parquet) and files of
// pseudo-random bytes of any length.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';

/** mulberry32: small, fast, seeded; the same seed gives the same stream everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The AES-256-CTR keystream of a key derived from `seed`: seeded and reproducible. */
function keystream(seed: number) {
  const key = createHash('sha256').update(`aep-graphql bench seed ${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

/**
 * Writes `size` pseudo-random bytes from `seed` (the keystream above) to
 * `path`, 1 MiB at a time, and returns their sha256: a large file made once,
 * before it is uploaded, as a user's file is on disk before they pick it.
 */
export async function writeRandomFile(path: string, size: number, seed: number): Promise<string> {
  const chunkSize = 1 << 20;
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(chunkSize);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += chunkSize) {
    const n = Math.min(chunkSize, size - written);
    const chunk = cipher.update(n === chunkSize ? zeros : zeros.subarray(0, n));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Katherine', 'Niklaus', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Backus', 'Johnson', 'Wirth', 'Perlman', 'Berners-Lee'];
const LEVELS = ['bronze', 'silver', 'gold', 'platinum'];

export interface MemberRow {
  readonly _id: string;
  readonly person: { readonly name: { readonly firstName: string; readonly lastName: string } };
  readonly personalEmail: { readonly address: string };
  readonly loyalty: { readonly loyaltyId: string; readonly loyaltyLevel: string; readonly loyaltyPoints: number; readonly memberSince: string };
}

/** Rows valid against the seeded Loyalty Members schema (tenant namespace `_${tenant}`). */
export function* memberRows(count: number, seed: number): Generator<MemberRow> {
  const random = prng(seed);
  for (let i = 1; i <= count; i++) {
    const first = FIRST[Math.floor(random() * FIRST.length)]!;
    const last = LAST[Math.floor(random() * LAST.length)]!;
    const day = 1 + Math.floor(random() * 28);
    const month = 1 + Math.floor(random() * 12);
    const year = 2000 + Math.floor(random() * 25);
    yield {
      _id: `member-${i}`,
      person: { name: { firstName: first, lastName: last } },
      personalEmail: { address: `${first.toLowerCase()}.${last.toLowerCase()}.${i}@example.com` },
      loyalty: {
        loyaltyId: `L-${i}`,
        loyaltyLevel: LEVELS[Math.floor(random() * LEVELS.length)]!,
        loyaltyPoints: Math.floor(random() * 100_000),
        memberSince: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      },
    };
  }
}

function xdmRecord(row: MemberRow, tenant: string): Record<string, unknown> {
  return { _id: row._id, person: row.person, personalEmail: row.personalEmail, [`_${tenant}`]: { loyalty: row.loyalty } };
}

async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return out.bytesWritten;
}

/** JSON Lines; returns the file size. */
export function writeJsonLines(path: string, count: number, seed: number, tenant: string): Promise<number> {
  return writeLines(path, (function* () {
    for (const row of memberRows(count, seed)) yield `${JSON.stringify(xdmRecord(row, tenant))}\n`;
  })());
}

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** CSV with dotted column names for the nested fields (the emulator's CSV convention). */
export function writeCsv(path: string, count: number, seed: number, tenant: string): Promise<number> {
  const ns = `_${tenant}.loyalty`;
  const header = ['_id', 'person.name.firstName', 'person.name.lastName', 'personalEmail.address', `${ns}.loyaltyId`, `${ns}.loyaltyLevel`, `${ns}.loyaltyPoints`, `${ns}.memberSince`];
  return writeLines(path, (function* () {
    yield `${header.join(',')}\n`;
    for (const r of memberRows(count, seed)) {
      yield `${[r._id, r.person.name.firstName, r.person.name.lastName, r.personalEmail.address, r.loyalty.loyaltyId, r.loyalty.loyaltyLevel, r.loyalty.loyaltyPoints, r.loyalty.memberSince].map(csvCell).join(',')}\n`;
    }
  })());
}

/** Parquet with nested groups matching the XDM structure, written one row group at a time. */
export async function writeParquet(path: string, count: number, seed: number, tenant: string): Promise<void> {
  const utf8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } as const;
  const schema = [
    { name: 'root', num_children: 4 },
    { name: '_id', ...utf8 },
    { name: 'person', repetition_type: 'OPTIONAL', num_children: 1 },
    { name: 'name', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'firstName', ...utf8 },
    { name: 'lastName', ...utf8 },
    { name: 'personalEmail', repetition_type: 'OPTIONAL', num_children: 1 },
    { name: 'address', ...utf8 },
    { name: `_${tenant}`, repetition_type: 'OPTIONAL', num_children: 1 },
    { name: 'loyalty', repetition_type: 'OPTIONAL', num_children: 4 },
    { name: 'loyaltyId', ...utf8 },
    { name: 'loyaltyLevel', ...utf8 },
    { name: 'loyaltyPoints', type: 'INT32', repetition_type: 'OPTIONAL' },
    { name: 'memberSince', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
  ];
  async function* rows(): AsyncGenerator<Record<string, unknown>> {
    for (const r of memberRows(count, seed)) {
      yield {
        _id: r._id,
        person: r.person,
        personalEmail: r.personalEmail,
        [`_${tenant}`]: { loyalty: { ...r.loyalty, memberSince: new Date(`${r.loyalty.memberSince}T00:00:00Z`) } },
      };
    }
  }
  await parquetWriteRows({
    writer: fileWriter(path),
    rows: rows(),
    columns: ['_id', 'person', 'personalEmail', `_${tenant}`].map((name) => ({ name })),
    schema: schema as NonNullable<Parameters<typeof parquetWriteRows>[0]['schema']>,
    rowGroupSize: 10_000,
  });
}
