/** Unit tests need nothing running; integration tests use the servers infra/test-servers.sh starts. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // hyparquet-writer ships only ES modules: Node 20 requires them natively, Jest's CommonJS runtime needs them compiled.
    '^.+/node_modules/hyparquet(-writer)?/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet)'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], slowTestThreshold: 120 },
    // A three-host cluster in network namespaces (infra/cluster.sh): needs root and iproute2, skips without them.
    { ...common, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'], slowTestThreshold: 300 },
    // Slow fault injection (a 1 GiB input file, ~2 GiB on disk): `npm run test:fault`.
    { ...common, displayName: 'fault', testMatch: ['<rootDir>/test/fault/**/*.test.ts'], slowTestThreshold: 300 },
    // Records the histories the replay test replays: `npm run record:histories`.
    { ...common, displayName: 'record', testMatch: ['<rootDir>/test/replay/record-histories.ts'] },
    // Installs DuckDB and PySpark (bench/peers/setup.sh) and checks both peers build the same tables as ours.
    { ...common, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.test.ts'], slowTestThreshold: 120 },
  ],
  testTimeout: 300_000,
};
