/**
 * A module loaded on first use, then the same promise every time: what a caller does not use
 * stays out of the code it loads first, and a call after the first costs an await, not another
 * trip through the module loader (Node resolves an import() afresh each time).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (loaded) return loaded;
    const loading = load();
    loaded = loading;
    // A failed load (a network error in a browser) is tried again by the next call. Watched once,
    // when the load starts: a handler added per call made a promise per call.
    loading.catch(() => {
      if (loaded === loading) loaded = undefined;
    });
    return loading;
  };
}
