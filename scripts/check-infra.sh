#!/usr/bin/env bash
# Validates the deployment and CI files without a Docker engine:
#   - docker-compose.yml with `docker-compose config` (Debian's docker-compose, or the `docker compose` plugin)
#   - the GitHub workflows and examples/github/*.yml with actionlint (shellcheck checks their run scripts)
#   - infra/prometheus with promtool (config, rules, rule unit tests)
#   - the shell scripts under infra/ and scripts/ with shellcheck
#   - infra/docker/Dockerfile with dockerfile-utils (the Dockerfile linter of VS Code's Docker support, via npx)
# Needs: apt-get install -y --no-install-recommends docker-compose prometheus shellcheck; and Go to build
# actionlint once into ~/.cache/pcs/actionlint/<version>/ (or actionlint on PATH / in $ACTIONLINT).
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
failed=0
say() { echo "[check-infra] $*" >&2; }
check() {
  local name=$1; shift
  if "$@"; then say "ok: $name"; else say "FAILED: $name"; failed=1; fi
}
need() {
  command -v "$1" >/dev/null 2>&1 && return
  say "$1 is not installed: apt-get install -y --no-install-recommends $2"
  exit 1
}

actionlint_bin() {
  if [ -n "${ACTIONLINT:-}" ]; then echo "$ACTIONLINT"; return; fi
  if command -v actionlint >/dev/null 2>&1; then command -v actionlint; return; fi
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/pcs/actionlint/$ACTIONLINT_VERSION"
  if [ ! -x "$dir/actionlint" ]; then
    command -v go >/dev/null 2>&1 || { say "actionlint is missing and Go is not installed to build it"; exit 1; }
    say "building actionlint $ACTIONLINT_VERSION into $dir"
    mkdir -p "$dir"
    GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
  fi
  echo "$dir/actionlint"
}

compose() {
  if command -v docker-compose >/dev/null 2>&1; then docker-compose "$@"
  elif docker compose version >/dev/null 2>&1; then docker compose "$@"
  else say "no docker-compose: apt-get install -y --no-install-recommends docker-compose"; return 1
  fi
}

need promtool prometheus
need shellcheck shellcheck

# The compose file requires these secrets; real ones come from .env or the environment.
compose_config() {
  POSTGRES_PASSWORD=check-infra GRAFANA_ADMIN_PASSWORD=check-infra \
    compose --env-file "$1" -f docker-compose.yml config -q
}
no_env_file=$(mktemp)
trap 'rm -f "$no_env_file"' EXIT
check "docker-compose.yml with its defaults" compose_config "$no_env_file"
check "docker-compose.yml with infra/compose.env.example" compose_config infra/compose.env.example

check "actionlint" "$(actionlint_bin)" .github/workflows/*.yml examples/github/*.yml

check "promtool check config" promtool check config infra/prometheus/prometheus.yml
check "promtool check rules" promtool check rules infra/prometheus/alerts.yml
check "promtool test rules" promtool test rules infra/prometheus/alerts.test.yml

check "shellcheck" shellcheck infra/temporal/scripts/*.sh scripts/*.sh

check "dockerfile-utils lint" npx --yes dockerfile-utils@0.16.3 lint infra/docker/Dockerfile

if [ "$failed" -ne 0 ]; then say "some checks failed"; exit 1; fi
say "all checks passed"
