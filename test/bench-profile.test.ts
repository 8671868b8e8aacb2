/// <reference types="node" />
// The profile suite's pure parts (bench/lib/cpu-profile.ts, bench/lib/profile-report.ts): a V8
// CPU profile and the unminified bundle it was taken on, to samples by module and by function,
// and the tables printed. A hand-made profile here; one bundle made by esbuild as the suite makes it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serveEmulator } from "../emulator/node.ts";
import { wranglerCompatibility } from "../scripts/wrangler-compatibility.ts";
import { bundleForNode } from "../bench/lib/build.ts";
import { workerdConfig } from "../bench/lib/callgrind.ts";
import { runChild } from "../bench/lib/child.ts";
import {
  attributeProfile,
  bundleModules,
  type CpuProfile,
  GARBAGE_COLLECTOR,
  largest,
  moduleGroup,
  modulePath,
  NO_CALLER,
  PREAMBLE,
  PROGRAM,
  sourceLocator,
} from "../bench/lib/cpu-profile.ts";
import { type ProfiledWorker, renderProfile } from "../bench/lib/profile-report.ts";
import { decodeMappings, originalPosition } from "../bench/lib/source-map.ts";
import { freePort } from "../bench/lib/server.ts";
import { listening, spawned, WORKERD, WORKERD_ARGS } from "../bench/lib/workerd-process.ts";
import { proxyBindings } from "../bench/proxy/proxy-settings.ts";
import { bundledWithSourceMap } from "../bench/proxy/workerd.ts";

describe("modulePath", () => {
  it("names a dependency by its package, from any checkout", () => {
    expect(modulePath("node_modules/hono/dist/hono-base.js")).toBe("dep:hono");
    expect(modulePath("../../main/node_modules/valibot/dist/index.mjs")).toBe("dep:valibot");
    expect(modulePath("node_modules/@smithy/eventstream-codec/dist-es/index.js")).toBe("dep:@smithy/eventstream-codec");
    // A package's own node_modules: the innermost package did the work.
    expect(modulePath("node_modules/a/node_modules/@b/c/x.js")).toBe("dep:@b/c");
  });

  it("keeps the project's own paths", () => {
    expect(modulePath("src/aws/sigv4.ts")).toBe("src/aws/sigv4.ts");
    expect(modulePath("bench/proxy/floor-worker.ts")).toBe("bench/proxy/floor-worker.ts");
  });
});

describe("moduleGroup", () => {
  it("counts a folder of src/ or worker/ as one row, their top-level files apart", () => {
    expect(moduleGroup("src/aws/sigv4.ts")).toBe("src/aws/");
    expect(moduleGroup("src/routes/wire-formats/logprobs.ts")).toBe("src/routes/");
    expect(moduleGroup("worker/middleware/request-log.ts")).toBe("worker/middleware/");
    expect(moduleGroup("worker/log.ts")).toBe("worker/log.ts");
    expect(moduleGroup("src/json.ts")).toBe("src/json.ts");
    expect(moduleGroup("dep:hono")).toBe("dep:hono");
    expect(moduleGroup("bench/proxy/library-worker.ts")).toBe("bench/proxy/library-worker.ts");
  });
});

// The shape of esbuild's unminified output: helpers, then each module after its path.
const BUNDLE = [
  "var __defProp = Object.defineProperty;", // 0
  "", // 1
  "// ../../main/node_modules/valibot/dist/index.mjs", // 2
  "// @__NO_SIDE_EFFECTS__", // 3
  "function string() {", // 4
  "}", // 5
  "// src/aws/sigv4.ts", // 6
  "function sha256Hex() {", // 7
  "}", // 8
  "// worker/log.ts", // 9
  "var consoleSink = (line) => console.log(line);", // 10
].join("\n");

