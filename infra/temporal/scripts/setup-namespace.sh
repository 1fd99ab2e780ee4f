#!/bin/sh
# One-shot job (temporalio/admin-tools image): creates the namespace the API and workers use and registers
# the custom search attributes that SuiteRun workflows are started with (workflows/shared.ts
# SEARCH_ATTRIBUTES; test/infra-compose.test.ts keeps the two lists equal). Idempotent.
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=7d}"
SEARCH_ATTRIBUTES="PcsCard PcsTrigger PcsStatus"

# Runs a command until it succeeds, for up to two minutes: the server needs a moment after it opens its
# port, and a new namespace reaches every frontend cache only after a few seconds.
retry() {
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then echo "gave up: $*" >&2; return 1; fi
    sleep 2
  done
}

echo "waiting for Temporal at $TEMPORAL_ADDRESS"
retry temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION"
fi

existing=$(retry temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" 2>/dev/null)
for name in $SEARCH_ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    retry temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type Keyword
  fi
done
echo "namespace $NAMESPACE is ready"
