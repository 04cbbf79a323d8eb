# axelnac-courier image: the CLI (`worker`, `simulate`, `import`, …) and nothing else.
# docker build -t axelnac-courier:local .   (docker-compose.yml builds it the same way)

# Build stage: the dev dependencies (TypeScript) compile src and workers into dist.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own "prepare" (npm run build) would run before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build

# Final stage: production dependencies and the compiled product only; no TypeScript, tests or bench.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" (npm run build) needs TypeScript, which is not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers
USER node
# `--`: every argument is the command's, `--env-file` too (Node would take that one as its own).
ENTRYPOINT ["node", "--", "dist/src/cli/main.js"]
