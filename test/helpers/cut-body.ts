/**
 * A request body whose client stops sending after its first piece: the runtime's read then fails,
 * as Deno's does ("Cannot read body as underlying resource unavailable") when a connection goes
 * mid-upload without request.signal saying so.
 */
export function cutBody(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new TypeError("Cannot read body as underlying resource unavailable"));
      sent = true;
      controller.enqueue(new TextEncoder().encode('{"model":"llama","messages":['));
    },
  });
}
