// Preloaded into the gateway by bench/graphql-flood.ts: on SIGUSR2 prints the longest event-loop
// delay since the previous signal ("loop-max <ms>") and starts over.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => {
  process.stderr.write(`loop-max ${(histogram.max / 1e6).toFixed(1)}\n`);
  histogram.reset();
});
