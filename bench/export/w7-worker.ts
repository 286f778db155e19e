/**
 * One W7 process: builds one encoder and its batch, proves its output decodes to the
 * batch (verify), then times batches (run). `node -r ./bench/register.js bench/export/w7-worker.ts <encoder>`.
 */
import { serveCommands } from '../harness/child';
import { median } from '../harness/stats';
import { BATCH_SPANS } from './w7-batch';
import { createEncoder, isEncoderName } from './w7-encoders';

const [name] = process.argv.slice(2);
if (!isEncoderName(name)) throw new Error(`unknown encoder ${name}`);
const encoder = createEncoder(name);

/** One timed turn: CPU time per batch, and how long each batch's encoding held the event loop. */
export interface W7Sample {
  cpuMillisPerBatch: number;
  medianBlockMillis: number;
  longestBlockMillis: number;
  bytes: number;
}

interface DecodedRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; spanId: unknown; attributes: unknown[]; events: { name: string }[] }[] }[];
  }[];
}

interface ProtobufType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}

function decode(body: Uint8Array): DecodedRequest {
  if (name.endsWith('json')) return JSON.parse(Buffer.from(body).toString('utf8')) as DecodedRequest;
  // The decoders protobufjs generated from opentelemetry-proto (OpenTelemetry JS 0.216's).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('otlp-transformer-protobufjs/build/src/generated/root') as {
    opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtobufType } } } } };
  };
  const type = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  return type.toObject(type.decode(body), { longs: String, bytes: String, arrays: true }) as DecodedRequest;
}

/** Problems with what the encoder wrote, or none. */
function verify(): string[] {
  const problems: string[] = [];
  const request = decode(encoder.encode());
  const spans = request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  if (spans.length !== BATCH_SPANS) problems.push(`${spans.length} of ${BATCH_SPANS} spans decoded`);
  if (new Set(spans.map((s) => String(s.spanId))).size !== spans.length) problems.push('span ids repeat');
  if (spans.some((s) => s.attributes.length !== 10)) problems.push('a span without its 10 attributes');
  if (spans.some((s) => s.events.length !== 1 || s.events[0].name !== 'cache-miss')) problems.push('a span without its event');
  if (!spans.every((s, i) => s.name === `GET /api/items/${i % 10}`)) problems.push('span names out of order');
  const version = request.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.version')?.value.stringValue;
  if (version !== '1.0.0') problems.push(`resource service.version ${String(version)}`);
  return problems;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Encodes `batches` batches, one per turn of the event loop, as an exporter would. */
async function run(batches: number): Promise<W7Sample> {
  const blocks: number[] = [];
  let cpu = 0;
  let bytes = 0;
  for (let i = 0; i < batches; i++) {
    const usage = process.cpuUsage();
    const started = process.hrtime.bigint();
    bytes = encoder.encode().length;
    blocks.push(Number(process.hrtime.bigint() - started) / 1e6);
    const spent = process.cpuUsage(usage);
    cpu += (spent.user + spent.system) / 1000;
    await yieldToEventLoop();
  }
  return { cpuMillisPerBatch: cpu / batches, medianBlockMillis: median(blocks), longestBlockMillis: Math.max(...blocks), bytes };
}

serveCommands(async (message) => {
  switch (message.cmd) {
    case 'verify': {
      const problems = verify();
      // Warm-up (JIT) before anything is timed.
      if (problems.length === 0) await run(message.warmBatches as number);
      return problems;
    }
    case 'run':
      return run(message.batches as number);
    case 'close':
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
