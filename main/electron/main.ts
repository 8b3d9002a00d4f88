import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  net,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
  type UtilityProcess,
  type WebContents,
} from 'electron';
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveDataDir } from '../core/config/data-dir.ts';
import { bundleFileFor, bundleHeaders } from './app-protocol.ts';
import { RequestTracker, type FromHost, type ToHost } from './engine-protocol.ts';
import { createImageHandler } from './image-protocol.ts';
import { IPC, isValidCall, validateCall, validateCancel, type CallReply } from './ipc.ts';
import { menuTemplate, type MenuCommand } from './menu.ts';
import { SecretStorage } from './secret-storage.ts';
import {
  allowNavigation,
  allowPermission,
  APP_ENTRY,
  APP_SCHEME,
  decideWindowOpen,
  IMAGE_SCHEME,
  isTrustedSender,
  PRIVILEGED_SCHEMES,
  secureWebPreferences,
  type SenderInfo,
} from './security.ts';
import { loadWindowState, MIN_WINDOW_SIZE, trackWindowState } from './window-state.ts';

/**
 * The desktop shell: one window, the menu, the two protocols, and a relay between the window
 * and the engine host. No domain logic lives here.
 */

const HELP_URL = 'https://kodi.wiki/view/Artwork_types';
const HOST_SHUTDOWN_MS = 5000;

const flags = parseFlags(process.argv.slice(app.isPackaged ? 1 : 2));
let mainWindow: BrowserWindow | null = null;
let host: UtilityProcess | null = null;
let engineError: string | null = null;
let engineReady: Promise<void> = Promise.resolve();
let quitting = false;
let windowStateFile: string | null = null;
const tracker = new RequestTracker();
/** Renderer call ids → host request ids, for cancel. */
const callIds = new Map<string, number>();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);
  app.enableSandbox();
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!mainWindow && windowStateFile) createWindow(windowStateFile);
  });
  app.on('before-quit', (event) => {
    if (quitting || !host) return;
    event.preventDefault();
    quitting = true;
    void stopHost().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      dialog.showErrorBox('Posterity could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const dataDir = resolveDataDir({ flag: flags.dataDir, env: process.env, runtimeDefault: app.getPath('userData') });
  const secrets = new SecretStorage(path.join(dataDir, 'secrets.json'), safeStorage);

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(allowPermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => allowPermission(permission));

  const bundleRoot = path.join(__dirname, '..', 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const file = bundleFileFor(bundleRoot, request.url);
    if (!file) return new Response(null, { status: 404 });
    // Client-side routes fall back to the app shell.
    const target = statSync(file, { throwIfNoEntry: false })?.isFile() ? file : path.join(bundleRoot, 'index.html');
    const res = await net.fetch(pathToFileURL(target).toString());
    return new Response(res.body, { status: res.status, headers: bundleHeaders(target) });
  });
  protocol.handle(
    IMAGE_SCHEME,
    createImageHandler({
      resolve: async (imageRequest) => {
        await engineReady;
        const { reply } = tracker.request((id) => sendToHost({ type: 'image', id, request: imageRequest }));
        const answer = await reply;
        return answer.ok && typeof answer.result === 'string' ? answer.result : null;
      },
      readFile: (absPath) => net.fetch(pathToFileURL(absPath).toString()),
    }),
  );

  ipcMain.handle(IPC.call, (event, payload) => relayCall(event, payload));
  ipcMain.handle(IPC.cancel, (event, payload) => {
    const callId = validateCancel(senderOf(event), mainWindow?.webContents.id ?? null, payload);
    const id = callId ? callIds.get(callId) : undefined;
    if (id !== undefined) sendToHost({ type: 'cancel', id });
    return null;
  });

  ipcMain.handle(IPC.pickFolder, async (event) => {
    if (!mainWindow || !isTrustedSender(senderOf(event), mainWindow.webContents.id)) return null;
    const picked = await dialog.showOpenDialog(mainWindow, {
      title: 'Choose a movie library folder',
      properties: ['openDirectory'],
    });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });

  engineReady = startHost(dataDir, secrets);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(process.platform, app.name, {
        send: (command: MenuCommand) => mainWindow?.webContents.send(IPC.menu, command),
        openDataFolder: () => void shell.openPath(dataDir),
        openHelp: () => void shell.openExternal(HELP_URL),
      }),
    ),
  );
  windowStateFile = path.join(dataDir, 'window-state.json');
  createWindow(windowStateFile);
}

