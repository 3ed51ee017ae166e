#!/usr/bin/env bash
# The README's test command (`npm test`): prerequisites, type check, then every *.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" != "--no-install" ]]; then
  bash scripts/test-prerequisites.sh
fi
npx tsc --noEmit -p tsconfig.json
mapfile -t files < <(find src test emulator -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency="${PORTICO_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
