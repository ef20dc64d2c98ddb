import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useQuery, useSubscription } from 'urql';
import { CopyButton } from '../components/CopyButton.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { formatMs, formatNumber } from '../format.ts';
import { graphql } from '../gql';
import type { ChatInput, ChatStreamSubscription, Role } from '../gql/graphql.ts';

const PlaygroundModelsDoc = graphql(`
  query PlaygroundModels {
    models {
      id
      name
      provider
      temperature
      topP
      topK
      capabilities
    }
  }
`);

const ChatStreamDoc = graphql(`
  subscription ChatStream($input: ChatInput!) {
    chat(input: $input) {
      id
      delta
      thinking
      done
      queuePosition
      finishReason
      usage {
        promptTokens
        completionTokens
        totalTokens
      }
    }
  }
`);

interface Message {
  role: Role;
  content: string;
  /** Base64 images (no data: prefix) attached to a user message. */
  images?: string[];
}

interface Stats {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  latencyMs: number;
  ttftMs: number | null;
  outcome: string;
}

interface Turn extends Message {
  /** Stable across renders: the run it belongs to and whose turn it is. */
  id: string;
  stats?: Stats;
  /** The model's reasoning, shown collapsed. */
  thinking?: string;
}

/** What the chat stream has produced so far for one run; deltas are appended as they come. */
interface Stream {
  runId: number;
  text: string;
  thinking: string;
  firstTokenAt: number | null;
  endedAt: number | null;
  done: boolean;
  finishReason: string | null;
  usage: ChatStreamSubscription['chat']['usage'];
  /** While every server is busy: the place in the gateway's queue (null once tokens flow). */
  queuePosition: number | null;
}

interface Run {
  id: number;
  input: ChatInput;
  startedAt: number;
}

const NO_INPUT: ChatInput = { model: '', messages: [] };

