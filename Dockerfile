# syntax=docker/dockerfile:1

# Node 24, the active LTS (Node 20 is past its end of life); the app also runs on Node 20.19 or newer.

# --- build: all dependencies, compile TypeScript ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# --- production dependencies only: without the embedded PostgreSQL (optional), so DATABASE_URL is required ---
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund

# --- runtime: compiled app + production dependencies, unprivileged ---
FROM node:24-bookworm-slim AS runtime
# The source commit, shown by the app_build_info metric: docker build --build-arg BUILD_COMMIT=$(git rev-parse HEAD) .
ARG BUILD_COMMIT=
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    BUILD_COMMIT=$BUILD_COMMIT
WORKDIR /app
COPY --from=dependencies --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Configured entirely by environment variables: see env.example.
# The command of `npm run start:prod`, without npm in between (signals reach node directly):
# a young generation of 64 MB keeps each request's short-lived objects out of the old space.
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
