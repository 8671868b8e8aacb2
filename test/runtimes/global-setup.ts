/// <reference types="node" />
// Once per run of the runtimes project, before any test file: dist/ built, or the last build
// reused when no input changed. The package tests and `npm pack` (whose prepare script builds)
// then all find it fresh, instead of building it again, or at the same time.
import { build } from "../../scripts/build.ts";

export default function setup(): void {
  build();
}
