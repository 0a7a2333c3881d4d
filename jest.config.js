/** Unit tests need nothing running; integration tests use the servers infra/test-servers.sh starts. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: { '^uuid$': '<rootDir>/test/helpers/uuid-cjs.js' },
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], slowTestThreshold: 120 },
  ],
  testTimeout: 300_000,
};
