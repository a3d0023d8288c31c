#!/usr/bin/env bash
# The deploy workflow's smoke test: GET /health (the Worker runs) and GET /ready (PostgreSQL, and Redis
# if configured, answer) on the deployed API must both answer 200. A new version can take a few
# seconds to reach every location, so each is tried a few times before the job fails.
set -euo pipefail
: "${API_URL:?set API_URL, the GitHub environment variable, to the origin of the deployed API, e.g. https://api.example.com}"
base="${API_URL%/}"
for path in /health /ready; do
  echo "smoke: GET ${base}${path}"
  curl --fail --silent --show-error --max-time 10 --retry 5 --retry-delay 5 --retry-all-errors \
    --output /dev/null --write-out "smoke: ${path} answered %{http_code} in %{time_total}s\n" "${base}${path}"
done
