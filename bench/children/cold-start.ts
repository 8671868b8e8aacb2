/// <reference types="node" />
// Child: one fresh process = one cold start. Times the import of a prebuilt bundle (library or
// AWS SDK client) and its first request to the emulator. performance.now() counts from process
// start, so `sinceStartMs` also shows Node's own boot.
import { pathToFileURL } from "node:url";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import type { ColdStartEntry } from "../entries/cold-start.ts";
import { report } from "../lib/report.ts";

const [bundlePath, endpoint, modelId] = process.argv.slice(2);
if (!bundlePath || !endpoint || !modelId) throw new Error("usage: cold-start.mjs <bundle> <endpoint> <modelId>");

const started = performance.now();
const entry = (await import(pathToFileURL(bundlePath).href)) as ColdStartEntry;
const imported = performance.now();
const text = await entry.firstRequest(endpoint, { ...EMULATOR_CREDENTIALS }, modelId);
const answered = performance.now();
if (!text.startsWith("Hello from the Bedrock emulator")) throw new Error(`unexpected answer: ${text.slice(0, 80)}`);
report({
  importMs: imported - started,
  requestMs: answered - imported,
  totalMs: answered - started,
  sinceStartMs: answered,
});
process.exit(0);
