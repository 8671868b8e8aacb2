// The streaming body: a ReadableStream that produces each frame only when the reader asks for it
// (highWaterMark 0), waits between frames, and reports how it ended: completed, cancelled by the
// client, or dropped on purpose.

export type FrameStep = { kind: "frame"; frame: Uint8Array } | { kind: "drop" };

export interface StreamHooks {
  onComplete(): void;
  onCancel(): void;
  onDrop(): void;
}

const DROP_GRACE_MS = 25;

export function frameStream(
  steps: Iterator<FrameStep>,
  delayMs: number,
  hooks: StreamHooks,
): ReadableStream<Uint8Array> {
  let sent = 0;
  let finished = false;
  const finish = (hook: () => void) => {
    if (finished) return;
    finished = true;
    hook();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const step = steps.next();
        if (step.done) {
          controller.close();
          finish(hooks.onComplete);
          return;
        }
        if (sent > 0 && delayMs > 0) await sleep(delayMs);
        if (finished) return;
        if (step.value.kind === "drop") {
          // Let the frames already handed over reach the client first (HTTP/2 flushes later).
          await sleep(DROP_GRACE_MS);
          if (finished) return;
          controller.error(new Error("bedrock emulator: connection dropped on purpose"));
          finish(hooks.onDrop);
          return;
        }
        sent++;
        controller.enqueue(step.value.frame);
      },
      cancel() {
        finish(hooks.onCancel);
      },
    },
    { highWaterMark: 0 },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
