// The Apollo side of the gateway's metrics: each GraphQL error a response
// carries, by its final `extensions.code` (after formatError, so masked errors
// count as INTERNAL_SERVER_ERROR). One hook per response; nothing per field.
// Requests themselves are counted by the HTTP server (server.ts), which also
// sees the requests refused before Apollo (rate limit, body size, deadlines).
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayMetrics } from '../metrics.ts';

export function metricsPlugin(metrics: Pick<GatewayMetrics, 'observeError'>): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          if (!errors) return;
          for (const error of errors) {
            const code = error.extensions?.code;
            metrics.observeError(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}
