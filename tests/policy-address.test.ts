/**
 * The CIDR allow-list on a dual-stack listener (HOST=::) behind a trusted proxy: IPv4 clients are
 * matched as IPv4, IPv6 ones as IPv6, and X-Forwarded-For counts only when the socket is a trusted proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
let port: string;
beforeAll(async () => {
  ollama = await startOllamaEmulator();
  // Only ::1 is a trusted proxy: a client on 127.0.0.1 cannot claim another address.
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url, HOST: '::', TRUSTED_PROXIES: '::1' } });
  port = new URL(gw.url).port;
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

/** GET /api/models from `host` ('127.0.0.1' or '[::1]'), optionally with X-Forwarded-For; status and error code. */
async function models(host: string, key: string, forwardedFor?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  const res = await fetch(`http://${host}:${port}/api/models`, { headers });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message };
}

const keyWith = async (allowedCidrs: string[]) => (await gw.createKey({ name: 'cidr', policy: { allowedCidrs } })).secret;

describe('parameter policy: client addresses', () => {
  it('matches an IPv4 client on a dual-stack socket as IPv4, and an IPv6 client as IPv6', async () => {
    const v4 = await keyWith(['127.0.0.0/8']);
    const v6 = await keyWith(['::1/128']);
    expect(await models('127.0.0.1', v4)).toMatchObject({ status: 200 });
    expect(await models('127.0.0.1', v6)).toMatchObject({ status: 403, code: 'ip_not_allowed', message: expect.stringMatching(/address 127\.0\.0\.1 /) });
    expect(await models('[::1]', v6)).toMatchObject({ status: 200 });
    expect(await models('[::1]', v4)).toMatchObject({ status: 403, code: 'ip_not_allowed', message: expect.stringMatching(/address ::1 /) });
  });

  it('believes X-Forwarded-For from a trusted proxy only, taking the right-most untrusted hop', async () => {
    const lan = await keyWith(['10.0.0.0/8']);
    // Through the trusted proxy (::1): the client is the address it forwards.
    expect(await models('[::1]', lan, '10.1.2.3')).toMatchObject({ status: 200 });
    expect(await models('[::1]', lan, '192.168.1.9')).toMatchObject({ status: 403, message: expect.stringMatching(/192\.168\.1\.9/) });
    // A client that forges the header in front of the proxy: the proxy appended the real address last.
    expect(await models('[::1]', lan, '10.1.2.3, 203.0.113.7')).toMatchObject({ status: 403, message: expect.stringMatching(/203\.0\.113\.7/) });
    // Hops that are trusted proxies themselves are skipped.
    expect(await models('[::1]', lan, '10.9.9.9, ::1')).toMatchObject({ status: 200 });
    expect(await models('[::1]', lan, 'not-an-address')).toMatchObject({ status: 403, code: 'ip_not_allowed' });
    // Not a trusted proxy: its header is ignored and its own address counts.
    expect(await models('127.0.0.1', lan, '10.1.2.3')).toMatchObject({ status: 403, message: expect.stringMatching(/127\.0\.0\.1/) });
  });

  it('records the same client address in the audit log: the forwarded one through a trusted proxy, else the socket', async () => {
    const rename = async (host: string, name: string, forwardedFor?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' };
      if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
      const { id } = await gw.createKey({ name: 'audited' });
      const res = await fetch(`http://${host}:${port}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: 'mutation($id: ID!, $name: String!) { updateApiKey(input: { id: $id, name: $name }) { id } }', variables: { id, name } }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).errors).toBeUndefined();
      return prisma.auditEntry.findFirstOrThrow({ where: { action: 'key.update', targetId: id } });
    };
    expect((await rename('[::1]', 'via proxy', '10.1.2.3, 203.0.113.7')).ip).toBe('203.0.113.7');
    // Not a trusted proxy: the forged header is ignored; an IPv4 client is recorded as IPv4.
    expect((await rename('127.0.0.1', 'direct', '10.1.2.3')).ip).toBe('127.0.0.1');
  });
});
