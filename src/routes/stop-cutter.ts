// OpenAI's stop sequences applied to an answer's text here, for stops the model server cannot take.
// Text arrives in pieces (a stream's deltas, or a plain answer's blocks), and a stop may arrive
// split at any character: only a tail that could still become a stop is held back, released as
// soon as it cannot. The answer ends where a stop first completes, as a model server ends
// generation there: the text before it is the answer, the stop and all after it are not. Each
// stop is matched by its own Knuth-Morris-Pratt automaton and held text is kept in pieces, never
// copied again: a hostile answer, or a long stop, costs linear time.

export interface StopCutter {
  /**
   * The next piece of text -> the part no stop can still take, and whether a stop completed in
   * it (then `text` is all that comes before that stop, and the rest of the answer is not read).
   */
  push(text: string): { text: string; stopped: boolean };
  /**
   * The text ended without a stop: the tail held back, which none can complete now. Text pushed
   * after it is matched afresh (a new run of text, which no stop spans into from the last).
   */
  flush(): string;
  /**
   * The text ended at a stop applied upstream, whose text (`stop`) was cut off unseen: the rest
   * of the answer, ended where a model server applying all the stops would end it (one of these
   * completing inside `stop` ends it there; at `stop`'s last character, the longer one wins).
   */
  close(stop: string): string;
}

/** For each position of `stop`, the length of its longest proper prefix that ends there. */
function prefixTable(stop: string): Int32Array {
  const table = new Int32Array(stop.length);
  let matched = 0;
  for (let i = 1; i < stop.length; i++) {
    while (matched > 0 && stop.charCodeAt(i) !== stop.charCodeAt(matched)) matched = table[matched - 1]!;
    if (stop.charCodeAt(i) === stop.charCodeAt(matched)) matched++;
    table[i] = matched;
  }
  return table;
}

/** `stops` must be non-empty strings (the request schema's rule). */
export function createStopCutter(stops: readonly string[]): StopCutter {
  const tables = stops.map(prefixTable);
  // Per stop: how many of its first characters the text now ends with.
  const states = new Int32Array(stops.length);
  // The text received and not yet given out: pieces as they came, the first read from `offset`.
  let pieces: string[] = [];
  let head = 0;
  let offset = 0;
  let received = 0;
  let given = 0;
  let stopped = false;

  /** Gives out the next `count` characters of the text held. */
  function take(count: number): string {
    let out = "";
    given += count;
    while (count > 0) {
      const piece = pieces[head]!;
      const left = piece.length - offset;
      if (left > count) {
        out += piece.slice(offset, offset + count);
        offset += count;
        return out;
      }
      out += offset ? piece.slice(offset) : piece;
      count -= left;
      head++;
      offset = 0;
    }
    // Pieces given out whole are let go: at once when none is left, else once they are half.
    if (head === pieces.length) {
      pieces = [];
      head = 0;
    } else if (head > 1024 && head * 2 > pieces.length) {
      pieces = pieces.slice(head);
      head = 0;
    }
    return out;
  }

  /** The length of the longest stop that ends with character `c`, the automata moved past it. */
  function advance(c: number): number {
    let completed = 0;
    for (let s = 0; s < stops.length; s++) {
      const stop = stops[s]!;
      const table = tables[s]!;
      let state = states[s]!;
      while (state > 0 && stop.charCodeAt(state) !== c) state = table[state - 1]!;
      if (stop.charCodeAt(state) === c) state++;
      if (state === stop.length) {
        completed = Math.max(completed, state);
        state = table[state - 1]!;
      }
      states[s] = state;
    }
    return completed;
  }

  return {
    push(text) {
      if (stopped) return { text: "", stopped };
      if (!text) return { text: "", stopped };
      pieces.push(text);
      for (let i = 0; i < text.length; i++) {
        const completed = advance(text.charCodeAt(i));
        if (completed > 0) {
          // The stop began in text held back or in this piece, never in text given out: what
          // preceded its last character was a prefix of it, and so was held.
          stopped = true;
          return { text: take(received + i + 1 - completed - given), stopped };
        }
      }
      received += text.length;
      let held = 0;
      for (const state of states) held = Math.max(held, state);
      return { text: take(received - held - given), stopped };
    },
    flush() {
      if (stopped) return "";
      states.fill(0);
      return take(received - given);
    },
    close(stop) {
      if (stopped) return "";
      stopped = true;
      const start = received;
      pieces.push(stop);
      for (let i = 0; i < stop.length; i++) {
        const completed = advance(stop.charCodeAt(i));
        if (completed > 0) {
          const end = start + i + 1;
          const cut = i === stop.length - 1 ? Math.min(end - completed, start) : end - completed;
          return take(cut - given);
        }
      }
      return take(start - given);
    },
  };
}
