import type { Command } from '../command.ts';
import { artworkCommands } from './artwork.ts';
import { cacheCommands } from './cache.ts';
import { daemonCommands } from './daemon.ts';
import { enrichCommands } from './enrich.ts';
import { jobsCommands } from './jobs.ts';
import { libraryCommands } from './library.ts';
import { publishCommands } from './publish.ts';
import { serveCommands } from './serve.ts';
import { systemCommands } from './system.ts';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: Command[] = [
  ...systemCommands,
  ...libraryCommands,
  ...enrichCommands,
  ...artworkCommands,
  ...cacheCommands,
  ...publishCommands,
  ...jobsCommands,
  ...serveCommands,
  ...daemonCommands,
];
