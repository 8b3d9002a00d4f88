import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/** The part of Electron's `safeStorage` this file needs (a fake in tests). */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means a hard-coded key, i.e. no real protection. */
  getSelectedStorageBackend?(): string;
}

interface SecretsFile {
  version: 1;
  /** Setting key → base64 of the OS-encrypted JSON value. */
  values: Record<string, string>;
}

/**
 * API keys and passwords encrypted with the OS keychain (Keychain, DPAPI, libsecret/kwallet)
 * in `<data>/secrets.json`. Where the OS offers no real protection, `available` is false and
 * the engine keeps secrets in its database as it does for the CLI.
 */
export class SecretStorage {
  readonly #file: string;
  readonly #crypto: Encryptor;

  constructor(file: string, crypto: Encryptor) {
    this.#file = file;
    this.#crypto = crypto;
  }

  get available(): boolean {
    if (!this.#crypto.isEncryptionAvailable()) return false;
    const backend = this.#crypto.getSelectedStorageBackend?.();
    return backend !== 'basic_text' && backend !== 'unknown';
  }

  /** Every readable secret; an entry that no longer decrypts (keychain reset) is skipped. */
  readAll(): Record<string, unknown> {
    const file = this.#readFile();
    const out: Record<string, unknown> = {};
    for (const [key, b64] of Object.entries(file.values)) {
      try {
        out[key] = JSON.parse(this.#crypto.decryptString(Buffer.from(b64, 'base64')));
      } catch {
        // A value we cannot decrypt is as good as unset; the user enters it again.
      }
    }
    return out;
  }

  /** Encrypts and stores one value (temp file, fsync, rename: never a half-written file). */
  write(key: string, value: unknown): void {
    const file = this.#readFile();
    if (value === undefined || value === null || value === '') delete file.values[key];
    else file.values[key] = this.#crypto.encryptString(JSON.stringify(value)).toString('base64');
    const tmp = `${this.#file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#file);
  }

  #readFile(): SecretsFile {
    try {
      const raw = JSON.parse(readFileSync(this.#file, 'utf8')) as Partial<SecretsFile>;
      if (raw.version === 1 && raw.values && typeof raw.values === 'object') {
        const values: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw.values)) if (typeof v === 'string') values[k] = v;
        return { version: 1, values };
      }
    } catch {
      // absent or unreadable: start empty
    }
    return { version: 1, values: {} };
  }
}
