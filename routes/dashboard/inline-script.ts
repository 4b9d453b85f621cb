// A browser script shipped as the text of a typed function: the page embeds it and the CSP hashes it
// from this one string, built when the module loads (tsc's output in dist/, vitest's transform in tests).
/** The script text that runs `fn` once: self-contained, so `fn` may use only browser globals. */
export function inlineScript(fn: () => void): string {
  // Module code is strict; a classic <script> is not unless it says so.
  return `'use strict';\n(${fn.toString()})();\n`;
}
