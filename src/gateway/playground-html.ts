// The two playground pages as HTML: a shell that loads the built bundle and
// hands it its settings as JSON. The pages never load anything from another
// origin, and the Content-Security-Policy below makes the browser hold them to it.
import type { PageConfig } from '../../playground/page-config.ts';
import { PAGE_CONFIG_ELEMENT_ID } from '../../playground/page-config.ts';
import type { PageAssets } from './playground-assets.ts';
import { ASSETS_PATH } from './playground-assets.ts';

// 'self' also covers ws:/wss: to the same host. Monaco and GraphiQL set inline
// styles; the fonts are inlined as data: URLs in graphiql's stylesheet.
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// JSON inside <script> ends at the first "</script": escape "<" so that no
// value (a header, a path) can close the element.
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export interface PageHtmlOptions {
  readonly title: string;
  readonly assets: PageAssets;
  readonly config: PageConfig;
  /** The element the page script renders into. */
  readonly bodyHtml: string;
}

export function renderPage({ title, assets, config, bodyHtml }: PageHtmlOptions): string {
  const stylesheet = assets.stylesheet
    ? `<link rel="stylesheet" href="${escapeHtml(ASSETS_PATH + assets.stylesheet)}">`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
${stylesheet}
<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">${jsonForScript(config)}</script>
<script type="module" src="${escapeHtml(ASSETS_PATH + assets.script)}"></script>
</head>
<body>
${bodyHtml}
</body>
</html>
`;
}
