import type { Command } from '../command.ts';

export const jobsCommands: Command[] = [];
