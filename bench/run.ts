/**
 * `npm run bench`: the gateway (auth, per-key limits, usage accounting, the scheduler, the access log
 * all on) against a bare node:http reverse proxy, both in front of the same Ollama stand-in
 * (bench/upstream.ts) answering 100 tokens, measured side by side in one run. Prints one table and
 * writes it to bench/results.md:
 * - REST POST /api/chat (non-streamed) with wrk at 1, 16 and 64 connections: req/s, p50, CPU per
 *   request (utime+stime of each process from /proc/<pid>/stat), RSS;
 * - streaming TTFB, 64 concurrent streams;
 * - 1,000 live SSE streams on /v1/chat/completions and 1,000 graphql-ws subscriptions, 100 tokens at
 *   10 ms per token: inter-token gaps against the pacing, gateway RSS, dropped or short streams.
 * Needs `wrk` (Debian: apt-get install wrk). Usage: npm run bench [-- --duration 10 --streams 1000 --gateway compiled|tsx --no-write]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,16,64' },
    streams: { type: 'string', default: '1000' },
    'ttfb-streams': { type: 'string', default: '64' },
    'ttfb-rounds': { type: 'string', default: '20' },
    'token-ms': { type: 'string', default: '10' },
    gateway: { type: 'string', default: 'compiled' },
    // A checkout of another commit (with node_modules) whose gateway runs under tsx, for before/after runs.
    'gateway-dir': { type: 'string' },
    'skip-streams': { type: 'boolean', default: false },
    // Extra node flags for the gateway process, e.g. "--max-semi-space-size=4".
    'gateway-node-args': { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.md' },
  },
});
const run = promisify(execFile);
const tsx = [process.execPath, '--import', 'tsx'];
const children: ChildProcess[] = [];
const TOKENS = 100;
const TOKEN_MS = Number(values['token-ms']);
const STREAMS = Number(values.streams);

function start(args: string[], env: Record<string, string>, ready: RegExp, cwd?: string): Promise<ChildProcess> {
  const child = spawn(args[0], args.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let isReady = false;
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      // Keep the tail only: the access log of a long run would otherwise pile up here.
      out = (out + d).slice(-20_000);
      if (!isReady && ready.test(out)) {
        isReady = true;
        resolve(child);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => {
      if (!isReady) reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // CLK_TCK is 100 on Linux
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Proportional set size (shared pages split between sharers) of a process's descendants: the embedded PostgreSQL. */
function descendantsPssMb(pid: number): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const isDescendant = (p: number): boolean => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) if (q === pid) return true;
    return false;
  };
  let kb = 0;
  for (const p of parent.keys()) {
    if (!isDescendant(p)) continue;
    try {
      kb += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

const CHAT = { model: 'bench:1b', messages: [{ role: 'user', content: 'Say something long' }] };

async function wrk({ url, key, connections, duration, pid }: { url: string; key?: string; connections: number; duration: number; pid: number }) {
  const script = path.join(os.tmpdir(), `ogw-bench-${process.pid}.lua`);
  await writeFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${JSON.stringify({ ...CHAT, stream: false })}'\nwrk.headers["Content-Type"] = "application/json"\n${key ? `wrk.headers["Authorization"] = "Bearer ${key}"\n` : ''}`,
  );
  const cpu0 = cpuMicros(pid);
  const { stdout } = await run('wrk', [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url]);
  const cpu = cpuMicros(pid) - cpu0;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
  const requests = Number(/(\d+) requests in/.exec(stdout)![1]);
  const ms = (m: RegExpExecArray) => Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]];
  const p50 = ms(/50%\s+([\d.]+)(us|ms|s)/.exec(stdout)!);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50, non2xx, cpuPerRequest: cpu / requests, rss: rssMb(pid) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One streamed POST: ms to the first body byte, and whether it completed with 200. */
function ttfbOnce(url: string, body: string, key?: string): Promise<{ ttfb: number; ok: boolean }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let ttfb = -1;
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } },
      (res) => {
        res.on('data', () => {
          if (ttfb < 0) ttfb = performance.now() - t0;
        });
        res.on('end', () => resolve({ ttfb, ok: res.statusCode === 200 }));
        res.on('error', () => resolve({ ttfb, ok: false }));
      },
    );
    req.on('error', () => resolve({ ttfb, ok: false }));
    req.end(body);
  });
}

