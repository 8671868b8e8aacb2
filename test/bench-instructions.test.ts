/// <reference types="node" />
// The instructions suite's pure parts (bench/lib/callgrind.ts, bench/lib/instruction-counts.ts):
// reading callgrind's dumps, the workerd config it writes, the medians and the floor's
// difference round by round. No valgrind here; the config is served once by workerd itself.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { capnpText, listenedPorts, parseCallgrindDump, workerdConfig } from "../bench/lib/callgrind.ts";
import { countFlags, countRows, millions, perRequest, renderCountTable } from "../bench/lib/instruction-counts.ts";
import { cpuSince, parseSchedstat, threadCpuNs } from "../bench/lib/thread-cpu.ts";

// The head of a real dump (callgrind 3.19, --separate-threads=yes), its cost lines cut.
const DUMP = [
  "# callgrind format",
  "version: 1",
  "creator: callgrind-3.19.0",
  "pid: 28284",
  "cmd:  /work/node_modules/@cloudflare/workerd-linux-64/bin/workerd serve config.capnp --experimental",
  "part: 3",
  "thread: 1",
  "",
  "desc: I1 cache: ",
  "desc: Timerange: Basic block 0 - 17109627",
  "desc: Trigger: dump",
  "",
  "positions: line",
  "events: Ir",
  "summary: 4201518",
  "",
  "ob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6",
  "fn=(1) 0x0000000000028150",
  "0 12",
  "summary: 4201518",
  "totals: 4215462",
  "",
].join("\n");

describe("parseCallgrindDump", () => {
  it("reads the part, the thread and the summary's Ir, not the totals", () => {
    expect(parseCallgrindDump(DUMP)).toEqual({ part: 3, thread: 1, instructions: 4_201_518 });
  });

  it("finds Ir among several events", () => {
    const text = DUMP.replace("events: Ir", "events: Dr Ir Dw").replace(/^summary: .*$/gm, "summary: 7 4201518 9");
    expect(parseCallgrindDump(text).instructions).toBe(4_201_518);
  });

  it("counts a dump without a thread line (threads not separated) as thread 1's", () => {
    expect(parseCallgrindDump(DUMP.replace("thread: 1\n", "")).thread).toBe(1);
  });

  it("refuses what is not a dump, or has no Ir", () => {
    expect(() => parseCallgrindDump("hello")).toThrow(/not a callgrind dump/);
    expect(() => parseCallgrindDump(DUMP.replace("events: Ir", "events: Dr"))).toThrow(/without Ir/);
    expect(() => parseCallgrindDump(DUMP.replace("summary: 4201518\n\nob", "summary: x\n\nob"))).toThrow(/malformed/);
  });
});

describe("capnpText", () => {
  it("escapes quotes, backslashes and line ends", () => {
    expect(capnpText('{"a":"b\\\\c"}\nnext\tcell')).toBe('"{\\"a\\":\\"b\\\\\\\\c\\"}\\nnext\\tcell"');
  });

  it("refuses other control characters", () => {
    expect(() => capnpText("a\u0000b")).toThrow(/control character/);
    expect(() => capnpText("a\rb")).toThrow(/control character/);
  });
});

describe("listenedPorts", () => {
  it("reads each socket's port from workerd's control lines, skipping the rest", () => {
    const lines = [
      '{"event":"listen","socket":"floor","port":40001}',
      "not json",
      '{"event":"listen-inspector","port":9229}',
      '{"event":"listen","socket":"ours","port":40002}',
      "",
    ].join("\n");
    expect([...listenedPorts(lines)]).toEqual([
      ["floor", 40001],
      ["ours", 40002],
    ]);
  });
});

