/**
 * The bench's verification logic: every peer passes it for real, and a peer that skips
 * work (drops spans, loses parents, extracts wrong ids, activates nothing) is caught.
 * Nothing here is timed; figures are `npm run bench`'s job.
 */
import { get } from '../../bench/http/load';
import { startServers, verifyServer } from '../../bench/http/w6';
import type { HttpServer } from '../../bench/http/w6';
import type { ServerMode } from '../../bench/http/modes';
import { createPeer, PEER_NAMES } from '../../bench/peers';
import { ExportValve } from '../../bench/peers/export-valve';
import { unregisterOtelGlobals } from '../../bench/peers/otel-pipeline';
import { RESOLVED, SpanSink } from '../../bench/peers/peer';
import type { Peer, PeerHandle, RoundTripCase } from '../../bench/peers/peer';
import { discardingExporter } from '../../bench/peers/sextant';
import { MICRO_WORKLOADS } from '../../bench/workloads';
import { roundTripCases } from '../../bench/workloads/w3-propagation';
import { measureRetained } from '../../bench/workloads/w5-memory';
import { BatchRecorder, Tracer } from '../../lib';

const handles: PeerHandle[] = [];

function peerNamed(name: (typeof PEER_NAMES)[number]): Peer {
  const handle = createPeer(name);
  handles.push(handle);
  return handle.peer;
}

afterAll(async () => {
  for (const { peer } of handles) await peer.close();
  unregisterOtelGlobals();
});

describe('every peer passes every workload it runs, verified and then run briefly', () => {
  it.each(PEER_NAMES.map((name) => [name]))('%s', async (name) => {
    const peer = peerNamed(name);
    let variants = 0;
    for (const workload of Object.values(MICRO_WORKLOADS)) {
      for (const variant of workload.variants(peer)) {
        variants++;
        expect({ workload: workload.id, variant, problems: await workload.verify(peer, variant) }).toEqual({
          workload: workload.id,
          variant,
          problems: [],
        });
        // run() itself throws if any span it made did not reach the exporter
        const sample = await workload.run(peer, variant, 2);
        expect(sample.ops).toBeGreaterThan(0);
      }
    }
    expect(variants).toBeGreaterThan(0);
    // sextant-otel holds @opentelemetry/api's globals: hand them back for the otel peers of later tests.
    if (name === 'sextant-otel') await peer.close();
  });

  it('runs W3 in every sextant wire format, and otel beside it in each of its own', () => {
    expect([...roundTripCases(peerNamed('sextant')).keys()]).toEqual(
      expect.arrayContaining(['default', 'tracecontext', 'tracecontext+baggage', 'b3', 'b3multi', 'jaeger', 'ottrace', 'xray', 'binary']),
    );
    expect([...roundTripCases(peerNamed('otel')).keys()]).toEqual(
      expect.arrayContaining(['default', 'tracecontext', 'tracecontext+baggage', 'b3', 'b3multi', 'jaeger', 'ottrace', 'xray']),
    );
  });
});

/** A sextant peer with one part sabotaged. */
function sabotaged(change: (peer: Peer) => Partial<Peer>): Peer {
  const peer = peerNamed('sextant');
  return { ...peer, ...change(peer) };
}

