#!/usr/bin/env bash
# Installs Debian's Chromium (and a font, so a screenshot's text is legible) for the report's browser
# test (test/integration/report-browser.test.ts), through install-stacks.sh's idempotent installer:
# packages already present are skipped without touching apt.
# Usage: bash scripts/install-browser.sh
set -euo pipefail
cd "$(dirname "$0")"
exec bash ./install-stacks.sh chromium fonts-dejavu-core