describe("workerdConfig", () => {
  const worker = {
    name: "echo",
    module: "echo.js",
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["enable_request_signal"],
    bindings: { MODELS: '{"llama":"bedrock/llama/x"}', NOTE: 'a "quoted"\\ line\nand another' },
  };

  it("refuses a name that is not an identifier", () => {
    expect(() => workerdConfig([{ ...worker, name: "my-worker" }], [])).toThrow(/not an identifier/);
  });

  it("is a config workerd serves, its bindings' text intact and its V8 flags taken", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bench-instructions-test-"));
    try {
      writeFileSync(
        join(directory, "echo.js"),
        "export default { fetch: (request, env) => Response.json({ models: env.MODELS, note: env.NOTE }) };\n",
      );
      const config = join(directory, "config.capnp");
      writeFileSync(config, workerdConfig([worker], ["--predictable", "--single-threaded"]));
      const workerd = fileURLToPath(new URL("../node_modules/workerd/bin/workerd", import.meta.url));
      const child = spawn(workerd, ["serve", config, "--experimental", "--control-fd=3"], {
        stdio: ["ignore", "ignore", "pipe", "pipe"],
      });
      try {
        let stderr = "";
        (child.stderr as Readable).setEncoding("utf8").on("data", (text: string) => (stderr += text));
        const port = await new Promise<number>((resolve, reject) => {
          let control = "";
          (child.stdio[3] as Readable).setEncoding("utf8").on("data", (text: string) => {
            control += text;
            const found = listenedPorts(control).get("echo");
            if (found !== undefined) resolve(found);
          });
          child.once("exit", (code) => reject(new Error(`workerd exited with ${code}: ${stderr}`)));
        });
        const answer = await fetch(`http://127.0.0.1:${port}/`);
        expect(await answer.json()).toEqual({ models: worker.bindings.MODELS, note: worker.bindings.NOTE });
      } finally {
        child.kill();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("perRequest", () => {
  it("divides the serving thread's count by the window's requests, the others apart", () => {
    const byThread = new Map([
      [1, 180_000_000],
      [2, 1_000],
      [3, 0],
    ]);
    expect(perRequest(byThread, 1, 100)).toEqual({ serving: 1_800_000, others: 10 });
  });

  it("fails when the serving thread has no count", () => {
    expect(() => perRequest(new Map([[2, 5]]), 1, 10)).toThrow(/thread 1/);
  });
});

describe("countRows", () => {
  const floor = { name: "floor", label: "the floor", plain: [900e3, 950e3, 800e3], stream: [1e6, 1e6, 1e6] };
  const ours = { name: "ours", label: "ours", plain: [1.6e6, 1.9e6, 1.7e6], stream: [7e6, 6e6, 8e6] };

  it("gives each Worker's median and range, and its difference from the floor round by round", () => {
    const [floorRow, oursRow] = countRows([floor, ours], "floor");
    expect(floorRow).toEqual({
      name: "floor",
      label: "the floor",
      plain: { median: 900e3, min: 800e3, max: 950e3, runs: 3 },
      stream: { median: 1e6, min: 1e6, max: 1e6, runs: 3 },
    });
    // Rounds: 1.6 − 0.9, 1.9 − 0.95, 1.7 − 0.8: not the difference of the medians (1.7 − 0.9).
    expect(oursRow!.plainOverFloor!.median).toBeCloseTo(0.9e6);
    expect(oursRow!.plainOverFloor!.min).toBeCloseTo(0.7e6);
    expect(oursRow!.plainOverFloor!.max).toBeCloseTo(0.95e6);
    expect(oursRow!.streamOverFloor).toEqual({ median: 6e6, min: 5e6, max: 7e6, runs: 3 });
  });

  it("refuses rounds that do not pair up, or no floor", () => {
    expect(() => countRows([floor, { ...ours, plain: [1e6] }], "floor")).toThrow(/1 rounds against the floor's 3/);
    expect(() => countRows([ours], "floor")).toThrow(/no floor/);
  });
});

describe("the printed table", () => {
  it("shows millions, the median then the range, and nothing over the floor for the floor", () => {
    expect(millions({ median: 1_634_567, min: 1_600_000, max: 1_700_400, runs: 3 })).toBe("1.635 (1.600–1.700)");
    expect(millions({ median: 2e6, min: 2e6, max: 2e6, runs: 1 })).toBe("2.000");
    const lines = renderCountTable(
      countRows(
        [
          { name: "floor", label: "the floor", plain: [0.9e6], stream: [1e6] },
          { name: "ours", label: "our Worker", plain: [1.6e6], stream: [7e6] },
        ],
        "floor",
      ),
    );
    expect(lines).toEqual([
      "| Worker     | plain request | plain, over floor | stream | stream, over floor |",
      "|------------|---------------|-------------------|--------|--------------------|",
      "| the floor  | 0.900         |                   | 1.000  |                    |",
      "| our Worker | 1.600         | 0.700             | 7.000  | 6.000              |",
    ]);
  });
});

describe("countFlags", () => {
  const NESTING = ["floor", "decode", "library", "ours"];
  const M = 1e6;
  // Five rounds around a median, in millions: the first and last set the range.
  const rounds = (low: number, median: number, high: number) => [low, median, median, median, high].map((v) => v * M);
  const LABELS: Record<string, string> = {
    floor: "the floor",
    decode: "our decoding alone",
    library: "the library alone",
    ours: "our Worker",
    portkey: "Portkey",
  };
  const worker = (name: string, plain: number[], stream: number[]) => ({ name, label: LABELS[name]!, plain, stream });
  // The run of codereview43 at 13:17 (default sizes), its medians and ranges.
  const run1317 = [
    worker("floor", rounds(0.459, 0.461, 0.733), rounds(0.627, 0.632, 0.634)),
    worker("decode", rounds(0.505, 0.54, 0.57), rounds(13.047, 13.083, 13.407)),
    worker("library", rounds(0.952, 0.959, 0.994), rounds(5.977, 6.159, 7.999)),
    worker("ours", rounds(1.454, 1.568, 1.584), rounds(6.632, 6.698, 16.23)),
    worker("portkey", rounds(2.055, 2.115, 2.164), rounds(8.658, 9.003, 16.057)),
  ];

  it("flags a Worker counting more than the one that contains it, and a round spread wider than the median", () => {
    const flags = countFlags(countRows(run1317, "floor"), NESTING);
    expect(flags.map(({ reason, kind, workers }) => ({ reason, kind, workers }))).toEqual([
      { reason: "order", kind: "stream", workers: ["decode", "library"] },
      // 16.230 − 6.632 > 6.698; Portkey's 16.057 − 8.658 is not over its 9.003.
      { reason: "spread", kind: "stream", workers: ["ours"] },
    ]);
    expect(flags[0]!.message).toBe(
      "our decoding alone counts 13.083 M a stream, more than the library alone (6.159 M), which does all it does: this run's figures per stream for our decoding alone and the library alone are not comparable; run again",
    );
    expect(flags[1]!.message).toMatch(
      /^the rounds of our Worker per stream range over more than their median \(6\.632–16\.230 M against 6\.698 M\)/,
    );
  });

  it("checks plain requests too, each Worker against the next one in", () => {
    const rows = countRows(
      [
        worker("floor", [0.47 * M], [0.64 * M]),
        worker("decode", [0.51 * M], [5.2 * M]),
        worker("library", [1.7 * M], [5.9 * M]),
        worker("ours", [1.6 * M], [6.6 * M]),
      ],
      "floor",
    );
    expect(countFlags(rows, NESTING).map(({ reason, kind, workers }) => ({ reason, kind, workers }))).toEqual([
      { reason: "order", kind: "plain", workers: ["library", "ours"] },
    ]);
  });

  it("lets a median pass up to the tolerance above the next one's, and a run in order pass", () => {
    const rows = (decodeStream: number) =>
      countRows(
        [
          worker("floor", [0.47 * M], [0.64 * M]),
          worker("decode", [0.51 * M], [decodeStream * M]),
          worker("library", [0.97 * M], [6 * M]),
          worker("ours", [1.6 * M], [6.6 * M]),
          worker("portkey", [2.14 * M], [8.76 * M]),
        ],
        "floor",
      );
    expect(countFlags(rows(6.29), NESTING)).toEqual([]); // 4.8% over the library's
    expect(countFlags(rows(6.31), NESTING)).toHaveLength(1); // 5.2% over
    expect(countFlags(rows(6.31), NESTING, 0.1)).toEqual([]);
    expect(countFlags(rows(5.26), NESTING)).toEqual([]);
  });

  it("takes a range up to the median, and flags the floor's spread like any Worker's", () => {
    const rows = (high: number) =>
      countRows(
        [
          worker("floor", rounds(0.4, 0.46, high), rounds(0.64, 0.64, 0.64)),
          worker("decode", rounds(0.51, 0.51, 0.51), rounds(5.2, 5.2, 5.2)),
        ],
        "floor",
      );
    expect(countFlags(rows(0.86), ["floor", "decode"])).toEqual([]);
    expect(
      countFlags(rows(0.87), ["floor", "decode"]).map(({ reason, kind, workers }) => ({ reason, kind, workers })),
    ).toEqual([{ reason: "spread", kind: "plain", workers: ["floor"] }]);
  });

  it("refuses a nesting naming a Worker the run does not have", () => {
    expect(() => countFlags(countRows(run1317, "floor"), ["floor", "cache"])).toThrow(/no cache among the rows/);
  });
});

describe("the cpu suite's reading of /proc (bench/lib/thread-cpu.ts)", () => {
  it("reads a schedstat line's nanoseconds on a CPU, and refuses what is not one", () => {
    expect(parseSchedstat("1523446870 40213 1907\n")).toBe(1_523_446_870);
    expect(() => parseSchedstat("")).toThrow(/not a schedstat line/);
    expect(() => parseSchedstat("-5 1 1")).toThrow(/not a schedstat line/);
  });

  it("numbers the main thread 1 and the others from 2 in id order, each from its first read", () => {
    const before = new Map([
      [900, 1_000],
      [905, 50],
      [903, 10],
    ]);
    const after = new Map([
      [903, 40],
      [900, 4_000],
      [905, 50],
      // Born during the window: all of its time is the window's.
      [910, 7],
    ]);
    expect(cpuSince(before, after, 900)).toEqual(
      new Map([
        [1, 3_000],
        [2, 30],
        [3, 0],
        [4, 7],
      ]),
    );
    expect(() => cpuSince(before, new Map([[903, 1]]), 900)).toThrow(/main thread 900/);
  });

  it("reads this process's own threads, its main thread among them", () => {
    const own = threadCpuNs(process.pid);
    expect(own.get(process.pid)).toBeGreaterThan(0);
  });

  it("says ms, and spends rather than counts, in a cpu run's flags", () => {
    const rows = countRows(
      [
        { name: "floor", label: "the floor", plain: [0.6e6], stream: [0.9e6] },
        { name: "ours", label: "our Worker", plain: [0.5e6], stream: [5e6] },
      ],
      "floor",
    );
    expect(countFlags(rows, ["floor", "ours"], 0.05, "ms").map((flag) => flag.message)).toEqual([
      "the floor spends 0.600 ms a plain request, more than our Worker (0.500 ms), which does all it does: this run's figures per plain request for the floor and our Worker are not comparable; run again",
    ]);
  });
});
