#!/usr/bin/env bash
# qgis_process with this checkout's plugin enabled. Calls qgis_process.bin directly where it exists:
# Debian's /usr/bin/qgis_process wrapper adds --noversioncheck (from /etc/default/qgis), which
# qgis_process 3.22 rejects.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export QGIS_PLUGINPATH="$root${QGIS_PLUGINPATH:+:$QGIS_PLUGINPATH}"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
if command -v qgis_process.bin >/dev/null 2>&1; then
  qp=qgis_process.bin
else
  qp=qgis_process
fi
"$qp" plugins enable kaigo_resource_plugin >/dev/null 2>&1 || true
exec "$qp" "$@"
