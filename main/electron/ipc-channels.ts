/**
 * IPC channel names shared by preload and main. Kept apart from ipc.ts so the sandboxed
 * preload bundle stays tiny (no zod, no API table).
 */
export const IPC = {
  /** invoke: `{ method, params, callId? }` → CallReply. */
  call: 'posterity:call',
  /** invoke: `{ callId }` → aborts that call. */
  cancel: 'posterity:cancel',
  /** invoke: no payload → the folder the user picked in the system dialog, or null. */
  pickFolder: 'posterity:pick-folder',
  /** main → renderer: an EngineEvent. */
  event: 'posterity:event',
  /** main → renderer: a menu command (see MENU_COMMANDS). */
  menu: 'posterity:menu',
} as const;
