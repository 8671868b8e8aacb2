/// <reference types="node" />
// The option bags users fill take an explicit `undefined` wherever they take nothing, also under
// `exactOptionalPropertyTypes`, as openai's own option bags do: values read from the environment
// (`process.env.AWS_REGION`) and options forwarded from a caller's own (`{ signal: opts.signal }`)
// are `T | undefined`. The runtime reads such an `undefined` as absent. Result types are left
// alone: they stay assignable to openai's (openai-types.test.ts).
//
// The repo compiles with that flag off, under which every optional property takes `undefined`, so
// the first test compiles this very file again with it on: the type checks below hold there.
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import type { ServeEmulatorOptions } from "../emulator/node.ts";
import type { EmulatorOptions } from "../emulator/mod.ts";
import type { NodeFetchOptions } from "../node/mod.ts";
import {
  type ByteReader,
  compileChatTemplate,
  createMessageSplitter,
  type DecodeOptions,
  decodeEventStream,
  type InvokeRequest,
  type ModelSettings,
  type ModelSettingValues,
  type ReasoningLimitInput,
  type ResponseSseOptions,
  type SpecialTokens,
  type SseOptions,
  type StreamRequest,
} from "../src/core.ts";
import {
  type AwsCredentials,
  type Bedrock,
  BedrockEdgeError,
  type BedrockEdgeErrorInit,
  type BedrockOptions,
  type ChatMessageParam,
  createBedrock,
  type DeploymentConfig,
  type ModelConfig,
  type ModelEntry,
  type RequestOptions,
  type ResponseEventsOptions,
  type ResponsesRequestOptions,
  type RoutedModelConfig,
  type TransportOptions,
} from "../src/index.ts";
import {
  type AppOptions,
  createApp,
  type ProxyBindings,
  type ProxyDeploymentConfig,
  type ProxyEnv,
  type ProxyModelEntry,
  type ProxyRoutedModelConfig,
} from "../worker/mod.ts";
import { compilerOptions } from "./helpers/compiler-options.ts";
import { packageEntries } from "./helpers/package-entries.ts";

const THIS_FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The keys of T's optional properties. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** The optional properties of T that refuse an explicit `undefined` (none, with the flag off). */
type RefusingUndefined<T> = {
  [K in OptionalKeys<T>]-?: { [P in K]: undefined } extends Pick<T, K> ? never : K;
}[OptionalKeys<T>];

/** Compiles for `never` only; for keys, the error names them (`Type '"signal"' does not satisfy the constraint 'never'`). */
function refusingNone<_Keys extends never>(): void {}

let exactProgram: ts.Program | undefined;
// Some 150 MB, not kept for the files after this one in the process.
afterAll(() => {
  exactProgram = undefined;
});
/**
 * This file and the package's entries (which it imports), compiled once with the repo's settings
 * and exactOptionalPropertyTypes on, for both checks that read them (codereview48 #7: a compile
 * each took some 4 s and 150 MB more).
 */
function programUnderExactOptionalPropertyTypes(): ts.Program {
  exactProgram ??= ts.createProgram([THIS_FILE, ...packageEntries().map(({ source }) => join(ROOT, source))], {
    ...compilerOptions(),
    exactOptionalPropertyTypes: true,
    noEmit: true,
  });
  return exactProgram;
}

