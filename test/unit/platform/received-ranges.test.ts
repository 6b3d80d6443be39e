// The Range header of a file HEAD (platform-api.md §4.4) as the bytes the
// Platform holds: what the gateway compares with the bytes it sent.
import { describe, expect, it } from 'vitest';
import { parseReceivedRanges } from '../../../src/platform/ingestion.ts';

describe('parseReceivedRanges', () => {
  it('should read merged ranges, their total and the bytes held from offset 0 without a gap', () => {
    const cases: Array<[string | undefined, { bytes: number; contiguousBytes: number }]> = [
      [undefined, { bytes: 0, contiguousBytes: 0 }],
      ['', { bytes: 0, contiguousBytes: 0 }],
      ['bytes=0-99', { bytes: 100, contiguousBytes: 100 }],
      ['bytes 0-99/100', { bytes: 100, contiguousBytes: 100 }],
      ['bytes=0-99,200-299', { bytes: 200, contiguousBytes: 100 }],
      ['bytes=200-299,0-199', { bytes: 300, contiguousBytes: 300 }],
      ['bytes=100-199', { bytes: 100, contiguousBytes: 0 }],
      ['bytes=0-9,junk,20-x', { bytes: 10, contiguousBytes: 10 }],
    ];
    for (const [header, expected] of cases) expect(parseReceivedRanges(header), String(header)).toMatchObject(expected);
    expect(parseReceivedRanges('bytes=200-299,0-199').ranges).toEqual([
      [0, 199],
      [200, 299],
    ]);
    console.log(`${cases.length} Range headers read: gaps, order, totals and junk`);
  });
});
