// The Apollo Client of the app, with the stock links and no gateway-specific
// code: subscriptions over graphql-ws (GraphQLWsLink), everything else over
// HTTP through apollo-upload-client, which sends a GraphQL multipart request
// when the variables hold a File and a plain JSON POST otherwise. Queries go
// as automatic persisted queries (PersistedQueryLink): the hash alone once the
// gateway knows it. Mutations do not: they carry files, and are not repeated.
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { createClient } from 'graphql-ws';
import { GRAPHQL_PATH, gatewayHeaders, graphqlWebSocketUrl } from './settings.ts';
import { sha256Hex } from './sha256.ts';

function operationType({ query }: ApolloLink.Operation): string {
  const definition = getMainDefinition(query);
  return definition.kind === 'OperationDefinition' ? definition.operation : 'fragment';
}

export function createApolloClient(location: Location): ApolloClient {
  const headers = gatewayHeaders();
  const http = new UploadHttpLink({
    uri: GRAPHQL_PATH,
    // The gateway's CSRF prevention refuses a multipart POST without this
    // header: a browser form could send one cross-site, never with it.
    headers: { ...headers, 'apollo-require-preflight': 'true' },
  });
  // The gateway reads credentials from connectionParams, by the same header names.
  const ws = new GraphQLWsLink(createClient({ url: graphqlWebSocketUrl(location), connectionParams: headers, lazy: true }));
  const persisted = new PersistedQueryLink({ sha256: sha256Hex });
  const overHttp = ApolloLink.split((operation) => operationType(operation) === 'query', persisted.concat(http), http);
  return new ApolloClient({ link: ApolloLink.split((operation) => operationType(operation) === 'subscription', ws, overHttp), cache: new InMemoryCache() });
}