function curlFor(input: ChatInput): string {
  const body = {
    model: input.model,
    messages: input.messages.map((m) => ({ role: m.role.toLowerCase(), content: m.content })),
    temperature: input.temperature,
    top_p: input.topP,
    top_k: input.topK,
    max_tokens: input.maxTokens,
  };
  const json = JSON.stringify(body, null, 2).replace(/'/g, `'\\''`);
  return [
    `curl -X POST "${window.location.origin}/api/chat"`,
    `  -H "Authorization: Bearer $GATEWAY_API_KEY"`,
    `  -H "Content-Type: application/json"`,
    `  -d '${json}'`,
  ].join(' \\\n');
}

/** A file as base64 without its data: prefix, the form Ollama takes images in. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function PlaygroundPage() {
  const [{ data: modelsData, fetching: loadingModels, error: modelsError }] = useQuery({ query: PlaygroundModelsDoc });
  // Only models that can chat: an embedding model would only answer with an error. Unknown capabilities are offered.
  const models = useMemo(() => (modelsData?.models ?? []).filter((m) => !m.capabilities || m.capabilities.includes('completion')), [modelsData]);
  const [modelId, setModelId] = useState('');
  const model = models.find((m) => m.id === modelId);
  const [system, setSystem] = useState('You are a helpful assistant.');
  const [temperature, setTemperature] = useState(0.7);
  const [topP, setTopP] = useState(0.9);
  const [topK, setTopK] = useState(40);
  const [maxTokens, setMaxTokens] = useState(1024);
  const [message, setMessage] = useState('');
  const [think, setThink] = useState(false);
  const [images, setImages] = useState<Array<{ id: number; name: string; data: string }>>([]);
  const nextImageId = useRef(1);
  const canThink = !model?.capabilities || model.capabilities.includes('thinking');
  const fileInput = useRef<HTMLInputElement>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [run, setRun] = useState<Run | null>(null);
  const nextRunId = useRef(1);
  const transcriptEnd = useRef<HTMLDivElement>(null);
  const ids = { temperature: useId(), topP: useId(), topK: useId(), maxTokens: useId() };

  const chooseModel = useCallback(
    (id: string) => {
      setModelId(id);
      const m = models.find((x) => x.id === id);
      if (!m) return;
      if (m.temperature != null) setTemperature(m.temperature);
      if (m.topP != null) setTopP(m.topP);
      if (m.topK != null) setTopK(m.topK);
    },
    [models],
  );

  // Pick a model once the list arrives (an Ollama model before the built-in test one), and take its defaults.
  useEffect(() => {
    if (modelId || !models.length) return;
    const first = models.find((m) => m.provider !== 'builtin') ?? models[0];
    chooseModel(first.id);
  }, [models, modelId, chooseModel]);

  const conversation = useCallback(
    (next?: string): Message[] => {
      const msgs: Message[] = [];
      if (system.trim()) msgs.push({ role: 'SYSTEM', content: system.trim() });
      for (const t of turns)
        if (t.content || t.images?.length)
          msgs.push(t.images?.length ? { role: t.role, content: t.content, images: t.images } : { role: t.role, content: t.content });
      const attached = images.map((i) => i.data);
      if (next?.trim()) msgs.push(attached.length ? { role: 'USER', content: next.trim(), images: attached } : { role: 'USER', content: next.trim() });
      return msgs;
    },
    [system, turns, images],
  );
  const inputFor = useCallback(
    (msgs: Message[]): ChatInput => ({
      model: modelId,
      messages: msgs,
      temperature,
      topP,
      topK,
      maxTokens,
      ...(think && canThink ? { think: true } : {}),
    }),
    [modelId, temperature, topP, topK, maxTokens, think, canThink],
  );

  async function attach(files: FileList | null) {
    const read = await Promise.all([...(files ?? [])].map(async (f) => ({ name: f.name, data: await readBase64(f) })));
    const picked = read.map((img) => ({ id: nextImageId.current++, ...img }));
    setImages((prev) => [...prev, ...picked]);
    if (fileInput.current) fileInput.current.value = '';
  }

  // The token stream: one subscription per run; the reducer appends each delta to that run's text.
  const runId = run?.id ?? 0;
  const reduce = useCallback(
    (prev: Stream | undefined, event: ChatStreamSubscription): Stream => {
      const base: Stream =
        prev && prev.runId === runId
          ? prev
          : { runId, text: '', thinking: '', firstTokenAt: null, endedAt: null, done: false, finishReason: null, usage: null, queuePosition: null };
      const e = event.chat;
      const now = performance.now();
      return {
        ...base,
        text: base.text + e.delta,
        thinking: base.thinking + e.thinking,
        firstTokenAt: base.firstTokenAt ?? (e.delta || e.thinking ? now : null),
        done: e.done,
        endedAt: e.done ? now : null,
        finishReason: e.finishReason ?? base.finishReason,
        usage: e.usage ?? base.usage,
        queuePosition: e.queuePosition ?? null,
      };
    },
    [runId],
  );
  const [stream] = useSubscription({ query: ChatStreamDoc, variables: { input: run?.input ?? NO_INPUT }, pause: !run }, reduce);
  const current = stream.data && stream.data.runId === runId ? stream.data : null;
  const streaming = !!run;

  const finish = useCallback(
    (outcome: string) => {
      if (!run) return;
      const s = current;
      const end = s?.endedAt ?? performance.now();
      setTurns((t) => [
        ...t,
        {
          id: `${run.id}-answer`,
          role: 'ASSISTANT',
          content: s?.text ?? '',
          ...(s?.thinking ? { thinking: s.thinking } : {}),
          stats: {
            promptTokens: s?.usage?.promptTokens,
            completionTokens: s?.usage?.completionTokens,
            totalTokens: s?.usage?.totalTokens,
            latencyMs: end - run.startedAt,
            ttftMs: s?.firstTokenAt != null ? s.firstTokenAt - run.startedAt : null,
            outcome,
          },
        },
      ]);
      setRun(null);
    },
    [run, current],
  );

  useEffect(() => {
    if (run && current?.done) finish(current.finishReason === 'LENGTH' ? 'stopped at max tokens' : 'complete');
  }, [run, current, finish]);
  useEffect(() => {
    if (run && stream.error) finish('failed');
  }, [run, stream.error, finish]);
  // Keep the newest text in view: after each new turn and each streamed delta.
  const streamedText = current?.text;
  useEffect(() => {
    if (turns.length === 0 && !streamedText) return;
    transcriptEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [turns.length, streamedText]);

  function send(e?: FormEvent) {
    e?.preventDefault();
    if (streaming || !message.trim() || !modelId) return;
    const msgs = conversation(message);
    const attached = images.map((i) => i.data);
    const id = nextRunId.current++;
    const turn: Turn = { id: `${id}-question`, role: 'USER', content: message.trim() };
    setTurns((t) => [...t, attached.length ? { ...turn, images: attached } : turn]);
    setMessage('');
    setImages([]);
    setRun({ id, input: inputFor(msgs), startedAt: performance.now() });
  }

  function onMessageKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) send(e as unknown as FormEvent);
  }

  const lastStats = [...turns].reverse().find((t) => t.stats)?.stats;
  const curl = useCallback(() => curlFor(inputFor(conversation(message))), [inputFor, conversation, message]);
  const [errorShown, setErrorShown] = useState<unknown>(null);
  useEffect(() => {
    if (stream.error) setErrorShown(stream.error);
  }, [stream.error]);

  return (
    <>
      <PageHeader
        title="Playground"
        description="Try a model with the same rules as the API: your admin key's limits apply and every answer is recorded in usage."
        actions={<CopyButton text={curl} label="Copy as cURL" />}
      />
      <div className="playground">
        <section className="card" aria-label="Settings">
          {loadingModels && !modelsData ? <Loading label="Loading models…" /> : null}
          <ErrorNotice error={modelsError} title="Models" />
          <label className="field">
            <span className="field-label">Model</span>
            <select value={modelId} onChange={(e) => chooseModel(e.target.value)} disabled={streaming || !models.length}>
              {models.length === 0 ? <option value="">No active models</option> : null}
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name === m.id ? m.id : `${m.name} (${m.id})`}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">System prompt</span>
            <textarea rows={4} value={system} onChange={(e) => setSystem(e.target.value)} disabled={streaming} />
          </label>
          <Slider id={ids.temperature} label="Temperature" min={0} max={2} step={0.05} value={temperature} onChange={setTemperature} disabled={streaming} />
          <Slider id={ids.topP} label="Top P" min={0.01} max={1} step={0.01} value={topP} onChange={setTopP} disabled={streaming} />
          <Slider id={ids.topK} label="Top K" min={1} max={100} step={1} value={topK} onChange={setTopK} disabled={streaming} />
          <Slider id={ids.maxTokens} label="Max tokens" min={1} max={4096} step={1} value={maxTokens} onChange={setMaxTokens} disabled={streaming} />
          <label className="field checkbox">
            <input type="checkbox" checked={think && canThink} onChange={(e) => setThink(e.target.checked)} disabled={streaming || !canThink} />
            <span className="field-label">Think first{canThink ? '' : ` (${modelId} cannot)`}</span>
          </label>
          {model && (model.temperature != null || model.topP != null || model.topK != null) ? (
            <p className="muted small">Sliders start at {model.id}’s defaults.</p>
          ) : null}
          <details className="small">
            <summary>Show the REST call</summary>
            <pre className="code">{curl()}</pre>
          </details>
        </section>

        <section className="card" aria-label="Conversation">
          <div className="transcript" aria-live="polite" aria-busy={streaming}>
            {turns.length === 0 && !streaming ? (
              <Empty title="Start a conversation">Pick a model, write a message and press Send. The answer streams in token by token.</Empty>
            ) : null}
            {turns.map((t) => (
              <div key={t.id} className={`bubble bubble-${t.role === 'USER' ? 'user' : 'assistant'}`}>
                <span className="bubble-role">{t.role === 'USER' ? 'You' : 'Assistant'}</span>
                {t.thinking ? <Thinking text={t.thinking} /> : null}
                {t.content || <em className="muted">(no text)</em>}
                {t.images?.length ? (
                  <span className="small" style={{ opacity: 0.8 }}>
                    {' '}
                    · {t.images.length} image{t.images.length === 1 ? '' : 's'} attached
                  </span>
                ) : null}
                {t.stats ? <RunStats s={t.stats} /> : null}
              </div>
            ))}
            {streaming ? (
              <div className="bubble bubble-assistant" data-testid="streaming-answer">
                <span className="bubble-role">Assistant</span>
                {current?.thinking ? <Thinking text={current.thinking} /> : null}
                {current?.queuePosition ? <span className="muted small">Waiting for a free GPU slot (position {current.queuePosition})…</span> : null}
                <span className="cursor">{current?.text ?? ''}</span>
              </div>
            ) : null}
            <div ref={transcriptEnd} />
          </div>
          <ErrorNotice error={errorShown} title="The answer failed" />
          <form className="composer" onSubmit={send}>
            <label className="field">
              <span className="field-label">Message</span>
              <textarea
                rows={3}
                value={message}
                onChange={(e) => setMessage(e.target.value)}
                onKeyDown={onMessageKey}
                placeholder="Ask something… (Enter sends, Shift+Enter for a new line)"
              />
            </label>
            <div className="btn-row">
              <input ref={fileInput} type="file" accept="image/*" multiple hidden aria-label="Attach images" onChange={(e) => void attach(e.target.files)} />
              <button type="button" className="btn btn-ghost" disabled={streaming} onClick={() => fileInput.current?.click()}>
                Attach image
              </button>
              {images.map((img) => (
                <button
                  key={img.id}
                  type="button"
                  className="btn btn-ghost small"
                  title="Remove this image"
                  onClick={() => setImages((prev) => prev.filter((x) => x.id !== img.id))}
                >
                  {img.name} ×
                </button>
              ))}
              {streaming ? (
                <button type="button" className="btn btn-danger" onClick={() => finish('stopped')}>
                  Stop
                </button>
              ) : (
                <button type="submit" className="btn btn-primary" disabled={!message.trim() || !modelId} onClick={() => setErrorShown(null)}>
                  Send
                </button>
              )}
              <button type="button" className="btn btn-ghost" disabled={streaming || turns.length === 0} onClick={() => setTurns([])}>
                Clear conversation
              </button>
              {lastStats && !streaming ? (
                <span className="muted small" role="status">
                  Last answer: {formatMs(lastStats.latencyMs)}
                </span>
              ) : null}
            </div>
          </form>
        </section>
      </div>
    </>
  );
}

/** The model's reasoning, collapsed until asked for. */
function Thinking({ text }: { text: string }) {
  return (
    <details className="thinking small">
      <summary>Thinking</summary>
      <p className="muted">{text}</p>
    </details>
  );
}

function Slider({
  id,
  label,
  min,
  max,
  step,
  value,
  onChange,
  disabled,
}: {
  id: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
}) {
  return (
    <div className="field">
      <div className="slider-head">
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        <output className="slider-value" htmlFor={id}>
          {value}
        </output>
      </div>
      <input id={id} type="range" min={min} max={max} step={step} value={value} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))} />
    </div>
  );
}

function RunStats({ s }: { s: Stats }) {
  return (
    <ul className="run-stats" aria-label="Answer statistics">
      <li>{s.outcome === 'complete' ? 'Complete' : s.outcome[0].toUpperCase() + s.outcome.slice(1)}</li>
      <li>
        Tokens{' '}
        <strong>
          {s.totalTokens != null ? `${formatNumber(s.promptTokens)} + ${formatNumber(s.completionTokens)} = ${formatNumber(s.totalTokens)}` : '—'}
        </strong>
      </li>
      <li>
        Latency <strong>{formatMs(s.latencyMs)}</strong>
      </li>
      <li>
        Time to first token <strong>{formatMs(s.ttftMs)}</strong>
      </li>
    </ul>
  );
}
