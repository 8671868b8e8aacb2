// What the cold-start child calls in each bundle: make a client and send one non-streamed
// request to the emulator. Both sides sign for real and use their own HTTP stack.
export interface ColdStartEntry {
  firstRequest(
    endpoint: string,
    credentials: { accessKeyId: string; secretAccessKey: string },
    modelId: string,
  ): Promise<string>;
}
