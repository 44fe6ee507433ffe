import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { IISLINT_FILE_GLOBS, IISLINT_FILE_NAME_GLOBS, isIislintFile } from '../selector';

const POSITIVES = [
  'Web.config',
  'web.config',
  'WEB.CONFIG',
  'Web.Release.config',
  'sub/dir/Web.Debug.config',
  'applicationHost.config',
  'ApplicationHost.CONFIG',
  '/srv/site/Web.Staging.config',
];
const NEGATIVES = [
  'app.config',
  'web.config.bak',
  'Web.configx',
  'notweb.config',
  'packages.config',
  'sub/App.Release.config',
  'web..config',
  'Web.config/readme.txt',
];

test('isIislintFile takes web.config, transforms and applicationHost.config in any case and folder', () => {
  for (const file of POSITIVES) {
    assert.equal(isIislintFile(file), true, file);
  }
  assert.equal(isIislintFile('C:\\site\\Web.config'), true);
  assert.equal(isIislintFile('C:\\site\\sub\\web.Release.CONFIG'), true);
});

test('isIislintFile leaves other .config files alone', () => {
  for (const file of NEGATIVES) {
    assert.equal(isIislintFile(file), false, file);
  }
  assert.equal(isIislintFile('C:\\site\\packages.config'), false);
});

// path.matchesGlob (node 20.17 and later) follows the same glob syntax VS Code documents for
// GlobPattern: `*`, `?`, `**` and `[...]` character classes within a path segment.
const matchesGlob = (path as { matchesGlob?: (file: string, glob: string) => boolean }).matchesGlob;

test('the globs VS Code is given select what isIislintFile selects', { skip: matchesGlob === undefined && 'path.matchesGlob needs node 20.17 or later' }, () => {
  for (const file of [...POSITIVES, ...NEGATIVES]) {
    const byGlob = IISLINT_FILE_GLOBS.some((glob) => matchesGlob!(file, glob));
    assert.equal(byGlob, isIislintFile(file), file);
  }
});

test('package.json activates on and associates the same names', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  assert.deepEqual(
    manifest.activationEvents,
    IISLINT_FILE_GLOBS.map((glob) => `workspaceContains:${glob}`),
  );
  assert.deepEqual(manifest.contributes.languages, [{ id: 'xml', filenamePatterns: IISLINT_FILE_NAME_GLOBS }]);
});
