// The in-browser playground, served by the gateway itself so that it works
// with no network: GraphiQL on GET /graphql (for browsers), an upload page for
// the multipart requests GraphiQL cannot send, and their built assets.
//
//   GET /                      -> 302 /graphql
//   GET /graphql (text/html)   -> GraphiQL
//   GET /playground/upload     -> the upload page
//   GET /playground/assets/*   -> bundle, styles, Monaco workers (content-hashed, cached for a year)
//
// Everything else, and everything when disabled, is left to the caller.
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PageConfig, PlaygroundMode } from '../../playground/page-config.ts';
import type { GatewayConfig } from './config.ts';
import type { PlaygroundManifest } from './playground-assets.ts';
import { ASSETS_PATH, createManifestReader, serveAsset } from './playground-assets.ts';
import { PLAYGROUND_CSP, renderPage } from './playground-html.ts';

export type { PlaygroundMode } from '../../playground/page-config.ts';

export const UPLOAD_PAGE_PATH = '/playground/upload';
const PLAYGROUND_ROOT = '/playground';

/** Where `npm run build:playground` writes. */
export const DEFAULT_PLAYGROUND_ASSETS_DIR = fileURLToPath(new URL('../../playground/dist', import.meta.url));

export interface PlaygroundOptions {
  /** Off: the handler answers nothing (production default). */
  readonly enabled: boolean;
  /** How the gateway reaches the Platform; decides what the headers editor is prefilled with. */
  readonly mode: PlaygroundMode;
  /** Headers prefilled in GraphiQL's headers editor and sent by the upload page. */
  readonly defaultHeaders: Readonly<Record<string, string>>;
  /** The build output (manifest.json + assets/). @default DEFAULT_PLAYGROUND_ASSETS_DIR */
  readonly assetsDir?: string;
  /** The GraphQL endpoint path, for HTTP and WebSocket. @default '/graphql' */
  readonly endpoint?: string;
}

/** Returns true when it took the request (and will answer it), false to pass it on. */
export type PlaygroundHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const PASS_THROUGH_PLACEHOLDERS: Readonly<Record<string, string>> = {
  Authorization: 'Bearer <IMS access token>',
  'x-api-key': '<client id of your Adobe Developer Console project>',
  'x-gw-ims-org-id': '<organization id>@AdobeOrg',
};
const GATEWAY_KEY_PLACEHOLDER = '<one of the GATEWAY_API_KEYS>';

export interface DefaultHeadersOptions {
  /** The sandbox prefilled in x-sandbox-name. @default 'prod' */
  readonly sandbox?: string;
  /** The gateway holds the Platform credentials and wants a key from its clients (not open). @default false */
  readonly gatewayKeyRequired?: boolean;
}

/**
 * What the headers editor starts with. Pass-through: the four Platform headers
 * the client must send, as placeholders to fill in. When the gateway holds the
 * credentials (the emulator, OAuth, a static token): the sandbox, plus the
 * gateway key when one is required. Values that work as they are on the emulator.
 */
export function defaultPlaygroundHeaders(
  mode: PlaygroundMode,
  { sandbox = 'prod', gatewayKeyRequired = false }: DefaultHeadersOptions = {},
): Readonly<Record<string, string>> {
  switch (mode) {
    case 'pass-through':
      return { ...PASS_THROUGH_PLACEHOLDERS, 'x-sandbox-name': sandbox };
    case 'emulator':
    case 'oauth':
    case 'static':
      return gatewayKeyRequired
        ? { 'x-gateway-api-key': GATEWAY_KEY_PLACEHOLDER, 'x-sandbox-name': sandbox }
        : { 'x-sandbox-name': sandbox };
  }
}

/**
 * The handler's options from the gateway's configuration: on unless
 * PLAYGROUND or NODE_ENV=production turns it off; `emulator` when the CLI
 * points the gateway at the local emulator.
 */
export function playgroundOptionsFromConfig(config: GatewayConfig, { emulator = false } = {}): PlaygroundOptions {
  const mode: PlaygroundMode = emulator ? 'emulator' : config.authMode;
  const gatewayKeyRequired = config.authMode !== 'pass-through' && !config.open;
  return {
    enabled: config.playground,
    mode,
    defaultHeaders: defaultPlaygroundHeaders(mode, { sandbox: config.defaultSandbox, gatewayKeyRequired }),
  };
}

function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

function sendHtml(req: IncomingMessage, res: ServerResponse, html: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  // The page names the current content-hashed assets: always revalidate it.
  res.setHeader('Cache-Control', 'no-cache');
  // GET /graphql answers GraphQL to everything that does not ask for HTML.
  res.setHeader('Vary', 'Accept');
  res.setHeader('Content-Security-Policy', PLAYGROUND_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.end(req.method === 'HEAD' ? undefined : html);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`${text}\n`);
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-cache');
  res.end();
}

export function createPlaygroundHandler(options: PlaygroundOptions): PlaygroundHandler {
  const { enabled, mode, defaultHeaders } = options;
  const assetsDir = options.assetsDir ?? DEFAULT_PLAYGROUND_ASSETS_DIR;
  const endpoint = options.endpoint ?? '/graphql';

  const loadManifest = createManifestReader(assetsDir);

  function pageConfig(built: PlaygroundManifest): PageConfig {
    const workers = Object.fromEntries(Object.entries(built.workers).map(([label, file]) => [label, ASSETS_PATH + file]));
    return { mode, endpoint, uploadPath: UPLOAD_PAGE_PATH, defaultHeaders, workers };
  }

  async function answer(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const built = await loadManifest();
    if (!built) {
      sendText(
        res,
        500,
        `The playground is not built: run \`npm run build:playground\` (no manifest.json in ${assetsDir}).`,
      );
      return;
    }
    if (path === endpoint) {
      const bodyHtml = '<div id="graphiql">Loading GraphiQL…</div>';
      sendHtml(req, res, renderPage({ title: 'aep-graphql playground', assets: built.graphiql, config: pageConfig(built), bodyHtml }));
    } else if (path === UPLOAD_PAGE_PATH) {
      const bodyHtml = '<main id="upload"></main>';
      sendHtml(req, res, renderPage({ title: 'Upload a file · aep-graphql', assets: built.upload, config: pageConfig(built), bodyHtml }));
    } else if (!(await serveAsset(req, res, assetsDir, built, path.slice(ASSETS_PATH.length)))) {
      sendText(res, 404, 'Not found');
    }
  }

  return (req, res) => {
    if (!enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;

    if (path === '/' || path === PLAYGROUND_ROOT || path === `${PLAYGROUND_ROOT}/`) {
      redirect(res, endpoint);
      return true;
    }
    const isPage = (path === endpoint && wantsHtml(req)) || path === UPLOAD_PAGE_PATH;
    if (!isPage && !path.startsWith(ASSETS_PATH)) return false;

    answer(req, res, path).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, `The playground failed: ${(error as Error).message}`);
      else res.destroy(error as Error);
    });
    return true;
  };
}
