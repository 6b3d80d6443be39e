// The gateway's one Apollo plugin for its own instrumentation (PERFORMANCE.md:
// one plugin, no per-field hooks). Per request it fills the request record
// the log line and the request metrics read (operation name, error count),
// and counts each GraphQL error a response carries by its final
// `extensions.code` (after formatError, so masked errors count as
// INTERNAL_SERVER_ERROR). The listener object is shared by all requests: the
// hooks read everything from their arguments, so nothing is allocated here.
// Requests themselves are counted by the HTTP server (server.ts), which also
// sees those refused before Apollo (rate limit, body size, deadlines).
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GatewayContext } from '../context.ts';
import type { GatewayMetrics } from '../metrics.ts';

export function metricsPlugin(metrics: Pick<GatewayMetrics, 'observeError'>): ApolloServerPlugin<GatewayContext> {
  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveOperation({ operationName, contextValue }) {
      if (operationName) contextValue.record.operationName = operationName;
    },
    async didEncounterErrors({ errors, contextValue }) {
      contextValue.record.errorCount += errors.length;
    },
    async willSendResponse({ response }) {
      const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
      if (!errors) return;
      for (const error of errors) {
        const code = error.extensions?.code;
        metrics.observeError(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