async function ttfb({ url, key, body, streams, rounds, pid }: { url: string; key?: string; body: string; streams: number; rounds: number; pid: number }) {
  const all: number[] = [];
  let failed = 0;
  const cpu0 = cpuMicros(pid);
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for (let i = 0; i < rounds; i++) {
        const r = await ttfbOnce(url, body, key);
        if (r.ok) all.push(r.ttfb);
        else failed++;
      }
    }),
  );
  const cpu = cpuMicros(pid) - cpu0;
  return { p50: quantile(all, 0.5), failed, cpuPerStream: cpu / (streams * rounds) };
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

interface StreamStats {
  gaps: number[];
  /** Each stream's first token to its last, in ms (ideal: 99 × the pacing). */
  durations: number[];
  complete: number;
  short: number;
  dropped: number;
  peakRss: number;
  cpuPerToken: number;
  seconds: number;
}

/** Counts tokens in a chunk of a stream; the first token of a stream starts its clock. */
type TokenCounter = (chunk: string) => number;

/**
 * Runs `count` streams at once, each opened by `open`, which calls `onTokens(n)` as tokens arrive and
 * resolves with whether the stream ended properly. Records every gap between consecutive arrivals.
 */
async function liveStreams({
  count,
  pid,
  open,
}: {
  count: number;
  pid?: number;
  open: (onTokens: (n: number) => void) => Promise<boolean>;
}): Promise<StreamStats> {
  const gaps: number[] = [];
  const durations: number[] = [];
  let complete = 0;
  let short = 0;
  let dropped = 0;
  let peakRss = 0;
  const sampler = pid ? setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100) : undefined;
  const cpu0 = pid ? cpuMicros(pid) : 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      let tokens = 0;
      let last = 0;
      let first = 0;
      const ok = await open((n) => {
        const now = performance.now();
        if (tokens === 0) first = now;
        if (tokens > 0) {
          gaps.push(now - last);
          for (let i = 1; i < n; i++) gaps.push(0); // tokens that arrived together
        }
        tokens += n;
        last = now;
      }).catch(() => false);
      if (!ok) dropped++;
      else if (tokens < TOKENS) {
        short++;
        failures.push(`short: ${tokens} of ${TOKENS} tokens`);
      } else {
        complete++;
        durations.push(last - first);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (pid) peakRss = Math.max(peakRss, rssMb(pid));
  const cpu = pid ? cpuMicros(pid) - cpu0 : 0;
  return { gaps, durations, complete, short, dropped, peakRss, cpuPerToken: cpu / (count * TOKENS), seconds };
}

