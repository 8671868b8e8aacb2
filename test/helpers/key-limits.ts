// A KEY_LIMITS Durable Object binding for tests of the proxy's per-key limits in Node: it admits
// every request and records each call to the counter.

/**
 * A KEY_LIMITS binding that admits everything and records its calls and what each request
 * settles; it admits on the request's own day, as the counter does before 00:00 UTC, or on
 * `admittedOn`.
 */
export function recordingLimits(admittedOn?: string) {
  const settled: { tokens?: number; lease?: string }[] = [];
  const calls: { method: string; args: { lease?: string; reserve?: number; day?: string } }[] = [];
  const binding = {
    idFromName: () => "id",
    get: () => ({
      async fetch(input: string, init?: RequestInit) {
        const method = new URL(input).pathname.slice(1);
        const args = JSON.parse(String(init?.body));
        calls.push({ method, args });
        if (method === "settle") settled.push(args);
        return Response.json(method === "admit" ? { ok: true, day: admittedOn ?? args.day } : null);
      },
    }),
  };
  return { binding, settled, calls };
}
