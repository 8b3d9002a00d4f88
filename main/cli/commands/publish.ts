import type { Command } from '../command.ts';

export const publishCommands: Command[] = [];
