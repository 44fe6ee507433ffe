// Starts `iislint server` (the language server, LSP over standard input and output) for the files
// iislint lints, and restarts it when its settings change.

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { IISLINT_FILE_GLOBS } from './selector';
import { expandServerPath, findExecutable } from './serverCommand';

let client: LanguageClient | undefined;
let watchers: vscode.FileSystemWatcher[] = [];
let outputChannel: vscode.OutputChannel | undefined;
// Restarts are chained so that a second settings change waits for the first restart to finish
// instead of starting a second server beside it.
let lifecycle: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for every server the session starts, so a restart does not add another "iislint"
  // entry to the Output view.
  outputChannel = vscode.window.createOutputChannel('iislint');
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand('iislint.restart', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('iislint.path') || event.affectsConfiguration('iislint.args')) {
        void restart();
      }
    }),
    // In an untrusted workspace the workspace's iislint.path and iislint.args are ignored
    // (package.json, capabilities.untrustedWorkspaces); once trusted, they may name another program.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
  );
  return restart();
}

export function deactivate(): Promise<void> {
  lifecycle = lifecycle.then(stopServer);
  return lifecycle;
}

function restart(): Promise<void> {
  lifecycle = lifecycle.then(stopServer).then(startServer);
  return lifecycle;
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  try {
    await running?.dispose();
  } catch (error) {
    // A server that never started cannot be stopped; there is nothing else to undo.
    outputChannel?.appendLine(`Stopping the server: ${String(error)}`);
  }
  for (const watcher of watchers) {
    watcher.dispose();
  }
  watchers = [];
}

async function startServer(): Promise<void> {
  const settings = vscode.workspace.getConfiguration('iislint');
  const rawPath = settings.get<string>('path', 'iislint') || 'iislint';
  const extraArgs = settings.get<string[]>('args', []);
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  let command: string | undefined;
  try {
    const expanded = expandServerPath(rawPath, { home: os.homedir(), workspaceFolder });
    command = findExecutable(expanded, {
      pathVariable: process.env.PATH,
      pathExtVariable: process.env.PATHEXT,
      platform: process.platform,
    });
    if (command === undefined) {
      const where = expanded === rawPath ? `"${rawPath}"` : `"${rawPath}" (${expanded})`;
      const lookedUp = expanded.includes('/') || expanded.includes('\\') ? '' : ' on PATH';
      throw new Error(`cannot find the iislint program ${where}${lookedUp}`);
    }
  } catch (error) {
    reportStartFailure(error);
    return;
  }

  const serverOptions: ServerOptions = {
    command,
    args: ['server', ...extraArgs],
    transport: TransportKind.stdio,
    // The server finds iislint.toml and parent web.config files from each document's path; the
    // working folder only matters for relative paths in extra arguments.
    options: workspaceFolder === undefined ? undefined : { cwd: workspaceFolder },
  };

  // Files on disk only: the server reads a file's parent web.config files, configSource files and
  // transforms from its folder, which an untitled buffer does not have. The selector uses
  // patterns, not the `xml` language, because VS Code does not give `.config` files a language by
  // default (the `languages` contribution in package.json adds these names to XML for
  // highlighting, but a user may have associated them with another language).
  const documentSelector = IISLINT_FILE_GLOBS.map((pattern) => ({ scheme: 'file', pattern }));

  // The server reloads its settings when an iislint.toml changes, and re-checks open files when a
  // parent web.config or a transform beside them changes on disk.
  watchers = ['**/iislint.toml', ...IISLINT_FILE_GLOBS].map((glob) =>
    vscode.workspace.createFileSystemWatcher(glob),
  );

  const clientOptions: LanguageClientOptions = {
    documentSelector,
    synchronize: { fileEvents: watchers },
    outputChannel,
    traceOutputChannel: outputChannel,
    diagnosticCollectionName: 'iislint',
  };

  // The id `iislint` makes the client read the `iislint.trace.server` setting.
  const starting = new LanguageClient('iislint', 'iislint', serverOptions, clientOptions);
  client = starting;
  try {
    await starting.start();
  } catch (error) {
    reportStartFailure(error, command);
  }
}

// Not awaited by the caller's chain: the notification stays until the user closes it, and a
// restart must not wait for that.
function reportStartFailure(error: unknown, command?: string): void {
  const reason = error instanceof Error ? error.message : String(error);
  const started = command === undefined ? '' : ` "${command} server"`;
  const message = `iislint: could not start the language server${started}: ${reason}. Install iislint or set "iislint.path" to the iislint executable.`;
  outputChannel?.appendLine(message);
  const openSettings = 'Open Settings';
  void vscode.window.showErrorMessage(message, openSettings).then((choice) => {
    if (choice === openSettings) {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'iislint.path');
    }
  });
}
