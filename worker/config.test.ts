import { describe, expect, it } from "vitest";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "../emulator/credentials.ts";
import { credentialSecrets } from "./deployment-credentials.ts";
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
  parseConfig,
  type ProxyBindings,
  type ProxyConfig,
  type ProxyEnv,
  type ProxyModelEntry,
  readCorsOrigins,
} from "./config.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";
const good = {
  MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}` }),
  PROXY_API_KEYS: "sk-a, sk-b",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
  AWS_SECRET_ACCESS_KEY: "secret/value+that+must+never+be+shown000",
};

function configOf(env: ProxyBindings): ProxyConfig {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(`unexpected problems: ${result.problems.join("; ")}`);
  return result.config;
}

function problems(env: ProxyBindings): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.problems;
}

describe("parseConfig", () => {
  it("sends spans to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else to OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces", () => {
    const traces = "https://api.example.com/otlp/v1/traces";
    expect(configOf({ ...good, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces }).traces?.url).toBe(traces);
    const base = "https://otlp.example.com";
    expect(configOf({ ...good, OTEL_EXPORTER_OTLP_ENDPOINT: base }).traces?.url).toBe(`${base}/v1/traces`);
    expect(
      configOf({ ...good, OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces }).traces?.url,
    ).toBe(traces);
    expect(problems({ ...good, OTEL_EXPORTER_OTLP_ENDPOINT: `${base}/v1/traces` })).toHaveLength(1);
  });

  it("reads the bindings", () => {
    const config = configOf({
      ...good,
      BEDROCK_MAX_RETRIES: "4",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(config.apiKeys).toEqual(["sk-a", "sk-b"]);
    expect(config.maxRetries).toBe(4);
    expect(readCorsOrigins({ ...good, CORS_ORIGINS: "https://a.example, https://b.example" })).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
    expect(config.credentials).toEqual({
      accessKeyId: good.AWS_ACCESS_KEY_ID,
      secretAccessKey: good.AWS_SECRET_ACCESS_KEY,
    });
  });

  it("reports every problem at once, by binding name, never quoting a secret or an ARN", () => {
    const found = problems({
      ...good,
      MODELS: JSON.stringify({ r1: `bedrock/nope/${ARN}` }),
      AWS_SECRET_ACCESS_KEY: undefined,
      BEDROCK_MAX_RETRIES: "lots",
      AWS_REGION: "mars-1",
    });
    expect(found).toHaveLength(5);
    expect(found.join("\n")).toMatch(/MODELS\["r1"\]/);
    expect(found.join("\n")).toMatch(/BEDROCK_MAX_RETRIES/);
    expect(found.join("\n")).toMatch(/AWS_REGION/);
    expect(found.join("\n")).toContain("bedrock/nope/arn:…");
    expect(found.join("\n")).not.toContain("123456789012");
    expect(JSON.stringify(found)).not.toContain(good.AWS_SECRET_ACCESS_KEY);
  });

  it("says what MODELS must be when it is missing or not JSON", () => {
    expect(problems({ ...good, MODELS: undefined })[0]).toMatch(/MODELS is not set/);
    expect(problems({ ...good, MODELS: "{nope" })[0]).toMatch(/MODELS is not valid JSON/);
  });

  it("that is not JSON is located, never quoted: V8's message would quote the text, ARNs and all", () => {
    // An unquoted value: V8 says `Unexpected token 'b', "{"llama": bedrock/…"... is not valid JSON`.
    const unquoted = `{"llama": bedrock/llama/${ARN}}`;
    expect(problems({ ...good, MODELS: unquoted })).toEqual([
      "MODELS is not valid JSON: it breaks at line 1, column 11 (offset 10)",
    ]);
    const cut = `{\n  "llama": "bedrock/llama/${ARN}"`;
    expect(problems({ ...good, MODELS: cut })).toEqual([
      `MODELS is not valid JSON: it ends too soon, at line 2, column ${`  "llama": "bedrock/llama/${ARN}"`.length + 1} (offset ${cut.length})`,
    ]);
  });
});

describe("MODELS' names", () => {
  const qwen = `bedrock/qwen3/${ARN}`;
  const r1 = `bedrock/deepseek_r1/${ARN}`;

  it("given twice are a problem naming them: JSON.parse would keep the last entry and silently drop the first", () => {
    expect(problems({ ...good, MODELS: `{"r1": "${qwen}", "r1": "${r1}"}` })).toEqual([
      'MODELS["r1"]: the name is given twice, and JSON keeps only the last entry: give each entry its own name',
    ]);
    // However the name is spelt in JSON, and once however often it repeats.
    expect(problems({ ...good, MODELS: `{"r1": "${r1}", "\\u0072\\u0031": "${qwen}", "r1": "${r1}"}` })).toEqual([
      'MODELS["r1"]: the name is given twice, and JSON keeps only the last entry: give each entry its own name',
    ]);
  });

  it("an empty MODELS, and a Durable Object binding that is some other object, are problems", () => {
    expect(problems({ ...good, MODELS: "{}" })).toContain("MODELS is empty: name at least one model");
    expect(problems({ ...good, DEPLOYMENT_COOLDOWNS: {} })).toContain(
      "DEPLOYMENT_COOLDOWNS must be a Durable Object binding ([[durable_objects.bindings]] in wrangler.toml)",
    );
  });

  it("__proto__ is refused: it set the table's prototype, and the model vanished while /health said ok", () => {
    const only = `{"__proto__": {"model": "${qwen}"}}`;
    expect(problems({ ...good, MODELS: only })).toEqual([
      'MODELS["__proto__"]: is a name JavaScript keeps for itself: give the model another name',
    ]);
    const beside = `{"r1": "${r1}", "__proto__": {"model": "${qwen}", "max_body_bytes": 99999999}}`;
    const result = parseConfig({ ...good, MODELS: beside });
    expect(result).toMatchObject({
      ok: false,
      problems: ['MODELS["__proto__"]: is a name JavaScript keeps for itself: give the model another name'],
    });
    if (!result.ok) {
      expect(Object.keys(result.models)).toEqual(["r1"]);
      expect(Object.getPrototypeOf(result.models)).toBe(Object.prototype);
    }
  });
});

describe("MODELS as an object (createApp's env)", () => {
  const qwen = `bedrock/qwen3/${ARN}`;
  const west = `bedrock/qwen3/${ARN.replace("us-east-1", "us-west-2")}`;
  const keyBinding = { AWS_BEARER_TOKEN_WEST: "ABSKd2VzdC1iZWFyZXItdG9rZW4tZXhhbXBsZQ" };

  it("is typed as the entries MODELS takes: each kind compiles and is taken", () => {
    const models: ProxyEnv["MODELS"] = {
      plain: qwen,
      single: { model: qwen, template: "qwen3", drop_params: true },
      routed: {
        deployments: [{ model: qwen }, { model: west, api_key: "AWS_BEARER_TOKEN_WEST", weight: 2 }],
        routing: "weighted",
      },
    };
    expect(problems({ ...good, ...keyBinding, MODELS: models })).toEqual([]);
  });

  it("a misspelt setting, or a deployment's key in place of its binding's name, fails to compile (and is refused)", () => {
    const [misspelt] = problems({
      ...good,
      MODELS: {
        demo: {
          model: qwen,
          // @ts-expect-error a misspelt setting
          tempalte: "qwen3",
        },
      },
    });
    expect(misspelt).toMatch(/^MODELS\["demo"\]\.tempalte: tempalte is not a model setting/);
    // Left undefined, a misspelt setting is still one (a setting left undefined is absent).
    const unset = problems({
      ...good,
      MODELS: {
        demo: {
          model: qwen,
          // @ts-expect-error a misspelt setting, even unset
          tempalte: undefined,
          template: undefined,
        },
      },
    });
    expect(unset).toEqual([misspelt]);
    const [key] = problems({
      ...good,
      MODELS: {
        demo: {
          deployments: [
            { model: qwen },
            {
              model: west,
              // @ts-expect-error the library's apiKey: MODELS names the binding that holds a key
              apiKey: keyBinding.AWS_BEARER_TOKEN_WEST,
            },
          ],
        },
      },
    });
    expect(key).toMatch(/^MODELS\["demo"\]\.deployments\[1\]\.apiKey: MODELS names the binding that holds a key/);
  });

  it("an entry's key set to undefined is absent, as in the library: the entry is its own kind, taken as without it", () => {
    const routed = { deployments: [{ model: qwen }] };
    const cases: Array<[ProxyModelEntry, ProxyModelEntry]> = [
      [{ model: qwen, routing: undefined }, { model: qwen }],
      [{ model: qwen, deployments: undefined }, { model: qwen }],
      [{ ...routed, region: undefined }, routed],
      [{ ...routed, model: undefined }, routed],
    ];
    for (const [given, without] of cases) {
      expect(configOf({ ...good, MODELS: { m: given } }).models).toStrictEqual(
        configOf({ ...good, MODELS: { m: without } }).models,
      );
    }
    // @ts-expect-error a region set in an entry with deployments: the type refuses it too
    const [region] = problems({ ...good, MODELS: { m: { ...routed, region: "us-east-1" } } });
    expect(region).toMatch(/^MODELS\["m"\]\.region: region is not a setting of an entry with deployments/);
  });

  it("a deployment's credentials field set to undefined is absent: session_token: undefined is no session token", () => {
    const bindings = { KEY_ID_WEST: "AKIAWESTWESTWESTWEST", SECRET_WEST: "west/secret+that+must+never+be+shown0000" };
    const entry = (sessionToken: { session_token?: string | undefined }): ProxyModelEntry => ({
      deployments: [
        { model: qwen },
        {
          model: west,
          credentials: { access_key_id: "KEY_ID_WEST", secret_access_key: "SECRET_WEST", ...sessionToken },
        },
      ],
    });
    const given = configOf({ ...good, ...bindings, MODELS: { m: entry({ session_token: undefined }) } }).models;
    expect(given).toStrictEqual(configOf({ ...good, ...bindings, MODELS: { m: entry({}) } }).models);
    expect(given.m).toStrictEqual({
      deployments: [
        { model: qwen },
        { model: west, credentials: { accessKeyId: bindings.KEY_ID_WEST, secretAccessKey: bindings.SECRET_WEST } },
      ],
    });
  });
});

describe("CORS_ORIGINS", () => {
  it("is read on its own, whatever else is wrong, an entry that is a URL standing for its origin", () => {
    const broken = { ...good, MODELS: "not json", CORS_ORIGINS: "https://app.example" };
    expect(problems(broken)).not.toEqual([]);
    expect(readCorsOrigins(broken)).toEqual(["https://app.example"]);
    const wrong = { ...good, CORS_ORIGINS: "https://app.example/, app.example/path, *" };
    expect(problems(wrong)).toEqual([
      expect.stringContaining('CORS_ORIGINS: "https://app.example/" is not an origin'),
      expect.stringContaining('CORS_ORIGINS: "app.example/path" is not an origin'),
    ]);
    // The browser at https://app.example then reads the 500 saying what to fix.
    expect(readCorsOrigins(wrong)).toEqual(["https://app.example", "*"]);
    expect(readCorsOrigins(good)).toEqual([]);
  });

  it("with a wildcard in an origin is a problem saying only * alone is supported (the origin matched none)", () => {
    expect(problems({ ...good, CORS_ORIGINS: "https://*.app.example, https://app.example" })).toEqual([
      'CORS_ORIGINS: "https://*.app.example" has a wildcard, and only * alone (every origin) is supported: list each origin',
    ]);
  });
});

describe("AWS_BEARER_TOKEN_BEDROCK beside SigV4 keys", () => {
  it("wins, as AWS's SDKs prefer it: the keys and any session token are not used", () => {
    const config = configOf({
      ...good,
      AWS_SESSION_TOKEN: "IQoJsessiontoken",
      AWS_BEARER_TOKEN_BEDROCK: "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl",
    });
    expect(config.apiKey).toBe("ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl");
    expect(config.credentials).toBeUndefined();
  });
});

describe("BEDROCK_ENDPOINT", () => {
  it("refuses a bare ? or # at its end (an empty query or fragment) as it refuses a query or fragment", () => {
    for (const endpoint of ["https://vpce.example.com/?", "https://vpce.example.com/#"]) {
      expect(problems({ ...good, BEDROCK_ENDPOINT: endpoint }).join("\n"), endpoint).toMatch(
        /^BEDROCK_ENDPOINT: must not carry a query, a fragment \(a bare \? or # included\)/,
      );
    }
  });

  it("is kept without its trailing slash", () => {
    expect(configOf({ ...good, BEDROCK_ENDPOINT: "https://vpce.example.com/" }).endpoint).toBe(
      "https://vpce.example.com",
    );
  });

  it.each([
    ["a query", "https://vpce.example.com/?x=1"],
    ["a fragment", "https://vpce.example.com/#top"],
    ["a bare ?", "https://vpce.example.com/?"],
    ["a bare ? after a path", "https://vpce.example.com/prefix?"],
    ["a bare #", "https://vpce.example.com/#"],
    ["user info", "https://user:pass@vpce.example.com"],
    ["another protocol", "ftp://vpce.example.com"],
    ["no URL at all", "vpce.example.com"],
  ])("with %s is a problem naming it, as the client would refuse it on every call", (_, endpoint) => {
    const found = problems({ ...good, BEDROCK_ENDPOINT: endpoint });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^BEDROCK_ENDPOINT: /);
    expect(found[0]).not.toContain("pass");
  });
});

describe("AWS_REGION and the models' ARNs", () => {
  const WEST = "arn:aws:bedrock:us-west-2:123456789012:imported-model/west";

  it("a model whose ARN is in another region is a problem naming it and both regions", () => {
    const found = problems({
      ...good,
      AWS_REGION: "us-east-1",
      MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}`, west: `bedrock/llama/${WEST}` }),
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^MODELS\["west"\]: /);
    expect(found[0]).toContain("us-west-2");
    expect(found[0]).toContain("AWS_REGION is us-east-1");
    expect(found[0]).not.toContain("123456789012");
  });

  it("every ARN region is fine without AWS_REGION, and a model with its own region is not AWS_REGION's", () => {
    expect(
      problems({
        ...good,
        MODELS: JSON.stringify({ r1: `bedrock/deepseek_r1/${ARN}`, west: `bedrock/llama/${WEST}` }),
      }),
    ).toEqual([]);
    const own = {
      west: { model: `bedrock/llama/${WEST}`, region: "us-west-2" },
      plain: "bedrock/openai/us-west-2/some-model-id",
    };
    expect(problems({ ...good, AWS_REGION: "us-east-1", MODELS: JSON.stringify(own) })).toEqual([]);
  });

  it("a bare model id (no ARN, no region of its own) needs AWS_REGION", () => {
    const models = JSON.stringify({
      claude: "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
      nova: { model: "bedrock/converse/amazon.nova-pro-v1:0", region: "eu-west-1" },
    });
    expect(problems({ ...good, MODELS: models })).toEqual([
      'MODELS["claude"]: us.anthropic.claude-sonnet-4-20250514-v1:0 names no region: set AWS_REGION, or this entry\'s "region"',
    ]);
    expect(problems({ ...good, AWS_REGION: "us-west-2", MODELS: models })).toEqual([]);
  });

  // codereview46 #3: the id was cut to 200 characters, through a key pasted there.
  it("a bare model id past 200 characters is told by its length, never cut", () => {
    const id = `amazon.${"k".repeat(250)}`;
    const [problem] = problems({ ...good, MODELS: JSON.stringify({ long: `bedrock/converse/${id}` }) });
    expect(problem).toBe(
      `MODELS["long"]: a model id of ${id.length} characters names no region: set AWS_REGION, or this entry's "region"`,
    );
  });
});

