# Claude Nexus Proxy: one image for every role (`nexus start|proxy|dashboard|worker|migrate`).
# docs/deployment.md explains the build, the volumes and docker-compose.yml.

# Build: all dependencies, compile src/ to dist/ (`npm ci` runs the `prepare` script).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
RUN npm ci --no-audit --no-fund

# Runtime: production dependencies and dist/ only, as the unprivileged `node` user.
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DASHBOARD_PORT=3001 \
    DATA_DIR=/data \
    CREDENTIALS_DIR=/credentials
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile again, with tools only the build stage has.
# The cache directory holds the embedded database's template (`nexus start` without PostgreSQL).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && mkdir -p node_modules/.cache/claude-nexus-proxy /data /credentials \
    && chown node:node node_modules/.cache/claude-nexus-proxy /data /credentials
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
VOLUME ["/data", "/credentials"]
EXPOSE 3000 3001
# Liveness on whichever port this role listens on (/health/live: no auth, no data).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "bin/healthcheck.js"]
ENTRYPOINT ["node", "bin/nexus.js"]
CMD ["start"]
