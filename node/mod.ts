// bedrock-edge/node: an optional transport for Node. The library works on Node's global fetch;
// this fetch on node:http with a keep-alive pool makes each call cheaper:
//   createBedrock({ fetch: nodeFetch })
export { createNodeFetch, nodeFetch } from "./http-fetch.ts";
export type { NodeFetch, NodeFetchOptions } from "./http-fetch.ts";
