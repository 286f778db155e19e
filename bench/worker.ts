/**
 * One bench process: builds one peer and runs what the orchestrator (bench/run.ts)
 * asks, over IPC. `node -r ./bench/register.js bench/worker.ts <peer> [memory]`.
 * A process serves the workloads its `verify` command named; in `memory` mode the
 * peer's exporter is stalled (W5) and node runs with --expose-gc.
 */
import { serveCommands } from './harness/child';
import { createPeer, isPeerName } from './peers';
import { MICRO_WORKLOADS } from './workloads';
import type { MicroWorkloadId } from './workloads';
import { measureRetained } from './workloads/w5-memory';

const [peerName, mode] = process.argv.slice(2);
if (!isPeerName(peerName)) throw new Error(`unknown peer ${peerName}`);
const memoryMode = mode === 'memory';
const MEMORY_QUEUE = 400_000;

const handle = createPeer(peerName, memoryMode ? { stalled: true, maxQueueSize: MEMORY_QUEUE } : {});
const { peer } = handle;

function heapUsed(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('W5 needs node --expose-gc');
  for (let i = 0; i < 3; i++) collect();
  return process.memoryUsage().heapUsed;
}

serveCommands(async (message) => {
  switch (message.cmd) {
    case 'verify': {
      // Verifies every variant of the workloads asked for, then warms it up (JIT) for `warmMillis`.
      const report: Record<string, Record<string, string[]>> = {};
      for (const id of message.workloads as MicroWorkloadId[]) {
        const workload = MICRO_WORKLOADS[id];
        const variants: Record<string, string[]> = {};
        for (const variant of workload.variants(peer)) {
          variants[variant] = await workload.verify(peer, variant);
          if (variants[variant].length === 0)
            await workload.run(peer, variant, (message.warmMillis as Record<string, number>)[workload.id]);
        }
        report[workload.id] = variants;
      }
      return report;
    }
    case 'run': {
      const workload = MICRO_WORKLOADS[message.workload as MicroWorkloadId];
      return workload.run(peer, message.variant as string, message.millis as number);
    }
    case 'memory': {
      const spansPerStep = message.spansPerStep as number;
      const steps = message.steps as number;
      if (spansPerStep * steps + 4096 > MEMORY_QUEUE) throw new Error('W5: more spans than the queue holds');
      return measureRetained(handle, spansPerStep, steps, heapUsed);
    }
    case 'close': {
      await peer.close();
      setImmediate(() => process.exit(0));
      return null;
    }
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
