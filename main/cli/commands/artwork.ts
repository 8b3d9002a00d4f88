import type { Command } from '../command.ts';

export const artworkCommands: Command[] = [];
