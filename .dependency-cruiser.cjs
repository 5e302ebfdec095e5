/** Import rules the lint step enforces across every package's sources. */
module.exports = {
  forbidden: [
    {
      name: 'no-import-cycles',
      comment:
        'A cycle makes module initialisation order matter and hides which file owns a concept; ' +
        'type-only imports count too. Move the shared types into a file that imports neither side.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^packages/[^/]+/src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      conditionNames: ['@eddy/source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
