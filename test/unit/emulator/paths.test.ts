import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../../src/emulator/errors.ts';
import { resolveUnder, safeRelativePath } from '../../../src/emulator/store/paths.ts';

function rejects(name: string): EmulatorError {
  try {
    safeRelativePath(name);
  } catch (error) {
    return error as EmulatorError;
  }
  throw new Error(`accepted ${JSON.stringify(name)}`);
}

describe('safeRelativePath', () => {
  it('should normalise harmless names', () => {
    expect(safeRelativePath('a.json')).toBe('a.json');
    expect(safeRelativePath('dir/./file.parquet')).toBe('dir/file.parquet');
    expect(safeRelativePath('dir//file.csv')).toBe('dir/file.csv');
    expect(safeRelativePath('names with spaces & ünïcode.json')).toBe('names with spaces & ünïcode.json');
  });

  it('should refuse names that could escape or confuse the file system with a 400', () => {
    for (const name of ['', '..', '../x', 'a/../../b', '/etc/passwd', 'C:\\x', 'c:x', 'a\\b', 'a\u0000b', 'a\nb', 'a\u007fb', '.', './', 'x'.repeat(256), 'a/'.repeat(600)]) {
      const error = rejects(name);
      expect(error, name).toBeInstanceOf(EmulatorError);
      expect(error.status).toBe(400);
      expect(error.body).toMatchObject({ type: '/placeholder/type/uri', title: 'BadRequestError' });
    }
  });

  it('should resolve only under the root', () => {
    const root = mkdtempSync(join(tmpdir(), 'paths-'));
    expect(resolveUnder(root, 'a', 'b/c.json')).toBe(join(root, 'a', 'b', 'c.json'));
    expect(() => resolveUnder(root, '..')).toThrow(EmulatorError);
    expect(() => resolveUnder(root, 'a', '../../x')).toThrow(EmulatorError);
  });
});
