// Preload (`node --import ./bench/profile/promise-count.mjs dist/src/main.js ...`): counts promises,
// timers, immediates and nextTicks created; SIGUSR2 prints the counts since the last SIGUSR2 to
// stderr and starts again. Send it before and after a fixed load and divide by the requests.
import { createHook } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';

let promises = 0;
const resources = { Timeout: 0, Immediate: 0, TickObject: 0 };
promiseHooks.onInit(() => {
  promises++;
});
createHook({
  init(_id, type) {
    if (type in resources) resources[type]++;
  },
}).enable();
process.on('SIGUSR2', () => {
  console.error(JSON.stringify({ promises, ...resources }));
  promises = 0;
  for (const key of Object.keys(resources)) resources[key] = 0;
});
