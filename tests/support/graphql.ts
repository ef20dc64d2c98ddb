/**
 * GraphQL clients over the gateway's real transports, for tests: HTTP (fetch), GraphQL over SSE
 * (fetch with Accept: text/event-stream) and graphql-ws (the real client on a real WebSocket).
 *
 * @example
 *   const { body } = await gqlHttp(gateway, ViewerDocument, {}, { key });
 *   const ws = wsClient(gateway, key);
 *   for await (const r of ws.client.iterate({ query: print(ChatDocument), variables })) ...
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestGateway } from './gateway.ts';

export interface GqlResponse<T> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: GraphQLFormattedError[] };
}

type DocOrString<T, V> = TypedDocumentNode<T, V> | string;
const source = (doc: DocOrString<any, any>) => (typeof doc === 'string' ? doc : print(doc));

/** POSTs one operation to /graphql. `key: null` sends no Authorization header. */
export async function gqlHttp<T, V>(
  gw: TestGateway,
  doc: DocOrString<T, V>,
  variables?: V,
  { key = gw.adminKey }: { key?: string | null } = {},
): Promise<GqlResponse<T>> {
  const res = await gw.request('/graphql', { method: 'POST', key, json: { query: source(doc), variables } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse<T>['body'] };
}

/** The first error's extensions.code. */
export const codeOf = (r: { errors?: readonly GraphQLFormattedError[] }) => r.errors?.[0]?.extensions?.code;

/**
 * Runs a subscription over GraphQL over SSE ("distinct connections" mode) and collects every result;
 * onResponse sees the response (status, headers) as soon as it arrives.
 */
export async function gqlSse<T, V>(
  gw: TestGateway,
  doc: DocOrString<T, V>,
  variables: V,
  {
    key = gw.adminKey,
    signal,
    onResult,
    onResponse,
  }: { key?: string | null; signal?: AbortSignal; onResult?: (r: FormattedExecutionResult<T, unknown>) => void; onResponse?: (res: Response) => void } = {},
) {
  const res = await gw.request('/graphql', { method: 'POST', key, json: { query: source(doc), variables }, headers: { accept: 'text/event-stream' }, signal });
  onResponse?.(res);
  const results: Array<FormattedExecutionResult<T, unknown>> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let completed = false;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (event === 'complete') completed = true;
      else if (data) {
        const r = JSON.parse(data) as FormattedExecutionResult<T, unknown>;
        results.push(r);
        onResult?.(r);
      }
    }
  }
  return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type'), results, completed };
}

export interface WsClient {
  client: Client;
  /** Resolves with the close event's code and reason when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Runs an operation to completion and returns every result (one for queries and mutations; an `error` message becomes one result with its errors). */
  all<T, V>(doc: DocOrString<T, V>, variables?: V): Promise<Array<FormattedExecutionResult<T, unknown>>>;
  dispose(): Promise<void>;
}

/** A graphql-ws client on the gateway's real port; `key: null` sends an empty connection_init payload. */
export function wsClient(gw: TestGateway, key: string | null = gw.adminKey): WsClient {
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  const client = createClient({
    url: `${gw.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: key === null ? {} : { authorization: `Bearer ${key}` },
    on: { closed: (e) => resolveClosed({ code: (e as { code: number }).code, reason: String((e as { reason: string }).reason) }) },
    onNonLazyError: () => {},
  });
  return {
    client,
    closed,
    async all<T, V>(doc: DocOrString<T, V>, variables?: V) {
      const out: Array<FormattedExecutionResult<T, unknown>> = [];
      try {
        for await (const r of client.iterate<T>({ query: source(doc), variables: variables as Record<string, unknown> | undefined })) out.push(r);
      } catch (err) {
        // An `error` message (validation, authentication) ends the operation with its errors.
        if (!Array.isArray(err)) throw err;
        out.push({ errors: err as GraphQLFormattedError[] });
      }
      return out;
    },
    dispose: () => Promise.resolve(client.dispose()),
  };
}
