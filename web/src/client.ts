/**
 * The console's one urql Client: queries and mutations over HTTP POST /graphql with the admin key as
 * a Bearer header, subscriptions over graphql-ws on the same path with the key in connection_init.
 * The App builds a new one when the key changes (sign in, sign out), so no cache outlives a key.
 *
 * @example
 *   const { client, close } = createConsoleClient({ key, onAuthError: () => signOut('expired') });
 *   <Provider value={client}>...</Provider>
 */
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws/client';
import { isAuthError } from './errors.ts';

export interface ConsoleClient {
  client: Client;
  /** Closes the WebSocket (ends every running subscription). */
  close(): void;
}

function graphqlUrl(): string {
  return new URL('/graphql', window.location.origin).toString();
}

export function createConsoleClient({ key, onAuthError }: { key: string; onAuthError?: () => void }): ConsoleClient {
  const ws = createWsClient({
    url: graphqlUrl().replace(/^http/, 'ws'),
    // `client` and x-ogw-client tell the audit log that an action came from the console.
    connectionParams: { authorization: `Bearer ${key}`, client: 'console' },
    lazy: true,
    // Keep the socket a moment after the last subscription so the next Send reuses it.
    lazyCloseTimeout: 3000,
    retryAttempts: 2,
  });
  const client = new Client({
    url: graphqlUrl(),
    // The cache is document-level: mutations refetch the queries that share their typenames.
    exchanges: [
      mapExchange({
        onError(error) {
          if (isAuthError(error)) onAuthError?.();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${key}`, 'x-ogw-client': 'console' } }),
    requestPolicy: 'cache-and-network',
  });
  return { client, close: () => void ws.dispose() };
}
