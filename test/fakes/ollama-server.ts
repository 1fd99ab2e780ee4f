// Runs the FAKE Ollama server (./ollama.ts) as its own process, for benchmarks and manual runs:
//   node --import tsx test/fakes/ollama-server.ts --port 11434 --delay 50 --models llama3.2:3b,qwen2.5:7b
import { parseArgs } from 'node:util';
import { startFakeOllama } from './ollama.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '11434' },
    host: { type: 'string', default: '127.0.0.1' },
    delay: { type: 'string', default: '0' },
    'chunk-delay': { type: 'string', default: '0' },
    models: { type: 'string' },
  },
});

function nonNegative(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

const fake = await startFakeOllama({
  port: nonNegative('port', values.port),
  host: values.host,
  delayMs: nonNegative('delay', values.delay),
  chunkDelayMs: nonNegative('chunk-delay', values['chunk-delay']),
  ...(values.models && {
    models: values.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
  }),
});
console.log(`fake ollama listening on ${fake.url} (models: ${fake.models.join(', ')})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    fake.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
