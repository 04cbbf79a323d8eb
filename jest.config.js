/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
    // content-disposition 3 (@fastify/swagger-ui → @fastify/static) and cookie 1 (Fastify's
    // inject, light-my-request) ship only as ES modules, which Node 20 requires but Jest's
    // CommonJS runtime cannot: compiled to CommonJS for the tests.
    "/node_modules/(content-disposition|cookie)/.+\\.js$": [
      "ts-jest",
      { tsconfig: { allowJs: true, module: "commonjs" } },
    ],
  },
  transformIgnorePatterns: ["/node_modules/(?!(content-disposition|cookie)/)"],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  testTimeout: 60_000,
  // Integration tests share one private redis-server and fork worker processes: two cores.
  maxWorkers: 2,
};
