#!/usr/bin/env bash
# Prints the path of a Temporal CLI binary on stdout; everything else goes to stderr.
# Looks in order at: $TEMPORAL_CLI, `temporal` on PATH, the repo's git-ignored .tools/temporal, the
# per-user build cache. Otherwise builds it with Go into the cache (keyed by version, so every clone
# on this machine reuses one build) and links it into .tools/.
set -euo pipefail

VERSIONS=(v1.5.1 v1.5.0 v1.4.1) # releases whose go.mod has no `replace` lines, so `go install` works
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_link="$repo_root/.tools/temporal"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pcs/temporal-cli"

say() { echo "[temporal-cli] $*" >&2; }

usable() { [ -n "${1:-}" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

link_into_tools() {
  mkdir -p "$repo_root/.tools"
  ln -sfn "$1" "$tools_link"
}

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if usable "$TEMPORAL_CLI"; then echo "$TEMPORAL_CLI"; exit 0; fi
  say "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable Temporal CLI"; exit 1
fi

on_path=$(command -v temporal || true)
if usable "$on_path"; then echo "$on_path"; exit 0; fi

if usable "$tools_link"; then echo "$tools_link"; exit 0; fi

for version in "${VERSIONS[@]}"; do
  cached="$cache_root/$version/temporal"
  if usable "$cached"; then link_into_tools "$cached"; echo "$tools_link"; exit 0; fi
done

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<'MSG'
[temporal-cli] No Temporal CLI found and Go is not installed, so it cannot be built.
Install one of:
  - the Temporal CLI: https://docs.temporal.io/cli#install (then make sure `temporal` is on PATH,
    or set TEMPORAL_CLI=/path/to/temporal)
  - Go 1.25 or newer (https://go.dev/dl/), and run `npm run temporal:cli` again to build it
Or point at a running server with TEMPORAL_ADDRESS=host:7233 (then no CLI is needed to start).
MSG
  exit 1
fi

for version in "${VERSIONS[@]}"; do
  target="$cache_root/$version"
  mkdir -p "$target"
  say "building the Temporal CLI $version with $(go version | cut -d' ' -f3) into $target"
  say "(first build downloads modules and compiles the server: about 5-10 minutes on 2 cores)"
  started=$SECONDS
  if GOBIN="$target" CGO_ENABLED=0 go install "github.com/temporalio/cli/cmd/temporal@$version" >&2; then
    say "built $version in $((SECONDS - started))s"
    link_into_tools "$target/temporal"
    echo "$tools_link"
    exit 0
  fi
  say "building $version failed; trying the next release"
done
say "could not build any of ${VERSIONS[*]}; see the errors above"
exit 1
