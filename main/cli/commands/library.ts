import type { Command } from '../command.ts';

export const libraryCommands: Command[] = [];
