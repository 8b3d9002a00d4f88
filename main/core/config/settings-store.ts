import { ApiError } from '../../../shared/api/errors.ts';
import {
  SETTINGS,
  SETTING_KEYS,
  isSettingKey,
  maskSecret,
  type SettingKey,
  type SettingValue,
  type SettingView,
} from '../../../shared/settings.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { SecretVault } from './secret-vault.ts';

/**
 * Typed settings over the `settings` table. Reads come from an in-memory copy (settings are read
 * on hot paths such as scoring); writes go through to the database. Environment overrides win
 * over stored values and are reported as such.
 */
export class SettingsStore {
  readonly #db: Db;
  readonly #env: NodeJS.ProcessEnv;
  readonly #clock: Clock;
  readonly #events: EventBus;
  readonly #log: Logger;
  readonly #vault: SecretVault | undefined;
  #stored = new Map<SettingKey, unknown>();

  private constructor(
    db: Db,
    env: NodeJS.ProcessEnv,
    clock: Clock,
    events: EventBus,
    log: Logger,
    vault?: SecretVault,
  ) {
    this.#db = db;
    this.#env = env;
    this.#clock = clock;
    this.#events = events;
    this.#log = log;
    this.#vault = vault;
  }

  static async load(db: Db, env: NodeJS.ProcessEnv, clock: Clock, events: EventBus, log: Logger, vault?: SecretVault) {
    const store = new SettingsStore(db, env, clock, events, log, vault);
    store.#stored = await readStored(db, (key) =>
      log.warn(`Ignoring an invalid stored value for setting ${key}; using its default`),
    );
    if (vault) await store.#moveSecretsToVault(vault);
    for (const key of SETTING_KEYS) {
      if (SETTINGS[key].secret) {
        const value = store.get(key);
        if (typeof value === 'string') log.addSecret(value);
      }
    }
    return store;
  }

  /**
   * Reads the stored values again, for changes another process made (`posterity config set`
   * beside a running daemon or app): each changed key is announced like a change made here.
   * Secrets kept in the OS vault are this process's own and stay as they are. Returns the keys.
   */
  async reload(): Promise<SettingKey[]> {
    const fresh = await readStored(this.#db);
    const changed: SettingKey[] = [];
    for (const key of SETTING_KEYS) {
      if (this.#vault && SETTINGS[key].secret) continue;
      const before = this.#stored.has(key) ? JSON.stringify(this.#stored.get(key)) : undefined;
      const after = fresh.has(key) ? JSON.stringify(fresh.get(key)) : undefined;
      if (before === after) continue;
      if (fresh.has(key)) this.#stored.set(key, fresh.get(key));
      else this.#stored.delete(key);
      const value = this.get(key);
      if (SETTINGS[key].secret && typeof value === 'string') this.#log.addSecret(value);
      changed.push(key);
    }
    if (changed.length > 0) this.#events.emit({ type: 'settings-changed', keys: changed });
    return changed;
  }

  get<K extends SettingKey>(key: K): SettingValue<K> {
    const fromEnv = this.#fromEnv(key);
    if (fromEnv !== undefined) return fromEnv;
    if (this.#stored.has(key)) return this.#stored.get(key) as SettingValue<K>;
    return SETTINGS[key].default as SettingValue<K>;
  }

  async set<K extends SettingKey>(key: K, value: unknown): Promise<SettingValue<K>> {
    const parsed = SETTINGS[key].schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError('bad_request', `Invalid value for ${key}: ${issue?.message ?? 'wrong type'}`, 'value');
    }
    const now = this.#clock.now();
    if (this.#vault && SETTINGS[key].secret) this.#vault.save(key, parsed.data);
    else
      await this.#db
        .insertInto('settings')
        .values({ key, value: JSON.stringify(parsed.data), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(parsed.data), updated_at: now }))
        .execute();
    this.#stored.set(key, parsed.data);
    if (SETTINGS[key].secret && typeof parsed.data === 'string') this.#log.addSecret(parsed.data);
    this.#events.emit({ type: 'settings-changed', keys: [key] });
    return parsed.data as SettingValue<K>;
  }

  /** The setting as a user may see it: secrets masked, where the value comes from. */
  view(key: string): SettingView {
    if (!isSettingKey(key)) throw new ApiError('not_found', `No setting named "${key}"`, 'key');
    const d = SETTINGS[key];
    const secret = d.secret === true;
    const source = this.#fromEnv(key) !== undefined ? 'env' : this.#stored.has(key) ? 'stored' : 'default';
    const value = this.get(key);
    return {
      key,
      value: secret ? maskSecret(value) : value,
      default: secret ? maskSecret(d.default) : d.default,
      description: d.description,
      secret,
      source,
      env: ('env' in d ? d.env : undefined) ?? null,
    };
  }

  list(): SettingView[] {
    return SETTING_KEYS.map((k) => this.view(k));
  }

  /** Vault values win; secrets found in the database move into the vault and leave the file. */
  async #moveSecretsToVault(vault: SecretVault): Promise<void> {
    const saved = vault.load();
    for (const key of SETTING_KEYS) {
      if (!SETTINGS[key].secret) continue;
      if (Object.hasOwn(saved, key)) {
        const parsed = SETTINGS[key].schema.safeParse(saved[key]);
        if (parsed.success) this.#stored.set(key, parsed.data);
      } else if (this.#stored.has(key)) {
        vault.save(key, this.#stored.get(key));
      }
    }
    const secretKeys = SETTING_KEYS.filter((k) => SETTINGS[k].secret);
    await this.#db.deleteFrom('settings').where('key', 'in', secretKeys).execute();
  }

  #fromEnv<K extends SettingKey>(key: K): SettingValue<K> | undefined {
    const d = SETTINGS[key];
    const name = 'env' in d ? d.env : undefined;
    const raw = name ? this.#env[name] : undefined;
    if (raw === undefined || raw === '') return undefined;
    const parsed = d.schema.safeParse(raw);
    return parsed.success ? (parsed.data as SettingValue<K>) : undefined;
  }
}

/**
 * The stored values that are valid now. A setting from a newer or older version is kept in the
 * table and ignored here; an invalid value falls back to the default (`onInvalid` is told).
 */
async function readStored(db: Db, onInvalid?: (key: SettingKey) => void): Promise<Map<SettingKey, unknown>> {
  const stored = new Map<SettingKey, unknown>();
  for (const row of await db.selectFrom('settings').selectAll().execute()) {
    if (!isSettingKey(row.key)) continue;
    const parsed = SETTINGS[row.key].schema.safeParse(safeParse(row.value));
    if (parsed.success) stored.set(row.key, parsed.data);
    else onInvalid?.(row.key);
  }
  return stored;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
