// Every environment variable the gateway reads is documented in
// docs/configuration.md and listed in the README's configuration table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The variables config.ts reads: every `read('X')`, `flag('X')`, `integer('X'`, `size('X'`, `url('X'`. */
function variablesRead(): string[] {
  const source = read('src/gateway/config.ts');
  const names = new Set<string>();
  for (const match of source.matchAll(/\b(?:read|flag|integer|size|url|duration|port)\(\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]!);
  return [...names].sort();
}

/** The variable names in the first column of a markdown document's tables. */
function documented(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const match of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return names;
}

describe('configuration docs', () => {
  const variables = variablesRead();

  it('should find the variables config.ts reads', () => {
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'AUTH_MODE', 'GATEWAY_API_KEYS', 'SMALL_FILE_LIMIT']));
  });

  it('should document each one in docs/configuration.md', () => {
    const names = documented(read('docs/configuration.md'));
    expect(variables.filter((name) => !names.has(name))).toEqual([]);
  });

  it('should list each one in the README configuration table', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const names = documented(table);
    expect(variables.filter((name) => !names.has(name))).toEqual([]);
  });
});
