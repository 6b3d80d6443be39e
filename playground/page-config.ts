// What the gateway tells a playground page, as JSON in
// <script type="application/json" id="playground-config">. The gateway writes
// it (src/gateway/playground-html.ts); the pages read it with readPageConfig().

/**
 * `emulator`: the gateway talks to the local Platform emulator and the example
 * headers work as they are. `pass-through`: each client sends its own Platform
 * credentials, so the headers are placeholders to fill in. `oauth` and
 * `static`: the gateway holds the Platform credentials (AUTH_MODE).
 */
export type PlaygroundMode = 'emulator' | 'pass-through' | 'oauth' | 'static';

export interface PageConfig {
  readonly mode: PlaygroundMode;
  /** Path of the GraphQL endpoint, for HTTP and WebSocket alike, e.g. `/graphql`. */
  readonly endpoint: string;
  /** Path of the upload page. */
  readonly uploadPath: string;
  /** Headers the pages send by default, prefilled in GraphiQL's headers editor. */
  readonly defaultHeaders: Readonly<Record<string, string>>;
  /** Absolute URL paths of Monaco's web workers, keyed by Monaco's worker label. */
  readonly workers: Readonly<Record<string, string>>;
}

export const PAGE_CONFIG_ELEMENT_ID = 'playground-config';

export function readPageConfig(doc: Document = document): PageConfig {
  const element = doc.getElementById(PAGE_CONFIG_ELEMENT_ID);
  if (!element?.textContent) throw new Error(`the page has no #${PAGE_CONFIG_ELEMENT_ID} element`);
  return JSON.parse(element.textContent) as PageConfig;
}

/** The WebSocket URL of an endpoint path on the page's own origin. */
export function webSocketUrl(endpoint: string, location: Location = window.location): string {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
