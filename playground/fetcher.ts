// GraphiQL's fetcher: queries and mutations as JSON POSTs to the endpoint,
// subscriptions over graphql-ws on the same URL.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import type { Fetcher } from '@graphiql/toolkit';
import { webSocketUrl } from './page-config.ts';
import type { PageConfig } from './page-config.ts';
import { PREFLIGHT_HEADERS } from './preflight.ts';

export function createPlaygroundFetcher(config: PageConfig): Fetcher {
  const fetcher = createGraphiQLFetcher({
    url: config.endpoint,
    // A new graphql-ws connection per subscription, with the headers editor's
    // values as connectionParams: over a WebSocket there are no per-request headers.
    subscriptionUrl: webSocketUrl(config.endpoint),
    headers: { ...PREFLIGHT_HEADERS },
    // Apollo Server answers plain JSON; no multipart/mixed responses to parse.
    enableIncrementalDelivery: false,
  });
  return (params, options) => {
    // GraphiQL fetches the schema before its headers editor exists, so with no
    // headers at all. The gateway builds a request's scope (and may refuse it)
    // before it looks at the operation: send the page's headers instead.
    const noHeaders = !options?.headers || Object.keys(options.headers).length === 0;
    if (params.operationName === 'IntrospectionQuery' && noHeaders) {
      return fetcher(params, { ...options, headers: { ...config.defaultHeaders } });
    }
    return fetcher(params, options);
  };
}
