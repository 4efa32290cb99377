#!/usr/bin/env bash
# Lints the Dockerfile with two independent linters from npm (no Docker engine runs on CI's machines; the
# chart is linted and rendered by Helm itself in HelmChartTest). Versions are pinned; tools go to a cache dir.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${GAPWATCH_CI_TOOLS:-$HOME/.cache/gapwatch-ci/npm}"
if [ ! -x "$tools/node_modules/.bin/dockerfilelint" ] || [ ! -x "$tools/node_modules/.bin/dockerfile-utils" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --silent --no-audit --no-fund dockerfilelint@1.8.0 dockerfile-utils@0.16.3 >/dev/null
fi
echo "lint: dockerfilelint Dockerfile"
"$tools/node_modules/.bin/dockerfilelint" Dockerfile
echo "lint: dockerfile-utils lint Dockerfile"
# its JSON report lists every problem; anything but an empty list fails
out=$("$tools/node_modules/.bin/dockerfile-utils" lint --json Dockerfile) || true
if [ "$out" != "[]" ]; then
  echo "$out"
  exit 1
fi
echo "lint: Dockerfile clean"
