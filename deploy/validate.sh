#!/usr/bin/env bash
# Validates NodeNomad's deployment files without a Docker engine or a Kubernetes server: every Compose file through
# `docker-compose config`, every kustomize overlay through `kubectl kustomize`, and the rendered results through
# deploy/check-manifests.py (kinds, probes, preStop, disruption budget selectors, images, no secret values).
# Installs docker-compose and kubectl with apt-get when missing (needs root). Ends with "N checks passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/checks.log"
: >"$log"

step() {
  # step DESCRIPTION COMMAND...: one check of its own, recorded like the manifest checks.
  local what=$1
  shift
  if "$@" >"$work/step.out" 2>&1; then
    echo "ok: $what" | tee -a "$log"
  else
    echo "FAILED: $what" | tee -a "$log"
    sed 's/^/    /' "$work/step.out"
  fi
}

# Values for the production file's required variables; they exist only for this render.
prod_env=(NODENOMAD_VERSION=0.0.0-validate NODENOMAD_CLUSTER_SECRET=validate-only-secret-0123 NODENOMAD_ADMIN_TOKEN=validate-only-admin-token-0123456789abcdef POSTGRES_PASSWORD=validate-only CONSOLE_PASSWORD_HASH=pbkdf2-sha256:600000:dmFsaWRhdGU=:b25seQ==)

echo "== Compose files"
for file in docker-compose*.yml docker/docker-compose*.yml; do
  [ -f "$file" ] || continue
  rendered="$work/$(basename "$file").rendered"
  case "$file" in
    *prod*)
      # Every secret is required: without them Compose must refuse the file.
      step "$file refuses to render without its secrets" \
        bash -c "! env -u NODENOMAD_CLUSTER_SECRET -u NODENOMAD_ADMIN_TOKEN -u POSTGRES_PASSWORD -u CONSOLE_PASSWORD_HASH -u NODENOMAD_VERSION docker-compose -f '$file' config -q"
      step "$file renders (docker-compose config)" bash -c "env ${prod_env[*]} docker-compose -f '$file' config > '$rendered'"
      [ -s "$rendered" ] && python3 deploy/check-manifests.py compose "$rendered" --prod | tee -a "$log" || true
      ;;
    *)
      step "$file renders (docker-compose config)" bash -c "docker-compose -f '$file' config > '$rendered'"
      [ -s "$rendered" ] && python3 deploy/check-manifests.py compose "$rendered" | tee -a "$log" || true
      ;;
  esac
done

echo "== Kubernetes overlays"
for overlay in deploy/k8s/overlays/*/; do
  storage=$(basename "$overlay")
  rendered="$work/k8s-$storage.yaml"
  step "$overlay renders (kubectl kustomize)" bash -c "kubectl kustomize '$overlay' > '$rendered'"
  [ -s "$rendered" ] && python3 deploy/check-manifests.py k8s "$rendered" --storage "$storage" | tee -a "$log" || true
done

passed=$(grep -c '^ok: ' "$log" || true)
failed=$(grep -c '^FAILED: ' "$log" || true)
echo "$passed checks passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
