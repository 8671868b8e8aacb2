// The profile suite's pure side: a V8 CPU profile (the inspector's Profiler.stop, a .cpuprofile)
// and the unminified bundle it was taken on, to samples by module and by function.
//
// Samples are counted, not weighed by their timeDeltas: workerd's sampler records only while
// the isolate runs, so the sample after an idle gap carries the whole gap (in the lead's
// profiles, 2,374 of 9,380 deltas were over 1 ms). Every sample stands for one interval of
// JavaScript on the isolate's thread.
import { originalPosition, type SourceMap } from "./source-map.ts";
import { summarise } from "./stats.ts";

/** A frame as V8 reports it: lineNumber is 0-based, -1 for a native (C++) function. */
export interface CallFrame {
  functionName: string;
  scriptId?: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of the protocol's Profiler.Profile read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  /** The node (leaf of the sampled stack) of each sample, in time order. */
  samples: number[];
  /** µs from the sample before (from the profile's start for the first), one per sample. */
  timeDeltas?: number[];
}

/** Rows that are no module: V8's own, and a native frame with no JavaScript below it. */
export const PROGRAM = "(program)";
export const GARBAGE_COLLECTOR = "(garbage collector)";
export const NO_CALLER = "(native, no JavaScript caller)";
/** Bundle lines before the first module's comment: esbuild's helpers (__export, __toESM). */
export const PREAMBLE = "(bundle preamble)";
const IDLE = "(idle)";
const ROOT = "(root)";

// esbuild's unminified output puts `// <path>` before each module's code; a path is what ends in
// a source or JSON extension (the other comments it keeps, `// @__NO_SIDE_EFFECTS__`, do not).
const MODULE_COMMENT = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/;

/**
 * A module's path as esbuild wrote it, made the same from any checkout: a dependency is
 * `dep:<package>` (the last node_modules in the path, so `../../main/node_modules/…` from a
 * worktree whose node_modules are links reads as from the main checkout), the rest as it is.
 */
export function modulePath(written: string): string {
  const at = written.lastIndexOf("node_modules/");
  if (at < 0) return written;
  const parts = written.slice(at + "node_modules/".length).split("/");
  const name = parts[0]?.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return `dep:${name}`;
}

/**
 * The row a module is counted in: a folder of src/ or worker/ as one (`src/aws/`), their
 * top-level files and everything else (a dependency, a bench Worker) as they are.
 */
export function moduleGroup(path: string): string {
  const folder = /^((?:src|worker)\/[^/]+\/)/.exec(path);
  return folder ? folder[1]! : path;
}

/** The module (modulePath) of each line of the bundle, 0-based as V8's lineNumber. */
export function bundleModules(bundle: string): string[] {
  const modules: string[] = [];
  let current = PREAMBLE;
  for (const line of bundle.split("\n")) {
    const comment = MODULE_COMMENT.exec(line);
    if (comment) current = modulePath(comment[1]!);
    modules.push(current);
  }
  return modules;
}

export interface Attribution {
  /** Samples not idle: every row's sum. */
  busy: number;
  idle: number;
  /** By moduleGroup, plus the PROGRAM, GARBAGE_COLLECTOR, NO_CALLER and PREAMBLE rows. */
  modules: Map<string, number>;
  /**
   * By JavaScript function of the bundle (`name (src/aws/sigv4.ts:42)` with a locator, else
   * `name (module path)`), its native callees' samples included; a native function with no
   * JavaScript caller as `name (NO_CALLER)`.
   */
  functions: Map<string, number>;
  /**
   * The median time between a busy sample and the one before, µs, where the profile has
   * timeDeltas: how often V8 actually sampled (the first sample after an idle gap carries the gap,
   * but most follow another).
   */
  medianSpacingUs?: number;
}

/** A function's place in its source (`src/aws/sigv4.ts:42`), from its start in the bundle (0-based). */
export type Locator = (line: number, column: number) => string | undefined;

/**
 * The source file and line of a position of the bundle, from its source map; a dependency by its
 * package alone (its lines are in its own build, not in this repository).
 */
export function sourceLocator(map: SourceMap): Locator {
  const position = originalPosition(map);
  return (line, column) => {
    const found = position(line, column);
    if (!found) return undefined;
    const path = modulePath(found.source);
    return path.startsWith("dep:") ? path : `${path}:${found.line + 1}`;
  };
}

/**
 * Samples by module and by function. A sample in the bundle is its function's; one in a native
 * frame (fetch, clearTimeout, a stream's enqueue) or in the runtime's own JavaScript (workerd's
 * `node-internal:` modules) is charged to the nearest caller in the bundle, since the bundle's
 * code chose to call it. (program) and (garbage collector) stay rows of their own; (idle) is left
 * out. `url` is the bundle's script as the profile names it (workerd: the module's file name);
 * `locate`, when given, names a function's place (else its module).
 */
export function attributeProfile(
  profile: CpuProfile,
  url: string,
  lineModules: readonly string[],
  locate?: Locator,
): Attribution {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inBundle = (frame: CallFrame) => frame.url === url && frame.lineNumber >= 0;
  // Each stack's nearest frame in the bundle, once per node (a profile has hundreds of nodes and
  // tens of thousands of samples).
  const owners = new Map<number, CallFrame | undefined>();
  const ownerOf = (id: number): CallFrame | undefined => {
    if (owners.has(id)) return owners.get(id);
    const frame = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const owner = inBundle(frame) ? frame : up === undefined ? undefined : ownerOf(up);
    owners.set(id, owner);
    return owner;
  };
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let busy = 0;
  let idle = 0;
  const spacings: number[] = [];
  for (const [at, id] of profile.samples.entries()) {
    const node = byId.get(id);
    if (!node) throw new Error(`cpu profile: a sample of node ${id}, which is not among its nodes`);
    const { functionName } = node.callFrame;
    if (functionName === IDLE) {
      idle++;
      continue;
    }
    busy++;
    const spacing = profile.timeDeltas?.[at];
    if (spacing !== undefined) spacings.push(spacing);
    if (functionName === PROGRAM || functionName === GARBAGE_COLLECTOR) {
      add(modules, functionName);
      continue;
    }
    const owner = functionName === ROOT ? undefined : ownerOf(id);
    if (!owner) {
      add(modules, NO_CALLER);
      add(functions, `${functionName || "(anonymous)"} ${NO_CALLER}`);
      continue;
    }
    const module = lineModules[owner.lineNumber] ?? PREAMBLE;
    add(modules, moduleGroup(module));
    const where = locate?.(owner.lineNumber, owner.columnNumber ?? 0) ?? module;
    add(functions, `${owner.functionName || "(anonymous)"} (${where})`);
  }
  const median = spacings.length ? summarise(spacings).median : undefined;
  return { busy, idle, modules, functions, ...(median === undefined ? {} : { medianSpacingUs: median }) };
}

/** The `count` largest entries, largest first (ties by name, so a run prints the same order). */
export function largest(counts: ReadonlyMap<string, number>, count: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, count);
}
