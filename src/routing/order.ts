// The order in which a request tries the deployments of a model: its routing strategy among
// those not cooling down, then the resting ones, soonest back first (a last resort beats
// refusing). Pure: the caller supplies the cool-downs, the load and the randomness.
import type { RoutingStrategy } from "../deployments.ts";
import type { ModelDeployment } from "../model.ts";

export interface OrderInput {
  routing: RoutingStrategy;
  /** Deployment key -> when its cool-down ends (ms since the epoch). */
  cooling: Readonly<Record<string, number>>;
  now: number;
  /** Requests in flight on a deployment (least_busy). */
  busy: (key: string) => number;
  /** [0, 1), as Math.random (weighted). */
  random: () => number;
}

export function orderDeployments(deployments: readonly ModelDeployment[], input: OrderInput): ModelDeployment[] {
  const ready: ModelDeployment[] = [];
  const resting: ModelDeployment[] = [];
  for (const deployment of deployments) {
    const until = input.cooling[deployment.key];
    (until !== undefined && until > input.now ? resting : ready).push(deployment);
  }
  resting.sort((a, b) => (input.cooling[a.key] ?? 0) - (input.cooling[b.key] ?? 0));
  return [...byStrategy(ready, input), ...resting];
}

function byStrategy(ready: ModelDeployment[], input: OrderInput): ModelDeployment[] {
  switch (input.routing) {
    case "failover":
      return ready;
    case "least_busy":
      // A stable sort: equally busy deployments keep the order they are listed in.
      return ready
        .map((deployment) => ({ deployment, busy: input.busy(deployment.key) }))
        .sort((a, b) => a.busy - b.busy)
        .map(({ deployment }) => deployment);
    case "weighted":
      return weightedShuffle(ready, input.random);
  }
}

/** Each pick is a deployment with probability weight / remaining weight, then the rest the same way. */
function weightedShuffle(deployments: ModelDeployment[], random: () => number): ModelDeployment[] {
  const left = [...deployments];
  const out: ModelDeployment[] = [];
  while (left.length) {
    const total = left.reduce((sum, deployment) => sum + deployment.weight, 0);
    let point = random() * total;
    let pick = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      point -= left[i]!.weight;
      if (point < 0) {
        pick = i;
        break;
      }
    }
    out.push(...left.splice(pick, 1));
  }
  return out;
}
