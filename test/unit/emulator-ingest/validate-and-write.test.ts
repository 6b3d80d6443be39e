import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { readFileSync } from 'node:fs';
import { coerceRecord } from '../../../src/emulator/ingest/coerce.ts';
import { createRecordValidator } from '../../../src/emulator/ingest/validator.ts';
import { markUsed, parquetLayout, writeParquetRows } from '../../../src/emulator/ingest/parquet-writer.ts';
import type { UsedFields } from '../../../src/emulator/ingest/parquet-writer.ts';
import { exceedsThreshold, partialIngestionPercent, rowErrorEntries } from '../../../src/emulator/ingest/partial-ingestion.ts';
import { MEMBER_SCHEMA, fixtureDir } from './fixtures.ts';

const file = fixtureDir();
const validate = createRecordValidator(MEMBER_SCHEMA);

describe('coercion (platform-api.md §4.8)', () => {
  it('should turn numeric text into numbers, numbers into text, epoch ms into dates, and CSV text into booleans and lists', () => {
    const csv = coerceRecord(
      {
        _aeplocal: { loyaltyId: 'L1', points: '12', score: '1.5', active: 'TRUE', memberSince: '1531263959000', lastSeen: '1531263959000', tags: '["a","b"]' },
        personID: 'p',
      },
      MEMBER_SCHEMA,
      'csv',
    );
    expect(csv).toEqual({
      _aeplocal: {
        loyaltyId: 'L1',
        points: 12,
        score: 1.5,
        active: true,
        memberSince: '2018-07-10',
        lastSeen: '2018-07-10T23:05:59.000Z',
        tags: ['a', 'b'],
      },
      personID: 'p',
    });
    const json = coerceRecord({ _aeplocal: { loyaltyId: 7, active: 'true', lastSeen: 0 } }, MEMBER_SCHEMA, 'json');
    // Booleans are never converted from JSON: the validator will refuse the text.
    expect(json).toEqual({ _aeplocal: { loyaltyId: '7', active: 'true', lastSeen: '1970-01-01T00:00:00.000Z' } });
  });
});

