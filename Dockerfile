# One image for every Moddy process (manager, workers, board, migrate); compose picks the command.
# Node 24 (LTS), the runtime `npm test` runs the suite on.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` dev dependency would fetch a second Node; the image has its own.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
# Without src/simulator and src/demo (.dockerignore), which tsconfig.build.json leaves out too.
COPY src ./src
COPY migrations ./migrations
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The code stays root-owned (read-only to the process); `var/` (the error spool, a named volume
# in compose, which takes this directory's owner) is the one place `node` writes.
RUN mkdir -p var && chown node:node var
USER node
CMD ["node", "dist/src/cluster/manager-cli.js"]
