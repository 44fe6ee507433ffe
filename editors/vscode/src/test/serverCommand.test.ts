import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { expandServerPath, findExecutable } from '../serverCommand';

const vars = { home: '/home/me', workspaceFolder: '/work/site' };

test('expandServerPath expands ~, ${userHome} and ${workspaceFolder}', () => {
  assert.equal(expandServerPath('iislint', vars), 'iislint');
  assert.equal(expandServerPath('~/.cargo/bin/iislint', vars), '/home/me/.cargo/bin/iislint');
  assert.equal(expandServerPath('${userHome}/bin/iislint', vars), '/home/me/bin/iislint');
  assert.equal(expandServerPath('${workspaceFolder}/tools/iislint', vars), '/work/site/tools/iislint');
  assert.equal(expandServerPath('/opt/iislint/iislint', vars), '/opt/iislint/iislint');
  assert.equal(expandServerPath('~user/iislint', vars), path.join('/work/site', '~user/iislint'));
});

test('expandServerPath resolves a relative path against the workspace folder', () => {
  assert.equal(expandServerPath('tools/iislint', vars), path.join('/work/site', 'tools/iislint'));
  assert.equal(
    expandServerPath('tools/iislint', { home: '/home/me', workspaceFolder: undefined }),
    'tools/iislint',
  );
});

test('expandServerPath refuses ${workspaceFolder} with no folder open', () => {
  assert.throws(
    () => expandServerPath('${workspaceFolder}/iislint', { home: '/home/me', workspaceFolder: undefined }),
    /no folder is open/,
  );
});

test('findExecutable looks a bare name up on PATH and takes a path as it is', { skip: process.platform === 'win32' && 'POSIX permissions' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iislint-vscode-'));
  try {
    const empty = path.join(dir, 'empty');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(empty);
    fs.mkdirSync(bin);
    const program = path.join(bin, 'iislint');
    fs.writeFileSync(program, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'not-executable'), '', { mode: 0o644 });
    const env = { pathVariable: [empty, bin].join(path.delimiter), pathExtVariable: undefined, platform: process.platform };

    assert.equal(findExecutable('iislint', env), program);
    assert.equal(findExecutable(program, env), program);
    assert.equal(findExecutable('missing', env), undefined);
    assert.equal(findExecutable('not-executable', env), undefined);
    assert.equal(findExecutable(path.join(dir, 'missing'), env), undefined);
    assert.equal(findExecutable('bin', { ...env, pathVariable: dir }), undefined, 'a folder is not a program');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('findExecutable tries PATHEXT extensions on Windows', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iislint-vscode-'));
  try {
    fs.writeFileSync(path.join(dir, 'iislint.EXE'), '');
    const env = { pathVariable: dir, pathExtVariable: '.COM;.EXE', platform: 'win32' as const };
    assert.equal(findExecutable('iislint', env), path.join(dir, 'iislint.EXE'));
    assert.equal(findExecutable('iislint.exe', env), undefined, 'a name with an extension is taken as it is');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
