// docs/errors.md and src/gateway/errors.ts describe the same codes and the
// same upstream table, row for row (the way fastify keeps Errors.md honest).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES, UPSTREAM_ERROR_TABLE } from '../../src/gateway/errors.ts';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The body rows of the first markdown table after a heading. */
function tableAfter(heading: string): string[][] {
  const lines = docs.slice(docs.indexOf(heading)).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table: string[] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    table.push(line);
  }
  // Skip the header row and the |---| row.
  return table.slice(2).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('docs/errors.md', () => {
  it('should document every gateway error code, and no other', () => {
    const documented = tableAfter('## Codes').map((row) => row[0]!.replace(/`/g, ''));
    expect([...documented].sort()).toEqual([...GATEWAY_ERROR_CODES].sort());
  });

  it('should list the upstream table row for row, in order, ending with the masked fallback', () => {
    const rows = tableAfter('## From the Platform to a code').map(([upstream, code]) => [upstream, code!.replace(/`/g, '')]);
    const expected = [...UPSTREAM_ERROR_TABLE.map((rule) => [rule.upstream, rule.code]), ['anything else', 'INTERNAL_SERVER_ERROR']];
    expect(rows).toEqual(expected);
  });
});
