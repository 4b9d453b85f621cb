// The architecture rules, checked in `npm test` (ARCHITECTURE.md has the map): no import cycles, each
// layer imports only the layers below it, and shipped code never imports the bench or the tests.
/** Lowest first; a folder may import its own layer and the ones before it. */
const LAYERS = [
  ['src/log'],
  ['src/config'],
  ['src/cordons'],
  ['src/rpc'],
  ['src/families'],
  ['src/routing'],
  ['src/runtime', 'health'],
  ['src/stages'],
  ['src/subscriptions'],
  ['src/status', 'src/tracing'],
  ['routes'],
  ['src/server'],
  ['src/app'],
  ['src/fleet', 'src/simulation', 'src/cli'],
  ['src/demo', 'src/library'],
  ['src/main\\.ts', 'src/index\\.ts', 'src/viem\\.ts'],
];

const pathOf = (folders) => `^(${folders.map((f) => (f.endsWith('.ts') ? f : `${f}/`)).join('|')})`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-imports-up`,
  comment: `${layer.join(', ')} may import only ${LAYERS.slice(0, i + 1).flat().join(', ')}`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles (type-only ones too) tie layers and rooms together.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shipped-code-imports-bench-or-tests',
      severity: 'error',
      from: { path: '^(src|routes|health)/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'bench-imports-tests',
      severity: 'error',
      comment: 'The image build compiles bench/ without test/ (.dockerignore): the bench stands on its own.',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'unlayered-source',
      severity: 'error',
      comment: 'Every shipped source file belongs to a layer.',
      from: { path: '^(src|routes|health)/', pathNot: pathOf(LAYERS.flat()) },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
