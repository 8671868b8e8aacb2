// What a user writes after `npm install bedrock-edge`: every entry imported by its package
// name. package.test.ts type-checks it in a consumer project and runs it with plain Node on
// dist/. It is a string, not a module of this project: its imports only resolve once dist/ is
// built, and the project's own type check must not depend on a build.
export const CONSUMER_SOURCE = `import { createBedrock, isBedrockEdgeError, type ChatCompletion } from "bedrock-edge";
import { parseModelString, type ParsedModel } from "bedrock-edge/core";
import { nodeFetch, nodeSigningCrypto } from "bedrock-edge/node";
import { createApp, type ProxyEnv } from "bedrock-edge/worker";
import { createEmulator, EMULATOR_CREDENTIALS, emulatorModelId } from "bedrock-edge/emulator";
import { serveEmulator } from "bedrock-edge/emulator/node";

const served = await serveEmulator({ port: 0 });
try {
  const bedrock = createBedrock({
    endpoint: served.url,
    credentials: EMULATOR_CREDENTIALS,
    fetch: nodeFetch,
    signingCrypto: nodeSigningCrypto,
  });
  const completion: ChatCompletion = await bedrock.chat.completions.create({
    model: \`bedrock/llama/\${emulatorModelId("llama")}\`,
    messages: [{ role: "user", content: "Hello" }],
  });
  const env: ProxyEnv = {
    MODELS: JSON.stringify({ demo: \`bedrock/llama/\${emulatorModelId("llama")}\` }),
    PROXY_API_KEYS: "sk-consumer",
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: served.url,
  };
  const app = createApp({ env, log: () => undefined });
  const models = await app.fetch(new Request("http://proxy.test/v1/models", { headers: { authorization: "Bearer sk-consumer" } }));
  console.log(
    JSON.stringify({
      content: completion.choices[0]?.message.content,
      modelsStatus: models.status,
      models: await models.text(),
      inProcessEmulator: typeof createEmulator().fetch,
      isError: isBedrockEdgeError(new Error("x")),
      route: (parseModelString(\`bedrock/llama/\${emulatorModelId("llama")}\`) satisfies ParsedModel).route,
    }),
  );
} finally {
  await served.close();
}
`;

/**
 * The same in a CommonJS project (a package.json without `"type": "module"`): the imports compile
 * to require() calls, which Node 20.19+ and 22.12+ answer with the ES modules; no top-level await.
 */
export const CJS_CONSUMER_SOURCE = `import { createBedrock, type ChatCompletion } from "bedrock-edge";
import { parseModelString } from "bedrock-edge/core";
import { nodeSigningCrypto } from "bedrock-edge/node";
import { createApp } from "bedrock-edge/worker";
import { createEmulator, EMULATOR_CREDENTIALS, emulatorModelId } from "bedrock-edge/emulator";
import { serveEmulator } from "bedrock-edge/emulator/node";

async function main(): Promise<void> {
  const emulator = createEmulator();
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    signingCrypto: nodeSigningCrypto,
  });
  const model = \`bedrock/llama/\${emulatorModelId("llama")}\`;
  const completion: ChatCompletion = await bedrock.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Hello" }],
  });
  console.log(
    JSON.stringify({
      content: completion.choices[0]?.message.content,
      route: parseModelString(model).route,
      others: [typeof createApp, typeof serveEmulator],
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;
