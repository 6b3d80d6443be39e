// The playground handler on a plain node:http server, over a small hand-made
// build output (no esbuild, no browser): routes, content types, caching,
// gzip, path safety, the missing-build message and the on/off switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createPlaygroundHandler, defaultPlaygroundHeaders, playgroundOptionsFromConfig } from '../../src/gateway/playground.ts';
import type { PlaygroundOptions } from '../../src/gateway/playground.ts';
import type { PlaygroundManifest } from '../../src/gateway/playground-assets.ts';
import { loadConfig } from '../../src/gateway/config.ts';

const SCRIPT = 'console.log("graphiql");'.repeat(100);

async function writeBuild(dir: string): Promise<void> {
  const manifest: PlaygroundManifest = {
    graphiql: { script: 'graphiql-AAAA.js', stylesheet: 'graphiql-BBBB.css' },
    upload: { script: 'upload-CCCC.js', stylesheet: null },
    workers: { editor: 'editor-DDDD.js', graphql: 'graphql-EEEE.js' },
    gzipped: ['graphiql-AAAA.js'],
  };
  await mkdir(join(dir, 'assets', 'files'), { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'assets', 'graphiql-AAAA.js'), SCRIPT);
  await writeFile(join(dir, 'assets', 'graphiql-AAAA.js.gz'), gzipSync(SCRIPT));
  await writeFile(join(dir, 'assets', 'graphiql-BBBB.css'), 'body{margin:0}');
  await writeFile(join(dir, 'assets', 'upload-CCCC.js'), 'export {};');
  await writeFile(join(dir, 'assets', 'files', 'codicon-FFFF.ttf'), 'font');
  await writeFile(join(dir, 'assets', 'secret.env'), 'not served: unknown type');
}

interface Started {
  readonly url: string;
  close(): Promise<void>;
}

