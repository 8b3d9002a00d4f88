import type { Migration } from 'kysely';
import * as m0001 from './0001_init.ts';
import * as m0002 from './0002_scan_folders.ts';
import * as m0003 from './0003_image_phashes.ts';
import * as m0004 from './0004_jobs_indexes.ts';
import * as m0005 from './0005_jobs_constraint_lists.ts';
import * as m0006 from './0006_unused_item_indexes.ts';
import * as m0007 from './0007_scan_freshness.ts';
import * as m0008 from './0008_blob_file_times.ts';
import * as m0009 from './0009_jobs_outcomes.ts';
import * as m0010 from './0010_candidate_previews.ts';

/**
 * Every migration, registered statically so it bundles and runs from inside an asar archive.
 * Names sort in application order; never edit a migration once released, add a new one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_scan_folders': m0002,
  '0003_image_phashes': m0003,
  '0004_jobs_indexes': m0004,
  '0005_jobs_constraint_lists': m0005,
  '0006_unused_item_indexes': m0006,
  '0007_scan_freshness': m0007,
  '0008_blob_file_times': m0008,
  '0009_jobs_outcomes': m0009,
  '0010_candidate_previews': m0010,
};
