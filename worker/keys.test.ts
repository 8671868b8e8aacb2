import { describe, expect, it } from "vitest";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";
import {
  apiKeySecrets,
  type ClientKey,
  mayCall,
  parseApiKeys,
  problemsFor,
  readClientKeys,
  seesWholeConfiguration,
} from "./keys.ts";

const limiter = { limit: async () => ({ success: true }) };
const namespace = { idFromName: () => ({}), get: () => ({ fetch: async () => new Response() }) };
const MODELS = new Set(["qwen3", "llama"]);

function read(apiKeys: unknown, extra: Record<string, unknown> = {}) {
  const problems: string[] = [];
  const env = {
    PROXY_API_KEYS: "sk-plain-1, sk-plain-2",
    API_KEYS: JSON.stringify(apiKeys),
    RATE_STANDARD: limiter,
    ...extra,
  };
  return { keys: readClientKeys(env, problems, MODELS), problems };
}

describe("client keys", () => {
  it("of API_KEYS are named by their entry, with their limits", () => {
    const { keys, problems } = read(
      {
        "team-a": {
          key: "sk-team-a-0123456789",
          models: ["qwen3"],
          rate_limit: "RATE_STANDARD",
          tokens_per_day: 1000,
          concurrent_streams: 2,
        },
        ops: { key: "sk-ops-0123456789", admin: true },
      },
      // KEY_LIMITS counts tokens_per_day and concurrent_streams: without it, each is a problem.
      { KEY_LIMITS: namespace },
    );
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      {
        name: "team-a",
        key: "sk-team-a-0123456789",
        models: ["qwen3"],
        rateLimit: { binding: "RATE_STANDARD", limiter },
        tokensPerDay: 1000,
        concurrentStreams: 2,
        admin: false,
        entry: 'API_KEYS["team-a"]',
      },
      { name: "ops", key: "sk-ops-0123456789", admin: true, entry: 'API_KEYS["ops"]' },
    ]);
  });

  it("with an empty list of models may call no model (a parked key), nor read the whole configuration", () => {
    const { keys, problems } = read({ parked: { key: "sk-parked-0123456789", models: [] } });
    expect(problems).toEqual([]);
    const parked = keys.find((key) => key.name === "parked");
    expect(parked?.models).toEqual([]);
    expect(parked && ["qwen3", "llama"].map((model) => mayCall(parked, model))).toEqual([false, false]);
    expect(parked && seesWholeConfiguration(parked)).toBe(false);
  });

  it("of API_KEYS are trimmed, as PROXY_API_KEYS' are (a secret put from a file ends in a line break)", () => {
    const { keys, problems } = read({
      fromfile: { key: "sk-fromfile-0123456789\r\n" },
      padded: { key: " sk-pad-0123 " },
    });
    expect(problems).toEqual([]);
    expect(keys.map((key) => key.key)).toEqual(["sk-fromfile-0123456789", "sk-pad-0123"]);
  });

  it("have names of 1 to 64 characters (a long one is a name, not taken for a key)", () => {
    const name64 = `t${"e".repeat(63)}`;
    const name23 = `t${"e".repeat(22)}`;
    const { keys, problems } = read({
      [name23]: { key: "sk-short-name-0123" },
      [name64]: { key: "sk-long-name-0123" },
      "analytics-team-production": { key: "sk-analytics-0123" },
      [`${name64}x`]: { key: "sk-too-long-0123" },
    });
    expect(keys.map((key) => key.name)).toEqual([name23, name64, "analytics-team-production"]);
    expect(problems).toEqual([
      "API_KEYS (entry 4, its name not shown): a key's name must be 1-64 letters, digits or ._:@+- (it is what logs and usage show)",
    ]);
  });

  it("report each bad entry by name and field, never quoting a key, and leave it out", () => {
    const { keys, problems } = read({
      a: { key: "sk-a-secret-value" },
      b: { key: "sk-a-secret-value" },
      c: { key: "sk-c-secret-value", models: ["gpt-4"] },
      d: { key: "sk-d-secret-value", rate_limit: "RATE_MISSING" },
      e: { key: "sk-e-secret-value", tokens_per_day: 0 },
      f: { key: "sk-f-secret-value", concurrent_streams: 1.5 },
      g: { key: "sk-g-secret-value", admin: "yes" },
      h: { key: "" },
      i: { key: "sk-i-secret-value", limit: 5 },
      "proxy-key-0a1b2c3d": { key: "sk-j-secret-value" },
      "bad name!": { key: "sk-k-secret-value" },
      l: "sk-l-secret-value",
      m: { key: "sk-plain-2" },
    });
    expect(keys.map((key) => key.name)).toEqual(["a"]);
    expect(problems).toEqual([
      'API_KEYS["b"]: the same key as a',
      'API_KEYS["c"].models: "gpt-4" is not a MODELS name',
      'API_KEYS["d"].rate_limit: no Rate Limiting binding is named RATE_MISSING ([[ratelimits]] in wrangler.toml)',
      'API_KEYS["e"].tokens_per_day: must be a whole number, at least 1',
      'API_KEYS["f"].concurrent_streams: must be a whole number, at least 1',
      'API_KEYS["g"].admin: must be true or false',
      'API_KEYS (entry 8, its name not shown).key: must be the key, a non-empty string (each entry is "<name>": { "key": "sk-…", … }, and a name is never the key)',
      'API_KEYS["i"].limit: is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
      'API_KEYS["proxy-key-0a1b2c3d"]: proxy-key-<8 hex digits> names a key of PROXY_API_KEYS: give this key another name',
      "API_KEYS (entry 11, its name not shown): a key's name must be 1-64 letters, digits or ._:@+- (it is what logs and usage show)",
      'API_KEYS (entry 12, its name not shown): must be an object like { "key": "sk-…" }',
      'API_KEYS["m"]: the same key as a key of PROXY_API_KEYS',
    ]);
    expect(problems.join("\n")).not.toMatch(/secret-value/);
  });

  it("named like a PROXY_API_KEYS key (proxy-key-<8 hex>) are kept apart as broken: their holders are told the entry is wrong, not that the key is", () => {
    const broken: ClientKey[] = [];
    const problems: string[] = [];
    const API_KEYS = JSON.stringify({ "proxy-key-0123abcd": { key: "sk-collide-0123456789" } });
    expect(readClientKeys({ PROXY_API_KEYS: "sk-plain-1", API_KEYS }, problems, MODELS, broken)).toEqual([]);
    expect(problems).toEqual([
      'API_KEYS["proxy-key-0123abcd"]: proxy-key-<8 hex digits> names a key of PROXY_API_KEYS: give this key another name',
    ]);
    expect(broken.map((key) => key.key)).toEqual(["sk-collide-0123456789"]);
  });

  it("may have a name that only begins like a PROXY_API_KEYS key's", () => {
    const { keys, problems } = read({ "proxy-key-0123abcd-team": { key: "sk-team-0123456789" } });
    expect(problems).toEqual([]);
    expect(keys.map((key) => key.name)).toEqual(["proxy-key-0123abcd-team"]);
  });

  it("name an unknown field in their problem whole, or, when it may be a key, by its length only (secrets46 #4)", () => {
    const { problems } = read({ team: { key: "sk-team-0123456789", ["f".repeat(50)]: 1 } });
    expect(problems).toEqual([
      'API_KEYS["team"]: has a field (a name of 50 characters, not shown) that is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
    ]);
    const old = `sk-${"fedcba9876543210".repeat(4)}`;
    const rotated = read({ team: { key: "sk-team-0123456789", [old]: "revoked" } }).problems;
    expect(rotated).toEqual([
      'API_KEYS["team"]: has a field (a name of 67 characters, not shown) that is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
    ]);
    expect(
      apiKeySecrets({ API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", [old]: "revoked" } }) }),
    ).toEqual(["sk-team-0123456789", old]);
  });

  it("refuse an entry named by a key, its own or another's, or shaped like one, quoting neither (secrets46 #4)", () => {
    const key = `sk-${"0123456789abcdef".repeat(2)}01234567`;
    const problems: string[] = [];
    const broken: ClientKey[] = [];
    const API_KEYS = JSON.stringify({
      [key]: { key },
      team: { key: "sk-team-0123456789" },
      "sk-team-0123456789": { key: "sk-other-0123456789" },
    });
    const keys = readClientKeys({ API_KEYS }, problems, undefined, broken);
    expect(keys.map((entry) => entry.name)).toEqual(["team"]);
    const why =
      "its name is a key (one of the keys given, or sk- and 24 characters or more as keys are), and a name is what logs and usage show: give the entry a name that is no key";
    expect(problems).toEqual([
      `API_KEYS (entry 1, its name not shown): ${why}`,
      `API_KEYS (entry 3, its name not shown): ${why}`,
    ]);
    // Their holders are told the configuration is wrong, by position, never by the key.
    expect(broken.map((entry) => [entry.name, entry.key])).toEqual([
      ["API_KEYS (entry 1, its name not shown)", key],
      ["API_KEYS (entry 3, its name not shown)", "sk-other-0123456789"],
    ]);
    expect(problems.join("\n")).not.toContain("sk-team-0123456789");
    expect(problems.join("\n")).not.toContain(key.slice(0, 8));
  });

  // codereview46 #4: a short name that begins as keys do was refused, and stopped the whole proxy.
  it("keep a short name that begins with sk- (a team's, sk-lab), refusing only a key's shape (codereview46 #4)", () => {
    const problems: string[] = [];
    const API_KEYS = JSON.stringify({
      "sk-lab": { key: "Zq7v0r9T2mXkP4sW8yB1nL6cH3dF5gJ0" },
      "SK-ops": { key: "Adm1n-Kq7v0r9T2mXkP4sW8yB1", admin: true },
      "sk-0123456789abcdefghij": { key: "Wq7v0r9T2mXkP4sW8yB1nL6cH3dF5gJ1" },
      "sk-0123456789abcdefghijk": { key: "Yq7v0r9T2mXkP4sW8yB1nL6cH3dF5gJ2" },
    });
    const keys = readClientKeys({ API_KEYS }, problems);
    expect(keys.map((entry) => entry.name)).toEqual(["sk-lab", "SK-ops", "sk-0123456789abcdefghij"]);
    expect(problems).toEqual([
      "API_KEYS (entry 4, its name not shown): its name is a key (one of the keys given, or sk- and 24 characters or more as keys are), and a name is what logs and usage show: give the entry a name that is no key",
    ]);
    expect(apiKeySecrets({ API_KEYS })).not.toContain("sk-lab");
  });

  // codereview46 #5: a mistyped setting of 24 characters or more was told by its length, and redacted.
  it("name a mistyped setting's field whole, however long, and keep it out of the secrets (codereview46 #5)", () => {
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", concurrent_streams_limit: 2 } });
    expect(read(JSON.parse(API_KEYS)).problems).toEqual([
      'API_KEYS["team"].concurrent_streams_limit: is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
    ]);
    expect(apiKeySecrets({ API_KEYS })).toEqual(["sk-team-0123456789"]);
    // A run of key characters as long, mixed case and digits, may still be a key.
    const random = { team: { key: "sk-team-0123456789", Zq7v0r9T2mXk_P4sW8yB1nL6: 1 } };
    expect(read(random).problems[0]).toContain("has a field (a name of 24 characters, not shown)");
  });

  it("tell a revoked key kept as a field by its length, though it reads as words (sk-local-dev: codereview46c #1)", () => {
    const API_KEYS = JSON.stringify({ team: { key: "sk-team-0123456789", "sk-local-dev": "revoked" } });
    const { problems } = read(JSON.parse(API_KEYS));
    expect(problems).toEqual([
      'API_KEYS["team"]: has a field (a name of 12 characters, not shown) that is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
    ]);
    expect(apiKeySecrets({ API_KEYS })).toEqual(["sk-team-0123456789", "sk-local-dev"]);
  });

  it("never quote a key put in a key's list of models", () => {
    const { problems } = read({ team: { key: "sk-team-a-0123456789", models: ["qwen3", "sk-zzmodels-SECRET-0012"] } });
    expect(problems).toEqual(['API_KEYS["team"].models: [redacted: 23 characters] is not a MODELS name']);
  });

  it("tell an entry with no key by position, never by its name, which may be the key itself", () => {
    // The review's case: API_KEYS keyed by the key.
    const { keys, problems } = read({
      "team-a": { key: "sk-team-a-0123456789" },
      "sk-zzteam-SECRET-0008": { models: ["qwen3"] },
      "team-c": { "sk-zzteam-SECRET-0009": true },
    });
    expect(keys.map((key) => key.name)).toEqual(["team-a"]);
    expect(problems).toEqual([
      'API_KEYS (entry 2, its name not shown).key: must be the key, a non-empty string (each entry is "<name>": { "key": "sk-…", … }, and a name is never the key)',
      "API_KEYS (entry 3, its name not shown): has a field (not shown) that is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin",
      'API_KEYS (entry 3, its name not shown).key: must be the key, a non-empty string (each entry is "<name>": { "key": "sk-…", … }, and a name is never the key)',
    ]);
    expect(problems.join("\n")).not.toMatch(/SECRET|team-c/);
  });

  it("report a name given twice (JSON.parse keeps the last entry), never showing a name that may be the key", () => {
    const problems: string[] = [];
    const keys = readClientKeys(
      {
        API_KEYS:
          '{"team": {"key": "sk-a-0123456789"}, "team": {"key": "sk-b-0123456789"}, ' +
          '"sk-zzteam-SECRET-0011": {"models": []}, "sk-zzteam-SECRET-0011": {"models": []}}',
      },
      problems,
    );
    expect(problems.slice(0, 2)).toEqual([
      'API_KEYS["team"]: the name is given twice, and JSON keeps only the last entry: give each key its own name',
      "API_KEYS: an entry's name (not shown) is given twice, and JSON keeps only the last entry: give each key its own name",
    ]);
    expect(problems.join("\n")).not.toContain("SECRET");
    expect(keys.map((key) => key.name)).toEqual(["team"]);
    // A short name of an entry without a key may be the key too (codereview12 #2).
    const keyless: string[] = [];
    readClientKeys({ API_KEYS: '{"team-blue-7f3a9c": {"models": []}, "team-blue-7f3a9c": {"admin": true}}' }, keyless);
    expect(keyless[0]).toBe(
      "API_KEYS: an entry's name (not shown) is given twice, and JSON keeps only the last entry: give each key its own name",
    );
    expect(keyless.join("\n")).not.toContain("7f3a9c");
  });

  it("never show a repeated name that looks like a key, even when its entry has a key", () => {
    const problems: string[] = [];
    const named = '{"key": "sk-live-0123456789abcdef0123"}';
    readClientKeys(
      { API_KEYS: `{"sk-live-0123456789abcdef0123": ${named}, "sk-live-0123456789abcdef0123": ${named}}` },
      problems,
    );
    expect(problems).toEqual([
      "API_KEYS: an entry's name (not shown) is given twice, and JSON keeps only the last entry: give each key its own name",
      "API_KEYS (entry 1, its name not shown): its name is a key (one of the keys given, or sk- and 24 characters or more as keys are), and a name is what logs and usage show: give the entry a name that is no key",
    ]);
  });

  it("of PROXY_API_KEYS are separated by commas or line breaks (a secret put from a file, one key per line)", () => {
    const keys = (PROXY_API_KEYS: string) => parseApiKeys({ PROXY_API_KEYS });
    expect(keys("sk-one\nsk-two")).toEqual(["sk-one", "sk-two"]);
    expect(keys("sk-one\r\n sk-two \r\n\r\nsk-three,sk-four\n")).toEqual(["sk-one", "sk-two", "sk-three", "sk-four"]);
    // A lone carriage return, as an old Mac's file ends its lines, parts them too.
    expect(keys("sk-one\rsk-two")).toEqual(["sk-one", "sk-two"]);
    // Inner spaces are a key's own, as always.
    expect(keys("sk one, sk-two")).toEqual(["sk one", "sk-two"]);
  });

  it("left out for a problem are kept apart, as what of their entry reads well (tenancy19 #2)", () => {
    const broken: ClientKey[] = [];
    const keys = readClientKeys(
      {
        PROXY_API_KEYS: "sk-plain-1",
        API_KEYS: JSON.stringify({
          good: { key: "sk-good-0123456789" },
          typo: { key: "sk-typo-0123456789", models: ["qwen3"], rate_limit: "RATE_NONE" },
          ops: { key: "sk-ops-0123456789", admin: true, models: "all" },
          twin: { key: "sk-good-0123456789" },
          nokey: { models: [] },
          "bad name": { key: "sk-badname-0123456789" },
        }),
      },
      [],
      MODELS,
      broken,
    );
    expect(keys.map((key) => key.name)).toEqual(["good"]);
    expect(broken).toEqual([
      {
        name: "typo",
        key: "sk-typo-0123456789",
        models: ["qwen3"],
        admin: false,
        entry: 'API_KEYS["typo"]',
        brokenEntry: true,
      },
      { name: "ops", key: "sk-ops-0123456789", models: [], admin: true, entry: 'API_KEYS["ops"]', brokenEntry: true },
      {
        name: "API_KEYS (entry 6, its name not shown)",
        key: "sk-badname-0123456789",
        models: [],
        admin: false,
        entry: "API_KEYS (entry 6, its name not shown)",
        brokenEntry: true,
      },
    ]);
  });

  it("of an API_KEYS that is not valid JSON are still known, by their key members", () => {
    const env = { API_KEYS: '{"a": {"key": "sk-a-0123456789", "models": ["x"]}, "b": {"key" : "sk-b-\\u0030"},}' };
    expect(apiKeySecrets(env)).toEqual(["sk-a-0123456789", "sk-b-0"]);
    const broken: ClientKey[] = [];
    expect(readClientKeys(env, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => [key.key, key.models, key.admin, key.brokenEntry])).toEqual([
      ["sk-a-0123456789", [], false, true],
      ["sk-b-0", [], false, true],
    ]);
  });

  it("of an API_KEYS that is not valid JSON, commented out, are secrets but no tenant's (codereview27 #4)", () => {
    const API_KEYS = [
      "{",
      '  "a": {"note": "https://wiki.example/a", "key": "sk-a-0123456789"},',
      '  // "revoked": {"key": "sk-revoked-0123456789"},',
      '  /* "old": {"key": "sk-old-0123456789"}, */',
      '  "b": {"note": "a \\" // in a string", "key": /* rotated */ "sk-b-0123456789"},',
      "}",
    ].join("\n");
    expect(apiKeySecrets({ API_KEYS })).toEqual([
      "sk-a-0123456789",
      "sk-revoked-0123456789",
      "sk-old-0123456789",
      "sk-b-0123456789",
    ]);
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => key.key)).toEqual(["sk-a-0123456789", "sk-b-0123456789"]);
  });

  it("of an API_KEYS that is not valid JSON for its single quotes: a // or /* in one is no comment (codereview28 #2)", () => {
    const API_KEYS = [
      "{",
      `  "a": {"note": 'https://wiki.example/a', "key": "sk-a-0123456789"},`,
      `  "b": {"models": ['team/*'], "note": 'it\\'s // not a comment', "key": "sk-b-0123456789"},`,
      '  // "revoked": {"key": "sk-revoked-0123456789"},',
      `  "c": {"note": "it's", "key": "sk-c-0123456789"},`,
      "}",
    ].join("\n");
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => key.key)).toEqual(["sk-a-0123456789", "sk-b-0123456789", "sk-c-0123456789"]);
    expect(apiKeySecrets({ API_KEYS })).toEqual([
      "sk-a-0123456789",
      "sk-b-0123456789",
      "sk-revoked-0123456789",
      "sk-c-0123456789",
    ]);
  });

  it("of an API_KEYS written as JSON5 (single quotes, unquoted names) are read as its holders' keys", () => {
    const API_KEYS = [
      "{",
      `  a: {key: 'sk-a-0123456789'},`,
      `  'b': {'key': 'sk-b-it\\'s-"q"-0123'},`,
      `  "c": {key: "sk-c-0123456789"},`,
      "}",
    ].join("\n");
    const keys = ["sk-a-0123456789", `sk-b-it's-"q"-0123`, "sk-c-0123456789"];
    expect(apiKeySecrets({ API_KEYS })).toEqual(keys);
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => key.key)).toEqual(keys);
  });

  it("of an API_KEYS written as JSON5 with a string continued on the next line: a // after the `\\` is no comment (codereview29 #6)", () => {
    for (const quote of ['"', "'"]) {
      for (const lineBreak of ["\n", "\r\n"]) {
        const API_KEYS = [
          "{",
          `  a: {note: ${quote}rotated monthly, see \\`,
          `  https://wiki.example/keys${quote}, key: ${quote}sk-a-0123456789${quote}},`,
          `  // b: {key: ${quote}sk-revoked-0123456789${quote}},`,
          "}",
        ].join(lineBreak);
        const broken: ClientKey[] = [];
        expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
        expect(
          broken.map((key) => key.key),
          API_KEYS,
        ).toEqual(["sk-a-0123456789"]);
        expect(apiKeySecrets({ API_KEYS }), API_KEYS).toEqual(["sk-a-0123456789", "sk-revoked-0123456789"]);
      }
    }
  });

  it("of an API_KEYS written as JSON5 are read through JSON5's escapes: \\' in double quotes, \\x, \\u, \\v, \\0, line continuations (codereview29 #6)", () => {
    const API_KEYS = [
      "{",
      `  a: {key: "sk-it\\'s-0123456789"},`,
      `  b: {key: 'sk-\\x41\\u0042-0123456789'},`,
      `  c: {key: 'sk-c-01234\\\n56789'},`,
      `  d: {key: "sk-d-01234\\\r\n56789"},`,
      `  e: {key: "sk-e-\\q\\/-0123456789"},`,
      `  f: {key: "sk-\\uD83D\\uDE00-\\v\\0-0123456789"},`,
      "}",
    ].join("\n");
    const keys = [
      "sk-it's-0123456789",
      "sk-AB-0123456789",
      "sk-c-0123456789",
      "sk-d-0123456789",
      "sk-e-q/-0123456789",
      "sk-\u{1F600}-\v\0-0123456789",
    ];
    // What JavaScript, whose ES5 grammar JSON5's is, makes of the same text.
    const theirs = new Function(`return (${API_KEYS})`)() as Record<string, { key: string }>;
    expect(Object.values(theirs).map((entry) => entry.key)).toEqual(keys);
    expect(apiKeySecrets({ API_KEYS })).toEqual(keys);
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => key.key)).toEqual(keys);
  });

  it("of an API_KEYS that is not JSON are found in time linear in its length, whatever it holds", async () => {
    // Texts of 30-60 KB, each ending strings, comments or key members early or never: a reading that
    // went back over the text from each place it could start at would take seconds.
    const n = 10_000;
    const texts = [
      `{key: "${"\\\n".repeat(n)}`,
      `{${'key: "\\'.repeat(n)}`,
      `{${"key: 'a\\\r\n".repeat(n)}`,
      `{${"/*".repeat(n)}`,
      `{${`"\\\n'`.repeat(n)}`,
      `{key: "${"\\x4".repeat(n)}"`,
      // A list read to its bracket, whatever is in it (codereview49b #1): strings never closed, # lines.
      `{key: [${'"\\"'.repeat(n)}`,
      `{key: [${"# it's \"old\"\n'sk-x', 7, ".repeat(n / 4)}`,
      `{${'"key":["a" '.repeat(n / 2)}`,
    ];
    const cpuMs = await cpuMsOf(() => {
      for (const API_KEYS of texts) {
        apiKeySecrets({ API_KEYS });
        readClientKeys({ API_KEYS }, [], undefined, []);
      }
    });
    expect(cpuMs).toBeLessThan(2000);
  });

  it("say when API_KEYS is not JSON without quoting it, and when it is not an object", () => {
    // Located, as MODELS is: where it breaks says nothing of what it holds.
    expect(read(undefined, { API_KEYS: '{"a": {"key": "sk-quoted-secret"' }).problems).toEqual([
      "API_KEYS is not valid JSON: it ends too soon, at line 1, column 33 (offset 32)",
    ]);
    // V8's message would quote this one whole: `Unexpected token 's', "{"a": {"key": sk-…"}}" is not valid JSON`.
    expect(read(undefined, { API_KEYS: '{"a": {"key": sk-unquoted-secret}}' }).problems).toEqual([
      "API_KEYS is not valid JSON: it breaks at line 1, column 15 (offset 14)",
    ]);
    expect(read(["sk-x"]).problems).toEqual(['API_KEYS must be a JSON object of key name -> { "key": "…", … }']);
  });

  it("are all known for redaction, even in entries that are wrong", () => {
    const env = { API_KEYS: JSON.stringify({ a: { key: "sk-good" }, b: { key: "sk-in-a-bad-entry", admin: "no" } }) };
    expect(apiKeySecrets(env)).toEqual(["sk-good", "sk-in-a-bad-entry"]);
  });

  it("count as secrets the key-like name of an entry with no key, and an entry that is a string", () => {
    const env = {
      API_KEYS: JSON.stringify({
        named: { key: "sk-good" },
        "sk-zzteam-SECRET-0008": { models: ["qwen3"] },
        "0123456789abcdefABCDEF0123": {},
        "not a name!": {},
        team: "sk-zzteam-SECRET-0010",
      }),
    };
    expect(apiKeySecrets(env)).toEqual([
      "sk-good",
      "sk-zzteam-SECRET-0008",
      "0123456789abcdefABCDEF0123",
      "not a name!",
      "sk-zzteam-SECRET-0010",
    ]);
  });

  it("leave alone the short name of an entry that forgot its key: it names a team or a model, and messages need it", () => {
    const env = { API_KEYS: JSON.stringify({ ops: { key: "sk-ops-0001", admin: true }, qwen: { models: ["qwen"] } }) };
    expect(apiKeySecrets(env)).toEqual(["sk-ops-0001"]);
  });
});