describe('verification catches a peer that skips work', () => {
  it('W1: spans that never reach the exporter', async () => {
    const peer = sabotaged(() => ({ rootSpan: () => undefined }));
    expect(await MICRO_WORKLOADS.W1.verify(peer, 'root')).toEqual([expect.stringMatching(/0 of 1000 spans/)]);
  });

  it('W1: a timed run whose spans are dropped', async () => {
    const real = peerNamed('sextant');
    let i = 0;
    // Every other span is never finished, so it never reaches the exporter.
    const peer = { ...real, rootSpan: (n: number) => (i++ % 2 === 0 ? real.rootSpan!(n) : undefined) };
    await expect(MICRO_WORKLOADS.W1.run(peer, 'root', 2)).rejects.toThrow(/spans reached the exporter/);
  });

  it('W2: children that lose their parents', async () => {
    // The same three levels, but each one a new root: what a tracer without working scopes does.
    const sink = new SpanSink();
    const tracer = new Tracer({ serviceName: 'bench', recorder: new BatchRecorder(discardingExporter(sink, new ExportValve(false))) });
    const level = (name: string, inner: () => Promise<void>) =>
      tracer.startActiveSpan(name, { ignoreActiveSpan: true }, async () => {
        await RESOLVED;
        await inner();
      });
    const peer = sabotaged(() => ({
      sink,
      nestedChain: () => level('w2.level1', () => level('w2.level2', () => level('w2.level3', async () => undefined))),
      flush: () => tracer.flush(),
    }));
    const problems = await MICRO_WORKLOADS.W2.verify(peer, 'chain');
    expect(problems).toContain("w2.level2's parent is missing, expected w2.level1");
    await tracer.close();
  });

  it('W3: a round trip that loses the span id or the baggage', async () => {
    const real = peerNamed('sextant');
    const tracecontext = roundTripCases(real).get('tracecontext+baggage')!;
    const wrongIds: RoundTripCase = { ...tracecontext, idsOf: (x) => ({ ...tracecontext.idsOf(x)!, spanId: '1111111111111111' }) };
    const noBaggage: RoundTripCase = { ...tracecontext, idsOf: (x) => ({ ...tracecontext.idsOf(x)!, baggage: {} }) };
    for (const broken of [wrongIds, noBaggage]) {
      const peer: Peer = { ...real, roundTrips: () => [broken] };
      expect((await MICRO_WORKLOADS.W3.verify(peer, 'tracecontext+baggage')).length).toBeGreaterThan(0);
    }
  });

  it('W4: a span that is not active across awaits', async () => {
    const peer = sabotaged(() => ({ withActiveSpan: (fn) => fn() }));
    expect(await MICRO_WORKLOADS.W4.verify(peer, 'in span')).toContain('no active span inside withActiveSpan');
  });

  it('W5: spans dropped behind the stalled exporter', async () => {
    // A queue too small for the spans recorded: the figure would flatter the tracer.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const handle = createPeer('sextant', { stalled: true, maxQueueSize: 1024 });
      handles.push(handle);
      const result = await measureRetained(handle, 500, 1, () => process.memoryUsage().heapUsed);
      expect(result.problems).toEqual([expect.stringMatching(/of 2548 spans reached the exporter/)]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/queue is full/));
    } finally {
      warn.mockRestore();
    }
  });

  it('W5: a tracer that keeps every span passes', async () => {
    const handle = createPeer('sextant', { stalled: true, maxQueueSize: 8192 });
    handles.push(handle);
    const result = await measureRetained(handle, 500, 2, () => process.memoryUsage().heapUsed);
    expect(result.problems).toEqual([]);
    expect(result.bytesPerSpan).toHaveLength(2);
    expect(result.queued).toBe(2048 + 1000);
  });
});

describe('W6 servers (child processes, loopback only)', () => {
  const servers: HttpServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.child.stop()));
  });

  it('untraced, sextant (hand-wired and zero-code), OpenTelemetry and dd-trace servers answer, and traced ones continue the caller’s trace', async () => {
    const modes: ServerMode[] = ['untraced', 'sextant', 'sextant-zero', 'otel', 'untraced-fetch', 'sextant-zero-fetch', 'ddtrace-fetch'];
    servers.push(...(await startServers(modes)));
    const downstream = servers.find((s) => s.mode === 'downstream');
    for (const server of servers.filter((s) => modes.includes(s.mode as ServerMode))) {
      expect({ mode: server.mode, problems: await verifyServer(server, downstream) }).toEqual({ mode: server.mode, problems: [] });
    }
    // The verification itself would notice a server that traced nothing: the sextant servers
    // count what they exported, one span per request answered (two with the outbound fetch).
    for (const [mode, perRequest] of [
      ['sextant', 1],
      ['sextant-zero', 1],
      ['sextant-zero-fetch', 2],
    ] as const) {
      const server = servers.find((s) => s.mode === mode)!;
      await get(server.port, {});
      const counts = await server.child.request<{ served: number; exported: number }>({ cmd: 'counts' });
      expect({ mode, exported: counts.exported }).toEqual({ mode, exported: counts.served * perRequest });
      expect(counts.served).toBe(2);
    }
  }, 60_000);
});
