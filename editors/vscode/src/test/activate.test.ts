// Activates the compiled extension with a stand-in for the `vscode` module (VS Code itself cannot
// run here) and a program that does not exist: the extension must load with its runtime
// dependencies, start no server, and say which setting to fix.

import * as assert from 'node:assert/strict';
import Module = require('node:module');
import { test } from 'node:test';

type Loader = (request: string, ...rest: unknown[]) => unknown;

/** A value every property access and call of which succeeds, for the API the test does not use. */
function anything(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: (_target, property) => (property === 'then' ? undefined : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

test('a missing iislint program is reported with the setting that names it', async () => {
  const errors: string[] = [];
  const watchers: string[] = [];
  const settings: Record<string, unknown> = { path: '/nonexistent/iislint', args: [] };
  const disposable = { dispose() {} };
  const used = {
    window: {
      createOutputChannel: () => ({ appendLine() {}, dispose() {} }),
      showErrorMessage: (message: string) => {
        errors.push(message);
        return Promise.resolve(undefined);
      },
    },
    commands: { registerCommand: () => disposable, executeCommand: () => Promise.resolve() },
    workspace: {
      onDidChangeConfiguration: () => disposable,
      onDidGrantWorkspaceTrust: () => disposable,
      getConfiguration: () => ({
        get: (key: string, fallback: unknown) => (key in settings ? settings[key] : fallback),
      }),
      workspaceFolders: [{ uri: { fsPath: '/work/site' } }],
      createFileSystemWatcher: (glob: string) => {
        watchers.push(glob);
        return disposable;
      },
    },
  };
  const vscode = new Proxy(used, {
    get: (target, property) => (property in target ? target[property as keyof typeof used] : anything()),
  });

  const moduleInternals = Module as unknown as { _load: Loader };
  const load = moduleInternals._load;
  moduleInternals._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  try {
    const extension = require('../extension') as { activate(context: unknown): Promise<void> };
    await extension.activate({ subscriptions: [] });
  } finally {
    moduleInternals._load = load;
  }

  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /cannot find the iislint program "\/nonexistent\/iislint"/);
  assert.match(errors[0], /"iislint\.path"/);
  assert.deepEqual(watchers, [], 'no server, so nothing to watch for it');
});