describe("an access key id that cannot sign a call (firsthour22 #2, #9)", () => {
  const NOT_SHAPED =
    "AWS_ACCESS_KEY_ID is not shaped like an AWS access key id (16-128 letters, digits or underscores, AKIA… or ASIA…): is it still a placeholder?";
  const TEMPORARY =
    "AWS_ACCESS_KEY_ID is a temporary key (ASIA…) but AWS_SESSION_TOKEN is not set: without its session token it signs no valid call";

  it(".dev.vars.example's placeholders, or any id not shaped like one, are a problem that never quotes it", () => {
    for (const id of ["AKIA...", "AKIA1", "AKIA-EXAMPLE-EXAMPLE1", "AKIA EXAMPLE EXAMPLE", `AKIA${"X".repeat(125)}`]) {
      const found = problems({ ...good, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: "..." });
      expect(found, id).toEqual([NOT_SHAPED]);
    }
  });

  it("of IAM's bounds, 16 and 128 characters, passes; of 15 or 129 is a problem", () => {
    for (const length of [16, 128]) {
      const id = `AKIA${"X".repeat(length - 4)}`;
      expect(problems({ ...good, AWS_ACCESS_KEY_ID: id }), `${length}`).toEqual([]);
    }
    for (const length of [15, 129]) {
      const id = `AKIA${"X".repeat(length - 4)}`;
      expect(problems({ ...good, AWS_ACCESS_KEY_ID: id }), `${length}`).toEqual([NOT_SHAPED]);
    }
  });

  it("a temporary (ASIA…) key without AWS_SESSION_TOKEN is a problem; with it, none", () => {
    const temporary = { ...good, AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE12" };
    expect(problems(temporary)).toEqual([TEMPORARY]);
    expect(problems({ ...temporary, AWS_SESSION_TOKEN: "token" })).toEqual([]);
    // And the token is the one that signs, beside the keys.
    expect(configOf({ ...temporary, AWS_SESSION_TOKEN: " token " }).credentials).toEqual({
      accessKeyId: "ASIAEXAMPLEEXAMPLE12",
      secretAccessKey: good.AWS_SECRET_ACCESS_KEY,
      sessionToken: "token",
    });
  });

  it("the emulator's test credentials (and npm start's, which are they) and AWS's own example id pass", () => {
    expect(
      problems({
        ...good,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      }),
    ).toEqual([]);
    const session = EMULATOR_SESSION_CREDENTIALS;
    expect(
      problems({
        ...good,
        AWS_ACCESS_KEY_ID: session.accessKeyId,
        AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
        AWS_SESSION_TOKEN: session.sessionToken,
      }),
    ).toEqual([]);
    expect(problems({ ...good, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" })).toEqual([]);
  });

  it("checked only when it signs for AWS itself: not for a BEDROCK_ENDPOINT elsewhere (LocalStack, a test double) (codereview28 #4)", () => {
    for (const BEDROCK_ENDPOINT of ["http://localhost:4566", "https://bedrock.test.example"]) {
      for (const id of ["test", "AKIDEXAMPLE", "ASIAEXAMPLEEXAMPLE12"]) {
        expect(
          problems({ ...good, BEDROCK_ENDPOINT, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: "test" }),
          id,
        ).toEqual([]);
      }
    }
    for (const BEDROCK_ENDPOINT of [
      "https://bedrock-runtime.us-east-1.amazonaws.com",
      "https://vpce-0123-abcd.bedrock-runtime.us-east-1.vpce.amazonaws.com",
      "https://bedrock-runtime.cn-north-1.amazonaws.com.cn",
      // Other partitions' hosts, a dual-stack one, and one written with the DNS root's dot (codereview29 #5).
      "https://bedrock-runtime.eusc-de-east-1.amazonaws.eu",
      "https://bedrock-runtime.us-iso-east-1.c2s.ic.gov",
      "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov",
      "https://bedrock-runtime.us-east-1.api.aws",
      "https://bedrock-runtime.us-east-1.amazonaws.com.",
      // Its host is what is read, not the URL's text: a port or a path does not make it another server.
      "https://bedrock-runtime.us-east-1.amazonaws.com/",
      "https://bedrock-runtime.us-east-1.amazonaws.com:443",
    ]) {
      expect(problems({ ...good, BEDROCK_ENDPOINT, AWS_ACCESS_KEY_ID: "test" }), BEDROCK_ENDPOINT).toEqual([
        NOT_SHAPED,
      ]);
      expect(problems({ ...good, BEDROCK_ENDPOINT, AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE12" })).toEqual([TEMPORARY]);
    }
  });

  it("still checked beside a BEDROCK_ENDPOINT that is no URL, so that both problems are told at once", () => {
    for (const BEDROCK_ENDPOINT of ["not a url", "bedrock-runtime.us-east-1.amazonaws.com"]) {
      const found = problems({ ...good, BEDROCK_ENDPOINT, AWS_ACCESS_KEY_ID: "AKIA..." });
      expect(found, BEDROCK_ENDPOINT).toContain(NOT_SHAPED);
      expect(found.join("\n"), BEDROCK_ENDPOINT).toMatch(/^BEDROCK_ENDPOINT: .* is not a URL/m);
    }
  });

  it("an id unused beside AWS_BEARER_TOKEN_BEDROCK (the key the proxy signs with) is not checked", () => {
    expect(problems({ ...good, AWS_ACCESS_KEY_ID: "AKIA...", AWS_BEARER_TOKEN_BEDROCK: EMULATOR_API_KEY })).toEqual([]);
  });

  it("a deployment's own credentials are checked the same, naming the field and the binding, never the value", () => {
    const WEST = "arn:aws:bedrock:us-west-2:210987654321:imported-model/west";
    const credentials = { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" };
    const found = (keyId: string, extra: Record<string, string> = {}) => {
      const west = {
        AWS_ACCESS_KEY_ID_WEST: keyId,
        AWS_SECRET_ACCESS_KEY_WEST: "west/secret+that+must+never+be+shown0000",
        ...extra,
      };
      return problems({
        ...good,
        ...west,
        MODELS: JSON.stringify({
          q: {
            deployments: [
              { model: `bedrock/qwen3/${ARN}` },
              {
                model: `bedrock/qwen3/${WEST}`,
                credentials: extra.AWS_SESSION_TOKEN_WEST
                  ? { ...credentials, session_token: "AWS_SESSION_TOKEN_WEST" }
                  : credentials,
              },
            ],
          },
        }),
      });
    };
    const at = 'MODELS["q"].deployments[1].credentials';
    expect(found("AKIA...")).toEqual([
      `${at}.access_key_id: the binding AWS_ACCESS_KEY_ID_WEST is not shaped like an AWS access key id (16-128 letters, digits or underscores, AKIA… or ASIA…): is it still a placeholder?`,
    ]);
    expect(found("ASIAWESTWESTWESTWEST")).toEqual([
      `${at}.access_key_id: the binding AWS_ACCESS_KEY_ID_WEST is a temporary key (ASIA…) but ${at}.session_token is not set: without its session token it signs no valid call`,
    ]);
    expect(found("ASIAWESTWESTWESTWEST", { AWS_SESSION_TOKEN_WEST: "token" })).toEqual([]);
    expect(JSON.stringify(found("ASIAWESTWESTWESTWEST"))).not.toContain("ASIAWESTWESTWESTWEST");
    // Signing for another server than AWS (codereview28 #4): not checked.
    expect(found("test", { BEDROCK_ENDPOINT: "http://localhost:4566" })).toEqual([]);
    expect(found("ASIAWESTWESTWESTWEST", { BEDROCK_ENDPOINT: "http://localhost:4566" })).toEqual([]);
  });
});

describe("MODELS entries with several deployments", () => {
  const WEST = "arn:aws:bedrock:us-west-2:210987654321:imported-model/west";
  const west = {
    AWS_ACCESS_KEY_ID_WEST: "AKIAWESTWESTWESTWEST",
    AWS_SECRET_ACCESS_KEY_WEST: "west/secret+that+must+never+be+shown0000",
    AWS_BEARER_TOKEN_WEST: "ABSKd2VzdC1iZWFyZXItdG9rZW4tZXhhbXBsZQ",
  };
  const env = (entry: unknown): ProxyBindings => ({ ...good, ...west, MODELS: JSON.stringify({ q: entry }) });
  const first = { model: `bedrock/qwen3/${ARN}` };

  it("take a deployment's credentials from the bindings it names", () => {
    const config = configOf(
      env({
        deployments: [
          first,
          {
            model: `bedrock/qwen3/${WEST}`,
            credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" },
          },
          { model: `bedrock/qwen3/${WEST.replace("west", "other")}`, api_key: "AWS_BEARER_TOKEN_WEST" },
        ],
        routing: "failover",
      }),
    );
    expect(config.models.q).toEqual({
      deployments: [
        first,
        {
          model: `bedrock/qwen3/${WEST}`,
          credentials: { accessKeyId: west.AWS_ACCESS_KEY_ID_WEST, secretAccessKey: west.AWS_SECRET_ACCESS_KEY_WEST },
        },
        { model: `bedrock/qwen3/${WEST.replace("west", "other")}`, apiKey: west.AWS_BEARER_TOKEN_WEST },
      ],
      routing: "failover",
    });
  });

  it("name a missing or misnamed binding, never a value, and never take a key in MODELS itself", () => {
    const found = (deployment: Record<string, unknown>) =>
      problems(env({ deployments: [first, { model: `bedrock/qwen3/${WEST}`, ...deployment }] }));
    expect(found({ credentials: { access_key_id: "NOPE", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" } })).toEqual([
      'MODELS["q"].deployments[1].credentials.access_key_id: the binding NOPE is not set (a Worker secret: wrangler secret put NOPE; elsewhere an environment variable)',
    ]);
    expect(found({ credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST" } })[0]).toMatch(
      /^MODELS\["q"\]\.deployments\[1\]\.credentials: must be \{ "access_key_id"/,
    );
    expect(found({ credentials: { access_key: "AWS_ACCESS_KEY_ID_WEST" } })[0]).toMatch(
      /^MODELS\["q"\]\.deployments\[1\]\.credentials\.access_key: is not a credentials field/,
    );
    expect(found({ api_key: "has spaces" })).toEqual([
      'MODELS["q"].deployments[1].api_key: must be the name of a binding',
    ]);
    expect(found({ apiKey: west.AWS_BEARER_TOKEN_WEST })[0]).toMatch(
      /apiKey: MODELS names the binding that holds a key/,
    );
    expect(found({ credentials: { accessKeyId: "AKIAWESTWESTWESTWEST", secretAccessKey: "s" } })[0]).toMatch(
      /credentials\.accessKeyId: is not a credentials field/,
    );
    const all = JSON.stringify([
      found({ credentials: { access_key_id: "NOPE", secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" } }),
      found({ apiKey: west.AWS_BEARER_TOKEN_WEST }),
    ]);
    for (const secret of Object.values(west)) expect(all).not.toContain(secret);
  });

  it("never quote a secret put where a binding's name belongs, but still name the field and the fix", () => {
    const found = (deployment: Record<string, unknown>) =>
      problems(env({ deployments: [first, { model: `bedrock/qwen3/${WEST}`, ...deployment }] }));
    // The values themselves, as the review found them quoted: none names a binding that is set.
    const pasted = {
      bedrockApiKey: "ABSKzzWESTBEARERSECRET0005",
      accessKeyId: "AKIAZZWESTSECRET0003",
      // A secret access key with no "/" or "+" in it passes for a binding's name.
      secretKey: "wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRET0007",
    };
    const withheld =
      /: names no binding that is set, and looks like a secret itself \(so it is not repeated here\): put the secret in a binding \(a Worker secret: wrangler secret put <NAME>; elsewhere an environment variable\) and give that NAME here$/;
    const answers = [
      found({ api_key: pasted.bedrockApiKey }),
      found({ credentials: { access_key_id: pasted.accessKeyId, secret_access_key: "AWS_SECRET_ACCESS_KEY_WEST" } }),
      found({ credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: pasted.secretKey } }),
    ];
    expect(answers).toEqual([
      [expect.stringMatching(/^MODELS\["q"\]\.deployments\[1\]\.api_key: names no binding/)],
      [expect.stringMatching(/^MODELS\["q"\]\.deployments\[1\]\.credentials\.access_key_id: names no binding/)],
      [expect.stringMatching(/^MODELS\["q"\]\.deployments\[1\]\.credentials\.secret_access_key: names no binding/)],
    ]);
    for (const [problem] of answers) expect(problem).toMatch(withheld);
    for (const secret of Object.values(pasted)) expect(JSON.stringify(answers)).not.toContain(secret);
    // A name that reads as a name is still quoted, with the command that sets it.
    expect(found({ api_key: "bedrock_key_west" })).toEqual([
      'MODELS["q"].deployments[1].api_key: the binding bedrock_key_west is not set (a Worker secret: wrangler secret put bedrock_key_west; elsewhere an environment variable)',
    ]);
  });

  it("refuse a binding that is one of the proxy's own settings, and keep its value out of the secrets (codereview50c #2)", () => {
    const found = (deployment: Record<string, unknown>, extra: Partial<ProxyBindings> = {}) =>
      problems({ ...env({ deployments: [first, { model: `bedrock/qwen3/${WEST}`, ...deployment }] }), ...extra });
    const at = 'MODELS["q"].deployments[1]';
    expect(
      found(
        { credentials: { access_key_id: "AWS_ACCESS_KEY_ID_WEST", secret_access_key: "AWS_REGION" } },
        { AWS_REGION: "us-east-1" },
      ),
    ).toEqual([
      `${at}.credentials.secret_access_key: AWS_REGION is one of the proxy's own settings, not a binding that holds a credential: name the binding of this deployment's own secret`,
    ]);
    expect(found({ api_key: "MAX_BODY_BYTES" }, { MAX_BODY_BYTES: "1000000" })).toEqual([
      `${at}.api_key: MAX_BODY_BYTES is one of the proxy's own settings, not a binding that holds a credential: name the binding of this deployment's own secret`,
    ]);
    expect(found({ api_key: "API_KEYS" }, { API_KEYS: JSON.stringify({ a: { key: "sk-abcdefghijklmnop" } }) })).toEqual(
      [
        `${at}.api_key: API_KEYS is one of the proxy's own settings, not a binding that holds a credential: name the binding of this deployment's own secret`,
      ],
    );
    // The Node, Deno and Bun servers' own settings too (codereview51 U-04).
    expect(found({ api_key: "PORT" }, { PORT: "8787" } as Partial<ProxyBindings>)).toEqual([
      `${at}.api_key: PORT is one of the proxy's own settings, not a binding that holds a credential: name the binding of this deployment's own secret`,
    ]);
    // The proxy's own credentials are credentials: a deployment may name them.
    expect(
      found({ api_key: "AWS_BEARER_TOKEN_BEDROCK" }, { AWS_BEARER_TOKEN_BEDROCK: "ABSKb3duLWJlYXJlci10b2tlbg" }),
    ).toEqual([]);
    // Naming a setting does not make its value a secret to cut from messages.
    const models = JSON.stringify({
      q: { deployments: [first, { model: `bedrock/qwen3/${WEST}`, api_key: "AWS_REGION" }] },
    });
    expect(credentialSecrets(models, { AWS_REGION: "us-east-1", MODELS: models })).toEqual([]);
  });

  it("check each deployment's ARN against AWS_REGION, naming the deployment", () => {
    const found = problems({
      ...env({ deployments: [first, { model: `bedrock/qwen3/${WEST}` }] }),
      AWS_REGION: "us-east-1",
    });
    expect(found).toEqual([
      'MODELS["q"].deployments[1]: its ARN is in us-west-2 but AWS_REGION is us-east-1 (a model ARN can only be called in its own region: give it region "us-west-2")',
    ]);
    expect(
      problems({
        ...env({ deployments: [first, { model: `bedrock/qwen3/${WEST}`, region: "us-west-2" }] }),
        AWS_REGION: "us-east-1",
      }),
    ).toEqual([]);
  });

  it("every *_MS binding is refused beyond the longest a timer can wait, naming it (a longer timer fires at once)", () => {
    const bindings = [
      "UPSTREAM_TIMEOUT_MS",
      "IDLE_TIMEOUT_MS",
      "MODEL_READY_TIMEOUT_MS",
      "BEDROCK_RETRY_BASE_DELAY_MS",
      "SSE_KEEPALIVE_MS",
      "DEPLOYMENT_COOLDOWN_MS",
    ] as const;
    for (const name of bindings) {
      expect(problems({ ...good, [name]: "3000000000" }), name).toEqual([
        `${name} must be at most 2147483647 ms (about 24.8 days, the longest a timer can wait), got "3000000000"`,
      ]);
      expect(problems({ ...good, [name]: 2 ** 31 }), name).toHaveLength(1);
      expect(problems({ ...good, [name]: String(2 ** 31 - 1) }), name).toEqual([]);
    }
    expect(configOf({ ...good, UPSTREAM_TIMEOUT_MS: "2147483647" }).timeoutMs).toBe(2 ** 31 - 1);
  });

  it("a number binding that is only whitespace is unset, its default, never 0 (no retries, no wait for a cold model)", () => {
    for (const blank of [" ", "\n", "\t", " \r\n "]) {
      const config = configOf({
        ...good,
        BEDROCK_MAX_RETRIES: blank,
        MODEL_READY_TIMEOUT_MS: blank,
        BEDROCK_RETRY_BASE_DELAY_MS: blank,
        DEPLOYMENT_COOLDOWN_MS: blank,
        UPSTREAM_TIMEOUT_MS: blank,
        IDLE_TIMEOUT_MS: blank,
        SSE_KEEPALIVE_MS: blank,
        MAX_BODY_BYTES: blank,
        MAX_BODY_BYTES_IN_FLIGHT: blank,
      });
      expect(config).toMatchObject({
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
        maxBodyBytesInFlight: DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
      });
      for (const field of [
        "maxRetries",
        "modelReadyTimeoutMs",
        "retryBaseDelayMs",
        "cooldownMs",
        "timeoutMs",
        "idleTimeoutMs",
        "keepAliveMs",
      ] as const)
        expect(config[field], `${field} ${JSON.stringify(blank)}`).toBeUndefined();
    }
  });

  it("a number binding is decimal digits, spaces around them allowed; any other form Number reads is refused by name (numbers43 #6)", () => {
    // Each number binding and its least value.
    const numbers: Record<string, number> = {
      BEDROCK_MAX_RETRIES: 0,
      MAX_BODY_BYTES: 1024,
      MAX_BODY_BYTES_IN_FLIGHT: 1024,
      UPSTREAM_TIMEOUT_MS: 1,
      IDLE_TIMEOUT_MS: 1,
      MODEL_READY_TIMEOUT_MS: 0,
      BEDROCK_RETRY_BASE_DELAY_MS: 0,
      SSE_KEEPALIVE_MS: 10,
      DEPLOYMENT_COOLDOWN_MS: 0,
    };
    for (const [name, min] of Object.entries(numbers)) {
      for (const value of ["0x10", "1e3", "0b101", "0o17", "+5", "5.", ".5e1", "2048.0", "-0", "1_000"]) {
        expect(problems({ ...good, [name]: value }), `${name} ${value}`).toEqual([
          `${name} must be an integer >= ${min} in decimal digits, got "${value}"`,
        ]);
      }
      expect(problems({ ...good, [name]: " 2048 " }), name).toEqual([]);
      // The least value itself is taken.
      expect(problems({ ...good, [name]: String(min) }), `${name} ${min}`).toEqual([]);
    }
    expect(configOf({ ...good, BEDROCK_MAX_RETRIES: " 3\n" }).maxRetries).toBe(3);
    expect(configOf({ ...good, MAX_BODY_BYTES: "0002048" }).maxBodyBytes).toBe(2048);
  });

  it("MAX_BODY_BYTES past 8 MiB is refused by name, its value quoted, saying what to set: one request cannot hold more in a Worker's isolate (bounds48, codereview48b #3)", () => {
    expect(configOf({ ...good, MAX_BODY_BYTES: "8388608" }).maxBodyBytes).toBe(8_388_608);
    for (const value of ["8388609", "12582912", "16777216", "536870912"]) {
      expect(problems({ ...good, MAX_BODY_BYTES: value })).toEqual([
        `MAX_BODY_BYTES must be at most 8388608 (8 MiB, the most one request may hold in a Worker's 128 MB), got "${value}": set it to 8388608 or less (earlier versions took more); a body larger than that, its media too, is refused with a 413.`,
      ]);
    }
    // The old docs' example: a vision model allowed 16 MiB.
    const vision = JSON.stringify({ v: { model: JSON.parse(good.MODELS as string).r1, max_body_bytes: 16_777_216 } });
    expect(problems({ ...good, MODELS: vision }).join("\n")).toMatch(
      /MODELS\["v"\]\.max_body_bytes: max_body_bytes must be a whole number of bytes, at least 1024, at most 8388608 \(8 MiB, .*\): set it to 8388608 or less \(earlier versions took more\); a body larger than that, its media too, is refused with a 413 \(got 16777216\)/,
    );
  });

  it("MAX_BODY_BYTES_IN_FLIGHT is the request-body bytes an isolate holds at once: 12 MiB unless set, at least 1024", () => {
    expect(DEFAULT_MAX_BODY_BYTES_IN_FLIGHT).toBe(12_582_912);
    expect(configOf(good).maxBodyBytesInFlight).toBe(DEFAULT_MAX_BODY_BYTES_IN_FLIGHT);
    expect(configOf({ ...good, MAX_BODY_BYTES_IN_FLIGHT: "65536" }).maxBodyBytesInFlight).toBe(65_536);
    expect(configOf({ ...good, MAX_BODY_BYTES_IN_FLIGHT: 33_554_432 }).maxBodyBytesInFlight).toBe(33_554_432);
    expect(problems({ ...good, MAX_BODY_BYTES_IN_FLIGHT: "1023" })).toEqual([
      'MAX_BODY_BYTES_IN_FLIGHT must be an integer >= 1024 in decimal digits, got "1023"',
    ]);
    expect(problems({ ...good, MAX_BODY_BYTES_IN_FLIGHT: "12 MiB" })).toEqual([
      'MAX_BODY_BYTES_IN_FLIGHT must be an integer >= 1024 in decimal digits, got "12 MiB"',
    ]);
  });

  it("DEPLOYMENT_COOLDOWN_MS is read as a number of milliseconds", () => {
    expect(configOf({ ...good, DEPLOYMENT_COOLDOWN_MS: "2500" }).cooldownMs).toBe(2500);
    expect(problems({ ...good, DEPLOYMENT_COOLDOWN_MS: "soon" })[0]).toMatch(/^DEPLOYMENT_COOLDOWN_MS must be/);
  });
});

describe("API_KEYS", () => {
  it("are checked against MODELS, and a counted limit needs KEY_LIMITS to count it", () => {
    const apiKeys = JSON.stringify({
      team: { key: "sk-team-0123456789", models: ["r1"], tokens_per_day: 100 },
      other: { key: "sk-other-0123456789", models: ["nope"] },
    });
    expect(problems({ ...good, API_KEYS: apiKeys })).toEqual([
      'API_KEYS["other"].models: "nope" is not a MODELS name',
      'API_KEYS["team"].tokens_per_day needs the KEY_LIMITS Durable Object binding, which counts it',
    ]);
    const namespace = { idFromName: () => ({}), get: () => ({ fetch: async () => new Response() }) };
    const config = configOf({
      ...good,
      KEY_LIMITS: namespace,
      API_KEYS: JSON.stringify({ team: { key: "sk-team-0123456789", concurrent_streams: 2 } }),
    });
    expect(config.keys.map((key) => key.name)).toEqual(["team"]);
    expect(problems({ ...good, KEY_LIMITS: "not a binding" })).toEqual([
      "KEY_LIMITS must be a Durable Object binding ([[durable_objects.bindings]] in wrangler.toml)",
    ]);
    expect(problems({ ...good, USAGE_DB: "not a binding" })).toEqual([
      "USAGE_DB must be a D1 database binding ([[d1_databases]] in wrangler.toml)",
    ]);
  });

  it("a key's list is checked against the names written in MODELS: a refused entry is not also told missing", () => {
    const llama = `bedrock/llama/${ARN}`;
    const models = JSON.stringify({ l: { model: llama, max_n: 0 }, q: { model: llama, max_n: 0 } });
    const apiKeys = JSON.stringify({
      ta: { key: "sk-ta-0123456789", models: ["l"] },
      tb: { key: "sk-tb-0123456789", models: ["q", "nope"] },
    });
    expect(problems({ ...good, MODELS: models, API_KEYS: apiKeys })).toEqual([
      'MODELS["l"].max_n: max_n must be a whole number from 1 to 128 (got 0).',
      'MODELS["q"].max_n: max_n must be a whole number from 1 to 128 (got 0).',
      'API_KEYS["tb"].models: "nope" is not a MODELS name',
    ]);
    // MODELS not read at all: no name is known to be missing, so none is said to be.
    expect(problems({ ...good, MODELS: "{ not json", API_KEYS: apiKeys })).toEqual([
      expect.stringMatching(/^MODELS is not valid JSON/),
    ]);
  });

  it("as an object is typed as its entries: each field compiles and is taken, a misspelt one fails to compile", () => {
    const namespace = { idFromName: () => ({}), get: () => ({ fetch: async () => new Response() }) };
    const apiKeys: ProxyEnv["API_KEYS"] = {
      team: { key: "sk-team-0123456789", models: ["r1"], tokens_per_day: 100, concurrent_streams: 2 },
      limited: { key: "sk-limited-0123456789", rate_limit: "RATE_STANDARD" },
      ops: { key: "sk-ops-0123456789", admin: true, models: undefined },
    };
    // A Rate Limiting binding is read by the name API_KEYS gives it, so ProxyBindings cannot name it.
    const rateBinding = { RATE_STANDARD: { limit: async () => ({ success: true }) } };
    const config = configOf({ ...good, ...rateBinding, KEY_LIMITS: namespace, API_KEYS: apiKeys });
    expect(config.keys.map((key) => [key.name, key.admin])).toEqual([
      ["team", false],
      ["limited", false],
      ["ops", true],
    ]);
    const misspelt = problems({
      ...good,
      API_KEYS: {
        // @ts-expect-error a misspelt field
        team: { key: "sk-team-0123456789", tokens_per_dya: 100 },
      },
    });
    expect(misspelt).toEqual([
      'API_KEYS["team"].tokens_per_dya: is not a key setting; they are key, models, rate_limit, tokens_per_day, concurrent_streams, admin',
    ]);
    // Left undefined, a misspelt field is still one: the compiler and readEntry both refuse it.
    const unset = problems({
      ...good,
      API_KEYS: {
        // @ts-expect-error a misspelt field, even unset
        team: { key: "sk-team-0123456789", tokens_per_dya: undefined },
      },
    });
    expect(unset).toEqual(misspelt);
    // @ts-expect-error an entry needs its key
    expect(problems({ ...good, API_KEYS: { team: { admin: true } } })[0]).toMatch(/\.key: must be the key/);
    // @ts-expect-error a field's value of the wrong type
    expect(problems({ ...good, API_KEYS: { team: { key: "sk-team-0123456789", admin: "yes" } } })).toEqual([
      'API_KEYS["team"].admin: must be true or false',
    ]);
  });

  it("without KEY_LIMITS, a key with both counted limits has a problem for each", () => {
    const apiKeys = JSON.stringify({
      team: { key: "sk-team-0123456789", tokens_per_day: 100, concurrent_streams: 2 },
      streams: { key: "sk-streams-0123456789", concurrent_streams: 1 },
    });
    expect(problems({ ...good, API_KEYS: apiKeys })).toEqual([
      'API_KEYS["team"].tokens_per_day needs the KEY_LIMITS Durable Object binding, which counts it',
      'API_KEYS["team"].concurrent_streams needs the KEY_LIMITS Durable Object binding, which counts it',
      'API_KEYS["streams"].concurrent_streams needs the KEY_LIMITS Durable Object binding, which counts it',
    ]);
  });

  it("without KEY_LIMITS, an entry with a problem of its own still has its counted limits told, all at once", () => {
    const apiKeys = JSON.stringify({
      typo: { key: "sk-typo-0123456789", models: ["r2"], tokens_per_day: 100 },
      limited: { key: "sk-limited-0123456789", rate_limit: "RATE_LIMIT_STANDARD", concurrent_streams: 2 },
      keyless: { tokens_per_day: 100 },
      plain: { key: "sk-plain-0123456789" },
      twin: { key: "sk-plain-0123456789", concurrent_streams: 1 },
    });
    expect(problems({ ...good, API_KEYS: apiKeys })).toEqual([
      'API_KEYS["typo"].models: "r2" is not a MODELS name',
      'API_KEYS["limited"].rate_limit: no Rate Limiting binding is named RATE_LIMIT_STANDARD ([[ratelimits]] in wrangler.toml)',
      // A keyless entry's name may be its key: told by position.
      'API_KEYS (entry 3, its name not shown).key: must be the key, a non-empty string (each entry is "<name>": { "key": "sk-…", … }, and a name is never the key)',
      'API_KEYS["twin"]: the same key as plain',
      'API_KEYS["typo"].tokens_per_day needs the KEY_LIMITS Durable Object binding, which counts it',
      'API_KEYS["limited"].concurrent_streams needs the KEY_LIMITS Durable Object binding, which counts it',
      "API_KEYS (entry 3, its name not shown).tokens_per_day needs the KEY_LIMITS Durable Object binding, which counts it",
      'API_KEYS["twin"].concurrent_streams needs the KEY_LIMITS Durable Object binding, which counts it',
    ]);
  });
});

describe("DROP_PARAMS", () => {
  it("is off unless set to true", () => {
    expect(configOf(good).dropParams).toBe(false);
    expect(configOf({ ...good, DROP_PARAMS: "true" }).dropParams).toBe(true);
    expect(configOf({ ...good, DROP_PARAMS: " FALSE " }).dropParams).toBe(false);
    expect(configOf({ ...good, DROP_PARAMS: true }).dropParams).toBe(true);
  });

  it("is a problem when it is neither true nor false", () => {
    expect(problems({ ...good, DROP_PARAMS: "yes" })).toEqual(['DROP_PARAMS must be true or false, got "yes"']);
  });
});

describe("LOG_PROMPTS", () => {
  it("is read as DROP_PARAMS is: true or false in any case, off unless set", () => {
    expect(configOf(good).logPrompts).toBe(false);
    for (const on of ["true", "True", "TRUE", " true ", true])
      expect(configOf({ ...good, LOG_PROMPTS: on }).logPrompts).toBe(true);
    for (const off of ["false", "FALSE", "", false])
      expect(configOf({ ...good, LOG_PROMPTS: off }).logPrompts).toBe(false);
  });

  it("blank or only whitespace is unset (off), as every other binding's is (docsdrift18 #5)", () => {
    for (const name of ["LOG_PROMPTS", "DROP_PARAMS"] as const) {
      for (const blank of ["", "  ", "\t", " \n "]) {
        expect(problems({ ...good, [name]: blank }), `${name} ${JSON.stringify(blank)}`).toEqual([]);
        const config = configOf({ ...good, [name]: blank });
        expect(name === "LOG_PROMPTS" ? config.logPrompts : config.dropParams).toBe(false);
      }
    }
  });

  it("is a problem when it is neither, rather than silently off", () => {
    expect(problems({ ...good, LOG_PROMPTS: "1" })).toEqual(['LOG_PROMPTS must be true or false, got "1"']);
    expect(problems({ ...good, LOG_PROMPTS: "yes" })).toEqual(['LOG_PROMPTS must be true or false, got "yes"']);
    expect(problems({ ...good, LOG_PROMPTS: 1 as never })).toEqual(["LOG_PROMPTS must be true or false, got 1"]);
  });
});

describe("a [vars] value written without quotes (a JSON binding)", () => {
  it("is a problem naming a string binding, never a setting silently left unset", () => {
    const hint = "(in wrangler.toml's [vars], put the value in quotes)";
    expect(problems({ ...good, AWS_REGION: ["us-east-2"] as never })).toEqual([
      `AWS_REGION must be a string, got a list ${hint}`,
    ]);
    expect(problems({ ...good, BEDROCK_ENDPOINT: 4010 as never })).toEqual([
      `BEDROCK_ENDPOINT must be a string, got a number ${hint}`,
    ]);
    expect(
      problems({
        ...good,
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example.com",
        OTEL_EXPORTER_OTLP_HEADERS: { "x-api-key": "k-123-secret" } as never,
      }),
    ).toEqual([`OTEL_EXPORTER_OTLP_HEADERS must be a string, got an object ${hint}`]);
    expect(problems({ ...good, OTEL_EXPORTER_OTLP_ENDPOINT: { url: "https://otlp.example.com" } as never })).toEqual([
      `OTEL_EXPORTER_OTLP_ENDPOINT must be a string, got an object ${hint}`,
    ]);
    expect(problems({ ...good, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 4318 as never })).toEqual([
      `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be a string, got a number ${hint}`,
    ]);
    // The type is the one problem: what depends on the binding is not told it is unset (codereview12 #3).
    expect(
      problems({
        ...good,
        OTEL_EXPORTER_OTLP_ENDPOINT: ["https://otlp.example.com"] as never,
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc",
      }),
    ).toEqual([`OTEL_EXPORTER_OTLP_ENDPOINT must be a string, got a list ${hint}`]);
    expect(
      problems({
        ...good,
        MODELS: JSON.stringify({ nova: "bedrock/converse/amazon.nova-lite-v1:0" }),
        AWS_REGION: ["us-east-1"] as never,
      }),
    ).toEqual([`AWS_REGION must be a string, got a list ${hint}`]);
    expect(problems({ ...good, PROXY_API_KEYS: ["sk-a"] as never })).toEqual([
      "PROXY_API_KEYS must be a string, the keys separated by commas or lines, got a list (a Worker secret: wrangler secret put PROXY_API_KEYS; elsewhere an environment variable)",
    ]);
  });

  it("as a credential is one problem naming it, whatever else is set (a bearer token beside SigV4 keys was ignored)", () => {
    expect(problems({ ...good, AWS_BEARER_TOKEN_BEDROCK: 12345 as never })).toEqual([
      "AWS_BEARER_TOKEN_BEDROCK must be a string, got a number (in wrangler.toml's [vars], put the value in quotes)",
    ]);
    expect(problems({ ...good, AWS_SESSION_TOKEN: true as never })).toEqual([
      "AWS_SESSION_TOKEN must be a string, got true or false (in wrangler.toml's [vars], put the value in quotes)",
    ]);
  });

  it("is read for CORS_ORIGINS when it is a list of origins, and is a problem naming it otherwise", () => {
    const list = { ...good, CORS_ORIGINS: ["https://a.example", " https://b.example "] };
    expect(problems(list)).toEqual([]);
    expect(readCorsOrigins(list)).toEqual(["https://a.example", "https://b.example"]);
    expect(problems({ ...good, CORS_ORIGINS: ["https://a.example/"] })).toEqual([
      'CORS_ORIGINS: "https://a.example/" is not an origin like https://app.example.com, or *',
    ]);
    const mixed = { ...good, CORS_ORIGINS: ["https://a.example", 443] as never };
    expect(problems(mixed)).toEqual(["CORS_ORIGINS[1] must be an origin in quotes, got a number"]);
    // The origin beside it still stands, so that a browser there reads the 500 saying what to fix.
    expect(readCorsOrigins(mixed)).toEqual(["https://a.example"]);
    expect(problems({ ...good, CORS_ORIGINS: { origin: "https://a.example" } as never })).toEqual([
      "CORS_ORIGINS must be comma-separated origins, or *, or a list of them, got an object",
    ]);
  });
});
