# syntax=docker/dockerfile:1
# A NodeNomad node: built with the .NET SDK, run on the ASP.NET Core runtime as the image's non-root user.
# Build from the repository root:  docker build -f docker/node.Dockerfile -t nodenomad/node .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the build settings and project files alone, so this layer is reused until a package or a
# project reference changes. .editorconfig is part of the build: it sets analyzer severities, and warnings
# are errors. global.json stays out: it pins the SDK a developer machine uses, and the image brings its own
# .NET 10 SDK, whichever feature band that is.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/NodeNomad.Contracts/NodeNomad.Contracts.csproj src/NodeNomad.Contracts/
COPY src/NodeNomad.Raft/NodeNomad.Raft.csproj src/NodeNomad.Raft/
COPY src/NodeNomad.Core/NodeNomad.Core.csproj src/NodeNomad.Core/
COPY src/NodeNomad.Storage/NodeNomad.Storage.csproj src/NodeNomad.Storage/
COPY src/NodeNomad.Storage.Marten/NodeNomad.Storage.Marten.csproj src/NodeNomad.Storage.Marten/
COPY src/NodeNomad.Node/NodeNomad.Node.csproj src/NodeNomad.Node/
RUN dotnet restore src/NodeNomad.Node/NodeNomad.Node.csproj

COPY src/ src/
RUN dotnet publish src/NodeNomad.Node/NodeNomad.Node.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# curl serves the HEALTHCHECK only: the runtime image has no HTTP client of its own. /data is created here,
# owned by the app user, so that a new named volume mounted on it starts out writable by the node. There is no
# VOLUME: a node on the Marten storage keeps nothing on disk, and the file store's volume is the deployment's
# to mount (a named volume in Compose, a claim per pod in Kubernetes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data \
    && chown "$APP_UID" /data

WORKDIR /app
COPY --from=build /app ./

# The node binds its client API from NODE_HOST and NODE_PORT itself; the image's ASP.NET Core defaults
# (ASPNETCORE_HTTP_PORTS=8080) are cleared so they cannot add a second listener. NODE_HOST=0.0.0.0 because
# the node's default, localhost, is unreachable from outside the container.
ENV NODE_HOST=0.0.0.0 \
    NODE_PORT=3001 \
    DATA_DIR=/data \
    ASPNETCORE_URLS= \
    ASPNETCORE_HTTP_PORTS=

USER $APP_UID
EXPOSE 3001 4001

# Healthy means ready (/health/ready): the node serves, it has found its cluster and its storage answers.
# Kubernetes ignores HEALTHCHECK and probes /health/live and /health/ready itself. The stop hook for
# orchestrators is the same binary: `dotnet NodeNomad.Node.dll hand-over` (see docs/deployment.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${NODE_PORT}/health/ready" || exit 1

ENTRYPOINT ["dotnet", "NodeNomad.Node.dll"]
