import { W1 } from './w1-root';
import { W2 } from './w2-nested';
import { W3 } from './w3-propagation';
import { W4 } from './w4-async';
import type { MicroWorkload, MicroWorkloadId } from './workload';

export const MICRO_WORKLOADS: Record<MicroWorkloadId, MicroWorkload> = { W1, W2, W3, W4 };
export type { MicroWorkload, MicroWorkloadId } from './workload';