describe("bundleModules", () => {
  it("gives each line the module of the path comment before it; other comments are no path", () => {
    const modules = bundleModules(BUNDLE);
    expect(modules).toHaveLength(11);
    expect(modules.slice(0, 2)).toEqual([PREAMBLE, PREAMBLE]);
    expect(modules.slice(2, 6)).toEqual(Array(4).fill("dep:valibot"));
    expect(modules.slice(6, 9)).toEqual(Array(3).fill("src/aws/sigv4.ts"));
    expect(modules[10]).toBe("worker/log.ts");
  });

  it("finds the modules of ours as the suite bundles it (unminified), dependencies by package", async () => {
    const modules = new Set(bundleModules((await bundledWithSourceMap("worker/index.ts")).code));
    expect(modules).toContain("worker/index.ts");
    expect(modules).toContain("worker/log.ts");
    expect(modules).toContain("dep:hono");
    expect([...modules].filter((module) => module.includes("node_modules"))).toEqual([]);
  }, 60_000);
});

// A profile as workerd's inspector returns it: node 1 the root; a JavaScript frame's lineNumber
// 0-based, a native one's -1 with no url.
const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber, scriptId: "0" });
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 4, 5, 6, 7, 8, 11] },
    { id: 2, callFrame: frame("sha256Hex", "ours.js", 7), children: [3] },
    { id: 3, callFrame: frame("digest") },
    { id: 4, callFrame: frame(PROGRAM) },
    { id: 5, callFrame: frame(GARBAGE_COLLECTOR) },
    { id: 6, callFrame: frame("(idle)") },
    // A native function the runtime called with no JavaScript below it (a stream's pull).
    { id: 7, callFrame: frame("enqueue") },
    { id: 8, callFrame: frame("consoleSink", "ours.js", 10), children: [9] },
    // The runtime's own JavaScript (workerd's node compatibility) is not the bundle's.
    { id: 9, callFrame: frame("formatValue", "node-internal:internal_inspect", 12), children: [10] },
    { id: 10, callFrame: frame("log") },
    // Another script's frame with the bundle's line numbers: not the bundle.
    { id: 11, callFrame: frame("string", "other.js", 4) },
  ],
  samples: [3, 3, 2, 4, 5, 6, 6, 7, 10, 8, 9, 11],
  timeDeltas: [100, 200, 200, 300, 200, 5000, 100, 4000, 200, 200, 300, 100],
};

