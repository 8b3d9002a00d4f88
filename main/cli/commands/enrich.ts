import type { Command } from '../command.ts';

export const enrichCommands: Command[] = [];
