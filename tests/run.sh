#!/usr/bin/env bash
# NodeNomad's whole test suite: installs what the tests need on a fresh Debian machine, builds, runs every
# test project, and ends with one line "N passed, N failed, N skipped" summed from the TRX reports.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# System packages the tests use. Installed only when missing; needs root (CI runs as root).
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The deployment files (every Compose file, every kustomize overlay) are checked by deploy/validate.sh, which
# NodeNomad.Node.Tests runs as DeploymentFilesTests, so its result counts in the line below.

echo "== Building"
dotnet build NodeNomad.sln -c Release -nologo -clp:ErrorsOnly

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"
status=0
failed_projects=()
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  code=0
  dotnet test --project "$project" -c Release --no-build \
    --report-trx --report-trx-filename "$name.trx" --results-directory "$results" 2>&1 | tee "$results/$name.log" || code=$?
  if [ "$code" -ne 0 ]; then
    status=1
    failed_projects+=("$name")
  fi
done

# The mixed load scenario's ci profile (about a minute) against three real nodes. Its throughput and latency are
# printed, not judged; it fails the run only when an acknowledged write was lost, a node stopped answering, or
# the scenario could not run (exit 1), or it overran its time limit.
echo "== Load scenario: mixed, ci profile"
load_status=0
timeout 240 dotnet run -c Release --no-build --project load/NodeNomad.Load -- run mixed --profile ci \
  --out "$root/artifacts/load/ci-mixed" 2>&1 | tee "$results/load-mixed.log" || load_status=$?
echo "load: $(grep -E '^mixed on NodeNomad \(ci\): ' "$results/load-mixed.log" || echo "no summary line (exit code $load_status)")"

# One chaos round (node-1 isolated by a partition, then node-2 killed with SIGKILL and restarted) under linearizable
# reads and writes, about a minute. It fails the run when the client history is not linearizable, an acknowledged
# write was lost, a node stopped answering, or it could not run; its history.edn is kept with the report.
echo "== Load scenario: chaos, ci profile"
chaos_status=0
timeout 240 dotnet run -c Release --no-build --project load/NodeNomad.Load -- run chaos --profile ci \
  --out "$root/artifacts/load/ci-chaos" 2>&1 | tee "$results/load-chaos.log" || chaos_status=$?
echo "chaos: $(grep -E '^chaos on NodeNomad \(ci\): ' "$results/load-chaos.log" || echo "no summary line (exit code $chaos_status)")"

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  name=$(basename "$trx" .trx)
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(value total); p=$(value passed); f=$(value failed); e=$(value error); t=$(value timeout); x=$(value executed)
  f=$((${f:-0} + ${e:-0} + ${t:-0}))
  # A run that failed with a report of no failures (a class's clean-up failed, say, and the report came out empty):
  # its own summary says how many failed and passed.
  if [[ " ${failed_projects[*]} " == *" $name "* ]] && [ "$f" -eq 0 ]; then
    f=$(sed -n 's/^  failed: \([0-9]*\)$/\1/p' "$results/$name.log" | tail -n 1)
    f=${f:-1}; [ "$f" -gt 0 ] || f=1
    if [ "${total:-0}" -eq 0 ]; then
      p=$(sed -n 's/^  succeeded: \([0-9]*\)$/\1/p' "$results/$name.log" | tail -n 1)
    fi
    echo "FAILED $name: its run failed; its report counts no failure, its summary $f"
  fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + f))
  skipped=$((skipped + ${total:-0} - ${x:-0}))
done
trx_count=$(ls "$results"/*.trx 2>/dev/null | wc -l)
projects=$(ls tests/*.Tests/*.Tests.csproj | wc -l)
if [ "$trx_count" -lt "$projects" ]; then
  echo "Only $trx_count of $projects test projects wrote a report."
  status=1
fi
if [ "$load_status" -ne 0 ]; then
  echo "The load scenario failed (exit code $load_status): see $results/load-mixed.log and artifacts/load/ci-mixed/report.md."
  failed=$((failed + 1))
  status=1
fi
if [ "$chaos_status" -ne 0 ]; then
  echo "The chaos scenario failed (exit code $chaos_status): see $results/load-chaos.log and artifacts/load/ci-chaos/report.md."
  failed=$((failed + 1))
  status=1
fi
# Name every failed test so a CI log shows what broke without the TRX files.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\)"[^>]*>' "$trx" \
    | sed -n 's/.* testName="\([^"]*\)".*/FAILED \1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g' || true
done
# And what each failure said, from the project's own output (the first lines of each report).
for log in "$results"/*.Tests.log; do
  [ -f "$log" ] || continue
  grep -q -E '^[[:space:]]*failed [A-Za-z]' "$log" || continue
  echo "== What failed in $(basename "$log" .log)"
  grep -A 30 -E '^[[:space:]]*failed [A-Za-z]' "$log" | head -n 120 || true
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
