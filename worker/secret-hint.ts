// Where a secret setting goes, said so that it is right on every host the proxy runs on: a
// Worker's secrets, or the environment of a Node, Deno or Bun server (examples/proxy/).

/** `a Worker secret: wrangler secret put NAME; elsewhere an environment variable`. */
export function secretHint(name: string): string {
  return `a Worker secret: wrangler secret put ${name}; elsewhere an environment variable`;
}
