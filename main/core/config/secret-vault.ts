/**
 * A runtime seam for secret settings (API keys, passwords). Without a vault they live in the
 * database like every other setting; the desktop app supplies one backed by the OS keychain
 * (Electron safeStorage), and then secrets never touch the database file.
 */
export interface SecretVault {
  /** Every secret saved earlier, by setting key. */
  load(): Record<string, unknown>;
  /** Saves one secret (the desktop vault hands it to the main process, which encrypts and writes it). */
  save(key: string, value: unknown): void;
}
