// An upstream for the image tests: a Stability request's calls, some drawn, one failing, the rest
// stopped, so that a request fails partway at a known point.

/** Stability's 200 answer when its filter withheld the image it drew. */
const filteredAnswer = () => Response.json({ images: [], finish_reasons: ["Filter reason: output image"], seeds: [3] });

/**
 * Stability's calls of one request, by arrival: the first two draw, the third is answered after a
 * moment with `third` (by default the filter's finish reason: a 200 answer, the image drawn and then
 * withheld), and the others wait until they are stopped. Counts the calls.
 */
export function partlyFiltered(
  emulator: { fetch(request: Request): Promise<Response> },
  third: () => Response = filteredAnswer,
) {
  let calls = 0;
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const call = ++calls;
    if (call <= 2) return emulator.fetch(request);
    if (call === 3) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return third();
    }
    return new Promise<Response>((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    });
  };
  return { fetch, calls: () => calls };
}
