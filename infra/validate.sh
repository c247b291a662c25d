#!/usr/bin/env bash
# Offline validation of the infra templates: no AWS account, no Docker, no network beyond the npm registry for
# the first install. Usage: bash infra/validate.sh [TEMPLATE...]   (default: infra/template.yaml)
#   1. installs the validator's pinned dependencies (npm ci, from infra/validate/package-lock.json) when missing
#   2. runs the validator's own tests (node --test): broken templates must be rejected, the real one must pass
#   3. validates the template(s) against the CloudFormation resource database
# Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/validate"

command -v node >/dev/null 2>&1 || { echo "validate.sh: node (18 or newer) is required" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "validate.sh: npm is required" >&2; exit 1; }

installed="$dir/node_modules/.package-lock.json"
if [ ! -f "$installed" ] || [ "$dir/package-lock.json" -nt "$installed" ]; then
  echo "validate.sh: installing the validator's pinned dependencies (npm ci)"
  npm ci --prefix "$dir" --no-audit --no-fund --update-notifier=false --loglevel=error >/dev/null
fi

echo "validate.sh: validator self-test (node --test)"
(cd "$dir" && node --test test/validate.test.mjs)

echo "validate.sh: validating templates"
if [ "$#" -gt 0 ]; then
  node "$dir/validate.mjs" "$@"
else
  node "$dir/validate.mjs" "$here/template.yaml"
fi
