import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, fitToDisplays, parseWindowState } from '../../main/electron/window-state.ts';
import { menuTemplate, MENU_COMMANDS } from '../../main/electron/menu.ts';

describe('the remembered window', () => {
  it.each([
    ['nothing saved', null, DEFAULT_WINDOW_STATE],
    ['broken JSON', '{"width":', DEFAULT_WINDOW_STATE],
    ['not an object', '42', DEFAULT_WINDOW_STATE],
    ['no size', '{"x":1,"y":2}', DEFAULT_WINDOW_STATE],
    [
      'a normal state',
      '{"x":10,"y":20,"width":1400,"height":900,"maximized":true}',
      { x: 10, y: 20, width: 1400, height: 900, maximized: true },
    ],
    ['a tiny window', '{"width":100,"height":50}', { width: 760, height: 520, maximized: false }],
    ['fractional numbers', '{"width":1000.5,"height":800}', DEFAULT_WINDOW_STATE],
  ])('%s', (_label, text, expected) => {
    expect(parseWindowState(text)).toEqual(expected);
  });

  const laptop = { x: 0, y: 0, width: 1920, height: 1050 };
  const external = { x: 1920, y: 0, width: 2560, height: 1400 };

  it('keeps a position that is on a screen', () => {
    expect(fitToDisplays({ x: 2000, y: 100, width: 1200, height: 800, maximized: false }, [laptop, external])).toEqual({
      x: 2000,
      y: 100,
      width: 1200,
      height: 800,
      maximized: false,
    });
  });

  it('drops a position on a monitor that was unplugged, so the window opens centred', () => {
    expect(fitToDisplays({ x: 2000, y: 100, width: 1200, height: 800, maximized: false }, [laptop])).toEqual({
      width: 1200,
      height: 800,
      maximized: false,
    });
  });

  it('shrinks a window larger than the screen', () => {
    expect(fitToDisplays({ width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({
      width: 1920,
      height: 1050,
      maximized: false,
    });
  });
});

describe('the application menu', () => {
  it('sends only known commands', () => {
    const sent: string[] = [];
    const template = menuTemplate('linux', 'Posterity', {
      send: (c) => sent.push(c),
      openDataFolder: () => {},
      openHelp: () => {},
    });
    const click = (items: unknown[]): void => {
      for (const item of items as Array<{ click?: () => void; submenu?: unknown[] }>) {
        item.click?.();
        if (Array.isArray(item.submenu)) click(item.submenu);
      }
    };
    click(template);
    expect(sent.length).toBeGreaterThan(0);
    for (const c of sent) expect(MENU_COMMANDS).toContain(c);
  });

  it('follows macOS conventions there (app menu first)', () => {
    const mac = menuTemplate('darwin', 'Posterity', { send: () => {}, openDataFolder: () => {}, openHelp: () => {} });
    expect(mac[0]?.label).toBe('Posterity');
    const linux = menuTemplate('linux', 'Posterity', { send: () => {}, openDataFolder: () => {}, openHelp: () => {} });
    expect(linux[0]?.label).toBe('&File');
  });
});
