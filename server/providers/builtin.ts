/**
 * The built-in test model `echo`: answers with the last user message (chat) or the prompt (generate),
 * streamed word by word. Tokens are whitespace-separated words. It lets the gateway be tried, and its
 * tests run, with no Ollama server; its description says plainly that it is not a language model.
 */
import type { InferenceRequest, Provider, ProviderEvent } from '../inference/types.ts';

export const BUILTIN_MODELS = [
  {
    id: 'echo',
    name: 'Echo (built-in test model)',
    description:
      'A built-in test model, not a language model: it repeats the last user message (or the prompt) word by word. Use it to try the gateway without Ollama.',
  },
];

const words = (text: string) => text.match(/\S+\s*/g) ?? [];
const countWords = (text: string) => words(text).length;

export function createBuiltinProvider({ tokenDelayMs = 0 }: { tokenDelayMs?: number } = {}): Provider {
  return {
    async *stream(req: InferenceRequest, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
      const source = req.kind === 'chat' ? ([...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '') : req.prompt;
      const promptTokens =
        req.kind === 'chat' ? req.messages.reduce((n, m) => n + countWords(m.content), 0) : countWords(req.prompt) + countWords(req.system ?? '');
      const tokens = words(source.trimStart());
      const max = req.options.maxTokens ?? Infinity;
      let sent = 0;
      for (const token of tokens) {
        if (sent >= max) break;
        if (signal.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError');
        if (tokenDelayMs) await delay(tokenDelayMs, signal);
        yield { type: 'delta', text: sent + 1 === Math.min(max, tokens.length) ? token.trimEnd() : token };
        sent++;
      }
      yield { type: 'done', finishReason: sent < tokens.length ? 'length' : 'stop', usage: { promptTokens, completionTokens: sent } };
    },
    async embed(req) {
      // Deterministic toy vectors: enough to exercise the embeddings surfaces end to end.
      const embeddings = req.input.map((text) => {
        const v = new Array(8).fill(0);
        for (let i = 0; i < text.length; i++) v[i % 8] += text.charCodeAt(i) / 1000;
        const norm = Math.hypot(...v) || 1;
        return v.map((x) => x / norm);
      });
      return { embeddings, promptTokens: req.input.reduce((n, t) => n + countWords(t), 0) };
    },
  };
}

function delay(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}