describe("the configuration problems a key is told", () => {
  const problems = [
    'API_KEYS["team-a"].models: "x" is not a MODELS name',
    'API_KEYS["team-b"].rate_limit: no Rate Limiting binding is named RATE_B',
    'MODELS["qwen3"].region: bad',
    'MODELS["llama"].region: bad',
    "API_KEYS is not valid JSON",
  ];
  const tenant = { admin: false, entry: 'API_KEYS["team-a"]', models: ["qwen3"] };

  it("by a tenant's key: those of its own entry, of the models it may call, and of API_KEYS as a whole", () => {
    expect(problemsFor(tenant, problems)).toEqual([problems[0], problems[2], problems[4]]);
  });

  it("by an admin key or a PROXY_API_KEYS key: every one, other tenants' included", () => {
    expect(problemsFor({ ...tenant, admin: true }, problems)).toEqual(problems);
    expect(problemsFor({ admin: false }, problems)).toEqual(problems);
  });
});

// A rotation that overlaps (daytwo49 #3): the new key beside the old in one entry, both the same
// tenant (one name, so one set of limits, one usage history, one log `key`) until the old goes.
describe("an entry's list of keys", () => {
  const NEW = "sk-rot-new-0123456789";
  const OLD = "sk-rot-old-0123456789";

  it("serves every key of the list under the entry's one name and settings", () => {
    const { keys, problems } = read(
      { team: { key: [NEW, OLD], models: ["qwen3"], tokens_per_day: 100 }, other: { key: "sk-other-0123456789" } },
      { KEY_LIMITS: namespace },
    );
    expect(problems).toEqual([]);
    const shared = { name: "team", models: ["qwen3"], tokensPerDay: 100, admin: false, entry: 'API_KEYS["team"]' };
    expect(keys).toEqual([
      { ...shared, key: NEW },
      { ...shared, key: OLD },
      { name: "other", key: "sk-other-0123456789", admin: false, entry: 'API_KEYS["other"]' },
    ]);
  });

  it("of one key reads as the key alone", () => {
    const { keys, problems } = read({ team: { key: [NEW] } });
    expect(problems).toEqual([]);
    expect(keys).toEqual([{ name: "team", key: NEW, admin: false, entry: 'API_KEYS["team"]' }]);
  });

  it("that is empty, holds a non-string or a blank, repeats a key or is too long is a problem that quotes no key", () => {
    const cases: [unknown, string][] = [
      // An entry with no key is told by position, as ever: its name may be the key put in the wrong place.
      [
        [],
        "API_KEYS (entry 1, its name not shown).key: an empty list holds no key: give the key, or a list of up to 4 keys",
      ],
      [
        [NEW, 7],
        'API_KEYS["team"].key: item 2 must be a key, a non-empty string (a list is the keys of one tenant, the new beside the old while clients move)',
      ],
      [
        [NEW, "  "],
        'API_KEYS["team"].key: item 2 must be a key, a non-empty string (a list is the keys of one tenant, the new beside the old while clients move)',
      ],
      [[NEW, OLD, NEW], 'API_KEYS["team"].key: items 1 and 3 are the same key: give each key once'],
      [
        ["sk-a-0123456789", "sk-b-0123456789", "sk-c-0123456789", "sk-d-0123456789", "sk-e-0123456789"],
        'API_KEYS["team"].key: a list of 5 keys; at most 4 (a rotation needs 2: the new and the old)',
      ],
    ];
    for (const [key, problem] of cases) {
      const broken: ClientKey[] = [];
      const problems: string[] = [];
      const env = { API_KEYS: JSON.stringify({ team: { key }, other: { key: "sk-other-0123456789" } }) };
      const keys = readClientKeys(env, problems, MODELS, broken);
      expect(problems, JSON.stringify(key)).toEqual([problem]);
      expect(keys.map((served) => served.name)).toEqual(["other"]);
      // Its holders are told that the configuration is wrong (500), not that their key is (401).
      const strings = (key as unknown[]).filter(
        (item): item is string => typeof item === "string" && item.trim() !== "",
      );
      expect(broken.map((entry) => [entry.name, entry.key, entry.brokenEntry])).toEqual(
        [...new Set(strings)].map((secret) => ["team", secret, true]),
      );
      for (const secret of strings.filter((item) => item.trim() !== "")) {
        expect(problems.join("\n")).not.toContain(secret);
        expect(apiKeySecrets(env)).toContain(secret);
      }
    }
  });

  it("with a key of another entry or of PROXY_API_KEYS is refused, the other keys of its list told the entry is wrong", () => {
    const broken: ClientKey[] = [];
    const problems: string[] = [];
    const env = {
      PROXY_API_KEYS: "sk-plain-0123456789",
      API_KEYS: JSON.stringify({
        a: { key: "sk-a-0123456789" },
        b: { key: [NEW, "sk-a-0123456789"] },
        c: { key: ["sk-plain-0123456789", OLD] },
      }),
    };
    expect(readClientKeys(env, problems, MODELS, broken).map((key) => key.name)).toEqual(["a"]);
    expect(problems).toEqual([
      'API_KEYS["b"].key (item 2): the same key as a',
      'API_KEYS["c"].key (item 1): the same key as a key of PROXY_API_KEYS',
    ]);
    expect(broken.map((key) => [key.name, key.key])).toEqual([
      ["b", NEW],
      ["c", OLD],
    ]);
  });

  it("named like a PROXY_API_KEYS key (proxy-key-<8 hex>) is refused, every key of its list told the entry is wrong (codereview49b #2)", () => {
    const broken: ClientKey[] = [];
    const problems: string[] = [];
    const API_KEYS = JSON.stringify({ "proxy-key-0123abcd": { key: [NEW, OLD] } });
    expect(readClientKeys({ API_KEYS }, problems, MODELS, broken)).toEqual([]);
    expect(problems).toEqual([
      'API_KEYS["proxy-key-0123abcd"]: proxy-key-<8 hex digits> names a key of PROXY_API_KEYS: give this key another name',
    ]);
    expect(broken.map((key) => [key.name, key.key, key.brokenEntry])).toEqual([
      ["proxy-key-0123abcd", NEW, true],
      ["proxy-key-0123abcd", OLD, true],
    ]);
  });

  it("whose name is one of its keys is told by position, quoting neither", () => {
    const { problems } = read({ [OLD]: { key: [NEW, OLD] } });
    expect(problems).toEqual([
      "API_KEYS (entry 1, its name not shown): its name is a key (one of the keys given, or sk- and 24 characters or more as keys are), and a name is what logs and usage show: give the entry a name that is no key",
    ]);
  });

  it("of an API_KEYS that is not valid JSON are still known, each element, to redact and as their holders'", () => {
    const API_KEYS = [
      "{",
      `  "a": {"key": ["${NEW}", '${OLD}'], "models": ["x"]},`,
      `  b: {key: [ // the old one goes on 2026-12-08`,
      `    "sk-b-new-0123456789",`,
      `    /* "sk-b-revoked-0123456789", */ "sk-b-old-0123456789"]},`,
      "}",
    ].join("\n");
    expect(apiKeySecrets({ API_KEYS })).toEqual(
      expect.arrayContaining([NEW, OLD, "sk-b-new-0123456789", "sk-b-old-0123456789", "sk-b-revoked-0123456789"]),
    );
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    expect(broken.map((key) => key.key)).toEqual([NEW, OLD, "sk-b-new-0123456789", "sk-b-old-0123456789"]);
  });

  it("of an API_KEYS that is not valid JSON are found after a # line or a non-string item, up to the list's end (codereview49b #1)", () => {
    const API_KEYS = [
      "{",
      `  "a": {"key": [`,
      `    "sk-a-new-0123456789",`,
      `    # Bob's old one, revoked: 2026-11-30`,
      `    "sk-a-newer-0123456789"], "models": ["qwen3"]},`,
      `  "b": {"key": [7, "sk-b-after-number-0123456789", "sk-b]bracket-0123456789", null, 'sk-b-last-0123456789']},`,
      // A list whose bracket is missing ends where the entry's next member begins: its model is no key.
      `  "c": {"key": ["sk-c-0123456789", "models": ["llama3"]},`,
      "}",
    ].join("\n");
    const listed = [
      "sk-a-new-0123456789",
      "sk-a-newer-0123456789",
      "sk-b-after-number-0123456789",
      "sk-b]bracket-0123456789",
      "sk-b-last-0123456789",
      "sk-c-0123456789",
    ];
    expect(apiKeySecrets({ API_KEYS })).toEqual(expect.arrayContaining(listed));
    // The next member's name is a name, no key (codereview49d #4): "models" stays in messages.
    expect(apiKeySecrets({ API_KEYS })).not.toContain("models");
    expect(apiKeySecrets({ API_KEYS })).not.toContain("llama3");
    const broken: ClientKey[] = [];
    expect(readClientKeys({ API_KEYS }, [], undefined, broken)).toEqual([]);
    // Every key of the lists is its holder's (500), and the list ends at its bracket: "qwen3" is a model.
    expect(broken.map((key) => key.key)).toEqual(listed);
  });
});