function createWindow(stateFile: string): void {
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    title: 'Posterity',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171c' : '#f6f7f9',
    webPreferences: secureWebPreferences(path.join(__dirname, 'preload.cjs')),
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, stateFile);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  mainWindow = win;
  void win.loadURL(APP_ENTRY);
}

/** Every web contents (the window, anything it might spawn) gets the same limits. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
    return { action: decision.action };
  });
}

function senderOf(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    frameUrl: frame?.url ?? null,
    isMainFrame: frame !== null && frame !== undefined && frame.parent === null,
  };
}

async function relayCall(event: IpcMainInvokeEvent, payload: unknown): Promise<CallReply> {
  const checked = validateCall(senderOf(event), mainWindow?.webContents.id ?? null, payload);
  if (!isValidCall(checked)) return { ok: false, error: checked };
  await engineReady;
  if (engineError)
    return { ok: false, error: { code: 'internal', message: `The engine could not start: ${engineError}` } };
  const { callId, method, params } = checked;
  const sender = event.sender;
  const { id, reply } = tracker.request(
    (requestId) => sendToHost({ type: 'call', id: requestId, method, params, progress: callId !== null }),
    callId
      ? (progress) => {
          if (!sender.isDestroyed()) sender.send(IPC.event, { type: 'progress', callId, method, progress });
        }
      : undefined,
  );
  if (callId) callIds.set(callId, id);
  try {
    const answer = await reply;
    return answer.ok ? { ok: true, result: answer.result } : { ok: false, error: answer.error };
  } finally {
    if (callId) callIds.delete(callId);
  }
}

function sendToHost(message: ToHost): void {
  if (!host) throw new Error('the engine is not running');
  host.postMessage(message);
}

/** Forks the engine host and resolves once it is ready (or has failed, see engineError). */
function startHost(dataDir: string, secrets: SecretStorage): Promise<void> {
  return new Promise<void>((resolve) => {
    const child = utilityProcess.fork(path.join(__dirname, 'engine-host.cjs'), [], {
      serviceName: 'Posterity engine',
      stdio: 'inherit',
    });
    host = child;
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    child.on('message', (message: FromHost) => {
      if (tracker.receive(message)) return;
      switch (message.type) {
        case 'ready':
          engineError = null;
          settle();
          break;
        case 'fatal':
          engineError = message.message;
          settle();
          dialog.showErrorBox('The Posterity engine could not start', message.message);
          break;
        case 'event':
          mainWindow?.webContents.send(IPC.event, message.event);
          break;
        case 'secret':
          try {
            secrets.write(message.key, message.value);
          } catch (err) {
            dialog.showErrorBox('Could not save a secret setting', String(err));
          }
          break;
        case 'closed':
          break;
      }
    });
    child.on('exit', (code) => {
      host = null;
      tracker.failAll('The engine stopped');
      if (!settled) engineError = `The engine exited during startup (code ${code})`;
      settle();
      if (!quitting && code !== 0) {
        engineError = `The engine stopped unexpectedly (code ${code}). Restart Posterity to continue.`;
        dialog.showErrorBox('Posterity', engineError);
      }
    });
    const protectedSecrets = secrets.available;
    child.postMessage({
      type: 'init',
      dataDir,
      secrets: protectedSecrets ? secrets.readAll() : {},
      secretsProtected: protectedSecrets,
      demo: flags.demo,
    } satisfies ToHost);
  });
}

/** Asks the host to close the database cleanly; kills it if it does not within a few seconds. */
function stopHost(): Promise<void> {
  const child = host;
  if (!child) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve();
    }, HOST_SHUTDOWN_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      child.postMessage({ type: 'shutdown' } satisfies ToHost);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function parseFlags(argv: string[]): { dataDir: string | undefined; demo: boolean } {
  let dataDir: string | undefined;
  let demo = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--demo') demo = true;
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--data-dir') dataDir = argv[++i];
  }
  return { dataDir, demo };
}
