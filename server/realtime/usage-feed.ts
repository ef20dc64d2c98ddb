/**
 * The live usage feed across replicas: each record this replica takes is published on a Redis
 * channel, and records published by the others are handed to this replica's listeners, so an admin
 * subscribed to `usageEvents` anywhere sees every replica's requests. Best effort by design: while
 * Redis is down each replica's feed shows its own records only (every record still reaches the database).
 */
import type { RedisLink } from '../replicas/redis.ts';
import type { UsageInput, UsageRecorder } from '../usage/recorder.ts';

const CHANNEL = 'ogw:usage';

interface SharedUsageFeed {
  onRecord: UsageRecorder['onRecord'];
  close(): void;
}

export function createSharedUsageFeed({ usage, link, replicaId }: { usage: UsageRecorder; link: RedisLink; replicaId: string }): SharedUsageFeed {
  const listeners = new Set<(rec: UsageInput) => void>();
  const tell = (rec: UsageInput) => {
    for (const fn of listeners) {
      try {
        fn(rec);
      } catch {
        // One listener's failure must not stop the others.
      }
    }
  };
  const unsubscribe = usage.onRecord((rec) => {
    tell(rec);
    if (link.state === 'up') link.client.publish(CHANNEL, JSON.stringify({ from: replicaId, rec })).catch(() => {});
  });
  const sub = link.subscriber();
  void sub.subscribe(CHANNEL).catch(() => {});
  sub.on('message', (_channel: string, message: string) => {
    try {
      const { from, rec } = JSON.parse(message) as { from: string; rec: UsageInput & { createdAt: string } };
      if (from !== replicaId) tell({ ...rec, createdAt: new Date(rec.createdAt) });
    } catch {
      // Not ours: ignore what does not parse.
    }
  });
  return {
    onRecord(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {
      unsubscribe();
      sub.disconnect();
    },
  };
}
