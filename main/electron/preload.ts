import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC } from './ipc-channels.ts';

/**
 * The window's one object, `window.posterity`: named functions only, never `ipcRenderer`.
 * Everything sent is re-checked by main (sender, method name, parameters).
 */
const api = {
  /** Calls an API method; resolves to `{ ok, result | error }` (never rejects for API errors). */
  call: (method: string, params: unknown, callId?: string): Promise<unknown> =>
    ipcRenderer.invoke(IPC.call, callId === undefined ? { method, params } : { method, params, callId }),
  /** Aborts a call started with a callId. */
  cancel: (callId: string): Promise<unknown> => ipcRenderer.invoke(IPC.cancel, { callId }),
  /** Engine events (items changed, jobs, progress); returns the unsubscribe function. */
  onEvent: (listener: (event: unknown) => void): (() => void) => subscribe(IPC.event, listener),
  /** Menu commands (go-library, find, …); returns the unsubscribe function. */
  onMenu: (listener: (command: unknown) => void): (() => void) => subscribe(IPC.menu, listener),
  /** Asks the system for a folder (adding a library); resolves to its path or null when cancelled. */
  pickFolder: (): Promise<string | null> => ipcRenderer.invoke(IPC.pickFolder) as Promise<string | null>,
  /** The local path of a file the user dropped or picked (the one way a path leaves the window). */
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
};

function subscribe(channel: string, listener: (value: unknown) => void): () => void {
  const handler = (_event: IpcRendererEvent, value: unknown) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

export type PosterityPreload = typeof api;

contextBridge.exposeInMainWorld('posterity', api);
