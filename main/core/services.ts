import type { DataPaths } from './config/data-dir.ts';
import type { SettingsStore } from './config/settings-store.ts';
import type { Clock } from './clock.ts';
import type { Db, OpenedDatabase } from './db/database.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './log.ts';
import type { OwnWrites } from './own-writes.ts';
import type { LibraryDomain } from './library/index.ts';
import type { ProvidersDomain } from './providers/index.ts';
import type { EnrichDomain } from './enrich/index.ts';
import type { SelectDomain } from './select/index.ts';
import type { CacheDomain } from './cache/index.ts';
import type { PublishDomain } from './publish/index.ts';
import type { JobsDomain } from './jobs/index.ts';

/**
 * Everything the handlers may use, built once by the composition root (engine.ts). Domain
 * services are added here as they are written; handlers never construct services themselves.
 */
export interface Services {
  db: Db;
  database: OpenedDatabase;
  settings: SettingsStore;
  log: Logger;
  events: EventBus;
  clock: Clock;
  paths: DataPaths;
  version: string;
  /** Running against the fake providers with a generated library. */
  demo: boolean;
  /** Library paths this process just wrote, so the watcher does not rescan after our own writes. */
  ownWrites: OwnWrites;

  // Domains: each reaches the others through this object at call time, so construction order
  // does not matter.
  library: LibraryDomain;
  providers: ProvidersDomain;
  enrich: EnrichDomain;
  select: SelectDomain;
  cache: CacheDomain;
  publish: PublishDomain;
  jobs: JobsDomain;
}

/** The services every domain factory can rely on being present at construction. */
export type BaseServices = Omit<Services, 'library' | 'providers' | 'enrich' | 'select' | 'cache' | 'publish' | 'jobs'>;
