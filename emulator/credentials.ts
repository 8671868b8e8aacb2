// Fixed test credentials the emulator accepts by default. They open nothing anywhere else:
// real AWS has never issued them. Not frozen: the AWS SDK writes bookkeeping into credential
// objects it is given.

export interface EmulatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Long-term style credentials (an `AKIA…` key): no session token. */
export const EMULATOR_CREDENTIALS: Readonly<EmulatorCredentials> = {
  accessKeyId: "AKIAEMULATOREXAMPLE1",
  secretAccessKey: "emulatorSecretKey/EXAMPLE+wJalrXUtnFEMI0",
};

/** Temporary credentials (an `ASIA…` key): requests must carry the matching session token. */
export const EMULATOR_SESSION_CREDENTIALS: Readonly<EmulatorCredentials> = {
  accessKeyId: "ASIAEMULATOREXAMPLE2",
  secretAccessKey: "emulatorSessionSecret/EXAMPLE+bPxRfiCYK0",
  sessionToken: "IQoJb3JpZ2luX2VjEMULATOR//////////wEaCXVzLWVhc3QtMSJHMEUCIQD-emulator-session-token",
};

/** A Bedrock API key (`Authorization: Bearer …`), shaped like real ones (`ABSK` + base64). */
export const EMULATOR_API_KEY = "ABSKZW11bGF0b3ItYXBpLWtleS1leGFtcGxl";