describe('row validation', () => {
  it('should accept a row that uses a subset of the schema', () => {
    expect(validate({ _aeplocal: { loyaltyId: 'L1', lastSeen: '2019-05-15T20:20:39+00:00', memberSince: '2019-05-15' } })).toEqual({
      errors: [],
      requiredMissing: false,
    });
  });

  it('should report each violation in the Platform shape', () => {
    const verdict = validate({
      _aeplocal: { loyaltyId: 'L1', tier: 'bronze', level: 300, lastSeen: '2018-00-23T22:07:01Z', points: 1.5 },
      unknown: 1,
    });
    expect(verdict.requiredMissing).toBe(false);
    const byKeyword = Object.fromEntries(verdict.errors.map((e) => [e.keyword, e]));
    expect(byKeyword.additionalProperties).toEqual({
      causingExceptions: [],
      keyword: 'additionalProperties',
      message: 'extraneous key [unknown] is not permitted',
      pointerToViolation: '#',
      schemaLocation: '#',
    });
    expect(byKeyword.enum?.pointerToViolation).toBe('#/_aeplocal/tier');
    expect(byKeyword.maximum?.message).toBe('300 is not less or equal to 128');
    expect(byKeyword.format?.message).toMatch(/^\[2018-00-23T22:07:01Z\] is not a valid date-time\. Expected \[yyyy-MM-dd'T'HH:mm:ssZ/);
    expect(byKeyword.format?.schemaLocation).toBe('#/properties/_aeplocal/properties/lastSeen');
    expect(byKeyword.type?.message).toBe('expected type: Integer, found: Number');
  });

  it('should flag a missing required field and a null as required-missing', () => {
    const missing = validate({ _aeplocal: { tier: 'gold' } });
    expect(missing.requiredMissing).toBe(true);
    expect(missing.errors[0]).toMatchObject({ keyword: 'required', message: 'required key [loyaltyId] not found', pointerToViolation: '#/_aeplocal' });
    expect(validate({ _aeplocal: { loyaltyId: null } }).requiredMissing).toBe(true);
    expect(validate({ personID: null }).errors[0]?.message).toBe('expected type: String, found: Null');
  });
});

describe('Parquet output', () => {
  it('should write nested objects, lists, maps and typed leaves that hyparquet reads back', async () => {
    const rows = [
      {
        _aeplocal: {
          loyaltyId: 'L1',
          balance: 9007199254740991,
          level: 3,
          memberSince: '2020-01-02',
          lastSeen: '2020-01-02T03:04:05.000Z',
          tags: ['a', 'b'],
          attributes: { k: 'v' },
          address: { city: 'Basel' },
        },
        personID: 'p1',
      },
      { _aeplocal: { loyaltyId: 'L2' } },
    ];
    const used: UsedFields = {};
    for (const row of rows) markUsed(row, MEMBER_SCHEMA, used);
    const layout = parquetLayout(MEMBER_SCHEMA, used)!;
    expect(layout.columns).toEqual(['_aeplocal', 'personID']);
    // Fields no row uses are not written.
    expect(layout.schema.map((e) => e.name)).not.toContain('tier');
    const path = file('out.parquet', '');
    await writeParquetRows(path, MEMBER_SCHEMA, layout, (async function* () { yield* rows; })());
    const back = await parquetReadObjects({ file: new Uint8Array(readFileSync(path)).buffer });
    expect(back[0]).toEqual({
      _aeplocal: {
        loyaltyId: 'L1',
        balance: 9007199254740991n,
        level: 3,
        memberSince: new Date('2020-01-02T00:00:00Z'),
        lastSeen: new Date('2020-01-02T03:04:05.000Z'),
        tags: ['a', 'b'],
        attributes: { k: 'v' },
        address: { city: 'Basel' },
      },
      personID: 'p1',
    });
    expect(back[1]).toMatchObject({ _aeplocal: { loyaltyId: 'L2', tags: null }, personID: null });
  });

  it('should write nothing when no row uses any field', () => {
    expect(parquetLayout(MEMBER_SCHEMA, {})).toBeNull();
  });
});

describe('partial ingestion', () => {
  it('should read either spelling of the threshold and refuse values outside 0..100', () => {
    expect(partialIngestionPercent({ partialIngestionPercent: 5 })).toEqual({ percent: 5 });
    expect(partialIngestionPercent({ partialIngestionPercentage: '10' })).toEqual({ percent: 10 });
    expect(partialIngestionPercent({})).toEqual({});
    expect(partialIngestionPercent({ partialIngestionPercent: 101 }).error).toBeDefined();
    expect(partialIngestionPercent({ partialIngestionPercent: 'x' }).error).toBeDefined();
  });

  it('should fail a batch only above the threshold', () => {
    expect(exceedsThreshold(0, 10, undefined)).toBe(false);
    expect(exceedsThreshold(1, 10, undefined)).toBe(true);
    expect(exceedsThreshold(1, 10, 10)).toBe(false);
    expect(exceedsThreshold(2, 10, 10)).toBe(true);
  });

  it('should list a summary and per-kind counts with diagnostics, one generic entry without', () => {
    const counts = { corrupt: 1, requiredMissing: 2, invalid: 2, accepted: 514 };
    expect(rowErrorEntries(counts, true).map((e) => [e.code, e.recordCount])).toEqual([
      ['INGEST-1212-400', undefined],
      ['INGEST-1401-400', 1],
      ['INGEST-1555-400', 2],
    ]);
    expect(rowErrorEntries(counts, true)[0]?.description).toBe(
      'Encountered 5 errors in the data. Successfully ingested 514 rows. Please review the associated diagnostic files for more details.',
    );
    expect(rowErrorEntries(counts, false).map((e) => e.code)).toEqual(['INGEST-1211-400']);
    expect(rowErrorEntries({ corrupt: 0, requiredMissing: 0, invalid: 0, accepted: 3 }, true)).toEqual([]);
  });
});
