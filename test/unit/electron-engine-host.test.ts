import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../main/core/clock.ts';
import { createEngine } from '../../main/core/engine.ts';
import { createLogger } from '../../main/core/log.ts';
import type { FromHost, ToHost } from '../../main/electron/engine-protocol.ts';
import { describeStartupError, serveEngine, type HostPort } from '../../main/electron/engine-host.ts';
import { SecretStorage, type Encryptor } from '../../main/electron/secret-storage.ts';

/** A message port pair in memory: what utilityProcess gives main and the host. */
function fakePort() {
  const fromHost: FromHost[] = [];
  let listener: ((e: { data: unknown }) => void) | null = null;
  const waiters: Array<() => void> = [];
  const port: HostPort = {
    on: (_event, l) => {
      listener = l;
    },
    postMessage: (m) => {
      fromHost.push(m);
      waiters.splice(0).forEach((w) => w());
    },
  };
  return {
    port,
    fromHost,
    send: (m: ToHost) => listener?.({ data: m }),
    async next<T extends FromHost['type']>(
      type: T,
      pred: (m: Extract<FromHost, { type: T }>) => boolean = () => true,
    ): Promise<Extract<FromHost, { type: T }>> {
      for (;;) {
        const found = fromHost.find((m) => m.type === type && pred(m as Extract<FromHost, { type: T }>));
        if (found) return found as Extract<FromHost, { type: T }>;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function tempRoot() {
  const r = mkdtempSync(path.join(os.tmpdir(), 'posterity-host-'));
  roots.push(r);
  return r;
}

/** Reversible "encryption" standing in for the OS keychain. */
const fakeKeychain: Encryptor = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
};

describe('the engine host relays calls, events and secrets', () => {
  it('answers calls, reports API errors as shapes, forwards events, and stores secrets outside the database', async () => {
    const root = tempRoot();
    const wire = fakePort();
    const secrets = new SecretStorage(path.join(root, 'secrets.json'), fakeKeychain);
    let exited = false;
    serveEngine(wire.port, {
      createEngine: async (init, vault) => {
        const engine = await createEngine({
          dataDir: init.dataDir,
          env: {},
          clock: fixedClock(Date.UTC(2026, 0, 1)),
          logger: createLogger({ consoleLevel: 'silent', file: path.join(init.dataDir, 'log.txt') }),
          ...(vault ? { secrets: vault } : {}),
        });
        return { engine, close: () => engine.close() };
      },
      exit: () => {
        exited = true;
      },
    });
    wire.send({
      type: 'init',
      dataDir: path.join(root, 'data'),
      secrets: secrets.readAll(),
      secretsProtected: secrets.available,
      demo: false,
    });
    expect(await wire.next('ready')).toMatchObject({ demo: false });

    wire.send({ type: 'call', id: 1, method: 'status', params: {}, progress: false });
    expect(await wire.next('reply', (m) => m.id === 1)).toMatchObject({ ok: true, result: { libraries: 0 } });

    wire.send({ type: 'call', id: 2, method: 'item-get', params: { id: 4242 }, progress: false });
    expect(await wire.next('reply', (m) => m.id === 2)).toMatchObject({ ok: false, error: { code: 'not_found' } });

    wire.send({
      type: 'call',
      id: 3,
      method: 'config-set',
      params: { key: 'tmdb.apiKey', value: 'my-secret-key-1234' },
      progress: false,
    });
    expect(await wire.next('reply', (m) => m.id === 3)).toMatchObject({ ok: true, result: { value: '••••1234' } });
    // The setting change is pushed as an event, and the secret goes to main for the keychain.
    expect(await wire.next('event', (m) => m.event.type === 'settings-changed')).toBeTruthy();
    const secret = await wire.next('secret');
    expect(secret).toEqual({ type: 'secret', key: 'tmdb.apiKey', value: 'my-secret-key-1234' });
    secrets.write(secret.key, secret.value);
    expect(readFileSync(path.join(root, 'secrets.json'), 'utf8')).not.toContain('my-secret-key');
    expect(secrets.readAll()).toEqual({ 'tmdb.apiKey': 'my-secret-key-1234' });

    wire.send({ type: 'image', id: 4, request: { sha256: 'c'.repeat(64), size: 'thumb' } });
    expect(await wire.next('reply', (m) => m.id === 4)).toMatchObject({ ok: true, result: null });

    wire.send({ type: 'shutdown' });
    await wire.next('closed');
    expect(exited).toBe(true);
    // The database file never saw the key.
    expect(readFileSync(path.join(root, 'data', 'posterity.db')).includes(Buffer.from('my-secret-key'))).toBe(false);

    // Next start: the key comes back from the keychain file.
    const again = fakePort();
    serveEngine(again.port, {
      createEngine: async (init, vault) => {
        const engine = await createEngine({
          dataDir: init.dataDir,
          env: {},
          logger: createLogger({ consoleLevel: 'silent', file: path.join(init.dataDir, 'log.txt') }),
          ...(vault ? { secrets: vault } : {}),
        });
        return { engine, close: () => engine.close() };
      },
      exit: () => {},
    });
    again.send({
      type: 'init',
      dataDir: path.join(root, 'data'),
      secrets: secrets.readAll(),
      secretsProtected: true,
      demo: false,
    });
    await again.next('ready');
    again.send({ type: 'call', id: 1, method: 'status', params: {}, progress: false });
    expect(await again.next('reply', (m) => m.id === 1)).toMatchObject({
      ok: true,
      result: { providers: { tmdb: { configured: true } } },
    });
    again.send({ type: 'shutdown' });
    await again.next('closed');
  });

  it('reports a failed start in words the dialog can show', async () => {
    const wire = fakePort();
    serveEngine(wire.port, {
      createEngine: async () => {
        throw new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115');
      },
      exit: () => {},
    });
    wire.send({ type: 'init', dataDir: '/nowhere', secrets: {}, secretsProtected: false, demo: false });
    const fatal = await wire.next('fatal');
    expect(fatal.message).toContain('better-sqlite3');
    expect(fatal.message).toContain('posterity serve');
    wire.send({ type: 'call', id: 9, method: 'status', params: {}, progress: false });
    expect(await wire.next('reply', (m) => m.id === 9)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('passes other startup errors through unchanged', () => {
    expect(describeStartupError(new Error('disk full'))).toBe('disk full');
  });
});

describe('secret storage', () => {
  it('is unavailable where the OS offers no real protection', () => {
    const root = tempRoot();
    expect(
      new SecretStorage(path.join(root, 's.json'), { ...fakeKeychain, getSelectedStorageBackend: () => 'basic_text' })
        .available,
    ).toBe(false);
    expect(
      new SecretStorage(path.join(root, 's.json'), { ...fakeKeychain, isEncryptionAvailable: () => false }).available,
    ).toBe(false);
    expect(new SecretStorage(path.join(root, 's.json'), fakeKeychain).available).toBe(true);
  });

  it('forgets a cleared secret and skips one that no longer decrypts', () => {
    const root = tempRoot();
    const file = path.join(root, 's.json');
    const store = new SecretStorage(file, fakeKeychain);
    store.write('tmdb.apiKey', 'k1');
    store.write('fanart.apiKey', 'k2');
    store.write('tmdb.apiKey', '');
    expect(store.readAll()).toEqual({ 'fanart.apiKey': 'k2' });
    const broken = new SecretStorage(file, {
      ...fakeKeychain,
      decryptString: () => {
        throw new Error('keychain reset');
      },
    });
    expect(broken.readAll()).toEqual({});
  });
});
