// `npm run check:imports` (run by .ci/run): the import-direction check. Folders of src/ may not import each
// other in a circle, nor may single modules; a cycle usually means code sits in the wrong folder
// (a folder that needs something from a folder above it holds code that belongs lower down).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-folder-cycles', severity: 'error', scope: 'folder', comment: 'src/ folders import each other in a circle: move the shared piece to the lower folder', from: { path: '^src/' }, to: { circular: true } },
    { name: 'no-module-cycles', severity: 'error', comment: 'modules import each other in a circle', from: { path: '^src/' }, to: { circular: true } },
    { name: 'src-not-test', severity: 'error', comment: 'src/ must not import tests or scripts', from: { path: '^src/' }, to: { path: '^(test|scripts|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // swc parses the .ts files: dependency-cruiser reads TypeScript through tsc only below 7, hence its
    // missing-tsc-transpiler notice, which is harmless here (a planted cycle still fails the check).
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
}
