// Once per run of the workerd project, not once per test file: the Worker bundle every file's
// workerd runs (harness.ts reads it with inject()).
import type { TestProject } from "vitest/node";
import { bundleWorkerScript } from "./worker-bundle.ts";

declare module "vitest" {
  export interface ProvidedContext {
    workerBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("workerBundle", await bundleWorkerScript());
}