/** A streamed POST whose body is counted by `count`; resolves true when it ended with 200 and `done` saw its end marker. */
function streamPost(url: string, body: string, key: string | undefined, count: TokenCounter, done: (tail: string) => boolean, onTokens: (n: number) => void) {
  return new Promise<boolean>((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } },
      (res) => {
        let tail = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const n = count(chunk);
          if (n) onTokens(n);
          tail = (tail + chunk).slice(-200);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) failures.push(`HTTP ${res.statusCode}: ${tail.slice(0, 120)}`);
          else if (!done(tail)) failures.push(`no end marker: …${tail.slice(-80)}`);
          resolve(res.statusCode === 200 && done(tail));
        });
        res.on('error', (err) => {
          failures.push(`response ${(err as NodeJS.ErrnoException).code ?? err.message}`);
          resolve(false);
        });
      },
    );
    req.on('error', (err) => {
      failures.push(`request ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      resolve(false);
    });
    req.end(body);
  });
}

/** Why streams failed, for the report under the table. */
const failures: string[] = [];

const occurrences = (s: string, needle: string) => {
  let n = 0;
  for (let i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
};

/** One graphql-ws subscription on its own socket (as one browser tab would have). */
function wsSubscription(url: string, key: string, onTokens: (n: number) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    let finished = false;
    let nexts = 0;
    let last = '';
    const end = (ok: boolean) => {
      if (finished) return;
      finished = true;
      ws.close();
      resolve(ok);
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"connection_ack"')) {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: {
              query: 'subscription Bench($input: ChatInput!) { chat(input: $input) { delta done } }',
              variables: { input: { model: 'paced:1b', messages: [{ role: 'USER', content: 'Say something long' }] } },
            },
          }),
        );
      } else if (text.includes('"next"') && text.includes('"errors"')) {
        failures.push(`graphql-ws error result: ${text.slice(0, 200)}`);
        end(false);
      } else if (text.includes('"next"')) {
        nexts++;
        last = text;
        if (!text.includes('"delta":""')) onTokens(1);
      } else if (text.includes('"complete"')) {
        if (nexts < TOKENS + 1) failures.push(`graphql-ws complete after ${nexts} next messages, the last ${last.slice(0, 160)}`);
        end(true);
      } else if (text.includes('"error"')) {
        failures.push(`graphql-ws error: ${text.slice(0, 160)}`);
        end(false);
      }
    });
    ws.on('close', (code) => {
      if (!finished) failures.push(`graphql-ws closed ${code}`);
      end(false);
    });
    ws.on('error', (err) => {
      if (!finished) failures.push(`graphql-ws ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      end(false);
    });
  });
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
/** A difference with its sign: +0.25 ms, −1.10 ms. */
const delta = (n: number, digits: number) => `${n < 0 ? '−' : '+'}${fmt(Math.abs(n), digits)} ms`;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-bench-'));
await chmod(dataDir, 0o755);
try {
  const gatewayDir = values['gateway-dir'];
  const compiled = values.gateway !== 'tsx' && !gatewayDir;
  if (compiled) await run(process.execPath, ['scripts/build-server.mjs']);
  const upstream = await start([...tsx, 'bench/upstream.ts'], { PORT: '11500', BENCH_PACED_TOKEN_MS: String(TOKEN_MS) }, /bench upstream/);
  const bare = await start([...tsx, 'bench/bare-proxy.ts'], { PORT: '11600', UPSTREAM: 'http://127.0.0.1:11500' }, /bare proxy/);
  const env = {
    // As `npm start` sets it (package.json).
    MALLOC_ARENA_MAX: '2',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: '',
    PORT: '11700',
    OLLAMA_URL: 'http://127.0.0.1:11500',
    ADMIN_KEY: `bench-admin-key-${process.pid}-0123456789`,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // Slots enough for every stream: this run measures the gateway's overhead, not its queue (bench/scheduler.ts does that).
    OLLAMA_PARALLEL: String(Math.max(256, STREAMS * 2)),
  };
  const nodeArgs = values['gateway-node-args'].split(' ').filter(Boolean);
  const gateway = await start(
    compiled ? [process.execPath, ...nodeArgs, 'dist/main.js'] : [tsx[0], ...nodeArgs, ...tsx.slice(1), 'server/main.ts'],
    env,
    /gateway ready/,
    gatewayDir,
  );
  const keysCli = compiled ? [process.execPath, 'dist/cli/keys.js'] : [...tsx, 'server/cli/keys.ts'];
  // A premium key with limits high enough that the limiter counts every request but refuses none.
  const { stdout } = await run(keysCli[0], [...keysCli.slice(1), 'create', '--name', 'bench', '--tier', 'premium', '--rpm', '1000000', '--json'], {
    env: { ...process.env, ...env },
    cwd: gatewayDir,
  });
  const key = JSON.parse(stdout).key as string;
  // The catalogue syncs from the stand-in just after start-up.
  for (let i = 0; i < 100 && (await ttfbOnce('http://127.0.0.1:11700/api/chat', JSON.stringify({ ...CHAT, stream: false }), key)).ok === false; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const duration = Number(values.duration);
  const gw = { pid: gateway.pid!, url: 'http://127.0.0.1:11700' };
  const bp = { pid: bare.pid!, url: 'http://127.0.0.1:11600' };

  // Warm-up (JIT, pools), not measured.
  await wrk({ url: `${bp.url}/api/chat`, connections: 16, duration: 2, pid: bp.pid });
  await wrk({ url: `${gw.url}/api/chat`, key, connections: 16, duration: 2, pid: gw.pid });

  const rest = [];
  for (const c of values.connections.split(',').map(Number)) {
    const b = await wrk({ url: `${bp.url}/api/chat`, connections: c, duration, pid: bp.pid });
    const g = await wrk({ url: `${gw.url}/api/chat`, key, connections: c, duration, pid: gw.pid });
    rest.push({ c, b, g });
  }

  const rounds = Number(values['ttfb-rounds']);
  const ttfbStreams = Number(values['ttfb-streams']);
  const ttfbSerial = Math.max(50, rounds * 10);
  const bareOne = await ttfb({ url: `${bp.url}/api/chat`, body: JSON.stringify(CHAT), streams: 1, rounds: ttfbSerial, pid: bp.pid });
  const gwOne = await ttfb({ url: `${gw.url}/api/chat`, key, body: JSON.stringify({ ...CHAT, stream: true }), streams: 1, rounds: ttfbSerial, pid: gw.pid });
  const direct = await ttfb({ url: 'http://127.0.0.1:11500/api/chat', body: JSON.stringify(CHAT), streams: ttfbStreams, rounds, pid: upstream.pid! });
  const ttfbBare = await ttfb({ url: `${bp.url}/api/chat`, body: JSON.stringify(CHAT), streams: ttfbStreams, rounds, pid: bp.pid });
  const ttfbGw = await ttfb({ url: `${gw.url}/api/chat`, key, body: JSON.stringify({ ...CHAT, stream: true }), streams: ttfbStreams, rounds, pid: gw.pid });

  let live: { name: string; s: StreamStats }[] = [];
  if (!values['skip-streams']) {
    const paced = { model: 'paced:1b', messages: CHAT.messages, stream: true };
    const ndjsonTokens: TokenCounter = (c) => occurrences(c, '"done":false');
    const sseTokens: TokenCounter = (c) => occurrences(c, '"content":"') - occurrences(c, '"content":""');
    live = [
      {
        name: `${STREAMS} NDJSON streams straight to the stand-in (the pacing as this client sees it)`,
        s: await liveStreams({
          count: STREAMS,
          open: (on) => streamPost('http://127.0.0.1:11500/api/chat', JSON.stringify(paced), undefined, ndjsonTokens, (t) => t.includes('"done":true'), on),
        }),
      },
      {
        name: `${STREAMS} SSE streams, /v1/chat/completions`,
        s: await liveStreams({
          count: STREAMS,
          pid: gw.pid,
          open: (on) => streamPost(`${gw.url}/v1/chat/completions`, JSON.stringify(paced), key, sseTokens, (t) => t.includes('[DONE]'), on),
        }),
      },
      {
        name: `${STREAMS} graphql-ws subscriptions, Subscription.chat`,
        s: await liveStreams({ count: STREAMS, pid: gw.pid, open: (on) => wsSubscription('ws://127.0.0.1:11700/graphql', key, on) }),
      },
    ];
  }
  const gwRss = rssMb(gw.pid);
  const pgPss = descendantsPssMb(gw.pid);

  const load = os.loadavg().map((l) => l.toFixed(2));
  const lines: string[] = [];
  lines.push(
    `Gateway: ${gatewayDir ? `${gatewayDir} under tsx` : compiled ? 'compiled (`npm start`)' : 'tsx'}${nodeArgs.length ? ` with ${nodeArgs.join(' ')}` : ''}; ${os.cpus().length} cores, load generator on the same machine; load average ${load.join(' / ')} at the end.`,
    `REST: POST /api/chat, 100-token answers, non-streamed, wrk ${duration} s per run. CPU per request: utime+stime of the process (/proc/<pid>/stat) over the run ÷ requests.`,
    '',
    '| REST /api/chat | bare proxy | gateway | gateway ÷ bare |',
    '|---|---|---|---|',
  );
  for (const r of rest) lines.push(`| req/s, c=${r.c} | ${fmt(r.b.rps)} | ${fmt(r.g.rps)} | ${fmt(r.g.rps / r.b.rps, 2)} |`);
  for (const r of rest)
    lines.push(`| CPU per request, c=${r.c} (µs) | ${fmt(r.b.cpuPerRequest)} | ${fmt(r.g.cpuPerRequest)} | ${fmt(r.g.cpuPerRequest / r.b.cpuPerRequest, 2)} |`);
  const one = rest.find((r) => r.c === 1);
  if (one) lines.push(`| p50 latency, c=1 (ms) | ${fmt(one.b.p50, 3)} | ${fmt(one.g.p50, 3)} | ${delta(one.g.p50 - one.b.p50, 3)} |`);
  const non2xx = rest.reduce((n, r) => n + r.g.non2xx, 0);
  lines.push(
    `| streaming TTFB p50, 1 stream × ${ttfbSerial} (ms) | ${fmt(bareOne.p50, 3)} | ${fmt(gwOne.p50, 3)} | ${delta(gwOne.p50 - bareOne.p50, 3)} |`,
    `| streaming TTFB p50, ${ttfbStreams} streams × ${rounds} (ms; straight to the stand-in ${fmt(direct.p50, 2)}) | ${fmt(ttfbBare.p50, 2)} | ${fmt(ttfbGw.p50, 2)} | ${delta(ttfbGw.p50 - ttfbBare.p50, 2)} |`,
    `| CPU per stream of 100 tokens (µs) | ${fmt(ttfbBare.cpuPerStream)} | ${fmt(ttfbGw.cpuPerStream)} | ${fmt(ttfbGw.cpuPerStream / ttfbBare.cpuPerStream, 2)} |`,
    `| RSS after the REST runs (MB) | ${fmt(Math.max(...rest.map((r) => r.b.rss)))} | ${fmt(Math.max(...rest.map((r) => r.g.rss)))} | |`,
    `| gateway non-2xx / failed streams | | ${non2xx} / ${ttfbGw.failed} | |`,
  );
  if (live.length) {
    lines.push(
      '',
      `Live streams: ${TOKENS} tokens each, one every ${TOKEN_MS} ms from the stand-in, all open at once. Gap: time between consecutive tokens as the client receives them, minus the pacing.`,
      '',
      `| live streams | p50 gap − pacing (ms) | p99 gap − pacing (ms) | max (ms) | stream first→last token p50 / p99 (ms; ideal ${(TOKENS - 1) * TOKEN_MS}) | complete / short / dropped | gateway peak RSS (MB) | gateway CPU per token (µs) | wall (s) |`,
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const { name, s } of live) {
      lines.push(
        `| ${name} | ${fmt(quantile(s.gaps, 0.5) - TOKEN_MS, 2)} | ${fmt(quantile(s.gaps, 0.99) - TOKEN_MS, 2)} | ${fmt(quantile(s.gaps, 1) - TOKEN_MS, 1)} | ${fmt(quantile(s.durations, 0.5))} / ${fmt(quantile(s.durations, 0.99))} | ${s.complete} / ${s.short} / ${s.dropped} | ${s.peakRss ? fmt(s.peakRss) : '–'} | ${s.cpuPerToken ? fmt(s.cpuPerToken, 1) : '–'} | ${fmt(s.seconds, 1)} |`,
      );
    }
  }
  if (failures.length) {
    const counts = new Map<string, number>();
    for (const f of failures) counts.set(f, (counts.get(f) ?? 0) + 1);
    lines.push('', 'Failed streams:', ...[...counts].slice(0, 10).map(([f, n]) => `- ${n} × ${f}`));
  }
  lines.push('', `Gateway process RSS at the end: ${fmt(gwRss)} MB; the embedded PostgreSQL beside it (PSS of its processes): ${fmt(pgPss)} MB.`);
  const table = lines.join('\n');
  console.log(`\n${table}\n`);
  if (!values['no-write']) {
    await writeFile(
      values.out,
      `# Benchmark results\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.\n\n${table}\n`,
    );
    console.log(`written to ${values.out}`);
  }
} finally {
  for (const c of children.reverse()) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 3000));
  await rm(dataDir, { recursive: true, force: true });
}
