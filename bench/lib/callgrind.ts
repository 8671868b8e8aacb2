// The pure side of the instructions suite: the workerd config it writes (Cap'n Proto text) and
// what it reads back from callgrind's dumps. No valgrind needed to test these.

/** One thread's count in one callgrind dump (`callgrind.out.<pid>.<part>-<thread>`). */
export interface ThreadCount {
  part: number;
  thread: number;
  /** Instructions executed (event Ir), from the dump's `summary:` line. */
  instructions: number;
}

/**
 * The header of a callgrind dump: its part, its thread and its `summary:` (the dump's total of
 * each event; Ir is the only event collected here). The `totals:` line at the end sums the
 * dump's cost lines and was seen to differ from it by a fraction of a percent: `summary:` is
 * callgrind's own count.
 */
export function parseCallgrindDump(text: string): ThreadCount {
  const field = (name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, "m").exec(text)?.[1]?.trim();
  const events = field("events")?.split(/\s+/);
  const summary = field("summary")?.split(/\s+/);
  if (!events || !summary) throw new Error("not a callgrind dump: no events or summary line");
  const at = events.indexOf("Ir");
  if (at < 0) throw new Error(`callgrind dump without Ir: events ${events.join(" ")}`);
  const instructions = Number(summary[at] ?? "0");
  // With --separate-threads=no there is no thread line: everything is thread 1's.
  const part = Number(field("part") ?? "0");
  const thread = Number(field("thread") ?? "1");
  if (![instructions, part, thread].every(Number.isSafeInteger))
    throw new Error(`callgrind dump with a malformed header: part ${part}, thread ${thread}, Ir ${instructions}`);
  return { part, thread, instructions };
}

/**
 * A Cap'n Proto text literal. Only what a Worker's bindings hold is expected (JSON, URLs, keys):
 * quotes, backslashes and line ends are escaped, other control characters refused rather than
 * guessed at.
 */
export function capnpText(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f)
      throw new Error("capnpText: a control character");
  }
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

export interface ConfigWorker {
  /** The service's and its socket's name (an identifier). */
  name: string;
  /** File name of the bundled module, beside the config file. */
  module: string;
  compatibilityDate: string;
  compatibilityFlags: readonly string[];
  /** Text bindings, as the proxy suite hands them to Miniflare. */
  bindings: Readonly<Record<string, string>>;
}

/**
 * workerd's config (Cap'n Proto text, as `workerd serve <file>` reads it): each Worker on a
 * loopback socket of its own (port 0: workerd says which through --control-fd), its fetches to
 * any address (the emulator is on loopback, which workerd's default network refuses), and
 * `v8Flags` for every isolate.
 */
export function workerdConfig(workers: readonly ConfigWorker[], v8Flags: readonly string[]): string {
  for (const { name } of workers)
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) throw new Error(`workerdConfig: ${name} is not an identifier`);
  const list = (items: readonly string[]) => `[${items.map(capnpText).join(", ")}]`;
  const services = workers.map(({ name }) => `    (name = ${capnpText(name)}, worker = .${name}),`);
  const sockets = workers.map(
    ({ name }) => `    (name = ${capnpText(name)}, address = "127.0.0.1:0", http = (), service = ${capnpText(name)}),`,
  );
  const definitions = workers.map((worker) =>
    [
      `const ${worker.name} :Workerd.Worker = (`,
      `  modules = [(name = ${capnpText(worker.module)}, esModule = embed ${capnpText(worker.module)})],`,
      `  compatibilityDate = ${capnpText(worker.compatibilityDate)},`,
      `  compatibilityFlags = ${list(worker.compatibilityFlags)},`,
      "  bindings = [",
      ...Object.entries(worker.bindings).map(
        ([key, text]) => `    (name = ${capnpText(key)}, text = ${capnpText(text)}),`,
      ),
      "  ],",
      '  globalOutbound = "anywhere",',
      ");",
    ].join("\n"),
  );
  return [
    'using Workerd = import "/workerd/workerd.capnp";',
    "",
    "const config :Workerd.Config = (",
    "  services = [",
    ...services,
    '    (name = "anywhere", network = (allow = ["public", "private", "local"])),',
    "  ],",
    "  sockets = [",
    ...sockets,
    "  ],",
    `  v8Flags = ${list(v8Flags)},`,
    ");",
    "",
    ...definitions,
    "",
  ].join("\n");
}

/** workerd's --control-fd lines: `{"event":"listen","socket":"<name>","port":<n>}` once each socket listens. */
export function listenedPorts(lines: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const line of lines.split("\n")) {
    if (!line.trim()) continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof message !== "object" || message === null) continue;
    const { event, socket, port } = message as { event?: unknown; socket?: unknown; port?: unknown };
    if (event === "listen" && typeof socket === "string" && typeof port === "number") ports.set(socket, port);
  }
  return ports;
}