/** This file's errors, compiled with the repo's settings and exactOptionalPropertyTypes on. */
function errorsUnderExactOptionalPropertyTypes(): string[] {
  const program = programUnderExactOptionalPropertyTypes();
  expect(program.getCompilerOptions().exactOptionalPropertyTypes).toBe(true);
  const source = program.getSourceFile(THIS_FILE)!;
  return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
    const at = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    return `line ${at}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  });
}

/** Never called: docs/RUNTIMES.md's and the review's ways of filling options from `T | undefined` values. */
function fromPossiblyUndefined(
  bedrock: Bedrock,
  messages: ChatMessageParam[],
  opts: { signal?: AbortSignal },
  env: Partial<Record<string, string>>,
) {
  const forwarded = bedrock.chat.completions.create({ model: "m", messages }, { signal: opts.signal });
  const client = createBedrock({
    region: env.AWS_REGION,
    endpoint: env.BEDROCK_ENDPOINT,
    apiKey: env.AWS_BEARER_TOKEN_BEDROCK,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  });
  const app = createApp({
    env: {
      MODELS: env.MODELS,
      PROXY_API_KEYS: env.PROXY_API_KEYS,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: env.AWS_SESSION_TOKEN,
      AWS_REGION: env.AWS_REGION,
      CORS_ORIGINS: env.CORS_ORIGINS,
    },
  });
  return { forwarded, client, app };
}

/**
 * Never called: the core functions' options from values as a user has them (a parsed
 * tokenizer_config.json, a caller's own options), and an error made again from its own fields
 * (types48 #2).
 */
function coreOptionsFromPossiblyUndefined(
  tokenizerConfig: { chat_template: string; bos_token?: string | undefined; eos_token?: string | undefined },
  opts: { maxMessageBytes?: number | undefined },
  error: BedrockEdgeError,
) {
  const { bos_token, eos_token } = tokenizerConfig;
  return [
    compileChatTemplate(tokenizerConfig.chat_template, { bos_token, eos_token }),
    createMessageSplitter({ maxMessageBytes: opts.maxMessageBytes }),
    decodeEventStream({ maxMessageBytes: opts.maxMessageBytes }),
    new BedrockEdgeError({
      status: error.status,
      message: `again: ${error.message}`,
      type: error.type,
      code: error.code,
      param: error.param,
      bedrockError: error.bedrockError,
      retryAfterMs: error.retryAfterMs,
      fromBedrock: error.fromBedrock,
      cause: error,
    }),
  ];
}

/**
 * Never called: a models table entry is one model or deployments of one, never both (createBedrock
 * refuses the mix, model.test.ts), an unset setting of the other kind aside; and a list kept
 * `as const` goes in as a setting (typesapi41 #6).
 */
function modelTableEntries(env: Partial<Record<string, string>>) {
  const m = "bedrock/converse/amazon.nova-pro-v1:0";
  const tiers = ["default", "flex", "priority"] as const;
  const kwargs = ["enable_thinking"] as const;
  const models: Record<string, ModelEntry> = {
    listed: { model: m, service_tiers: tiers },
    kwargs: { model: `bedrock/qwen3/${env.ARN}`, client_template_kwargs: kwargs },
    unset: { model: m, deployments: undefined, routing: undefined },
    copies: { deployments: [{ model: m }], routing: "failover", model: undefined },
    // @ts-expect-error model beside deployments
    mixed: { model: m, deployments: [{ model: m }] },
    // @ts-expect-error model beside routing
    routedModel: { model: m, routing: "failover" },
  };
  const proxyModels: Record<string, ProxyModelEntry> = {
    listed: { model: m, service_tiers: tiers },
    copies: { deployments: [{ model: m }], routing: "failover" },
    // @ts-expect-error model beside deployments
    mixed: { model: m, deployments: [{ model: m }] },
    // @ts-expect-error model beside routing
    routedModel: { model: m, routing: "failover" },
  };
  return [createBedrock({ region: "us-east-1", models }), createApp({ env: { MODELS: proxyModels } })];
}

/**
 * The parameters of the entries' functions and constructors whose types are requests or results
 * shaped as openai's (which take no `undefined` either), or an object rather than a bag of options.
 */
const NOT_BAGS = new Set([
  "src/responses/types.ts: ResponsesRequest",
  "src/openai/types.ts: ChatCompletion",
  "src/responses/types.ts: Response",
  "src/completion-stream.ts: ChatCompletionStream",
]);

/**
 * `file: Type.property` of each optional property that refuses `undefined`, under
 * exactOptionalPropertyTypes, in the object types the entries' functions and constructors take
 * (package.json "exports"), but NOT_BAGS: the list above is kept by hand, and this finds a bag it
 * misses (a nested one, `credentials` in createBedrock's options, is the list's to name).
 */
function parametersRefusingUndefined(): { refusing: string[]; skipped: string[] } {
  const entries = packageEntries().map(({ source }) => join(ROOT, source));
  const program = programUnderExactOptionalPropertyTypes();
  const checker = program.getTypeChecker();
  const ours = (node: ts.Node) => !relative(ROOT, node.getSourceFile().fileName).includes("node_modules");
  const found = new Set<string>();
  const skipped = new Set<string>();
  for (const entry of entries) {
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
      const type = checker.getTypeOfSymbol(symbol);
      for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
        for (const parameter of signature.getParameters()) {
          const taken = checker.getNonNullableType(checker.getTypeOfSymbol(parameter));
          for (const bag of taken.isUnion() ? taken.types : [taken]) {
            const declaration = (bag.aliasSymbol ?? bag.getSymbol())?.declarations?.[0];
            const name =
              declaration &&
              `${relative(ROOT, declaration.getSourceFile().fileName)}: ${(bag.aliasSymbol ?? bag.getSymbol())!.getName()}`;
            if (name && NOT_BAGS.has(name)) skipped.add(name);
            if (!(bag.flags & ts.TypeFlags.Object) || (name && NOT_BAGS.has(name))) continue;
            for (const property of bag.getProperties()) {
              const written = property.valueDeclaration;
              if (!(property.flags & ts.SymbolFlags.Optional) || !written || !ours(written)) continue;
              const annotation = (written as ts.PropertySignature).type;
              if (
                annotation &&
                !checker.isTypeAssignableTo(checker.getUndefinedType(), checker.getTypeFromTypeNode(annotation))
              ) {
                found.add(`${name ?? "(an object literal type)"}.${property.getName()}`);
              }
            }
          }
        }
      }
    }
  }
  return { refusing: [...found].sort(), skipped: [...skipped].sort() };
}

describe("option bags take an explicit undefined, under exactOptionalPropertyTypes too", () => {
  it("this file compiles with exactOptionalPropertyTypes on", () => {
    expect(errorsUnderExactOptionalPropertyTypes()).toEqual([]);
  }, 120_000);

  it("a signal, a session token and environment values that may be undefined go in as they are", () => {
    expectTypeOf(fromPossiblyUndefined).toBeFunction();
  });

  it("the core functions' options and an error's own fields that may be undefined go in as they are", () => {
    expectTypeOf(coreOptionsFromPossiblyUndefined).toBeFunction();
  });

  it("a models table entry is one model or deployments of one, not both; a readonly list is a setting", () => {
    expectTypeOf(modelTableEntries).toBeFunction();
  });

  it("no optional property of an option bag refuses undefined", () => {
    // bedrock-edge
    refusingNone<RefusingUndefined<AwsCredentials>>();
    refusingNone<RefusingUndefined<TransportOptions>>();
    refusingNone<RefusingUndefined<BedrockOptions>>();
    refusingNone<RefusingUndefined<RequestOptions>>();
    refusingNone<RefusingUndefined<ResponsesRequestOptions>>();
    refusingNone<RefusingUndefined<ModelConfig>>();
    refusingNone<RefusingUndefined<RoutedModelConfig>>();
    refusingNone<RefusingUndefined<DeploymentConfig>>();
    refusingNone<RefusingUndefined<NonNullable<ModelConfig["guardrail_config"]>>>();
    refusingNone<RefusingUndefined<BedrockEdgeErrorInit>>();
    // bedrock-edge/core
    refusingNone<RefusingUndefined<ModelSettingValues>>();
    refusingNone<RefusingUndefined<ModelSettings>>();
    refusingNone<RefusingUndefined<InvokeRequest>>();
    refusingNone<RefusingUndefined<StreamRequest<unknown>>>();
    refusingNone<RefusingUndefined<SseOptions<unknown>>>();
    refusingNone<RefusingUndefined<ResponseSseOptions>>();
    refusingNone<RefusingUndefined<ResponseEventsOptions>>();
    refusingNone<RefusingUndefined<ReasoningLimitInput>>();
    refusingNone<RefusingUndefined<DecodeOptions>>();
    refusingNone<RefusingUndefined<SpecialTokens>>();
    refusingNone<RefusingUndefined<ByteReader>>();
    // bedrock-edge/worker
    refusingNone<RefusingUndefined<ProxyEnv>>();
    // MODELS as an object: its entries and their deployments' binding names, as the library's above.
    refusingNone<RefusingUndefined<ProxyRoutedModelConfig>>();
    refusingNone<RefusingUndefined<ProxyDeploymentConfig>>();
    refusingNone<RefusingUndefined<NonNullable<ProxyDeploymentConfig["credentials"]>>>();
    refusingNone<RefusingUndefined<ProxyBindings>>();
    refusingNone<RefusingUndefined<AppOptions>>();
    // bedrock-edge/node, bedrock-edge/emulator, bedrock-edge/emulator/node
    refusingNone<RefusingUndefined<NodeFetchOptions>>();
    refusingNone<RefusingUndefined<EmulatorOptions>>();
    refusingNone<RefusingUndefined<ServeEmulatorOptions>>();
  });

  it("nor does one of what the entries' functions and constructors take, the list above aside", () => {
    const { refusing, skipped } = parametersRefusingUndefined();
    expect(refusing).toEqual([]);
    // An exception that no longer applies goes from the list.
    expect(skipped).toEqual([...NOT_BAGS].sort());
  }, 60_000);
});
