// The DOM, as the browser scripts (page-script.ts, the demo's controls script) see it. Only
// tsconfig.browser.json has the DOM lib, and it checks those scripts; the server's programs
// (tsconfig.json, tsconfig.test.json) have no DOM, so server code cannot reach `document` by accident,
// and there these types are `any`: the server only ships the scripts' text, it never runs them.
// biome-ignore lint/suspicious/noExplicitAny: the server's view of a browser-only global (see above)
type BrowserGlobal = typeof globalThis extends { document: unknown } ? typeof globalThis : any;

export type BrowserDocument = BrowserGlobal['document'];
export type BrowserFetch = BrowserGlobal['fetch'];
export type Elem = BrowserGlobal['HTMLElement']['prototype'];
export type BrowserResponse = Awaited<ReturnType<BrowserFetch>>;
