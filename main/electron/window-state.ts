import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';

/** Where and how big the window was, remembered between runs. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WINDOW_SIZE = { width: 760, height: 520 } as const;

/** Reads a saved state; anything unreadable or implausible gives the default. */
export function parseWindowState(text: string | null): WindowState {
  if (!text) return { ...DEFAULT_WINDOW_STATE };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_WINDOW_STATE };
  const r = raw as Record<string, unknown>;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000 ? v : undefined);
  const width = int(r.width);
  const height = int(r.height);
  if (width === undefined || height === undefined) return { ...DEFAULT_WINDOW_STATE };
  const state: WindowState = {
    width: Math.max(MIN_WINDOW_SIZE.width, width),
    height: Math.max(MIN_WINDOW_SIZE.height, height),
    maximized: r.maximized === true,
  };
  const x = int(r.x);
  const y = int(r.y);
  if (x !== undefined && y !== undefined) {
    state.x = x;
    state.y = y;
  }
  return state;
}

/**
 * Keeps a remembered window on a screen that still exists: a position whose title bar would not
 * be visible on any display's work area (a monitor was unplugged) is dropped, so the OS centres
 * the window; a size larger than the display is shrunk to fit.
 */
export function fitToDisplays(state: WindowState, workAreas: Rectangle[]): WindowState {
  const result: WindowState = { width: state.width, height: state.height, maximized: state.maximized };
  const primary = workAreas[0];
  if (primary) {
    result.width = Math.min(result.width, primary.width);
    result.height = Math.min(result.height, primary.height);
  }
  if (state.x === undefined || state.y === undefined) return result;
  // The top strip (title bar) must overlap a work area by at least 48×24 px to be grabbable.
  const titleBar = { x: state.x, y: state.y, width: result.width, height: 24 };
  const visible = workAreas.some((a) => overlap(titleBar, a).width >= 48 && overlap(titleBar, a).height >= 24);
  if (visible) {
    result.x = state.x;
    result.y = state.y;
  }
  return result;
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

export function loadWindowState(file: string, workAreas: Rectangle[]): WindowState {
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // first run
  }
  return fitToDisplays(parseWindowState(text), workAreas);
}

/** Saves the window's normal bounds (not the maximised ones) on move, resize and close. */
export function trackWindowState(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    timer = null;
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    const state: WindowState = { ...bounds, maximized: win.isMaximized() };
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, file);
    } catch {
      // Losing the window position is not worth bothering the user about.
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
