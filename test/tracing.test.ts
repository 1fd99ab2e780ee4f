import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../telemetry/tracing.ts';
import { createWorker } from '../worker/create-worker.ts';
import { bundleWorkflows } from '../worker/workflow-source.ts';
import { buildApi } from './helpers/api.ts';
import { keyHeaders, storeCard } from './helpers/runs-api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

const CARD = `
name: traced
prompt: { template: "Say {{ word }}" }
models: [ollama:llama3.2:3b]
cases:
  - { name: one, vars: { word: alpha }, assert: [{ type: contains, value: alpha }] }
  - { name: two, vars: { word: beta }, assert: [{ type: contains, value: beta }] }
`;

describe('tracing: one trace from the API request to the Ollama calls', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let h: SuiteHarness;
  let worker: Worker;
  let running: Promise<void>;
  let api: FastifyInstance;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'pcs-test', spanProcessor: new SimpleSpanProcessor(exporter) });
    h = await createSuiteHarness();
    worker = await createWorker({
      connection: h.env.nativeConnection,
      namespace: h.env.namespace ?? 'default',
      taskQueue: h.taskQueue,
      deps: h.deps(),
      workflowBundle: await bundleWorkflows({ tracing: true }),
      plugins: [tracing.plugin],
    });
    running = worker.run();
    const client = new Client({ connection: h.env.connection, plugins: [tracing.plugin] });
    api = await buildApi(h, {
      temporal: { client, namespace: 'default', address: h.env.address, taskQueue: h.taskQueue, uiUrl: '' },
      tracing: true,
    });
  });

  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await running;
    await h?.close();
    await tracing?.shutdown();
  });

  function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
    return spans.filter((s) => s.name === name);
  }

  it('links POST /runs, the workflow start, the workflow, its activities and each model call', async () => {
    const { cardId } = storeCard(h.database.db, CARD);
    const response = await api.inject({
      method: 'POST',
      url: '/runs',
      headers: keyHeaders(h.database.db),
      payload: { cardId },
    });
    expect(response.statusCode).toBe(202);
    const { runId } = response.json() as { runId: string };
    await h.env.client.workflow.getHandle(runId).result();

    // Workflow spans leave the sandbox through a sink after the workflow task completes.
    await expect
      .poll(() => named(exporter.getFinishedSpans(), 'RunWorkflow:suiteRun').length, { timeout: 10_000 })
      .toBe(1);
    const spans = exporter.getFinishedSpans();
    const [request] = named(spans, 'POST /runs');
    expect(request).toBeDefined();
    const traceId = request?.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(inTrace).toEqual(
      expect.arrayContaining([
        'POST /runs',
        'StartWorkflow:suiteRun',
        'RunWorkflow:suiteRun',
        'RunActivity:runCellBatch',
        'chat llama3.2:3b',
      ]),
    );
    const calls = named(spans, 'chat llama3.2:3b').filter((s) => s.spanContext().traceId === traceId);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.attributes['gen_ai.request.model']).toBe('llama3.2:3b');
      expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    }
  });
});
