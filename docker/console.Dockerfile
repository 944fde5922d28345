# syntax=docker/dockerfile:1
# The NodeNomad console: Blazor Server + MudBlazor, hosting the fleet hub the nodes report to.
# Build from the repository root:  docker build -f docker/console.Dockerfile -t nodenomad/console .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the build settings and project files alone (see node.Dockerfile for why global.json stays out).
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/NodeNomad.Contracts/NodeNomad.Contracts.csproj src/NodeNomad.Contracts/
COPY src/NodeNomad.Client/NodeNomad.Client.csproj src/NodeNomad.Client/
COPY src/NodeNomad.Console/NodeNomad.Console.csproj src/NodeNomad.Console/
RUN dotnet restore src/NodeNomad.Console/NodeNomad.Console.csproj

COPY src/ src/
RUN dotnet publish src/NodeNomad.Console/NodeNomad.Console.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./

# CONSOLE_ADMIN_PASSWORD (operators' sign-in), CLUSTER_SECRET (the nodes' hub token) and CLUSTER_URLS (the
# nodes' client URLs) come from the environment; the console refuses to start without a password.
ENV ASPNETCORE_URLS=http://0.0.0.0:3000 \
    ASPNETCORE_HTTP_PORTS=
USER $APP_UID
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:3000/login" || exit 1
ENTRYPOINT ["dotnet", "NodeNomad.Console.dll"]
