#!/usr/bin/env bash
# Screenshot of QGIS Desktop in Japanese with the dock panel and 大東市 styled -> docs/dock_ja.png.
# Runs the real `qgis` binary under Xvfb with a throw-away profile (locale overridden to Japanese) and
# this checkout's plugin (QGIS_PLUGINPATH); scripts/screenshot_dock.py drives QGIS and saves the image.
#   scripts/screenshot_dock.sh [output.png]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/dock_ja.png}"
mkdir -p "$(dirname "$out")"
for tool in qgis xvfb-run; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian: apt-get install qgis xvfb)" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Japanese translations of the plugin, built fresh from the .tsv tables (the committed .ts may lag).
python3 - "$root" "$work/kaigo_resource_plugin_ja.ts" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/scripts")
import build_ts
open(sys.argv[2], "w", encoding="utf-8").write(build_ts.render(build_ts.read_tables()))
EOF
lrelease -silent "$work/kaigo_resource_plugin_ja.ts" -qm "$work/kaigo_resource_plugin_ja.qm"

# A fresh profile: Japanese UI, the plugin enabled, no first-run dialogs.
ini="$work/profiles/profiles/default/QGIS/QGIS3.ini"
mkdir -p "$(dirname "$ini")"
cat >"$ini" <<'EOF'
[locale]
overrideFlag=true
userLocale=ja
globalLocale=ja_JP

[PythonPlugins]
kaigo_resource_plugin=true
processing=true

[app]
projects\default\allowGlobalCRS=true

[qgis]
checkVersion=false
showTips=false
newProjectDefault=false
allowRemoteNetworkAccess=false
EOF

export QGIS_PLUGINPATH="$root"
export KAIGO_SCREENSHOT_OUT="$out"
export KAIGO_SCREENSHOT_QM="$work/kaigo_resource_plugin_ja.qm"
export KAIGO_REPO="$root"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 # the profile's locale override makes QGIS Japanese
export QT_QPA_PLATFORM=xcb
unset KAIGO_LANG

rm -f "$out"
timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" \
  qgis --profiles-path "$work/profiles" --nologo --hide-browser \
  --code "$root/scripts/screenshot_dock.py" >"$work/qgis.log" 2>&1 || true
if [ ! -s "$out" ]; then
  echo "no screenshot written; QGIS log:" >&2
  tail -n 40 "$work/qgis.log" >&2
  exit 1
fi
if grep -qE "Traceback|Error:" "$work/qgis.log"; then
  echo "warning: QGIS reported errors:" >&2
  grep -E -A3 "Traceback|Error:" "$work/qgis.log" >&2
fi
echo "wrote $out"
