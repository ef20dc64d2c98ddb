/** A bounded chat load for fault drills (tests and bench/durability.ts): workers post until stopped. */
import { setTimeout as sleep } from 'node:timers/promises';

/** REST chats from a few workers until stopped; keeps every answered x-request-id with its time. */
export function chatLoad(url: string, key: string, { workers = 6, content = 'count me once' } = {}) {
  const answered: Array<{ id: string; at: number }> = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const res = await fetch(`${url}/api/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content }] }),
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        if (res.status === 200) answered.push({ id: res.headers.get('x-request-id')!, at: Date.now() });
      } catch {
        await sleep(50); // refused while the gateway or its database is down
      }
    }
  };
  const running = Array.from({ length: workers }, worker);
  return {
    answered,
    ids: () => answered.map((a) => a.id),
    stop: async () => {
      stop = true;
      await Promise.all(running);
    },
  };
}
