// The playground's pure parts: the page shell and its embedded settings, and
// the upload page's helpers (format guess, sizes, the multipart body).
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../src/gateway/playground-html.ts';
import type { PageConfig } from '../../playground/page-config.ts';
import { formatBytes, formatFromName, isJsonArray } from '../../playground/upload/file-format.ts';
import { describeErrors, multipartBody } from '../../playground/upload/graphql-http.ts';

const config: PageConfig = {
  mode: 'pass-through',
  endpoint: '/graphql',
  uploadPath: '/playground/upload',
  defaultHeaders: { 'x-sandbox-name': '</script><script>alert(1)</script>' },
  workers: { editor: '/playground/assets/editor-AAAA.js' },
};

describe('playground page shell', () => {
  it('should embed the settings as JSON that cannot close its script element', () => {
    const html = renderPage({ title: 'a <b> & "c"', assets: { script: 'main-AAAA.js', stylesheet: null }, config, bodyHtml: '<div id="x"></div>' });
    expect(html).not.toContain('</script><script>alert(1)');
    const json = /<script type="application\/json" id="playground-config">(.*?)<\/script>/s.exec(html)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual(config);
    expect(html).toContain('<title>a &#60;b&#62; &#38; &#34;c&#34;</title>');
    expect(html).toContain('<script type="module" src="/playground/assets/main-AAAA.js"></script>');
    expect(html).not.toContain('rel="stylesheet"');
  });
});

describe('upload page helpers', () => {
  it('should guess the format from the file name', () => {
    expect(formatFromName('members.parquet')).toBe('PARQUET');
    expect(formatFromName('members.JSONL')).toBe('JSON');
    expect(formatFromName('members.ndjson')).toBe('JSON');
    expect(formatFromName('members.json')).toBe('JSON');
    expect(formatFromName('members.csv')).toBe('CSV');
    expect(formatFromName('members.txt')).toBeNull();
  });

  it('should tell a JSON array from JSON Lines by the first character', async () => {
    expect(await isJsonArray(new Blob(['  \n[{"a":1}]']))).toBe(true);
    expect(await isJsonArray(new Blob(['{"a":1}\n{"a":2}\n']))).toBe(false);
  });

  it('should write sizes for people', () => {
    expect(formatBytes(742)).toBe('742 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5120 GiB');
  });

  it('should build the multipart body in the order the spec requires', () => {
    const file = new File(['{"a":1}\n'], 'members.json', { type: 'application/json' });
    const body = multipartBody({ query: 'mutation', variables: { input: { files: [null] } }, files: [{ path: 'input.files.0', file }] });
    const names: string[] = [];
    body.forEach((_value, name) => names.push(name));
    expect(names).toEqual(['operations', 'map', '0']);
    expect(JSON.parse(body.get('operations') as string)).toEqual({ query: 'mutation', variables: { input: { files: [null] } } });
    expect(JSON.parse(body.get('map') as string)).toEqual({ 0: ['variables.input.files.0'] });
    expect((body.get('0') as File).name).toBe('members.json');
  });

  it('should put the error code in front of each message', () => {
    expect(describeErrors([{ message: 'no such dataset', extensions: { code: 'NOT_FOUND' } }, { message: 'plain' }])).toBe(
      'NOT_FOUND: no such dataset\nplain',
    );
  });
});
