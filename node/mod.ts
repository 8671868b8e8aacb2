// bedrock-edge/node: an optional transport for Node. The library works on Node's global fetch
// and WebCrypto; this fetch on node:http with a keep-alive pool, and SigV4's hashes on
// node:crypto, make each call cheaper:
//   createBedrock({ fetch: nodeFetch, signingCrypto: nodeSigningCrypto })
export { createNodeFetch, nodeFetch } from "./http-fetch.ts";
export type { NodeFetch, NodeFetchOptions } from "./http-fetch.ts";
export { nodeSigningCrypto } from "./signing-crypto.ts";
export type { SigningCrypto } from "../src/aws/sign.ts";
