#!/usr/bin/env bash
# Runs the build steps of docker/node.Dockerfile and docker/console.Dockerfile without Docker: the same restore and
# `dotnet publish` commands, from a copy of the same build context (what .dockerignore lets through, global.json
# left out as the Dockerfiles leave it), and prints what each image's /app would hold.
# Usage: deploy/dry-publish.sh [output-folder]   (default: a temporary folder, removed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# The build stage's /src: the files the Dockerfiles COPY, without build output.
context="$out/src"
rm -rf "$context"
mkdir -p "$context"
cp Directory.Build.props Directory.Packages.props .editorconfig "$context/"
tar --exclude='bin' --exclude='obj' -cf - src | tar -xf - -C "$context"

publish() {
  local project=$1 name=$2
  echo "== $name: dotnet restore + dotnet publish $project -c Release"
  dotnet restore "$context/$project" -nologo -v quiet
  dotnet publish "$context/$project" -c Release -o "$out/$name" --no-restore -nologo -clp:ErrorsOnly -v quiet
}

publish src/NodeNomad.Node/NodeNomad.Node.csproj node
publish src/NodeNomad.Console/NodeNomad.Console.csproj console

echo "== Published sizes (the image adds these to mcr.microsoft.com/dotnet/aspnet:10.0 and curl)"
for name in node console; do
  printf '%s: %s in %s files\n' "$name" "$(du -sh "$out/$name" | cut -f1)" "$(find "$out/$name" -type f | wc -l)"
done
