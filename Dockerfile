# syntax=docker/dockerfile:1
# Alees API/worker image. One image, two commands: `node dist/main.api.js` (default) and
# `node --max-old-space-size=256 --max-semi-space-size=16 dist/main.worker.js` (why: README, Operations); migrations run as a one-shot `node dist/cli.js migrate`.

# --- deps: every dependency, for the build ---------------------------------------------------
FROM node:24.11-bookworm-slim AS deps
WORKDIR /app
# npm 11 honours package.json allowScripts (argon2's native binding); match the lock's npm.
RUN npm install -g npm@11 && npm cache clean --force
COPY package.json package-lock.json ./
RUN npm ci

# --- build: compile TypeScript to dist/ ------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: production dependencies + dist, as a non-root user -----------------------------
FROM node:24.11-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    PORT=3000 \
    WORKER_PORT=3001
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The one writable place (local file storage LOCAL_MEDIA_ROOT=./.data/files, generated secrets):
# owned by `node`, so a named volume mounted here starts out writable by the app too.
RUN mkdir -p /app/.data/files && chown -R node:node /app/.data
USER node
EXPOSE 3000
# node is all the slim image has: no curl. Liveness only; readiness is for orchestrators.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.api.js"]