describe("attributeProfile", () => {
  const attribution = attributeProfile(PROFILE, "ours.js", bundleModules(BUNDLE));

  it("counts samples, not time, leaving (idle) out", () => {
    expect(attribution.busy).toBe(10);
    expect(attribution.idle).toBe(2);
    expect([...attribution.modules.values()].reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("charges a native frame (and the runtime's JavaScript) to its nearest caller in the bundle", () => {
    expect(Object.fromEntries(attribution.modules)).toEqual({
      "src/aws/": 3,
      "worker/log.ts": 3,
      [PROGRAM]: 1,
      [GARBAGE_COLLECTOR]: 1,
      [NO_CALLER]: 2,
    });
    expect(Object.fromEntries(attribution.functions)).toEqual({
      "sha256Hex (src/aws/sigv4.ts)": 3,
      "consoleSink (worker/log.ts)": 3,
      [`enqueue ${NO_CALLER}`]: 1,
      // Its line would be valibot's in the bundle: only the bundle's url is read as the bundle.
      [`string ${NO_CALLER}`]: 1,
    });
  });

  it("names a function by its place in the source where a locator finds it, else by its module", () => {
    const located = attributeProfile(PROFILE, "ours.js", bundleModules(BUNDLE), (line) =>
      line === 7 ? "src/aws/sigv4.ts:42" : undefined,
    );
    expect(located.functions.get("sha256Hex (src/aws/sigv4.ts:42)")).toBe(3);
    expect(located.functions.get("consoleSink (worker/log.ts)")).toBe(3);
    expect(located.modules).toEqual(attribution.modules);
  });

  it("says how far apart the busy samples were, by their median", () => {
    // Busy samples' deltas: 100 200 200 300 200 4000 200 200 300 100.
    expect(attribution.medianSpacingUs).toBe(200);
    const { timeDeltas: _, ...withoutDeltas } = PROFILE;
    expect(attributeProfile(withoutDeltas, "ours.js", []).medianSpacingUs).toBeUndefined();
  });

  it("reads a bundle without module comments (Portkey's, minified) as one preamble", () => {
    const whole = attributeProfile(PROFILE, "ours.js", []);
    expect(whole.busy).toBe(10);
    expect(whole.modules.get(PREAMBLE)).toBe(6);
  });

  it("refuses a sample of a node the profile does not have", () => {
    expect(() => attributeProfile({ ...PROFILE, samples: [99] }, "ours.js", [])).toThrow(/node 99/);
  });
});

describe("source maps", () => {
  // Line 0: column 0 from a.ts 0:0. Line 1: nothing. Line 2: column 0 from a.ts 1:0, column 4
  // from a.ts 1:4, column 6 from nowhere. Line 3: column 16 (two digits) from b.ts 0:4.
  const MAP = { sources: ["a.ts", "../../main/node_modules/hono/dist/hono.js"], mappings: "AAAA;;AACA,IAAI,E;gBCDA" };

  it("decodes each line's segments, their fields made absolute", () => {
    expect(decodeMappings(MAP.mappings)).toEqual([
      [[0, 0, 0, 0]],
      [],
      [[0, 0, 1, 0], [4, 0, 1, 4], [6]],
      [[16, 1, 0, 4]],
    ]);
    expect(() => decodeMappings("A!")).toThrow(/not base64/);
    expect(() => decodeMappings("g")).toThrow(/inside a number/);
  });

  it("finds the source of a position by the last segment at or before its column", () => {
    const position = originalPosition(MAP);
    expect(position(2, 5)).toEqual({ source: "a.ts", line: 1 });
    expect(position(2, 3)).toEqual({ source: "a.ts", line: 1 });
    expect(position(2, 7)).toBeUndefined();
    expect(position(1, 0)).toBeUndefined();
    expect(position(9, 0)).toBeUndefined();
  });

  it("names our files by path and line (1-based), a dependency by its package", () => {
    const locate = sourceLocator(MAP);
    expect(locate(2, 5)).toBe("a.ts:2");
    expect(locate(3, 20)).toBe("dep:hono");
  });

  it("finds a function of ours in the bundle the suite makes, at its line in the source", async () => {
    const { code, map } = await bundledWithSourceMap("worker/index.ts");
    const lines = code.split("\n");
    const at = lines.findIndex((line) => line.startsWith("var consoleSink = "));
    expect(at).toBeGreaterThan(0);
    // V8 starts an arrow function at its parameters.
    const column = lines[at]!.indexOf("(line)");
    const source = (await readFile("worker/log.ts", "utf8")).split("\n");
    const line = source.findIndex((text) => text.startsWith("export const consoleSink"));
    expect(sourceLocator(map)(at, column)).toBe(`worker/log.ts:${line + 1}`);
  }, 60_000);
});

describe("largest", () => {
  it("takes the largest first, ties by name", () => {
    const counts = new Map([
      ["b", 2],
      ["a", 2],
      ["c", 5],
      ["d", 1],
    ]);
    expect(largest(counts, 3)).toEqual([
      ["c", 5],
      ["a", 2],
      ["b", 2],
    ]);
  });
});

describe("renderProfile", () => {
  const window = (busy: number, requests: number, modules: Record<string, number>, cpuMs?: number) => ({
    attribution: {
      busy,
      idle: 0,
      modules: new Map(Object.entries(modules)),
      functions: new Map([["f (src/a.ts)", busy]]),
    },
    requests,
    ...(cpuMs === undefined ? {} : { cpuMs }),
  });
  const workers = (timed: boolean): ProfiledWorker[] => [
    {
      name: "ours",
      label: "our Worker",
      plain: window(
        40,
        10,
        { "src/aws/": 20, "worker/log.ts": 12, [PROGRAM]: 6, "dep:hono": 2 },
        timed ? 30 : undefined,
      ),
      stream: window(90, 3, { "src/aws/": 30, "src/eventstream/": 50, [PROGRAM]: 10 }, timed ? 45 : undefined),
    },
    {
      name: "portkey",
      label: "Portkey",
      plain: window(50, 10, {}, timed ? 25 : undefined),
      stream: window(60, 3, {}, timed ? 60 : undefined),
    },
  ];
  const options = { intervalUs: 100, ours: "ours", portkey: "portkey", moduleRows: 3, functionRows: 2 };

  it("prints each Worker's samples a request, ours ÷ Portkey's, and the caveat in the heading", () => {
    const text = renderProfile(workers(false), options).join("\n");
    expect(text).toMatch(/A sample is ~100 µs of JavaScript on the isolate's thread/);
    expect(text).toMatch(/inspector attached, which makes console\.log dearer/);
    expect(text).toMatch(/\| our Worker \|\s+4\.00 \|\s+30\.00 \|/);
    expect(text).toContain("Ours ÷ Portkey's: samples plain 0.80, per stream 1.50.");
    expect(text).not.toMatch(/CPU ms|CPU time/);
  });

  it("adds the CPU time of each window where it was read, and ours ÷ Portkey's in it", () => {
    const text = renderProfile(workers(true), options).join("\n");
    // ours plain: 30 ms over 10 requests, 40 samples over 30 ms.
    expect(text).toMatch(/\| our Worker \|\s+4\.00 \|\s+3\.000 \|\s+1\.33 \|\s+30\.00 \|\s+15\.000 \|\s+2\.00 \|/);
    expect(text).toContain("CPU time plain 1.20, per stream 0.75.");
  });

  it("shows the modules largest in either kind, the rest in one row so each column adds up", () => {
    const lines = renderProfile(workers(false), options);
    const rows = lines.filter((line) => /^\| (src|worker|dep|\(|\d+ other)/.test(line));
    // Shares: eventstream 0 and 55.6%, aws 50% and 33.3%, log 30% and 0, program 15% and 11.1%.
    expect(rows.map((row) => row.split("|")[1]!.trim())).toEqual([
      "src/eventstream/",
      "src/aws/",
      "worker/log.ts",
      "2 other rows",
    ]);
    // (program) and dep:hono: 8 of 40 plain, 10 of 90 streamed.
    expect(rows[3]).toMatch(/0\.800 \|\s+20\.0% \|\s+3\.333 \|\s+11\.1% \|$/);
  });

  it("refuses a report without our Worker", () => {
    expect(() => renderProfile(workers(false).slice(1), options)).toThrow(/no ours/);
  });
});

describe("the profile child", () => {
  // What differs between Node versions (a global WebSocket only under a flag in Node 20) and what
  // the inspector answers: the child as the suite starts it, against ours in workerd.
  it("profiles a Worker through workerd's inspector while it sends its requests", async () => {
    const directory = await mkdtemp(join(tmpdir(), "bench-profile-test-"));
    const emulator = await serveEmulator();
    const upstream = emulator.url;
    const { code: source } = await bundledWithSourceMap("worker/index.ts");
    await writeFile(join(directory, "ours.js"), source);
    const config = join(directory, "profile.capnp");
    await writeFile(
      config,
      workerdConfig(
        [{ name: "ours", module: "ours.js", ...wranglerCompatibility(), bindings: proxyBindings(upstream) }],
        [],
      ),
    );
    const inspector = await freePort();
    const served = spawned(
      WORKERD,
      [...WORKERD_ARGS(config), `--inspector-addr=127.0.0.1:${inspector}`],
      directory,
      "ignore",
    );
    try {
      const ports = await listening(served.child, 1, "workerd", served.stderr);
      const child = await bundleForNode("bench/children/profile.ts", join(directory, "profile.mjs"));
      const out = join(directory, "ours.cpuprofile");
      const { result } = await runChild(
        child,
        [
          `ws://127.0.0.1:${inspector}/ours`,
          "ours",
          `http://127.0.0.1:${ports.get("ours")}`,
          upstream,
          "count=30",
          "stream=0",
          "interval=100",
          `out=${out}`,
        ],
        typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [],
      );
      expect(result).toMatchObject({ requests: 30 });
      const profile = JSON.parse(await readFile(out, "utf8")) as CpuProfile;
      const attribution = attributeProfile(profile, "ours.js", bundleModules(source));
      expect(attribution.busy).toBeGreaterThan(0);
      // Cold, 30 requests of ours run well over a millisecond of its own JavaScript.
      expect([...attribution.modules.keys()].some((module) => /^(src|worker)\//.test(module))).toBe(true);
    } finally {
      await served.stop();
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
