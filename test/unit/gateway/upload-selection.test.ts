import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { resolveInfoFor } from '../../helpers/resolve-info.ts';
import { selectsSha256 } from '../../../src/gateway/upload-selection.ts';

describe('selectsSha256', () => {
  const schema = buildSchema(`
    type UploadedFile { fileName: String! bytes: Float! sha256: String! }
    type Payload { file: UploadedFile! files: [UploadedFile!]! }
    type Query { upload: Payload! }
  `);

  const infoFor = (query: string) => resolveInfoFor(schema, query);

  it('should be false when the files are answered without their digest', () => {
    expect(selectsSha256(infoFor('{ upload { file { fileName bytes } } }'), 'file')).toBe(false);
    expect(selectsSha256(infoFor('{ upload { files { fileName } file { sha256 } } }'), 'files')).toBe(false);
  });

  it('should see sha256 directly, under an alias, through inline and named fragments, and under a directive', () => {
    expect(selectsSha256(infoFor('{ upload { file { sha256 } } }'), 'file')).toBe(true);
    expect(selectsSha256(infoFor('{ upload { files { digest: sha256 } } }'), 'files')).toBe(true);
    expect(selectsSha256(infoFor('{ upload { ... on Payload { file { ...F } } } } fragment F on UploadedFile { ... on UploadedFile { sha256 } }'), 'file')).toBe(true);
    expect(selectsSha256(infoFor('{ upload { ...P } } fragment P on Payload { file { bytes } } '), 'file')).toBe(false);
    expect(selectsSha256(infoFor('{ upload { file { bytes } file { sha256 @skip(if: true) } } }'), 'file')).toBe(true);
  });
});
