// Preloaded into the CLI by test/tracing/tracing.test.ts (node --import): prints every module URL the
// process loads that belongs to tracing, so the test can tell that without `tracing` none is loaded.
import { register } from 'node:module';

const hooks = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/opentelemetry|\\/tracing\\/|\\/app\\/tracing\\.js/.test(resolved.url)) process.stderr.write('module-watch: ' + resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
