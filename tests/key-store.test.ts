import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../server/auth/api-keys.ts';
import { createKeyStore, type KeyStore } from '../server/auth/key-store.ts';
import { closeDatabase, openDatabase, prisma } from '../server/db/client.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  openDatabase({ connectionString: db.url });
});
afterAll(async () => {
  await closeDatabase();
  await db?.drop();
});

describe('key store', () => {
  it('a slow full reload does not bring back a key revoked while it ran', async () => {
    const { key, secret } = await createApiKey({ name: 'race' });
    let store: KeyStore | undefined;
    const findMany = prisma.apiKey.findMany.bind(prisma.apiKey);
    let snapshotTaken!: () => void;
    const taken = new Promise<void>((r) => (snapshotTaken = r));
    let applied!: () => void;
    const done = new Promise<void>((r) => (applied = r));
    try {
      store = await createKeyStore({ reloadMs: 100 });
      expect(store.authenticateSecret(secret).keyId).toBe(key.id);
      // The next periodic reload reads the rows (key active), then is slow to apply them.
      (prisma.apiKey as { findMany: unknown }).findMany = async (...args: Parameters<typeof findMany>) => {
        const rows = await findMany(...args);
        snapshotTaken();
        await new Promise((r) => setTimeout(r, 300));
        setTimeout(applied, 0);
        return rows;
      };
      await taken;
      await revokeApiKey({ id: key.id });
      await store.reloadKey(key.id);
      expect(() => store!.authenticateSecret(secret)).toThrow(/revoked/);
      await done;
      expect(() => store!.authenticateSecret(secret)).toThrow(/revoked/);
    } finally {
      (prisma.apiKey as { findMany: unknown }).findMany = findMany;
      await store?.close();
    }
  });

  it('re-checks with touch: false do not count as use of the key', async () => {
    const { key, secret } = await createApiKey({ name: 'quiet' });
    const store = await createKeyStore({ reloadMs: 60_000 });
    try {
      store.authenticateSecret(secret, { touch: false });
      await store.flushLastUsed();
      expect((await prisma.apiKey.findUnique({ where: { id: key.id } }))!.lastUsedAt).toBeNull();
      store.authenticateSecret(secret);
      await store.flushLastUsed();
      expect((await prisma.apiKey.findUnique({ where: { id: key.id } }))!.lastUsedAt).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
