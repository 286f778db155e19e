/** Jest runs the TypeScript specs through ts-jest; type-checking is `npm run typecheck`'s job. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  testTimeout: 30000,
  // Two cores: leave one for the servers the tests start.
  maxWorkers: 2,
};
