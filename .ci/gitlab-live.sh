#!/usr/bin/env bash
# Run the tracker contract suite against a real GitLab CE (the `live-gitlab` CI job).
# Waits for the service container, gets an OAuth token for root with the password grant,
# then runs the tests marked `live`. It cannot run on our own machines (no Docker engine).
set -euo pipefail
url="${SOP_SYNC_TEST_GITLAB_URL:?set SOP_SYNC_TEST_GITLAB_URL}"
password="${GITLAB_ROOT_PASSWORD:?set GITLAB_ROOT_PASSWORD}"
echo "waiting for GitLab at $url (first boot takes several minutes)"
for _ in $(seq 1 120); do
  if curl -fsS "$url/-/readiness" >/dev/null 2>&1; then break; fi
  sleep 10
done
curl -fsS "$url/-/readiness" >/dev/null
token=$(curl -fsS -X POST "$url/oauth/token" \
  --data-urlencode grant_type=password --data-urlencode username=root \
  --data-urlencode "password=$password" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export SOP_SYNC_TEST_GITLAB_OAUTH_TOKEN="$token"
.venv/bin/pytest -q -m live -rs tests/trackers
