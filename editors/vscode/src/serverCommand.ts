// How the `iislint.path` setting becomes the program to start. No `vscode` import, so node's test
// runner can load it (src/test/serverCommand.test.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PathVariables {
  home: string;
  /** The first workspace folder; undefined when no folder is open. */
  workspaceFolder: string | undefined;
}

/**
 * Expands `~` at the start and `${userHome}` and `${workspaceFolder}` anywhere, as VS Code's own
 * settings do, and resolves a relative path with a folder part (`bin/iislint`) against the
 * workspace folder rather than the extension host's working folder, which the user never chose.
 * Throws when `${workspaceFolder}` is used with no folder open, since the path would otherwise
 * silently name something else. A bare name (`iislint`) is left for the PATH lookup.
 */
export function expandServerPath(raw: string, vars: PathVariables): string {
  let expanded = raw.trim();
  if (expanded === '~' || expanded.startsWith('~/') || expanded.startsWith('~\\')) {
    expanded = vars.home + expanded.slice(1);
  }
  expanded = expanded.split('${userHome}').join(vars.home);
  if (expanded.includes('${workspaceFolder}')) {
    if (vars.workspaceFolder === undefined) {
      throw new Error(`"iislint.path" uses \${workspaceFolder} ("${raw}"), but no folder is open`);
    }
    expanded = expanded.split('${workspaceFolder}').join(vars.workspaceFolder);
  }
  const hasFolder = expanded.includes('/') || expanded.includes('\\');
  if (hasFolder && !path.isAbsolute(expanded) && vars.workspaceFolder !== undefined) {
    expanded = path.join(vars.workspaceFolder, expanded);
  }
  return expanded;
}

export interface SearchEnvironment {
  /** The PATH variable. */
  pathVariable: string | undefined;
  /** The PATHEXT variable (Windows). */
  pathExtVariable: string | undefined;
  platform: NodeJS.Platform;
}

function isExecutableFile(candidate: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The file the server is started from, or undefined when there is none. A command with a folder
 * part is taken as a path; a bare name is looked up on PATH, with PATHEXT's extensions on Windows,
 * as the shell would. Checking first lets the extension say which setting to fix instead of
 * showing the language client's generic "Launching server failed".
 */
export function findExecutable(command: string, env: SearchEnvironment): string | undefined {
  // The platform is a parameter so that tests can take the Windows branch anywhere; paths are
  // joined by the host's rules, which are Windows' wherever the branch runs for real.
  const delimiter = env.platform === 'win32' ? ';' : ':';
  const extensions =
    env.platform === 'win32' && path.extname(command) === ''
      ? (env.pathExtVariable ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((ext) => ext !== '')
      : [''];
  const withExtensions = (base: string) => extensions.map((ext) => base + ext);

  const hasFolder = command.includes('/') || (env.platform === 'win32' && command.includes('\\'));
  if (hasFolder) {
    return withExtensions(command).find((candidate) => isExecutableFile(candidate, env.platform));
  }
  const folders = (env.pathVariable ?? '').split(delimiter).filter((folder) => folder !== '');
  for (const folder of folders) {
    const found = withExtensions(path.join(folder, command)).find((candidate) =>
      isExecutableFile(candidate, env.platform),
    );
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}
