// Preloaded into the CLI by tests (node --import): prints every module URL the process loads that
// matches MODULE_WATCH (a regular expression; by default what belongs to tracing), so a test can tell
// that a feature left off loads none of its modules (tracing.test.ts, verify's lazy-load.test.ts).
import { register } from 'node:module';

const TRACING = String.raw`opentelemetry|\/tracing\/|\/app\/tracing\.js`;

const hooks = `let pattern;
export async function initialize(source) {
  pattern = new RegExp(source);
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (pattern.test(resolved.url)) process.stderr.write('module-watch: ' + resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: process.env.MODULE_WATCH ?? TRACING });
