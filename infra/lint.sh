#!/usr/bin/env bash
# Lints the infra templates with cfn-lint, AWS's own CloudFormation linter (it validates SAM templates through
# AWS's SAM translator). Run by `./mvnw verify` (skip with -DskipInfraValidation); usage: bash infra/lint.sh [TEMPLATE...]
# Where cfn-lint is not installed (`pip install cfn-lint`), says so clearly and skips: nothing else is needed.
# Our own invariants (names, grants, TTL, the visibility/timeout mapping) are TemplateTest's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
templates=("$@")
if [ "${#templates[@]}" -eq 0 ]; then
  templates=("$here/template.yaml")
fi

if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "infra/lint.sh: SKIPPED - cfn-lint is not installed, so ${templates[*]} was NOT linted (pip install cfn-lint)"
  exit 0
fi

echo "infra/lint.sh: $(cfn-lint --version) on ${templates[*]}"
cfn-lint "${templates[@]}"
echo "infra/lint.sh: no findings"