// Whatever the handler leaves goes to a stand-in for Apollo that answers 418,
// so a test sees whether the handler took the request.
async function serve(options: PlaygroundOptions): Promise<Started> {
  const handler = createPlaygroundHandler(options);
  const server: Server = createServer((req, res) => {
    if (handler(req, res)) return;
    res.statusCode = 418;
    res.end('passed on');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('playground handler', () => {
  let dir: string;
  let missingDir: string;
  let on: Started;
  let off: Started;
  let unbuilt: Started;
  const emulatorHeaders = defaultPlaygroundHeaders('emulator');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'playground-build-'));
    missingDir = join(dir, 'not-built');
    await writeBuild(dir);
    on = await serve({ enabled: true, mode: 'emulator', defaultHeaders: emulatorHeaders, assetsDir: dir });
    off = await serve({ enabled: false, mode: 'emulator', defaultHeaders: emulatorHeaders, assetsDir: dir });
    unbuilt = await serve({ enabled: true, mode: 'emulator', defaultHeaders: emulatorHeaders, assetsDir: missingDir });
  });

  afterAll(async () => {
    await Promise.all([on?.close(), off?.close(), unbuilt?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('should redirect / to /graphql', async () => {
    const response = await fetch(`${on.url}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  it('should serve GraphiQL to a browser on GET /graphql, with its settings and a strict CSP', async () => {
    const response = await fetch(`${on.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/playground/assets/graphiql-AAAA.js">');
    expect(html).toContain('<link rel="stylesheet" href="/playground/assets/graphiql-BBBB.css">');
    const config = JSON.parse(/<script type="application\/json" id="playground-config">(.*?)<\/script>/.exec(html)?.[1] ?? 'null');
    expect(config).toEqual({
      mode: 'emulator',
      endpoint: '/graphql',
      uploadPath: '/playground/upload',
      defaultHeaders: { 'x-sandbox-name': 'prod' },
      workers: { editor: '/playground/assets/editor-DDDD.js', graphql: '/playground/assets/graphql-EEEE.js' },
    });
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('should leave GraphQL requests to Apollo', async () => {
    const json = await fetch(`${on.url}/graphql?query=%7B__typename%7D`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(418);
    const post = await fetch(`${on.url}/graphql`, { method: 'POST', headers: { accept: 'text/html' }, body: '{}' });
    expect(post.status).toBe(418);
    const other = await fetch(`${on.url}/healthz`);
    expect(other.status).toBe(418);
  });

  it('should serve the upload page', async () => {
    const response = await fetch(`${on.url}/playground/upload`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('src="/playground/assets/upload-CCCC.js"');
    expect(html).toContain('<main id="upload"></main>');
  });

  it('should serve content-hashed assets with their type, cached for a year, gzipped when accepted', async () => {
    const plain = await fetch(`${on.url}/playground/assets/graphiql-AAAA.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    expect(await plain.text()).toBe(SCRIPT);

    // fetch asks for gzip and decodes it.
    const gzipped = await fetch(`${on.url}/playground/assets/graphiql-AAAA.js`);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(await gzipped.text()).toBe(SCRIPT);

    const css = await fetch(`${on.url}/playground/assets/graphiql-BBBB.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const font = await fetch(`${on.url}/playground/assets/files/codicon-FFFF.ttf`);
    expect(font.headers.get('content-type')).toBe('font/ttf');
  });

  it('should answer 404 for unknown assets, unknown types and paths that leave the assets folder', async () => {
    for (const path of ['missing-0000.js', 'secret.env', '..%2Fmanifest.json', 'files/..%2F..%2Fmanifest.json']) {
      const response = await fetch(`${on.url}/playground/assets/${path}`);
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
  });

  it('should name the new files after a rebuild while running', async () => {
    const rebuilt = await mkdtemp(join(tmpdir(), 'playground-rebuilt-'));
    await writeBuild(rebuilt);
    const server = await serve({ enabled: true, mode: 'emulator', defaultHeaders: emulatorHeaders, assetsDir: rebuilt });
    try {
      const page = () => fetch(`${server.url}/playground/upload`).then((response) => response.text());
      expect(await page()).toContain('upload-CCCC.js');
      const manifestPath = join(rebuilt, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as PlaygroundManifest;
      await writeFile(manifestPath, JSON.stringify({ ...manifest, upload: { script: 'upload-ZZZZ.js', stylesheet: null } }));
      const later = new Date(Date.now() + 5_000);
      await utimes(manifestPath, later, later);
      expect(await page()).toContain('upload-ZZZZ.js');
    } finally {
      await server.close();
      await rm(rebuilt, { recursive: true, force: true });
    }
  });

  it('should name the build command when the build output is missing', async () => {
    const response = await fetch(`${unbuilt.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('npm run build:playground');
  });

  it('should take nothing when disabled', async () => {
    for (const path of ['/', '/graphql', '/playground/upload', '/playground/assets/graphiql-AAAA.js']) {
      const response = await fetch(`${off.url}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(response.status, path).toBe(418);
      await response.arrayBuffer();
    }
  });
});

describe('playground settings', () => {
  it('should prefill the four Platform headers as placeholders in pass-through mode', () => {
    const headers = defaultPlaygroundHeaders('pass-through');
    expect(Object.keys(headers)).toEqual(['Authorization', 'x-api-key', 'x-gw-ims-org-id', 'x-sandbox-name']);
    expect(headers.Authorization).toMatch(/^Bearer </);
  });

  it('should prefill working values on the emulator', () => {
    expect(defaultPlaygroundHeaders('emulator')).toEqual({ 'x-sandbox-name': 'prod' });
  });

  it('should ask for a gateway key when the gateway holds the credentials and is not open', () => {
    const config = loadConfig({ AEP_ACCESS_TOKEN: 't', AEP_API_KEY: 'k', AEP_ORG_ID: 'o@AdobeOrg', GATEWAY_API_KEYS: 'a-gateway-key-of-16+chars' });
    const options = playgroundOptionsFromConfig(config);
    expect(options.mode).toBe('static');
    expect(Object.keys(options.defaultHeaders)).toEqual(['x-gateway-api-key', 'x-sandbox-name']);
  });

  it('should be on by default, off in production, and follow PLAYGROUND either way', () => {
    expect(playgroundOptionsFromConfig(loadConfig({}), { emulator: true })).toMatchObject({ enabled: true, mode: 'emulator' });
    expect(playgroundOptionsFromConfig(loadConfig({ NODE_ENV: 'production' })).enabled).toBe(false);
    expect(playgroundOptionsFromConfig(loadConfig({ NODE_ENV: 'production', PLAYGROUND: 'true' })).enabled).toBe(true);
    expect(playgroundOptionsFromConfig(loadConfig({ PLAYGROUND: 'off' })).enabled).toBe(false);
  });
});
