import { createHandlers } from './api/handlers.ts';
import { createDispatcher, type Dispatch, type Handlers } from './api/dispatch.ts';
import { systemClock, type Clock } from './clock.ts';
import { dataPaths, ensureDataDir } from './config/data-dir.ts';
import { SettingsStore } from './config/settings-store.ts';
import type { SecretVault } from './config/secret-vault.ts';
import { openDatabase } from './db/database.ts';
import { EventBus } from './events.ts';
import { createLogger, type Logger, type LogLevel } from './log.ts';
import { OwnWrites } from './own-writes.ts';
import type { BaseServices, Services } from './services.ts';
import { createLibraryDomain } from './library/index.ts';
import { createProvidersDomain } from './providers/index.ts';
import { createEnrichDomain } from './enrich/index.ts';
import { createSelectDomain } from './select/index.ts';
import { createCacheDomain } from './cache/index.ts';
import { createPublishDomain } from './publish/index.ts';
import { createJobsDomain } from './jobs/index.ts';
import { VERSION } from './version.ts';

export interface EngineOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Console verbosity; the log file in the data dir always gets `info` and above. */
  consoleLevel?: LogLevel | 'silent';
  logger?: Logger;
  demo?: boolean;
  /** Where secret settings live (the desktop app's OS keychain); the database when absent. */
  secrets?: SecretVault;
}

export interface Engine {
  services: Services;
  handlers: Handlers;
  /** The one entry point every door uses. */
  dispatch: Dispatch;
  close(): Promise<void>;
}

/** The composition root: builds every service once, wires them, and hands out the dispatcher. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const paths = dataPaths(options.dataDir);
  ensureDataDir(paths.root);
  const log =
    options.logger ?? createLogger({ file: paths.logFile, consoleLevel: options.consoleLevel ?? 'warn' });
  const clock = options.clock ?? systemClock;
  const events = new EventBus();
  const database = await openDatabase(paths.database);
  const db = database.db;
  const settings = await SettingsStore.load(db, options.env ?? process.env, clock, events, log.child('settings'), options.secrets);

  const base: BaseServices = {
    db,
    database,
    settings,
    log,
    events,
    clock,
    paths,
    version: VERSION,
    demo: options.demo ?? false,
    ownWrites: new OwnWrites(),
  };
  // Domains are filled in one by one; each only touches the others when called, not when built.
  const services = base as Services;
  const domains: object[] = [
    (services.cache = createCacheDomain(services)),
    (services.library = createLibraryDomain(services)),
    (services.providers = createProvidersDomain(services)),
    (services.enrich = createEnrichDomain(services)),
    (services.select = createSelectDomain(services)),
    (services.publish = createPublishDomain(services)),
    (services.jobs = createJobsDomain(services)),
  ];

  const handlers = createHandlers(services);
  const dispatch = createDispatcher(handlers, log);
  let closed = false;
  return {
    services,
    handlers,
    dispatch,
    async close() {
      if (closed) return;
      closed = true;
      for (const domain of [...domains].reverse()) await (domain as { close?: () => Promise<void> }).close?.();
      await database.close();
    },
  };
}
