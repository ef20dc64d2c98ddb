/**
 * A minimal, fast Ollama stand-in for load tests: /api/tags, /api/version and /api/ps (the
 * scheduler's health probes), and streamed /api/chat and /api/generate answering 100 tokens of NDJSON, with Ollama's final-chunk counts. Kept separate from the test
 * emulator, which records every request and would measure itself.
 *
 * Pacing: model `bench:1b` streams its whole answer at once unless BENCH_TOKEN_MS is set; model
 * `paced:1b` streams one token every BENCH_PACED_TOKEN_MS (default 10) ms, as a GPU would. One timer
 * ticks for every paced stream, so a thousand of them cost the stand-in one timer, not a thousand.
 */
import http from 'node:http';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 100);
const TOKEN_MS = Number(process.env.BENCH_TOKEN_MS ?? 0);
const PACED_TOKEN_MS = Number(process.env.BENCH_PACED_TOKEN_MS ?? 10);
const port = Number(process.env.PORT ?? 11500);
const MODELS = ['bench:1b', 'paced:1b'];
const tags = JSON.stringify({
  models: MODELS.map((name) => ({ name, model: name, size: 1, digest: 'x', modified_at: new Date().toISOString(), details: { family: 'bench' } })),
});

const version = JSON.stringify({ version: '0.12.6' });
// The model stays loaded, as a busy server's would.
const ps = JSON.stringify({
  models: MODELS.map((name) => ({ name, model: name, size: 1, digest: 'x', details: { family: 'bench' }, expires_at: '2099-01-01T00:00:00Z', size_vram: 1 })),
});

function lines(kind: 'chat' | 'generate'): string[] {
  const lines: string[] = [];
  const created_at = new Date().toISOString();
  for (let i = 0; i < TOKENS; i++) {
    lines.push(
      JSON.stringify(
        kind === 'chat'
          ? { model: 'bench:1b', created_at, message: { role: 'assistant', content: ` tok${i}` }, done: false }
          : { model: 'bench:1b', created_at, response: ` tok${i}`, done: false },
      ),
    );
  }
  lines.push(
    JSON.stringify({
      model: 'bench:1b',
      created_at,
      ...(kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
      done: true,
      done_reason: 'stop',
      total_duration: 1,
      load_duration: 1,
      prompt_eval_count: 10,
      prompt_eval_duration: 1,
      eval_count: TOKENS,
      eval_duration: 1,
    }),
  );
  return lines.map((l) => `${l}\n`);
}
const body = (kind: 'chat' | 'generate') => lines(kind).join('');
const chat = body('chat');
const generate = body('generate');
const chatLines = lines('chat');
const generateLines = lines('generate');

/** Paced streams in flight, each with the index of its next line; one timer per pace serves them all. */
const pacers = new Map<number, Set<{ res: http.ServerResponse; lines: string[]; next: number }>>();
function pace(res: http.ServerResponse, all: string[], ms: number) {
  let streams = pacers.get(ms);
  if (!streams) {
    const set = new Set<{ res: http.ServerResponse; lines: string[]; next: number }>();
    pacers.set(ms, (streams = set));
    setInterval(() => {
      for (const s of set) {
        s.res.write(s.lines[s.next++]);
        // The final chunk goes with the last token, as Ollama's does.
        if (s.next === s.lines.length - 1) {
          s.res.end(s.lines[s.next]);
          set.delete(s);
        }
      }
    }, ms);
  }
  const stream = { res, lines: all, next: 0 };
  res.on('close', () => streams.delete(stream));
  streams.add(stream);
}
// With "stream": false Ollama answers one object: the final chunk with the whole text.
function single(kind: 'chat' | 'generate'): string {
  const text = Array.from({ length: TOKENS }, (_, i) => ` tok${i}`).join('');
  const last = JSON.parse(body(kind).trim().split('\n').at(-1)!);
  return JSON.stringify(kind === 'chat' ? { ...last, message: { role: 'assistant', content: text } } : { ...last, response: text });
}
const chatOnce = single('chat');
const generateOnce = single('generate');

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const streamed = !raw.includes('"stream":false');
    const fixed = req.url === '/api/tags' ? tags : req.url === '/api/version' ? version : req.url === '/api/ps' ? ps : undefined;
    if (fixed) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(fixed);
    }
    const payload = req.url === '/api/chat' ? (streamed ? chat : chatOnce) : req.url === '/api/generate' ? (streamed ? generate : generateOnce) : undefined;
    if (!payload) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': streamed ? 'application/x-ndjson' : 'application/json' });
    const ms = raw.includes('"paced:1b"') ? PACED_TOKEN_MS : TOKEN_MS;
    if (streamed && ms > 0) return pace(res, req.url === '/api/chat' ? chatLines : generateLines, ms);
    res.end(payload);
  });
});
// Ollama (Go's net/http) keeps idle connections open; Node's 5 s default would race the gateway's reuse of them under load.
server.keepAliveTimeout = 0;
server.listen(port, '127.0.0.1', () => console.log(`bench upstream on ${port}`));
