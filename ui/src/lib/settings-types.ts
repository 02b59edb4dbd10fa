// Why: the settings contract of the IPC (settings_get / settings_save / app_restart), by hand until the
// Rust side's ts-rs types land in bindings.ts; the integrator then swaps the imports to bindings.ts.
// Keep these exactly as the contract in the plan says: the Rust side generates the same shapes.

/** Non-secret settings, saved in settings.json in the data folder. null = not set (the default applies). */
export type Settings = {
  sdkAppId: number | null;      // Tencent IM SDKAppID; set → the console runs on Tencent, unset → the sandbox
  imRegion: string | null;      // "china" | "singapore" | "seoul" | "tokyo" | "frankfurt" | "mumbai" | "siliconvalley" | "jakarta"
  imEndpoint: string | null;    // overrides the region's REST endpoint (advanced)
  imAdmin: string | null;       // admin account, default "administrator"
  roomName: string | null;
  hubListen: string | null;     // where the hub listens for Tencent's callbacks, e.g. "127.0.0.1:8690"
  pushDomain: string | null;
  pushApp: string | null;       // default "live"
  streamName: string | null;
  pushValidFor: string | null;  // e.g. "24h"
  playDomain: string | null;
  cssSecretId: string | null;
  cssRegion: string | null;
  obsUrl: string | null;        // e.g. "ws://127.0.0.1:4455"
  autoPause: boolean | null;
};
export type SecretName =
  | "imSecretKey" | "callbackToken" | "apiToken" | "pushKey" | "pushBackupKey" | "playKey" | "cssSecretKey" | "obsPassword";
/** value null = forget the stored secret; a string = store it. Secrets not listed stay as they are. */
export type SecretChange = { name: SecretName; value: string | null };
export type SecretStore = "keychain" | "file";
export type SettingsView = {
  settings: Settings;
  secretsSet: SecretName[];   // which secrets are stored (never their values)
  secretStore: SecretStore;   // where secrets live: the OS keychain, or a file only this user can read
  fromEnv: string[];          // Settings field names and SecretNames that an ANCHORDESK_* environment variable overrides (read-only in the UI)
  mode: "sandbox" | "tencent";    // what the saved settings run (after a restart)
  restartNeeded: boolean;     // the saved settings differ from what runs now
};
