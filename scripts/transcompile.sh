#!/usr/bin/env bash
# Builds kaigo_resource_plugin/i18n/*.qm from the committed .ts files (Qt lrelease).
set -euo pipefail
cd "$(dirname "$0")/.."
lr=""
for c in lrelease lrelease-qt5 /usr/lib/qt5/bin/lrelease lrelease6 /usr/lib/qt6/bin/lrelease; do
  if command -v "$c" >/dev/null 2>&1; then lr="$c"; break; fi
done
if [ -z "$lr" ]; then
  echo "lrelease not found (Debian: qttools5-dev-tools); the plugin runs in English without it." >&2
  exit 0
fi
/usr/bin/python3 scripts/build_ts.py
for ts in kaigo_resource_plugin/i18n/*.ts; do
  [ -e "$ts" ] || continue
  "$lr" -silent "$ts" -qm "${ts%.ts}.qm"
done
