import type { Migration } from 'kysely';
import * as m0001 from './0001_init.ts';

/**
 * Every migration, registered statically so it bundles and runs from inside an asar archive.
 * Names sort in application order; never edit a migration once released, add a new one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_init': m0001,
};
