// Which files the extension hands to `iislint server`. This module does not import `vscode`, so
// node's test runner can load it (src/test/selector.test.ts).

// The names iislint lints: web.config, Web.<Environment>.config transforms and
// applicationHost.config, in any folder and any letter case. The same expression as the `files:`
// regex in the repository's .pre-commit-hooks.yaml (tests/vscode_extension.rs checks that the two
// are the same text); paths are given to it with `/` separators.
// iislint-file-regex: the text between the backquotes is compared with .pre-commit-hooks.yaml.
const IISLINT_FILE_REGEX = new RegExp(String.raw`(^|/)(web(\.[^/]+)?|applicationhost)\.config$`, 'i');

/** Whether iislint lints the file at `path` (either separator, any letter case). */
export function isIislintFile(path: string): boolean {
  return IISLINT_FILE_REGEX.test(path.replace(/\\/g, '/'));
}

// VS Code's glob patterns are case-sensitive on Linux and take no regular expressions, so each name
// is spelled with a character class per letter. `?*` asks for at least one character between the
// dots, as `[^/]+` does in the regex. The selector test checks that these globs and
// isIislintFile agree, and that package.json repeats them.
function anyCase(name: string): string {
  return name.replace(/[a-z]/gi, (letter) => `[${letter.toLowerCase()}${letter.toUpperCase()}]`);
}

/** Globs for the file names (no folder part), as `filenamePatterns` takes them. */
export const IISLINT_FILE_NAME_GLOBS: readonly string[] = [
  anyCase('web.config'),
  `${anyCase('web')}.?*.${anyCase('config')}`,
  anyCase('applicationhost.config'),
];

/** The same names in any folder, as document selectors and file watchers take them. */
export const IISLINT_FILE_GLOBS: readonly string[] = IISLINT_FILE_NAME_GLOBS.map((glob) => `**/${glob}`);
