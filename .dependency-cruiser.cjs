/**
 * The dependency rules of src/, checked by `npm run deps` and inside `npm test`. Imports run one
 * way: transports (src/slack, src/web, src/http, src/scheduler) and src/metrics -> modules -> db and lib. The composition
 * root (src/dependencies.ts), src/service.ts, src/main.ts and the CLI may import anything. Rules
 * are written by folder and role suffix, never by file name, so they hold as files are split.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'inner-imports-outer',
      comment:
        'Modules, db and lib know nothing of the transports or of who assembles them: a module declares a port, src/slack implements it, src/dependencies.ts wires it.',
      severity: 'error',
      from: { path: '^src/(modules|lib|db)/' },
      to: {
        path: ['^src/(slack|web|http|scheduler|metrics)/', '^src/dependencies[.]ts$', '^src/service[.]ts$', '^src/main[.]ts$', '^src/cli'],
      },
    },
    {
      name: 'lib-imports-no-module',
      comment: 'src/lib holds helpers any module may use; it depends on no module.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'slack-calls-no-repository',
      comment:
        "Listeners and adapters call use cases; a repository's types may be named (ListenerDeps), its values never imported.",
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: '[.]repository[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-calls-no-repository',
      comment:
        "The patron pages call use cases the composition root binds (WebDeps); a repository's types may be named, its values never imported.",
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: '[.]repository[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'transports-stay-apart',
      comment:
        'Slack and the patron pages are two front doors onto the same use cases: neither imports the other; what both need lives in a module or src/lib.',
      severity: 'error',
      from: { path: '^src/(slack|web)/' },
      to: { path: '^src/(slack|web)/', pathNot: '^src/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'An import loop means two files are one; split out what both need.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'A file nothing imports (and that imports nothing) is dead code or a missing import.',
      severity: 'error',
      // The scopes list is read by the tests against manifest.yml and the Web API calls, not by the app.
      from: { orphan: true, pathNot: ['[.]d[.]ts$', '^src/slack/scopes[.]ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
