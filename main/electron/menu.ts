import type { MenuItemConstructorOptions } from 'electron';

/** Commands the menu sends to the window; the renderer maps each to a view or an action. */
export const MENU_COMMANDS = ['go-library', 'go-activity', 'go-settings', 'find', 'scan-all', 'toggle-view'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export interface MenuActions {
  send(command: MenuCommand): void;
  /** Opens the data folder in the system file manager. */
  openDataFolder(): void;
  /** Opens a known documentation page in the system browser. */
  openHelp(): void;
}

/** The application menu as data: platform conventions, no Electron calls here. */
export function menuTemplate(
  platform: NodeJS.Platform,
  appName: string,
  actions: MenuActions,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const go = (label: string, accelerator: string, command: MenuCommand): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => actions.send(command),
  });
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        go('Settings…', 'CmdOrCtrl+,', 'go-settings'),
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      submenu: [
        go('Scan all libraries', 'CmdOrCtrl+R', 'scan-all'),
        { label: 'Open data folder', click: () => actions.openDataFolder() },
        ...(mac
          ? []
          : ([
              { type: 'separator' },
              go('Settings', 'CmdOrCtrl+,', 'go-settings'),
              { type: 'separator' },
              { role: 'quit' },
            ] as MenuItemConstructorOptions[])),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        { type: 'separator' },
        go('Find', 'CmdOrCtrl+F', 'find'),
      ],
    },
    {
      label: '&View',
      submenu: [
        go('Library', 'CmdOrCtrl+1', 'go-library'),
        go('Activity', 'CmdOrCtrl+2', 'go-activity'),
        go('Settings', 'CmdOrCtrl+3', 'go-settings'),
        { type: 'separator' },
        go('Grid / list', 'CmdOrCtrl+G', 'toggle-view'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Posterity help', click: () => actions.openHelp() }] },
  );
  return template;
}
