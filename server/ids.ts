/**
 * The one id scheme for requests and the items in their answers: a surface's prefix (`cmpl-`,
 * `chatcmpl-`, `msg_`, `resp_`, `call_`, …) and 24 random hex characters. A request's id is also
 * its usage record's id and its `x-request-id`.
 */
import { randomUUID } from 'node:crypto';

/** `${prefix}` + 24 hex characters (96 random bits); randomUUID draws from a cached pool, cheap per request. */
export function newId(prefix: string): string {
  return prefix + randomUUID().replaceAll('-', '').slice(0, 24);
}
