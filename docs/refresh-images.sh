#!/usr/bin/env bash
# Refreshes the console pictures the README shows (docs/images/console-*.png): runs the browser tests against a
# real three-node cluster, which leave their screenshots in a temporary folder, and copies the README's from there.
# The test suite itself never writes into the repository's tracked files.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT

dotnet build tests/NodeNomad.Console.Tests -c Release -nologo -clp:ErrorsOnly
NODENOMAD_SCREENSHOTS="$shots" dotnet test --project tests/NodeNomad.Console.Tests -c Release --no-build \
  --filter-class "*ConsoleInTheBrowser"

for page in overview shards; do
  cp "$shots/$page.png" "docs/images/console-$page.png"
  echo "docs/images/console-$page.png"
done
