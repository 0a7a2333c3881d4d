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
    // Installs DuckDB and PySpark (bench/peers/setup.sh) and checks both peers build the same tables as ours.
    { ...common, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.test.ts'], slowTestThreshold: 120 },
  ],
  testTimeout: 300_000,
};
