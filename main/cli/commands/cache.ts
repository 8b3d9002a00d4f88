import type { Command } from '../command.ts';

export const cacheCommands: Command[] = [];
