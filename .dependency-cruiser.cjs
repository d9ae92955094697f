// The architecture's rules, checked by dependency-cruiser in `npm test` (test/unit/architecture.test.ts)
// and by `npm run lint`. Data flows SpecFile → Spec → Plan → ExperimentResult → reporters; each layer
// below may import only itself and the layers listed before it. README.md "Extending socklab" says
// where a new step kind, reporter or lab task goes.

/** harness/ folders from the bottom up; a folder may import only its own layer and lower ones. */
const LAYERS = [
  ['model'],
  ['errors\\.ts', 'socklab-root\\.ts', 'schema'],
  ['network', 'probes', 'fixtures'],
  ['process', 'capture', 'remote'],
  ['expect'],
  ['steps'],
  ['spec'],
  ['lab'],
  ['plan'],
  ['run'],
  ['report'],
  ['grade'],
  ['commands', 'cli\\.ts'],
];

const folder = (names) => `^harness/(${names.join('|')})(/|$)`;

const layerRules = LAYERS.slice(0, -1).map((names, index) => ({
  name: `layer-${names[0].replace(/\\\./, '-')}`,
  comment: `${names.join(', ')} may not import a higher layer (${LAYERS.slice(index + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: folder(names) },
  to: { path: folder(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'reporters-see-only-the-model',
      comment: 'Reporters render the result model; they never reach into the runner, specs or grading.',
      severity: 'error',
      from: { path: '^harness/report/' },
      to: { path: '^harness/', pathNot: ['^harness/report/', '^harness/model/'] },
    },
    {
      name: 'harness-never-imports-services',
      comment: 'Reference services are standalone programs, reached only through argv, env, ports and stdio.',
      severity: 'error',
      from: { path: '^harness/' },
      to: { path: '^services/' },
    },
    {
      name: 'services-never-import-the-harness',
      comment: 'A service must run on its own, as a student program would.',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^(harness|test)/' },
    },
    {
      name: 'production-code-never-imports-tests',
      severity: 'error',
      from: { path: '^(harness|services)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; merge them or move what both need below them.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
