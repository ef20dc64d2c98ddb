/** The closed error catalogue: every code has one status and type, and factories cannot invent codes. */
import { describe, expect, it } from 'vitest';
import { errors, GatewayError } from '../server/errors.ts';

describe('errors', () => {
  it('derives status and type from the code, the same for every factory of a code', () => {
    expect(errors.missingKey()).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    expect(errors.revokedKey()).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    expect(errors.invalidOption('top_p', 'x')).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'invalid_top_p' });
    expect(errors.queueFull(10, 3)).toMatchObject({ status: 503, type: 'server_error', code: 'queue_full', retryAfter: 3 });
    expect(errors.listTooLong({ path: 'variables.input.messages', length: 2000, max: 1000, messages: true })).toMatchObject({
      status: 400,
      code: 'too_many_messages',
    });
    expect(new GatewayError('upstream_timeout', 'slow')).toMatchObject({ status: 504, type: 'upstream_error' });
  });

  it('gives every factory a code of the catalogue', () => {
    const samples = [
      errors.missingField('model'),
      errors.emptyBody(),
      errors.tooDeeplyNested(32),
      errors.embeddingsNotSupported('echo'),
      errors.upstreamRejected('no'),
      errors.headersTooLarge(16384),
      errors.unsupportedMediaType('text/plain', 'application/json'),
      errors.serversDown('m', 'connection refused', 5),
    ];
    for (const e of samples) {
      expect(e).toBeInstanceOf(GatewayError);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.code).toMatch(/^[a-z_]+$/);
    }
    expect(samples.map((e) => e.status)).toEqual([400, 400, 400, 400, 400, 431, 415, 503]);
  });
});
