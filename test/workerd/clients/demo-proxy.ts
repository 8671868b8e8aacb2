// The Worker in workerd with the demo models, as `npm start` configures them.
import { demoModels } from "../../../scripts/dev-env.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "../harness.ts";

export const API_KEY = TEST_KEYS[0];

export function startDemoProxy(): Promise<WorkerdProxy> {
  return startWorkerdProxy({ main: { MODELS: JSON.stringify(demoModels()) } });
}
