// What the app needs to know about its gateway, from Vite's build-time env:
// VITE_GATEWAY_API_KEY when the gateway asks for a key (oauth and static
// modes), VITE_SANDBOX_NAME for another sandbox than the gateway's default.
// Without them the app suits a gateway that runs open, as `npm start` does.

/** The GraphQL endpoint, on the page's own origin (the proxy forwards it). */
export const GRAPHQL_PATH = '/graphql';

/** The headers every request carries, HTTP and WebSocket (as connectionParams). */
export function gatewayHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const key = import.meta.env.VITE_GATEWAY_API_KEY as string | undefined;
  const sandbox = import.meta.env.VITE_SANDBOX_NAME as string | undefined;
  if (key) headers['x-gateway-api-key'] = key;
  if (sandbox) headers['x-sandbox-name'] = sandbox;
  return headers;
}

/** ws:// or wss:// to the GraphQL path of the page's origin. */
export function graphqlWebSocketUrl(location: Location): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}`;
}
