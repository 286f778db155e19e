import type * as api from '@opentelemetry/api';
import { RESOLVED } from './peer';
import type { Peer } from './peer';

/**
 * W1's and W2's calls through `@opentelemetry/api`, one copy for every tracer behind that
 * API (OpenTelemetry's SDK, sextant's bridge), so both are measured on the same code.
 */
export function otelApiCalls(tracer: api.Tracer): Pick<Peer, 'rootSpan' | 'nestedChain'> {
  return {
    rootSpan(i: number): void {
      tracer.startSpan('w1.root', { attributes: { component: 'bench', iteration: i } }).end();
    },
    nestedChain(): Promise<void> {
      return tracer.startActiveSpan('w2.level1', async (level1) => {
        try {
          await RESOLVED;
          await tracer.startActiveSpan('w2.level2', async (level2) => {
            try {
              await RESOLVED;
              await tracer.startActiveSpan('w2.level3', async (level3) => {
                try {
                  await RESOLVED;
                } finally {
                  level3.end();
                }
              });
            } finally {
              level2.end();
            }
          });
        } finally {
          level1.end();
        }
      });
    },
  };
}
