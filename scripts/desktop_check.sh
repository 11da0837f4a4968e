#!/usr/bin/env bash
# The planner's first hour in real QGIS Desktop under Xvfb, in a fresh profile, Japanese or English:
# install the packaged zip → panel run → export → unload → reinstall; screenshots and a JSON report.
#   scripts/desktop_check.sh ja|en [output-prefix]      (default docs/desktop_<lang>)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lang="${1:-ja}"
prefix="${2:-$root/docs/desktop_$lang}"
for tool in qgis xvfb-run unzip; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. the zip a user installs (make package), unpacked into the fresh profile's plugin folder
bash "$root/scripts/transcompile.sh" >/dev/null
zip="$(python3 "$root/scripts/package.py" --output "$work/dist")"
profile="$work/profiles/profiles/default"
mkdir -p "$profile/python/plugins"
unzip -q "$zip" -d "$profile/python/plugins"

ini="$profile/QGIS/QGIS3.ini"
mkdir -p "$(dirname "$ini")"
if [ "$lang" = ja ]; then locale=ja; global=ja_JP; else locale=en_US; global=en_US; fi
cat >"$ini" <<INI
[locale]
overrideFlag=true
userLocale=$locale
globalLocale=$global

[PythonPlugins]
kaigo_resource_plugin=true
processing=true

[app]
projects\\default\\allowGlobalCRS=true

[qgis]
checkVersion=false
showTips=false
newProjectDefault=false
allowRemoteNetworkAccess=false
INI

export KAIGO_SHOTS="$prefix" KAIGO_REPORT="$work/report.json" KAIGO_REPO="$root" KAIGO_OUT="$work/results"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 QT_QPA_PLATFORM=xcb
export PYTHONFAULTHANDLER=1  # a crash prints the Python stack it happened in
# KAIGO_GDB=1: QGIS under gdb, the C++ backtrace of a crash in the log
qgis_cmd=(qgis)
if [ "${KAIGO_GDB:-}" = 1 ] && command -v gdb >/dev/null && [ -x /usr/bin/qgis.bin ]; then
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/lib/grass82/lib"  # as /usr/bin/qgis does
  qgis_cmd=(gdb -q -batch -ex run -ex bt -ex quit --args /usr/bin/qgis.bin)
fi
unset KAIGO_LANG QGIS_PLUGINPATH
mkdir -p "$(dirname "$prefix")"
timeout 900 xvfb-run -a -s "-screen 0 1600x1000x24" \
  "${qgis_cmd[@]}" --profiles-path "$work/profiles" --nologo --hide-browser \
  --code "$root/scripts/desktop_check.py" >"$work/qgis.log" 2>&1 || true
cp "$work/qgis.log" "$prefix.log" 2>/dev/null || true
if [ ! -s "$work/report.json" ]; then
  echo "no report written; QGIS log:" >&2
  tail -n 60 "$work/qgis.log" >&2
  exit 1
fi
cp "$work/report.json" "$prefix.json"
python3 - "$work/report.json" "$work/qgis.log" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
log = open(sys.argv[2], encoding="utf-8", errors="replace").read()
bad = [m for m in r["messages"] if m["level"] == 2 or "Traceback" in m["text"]]  # 2 = Critical
print("\n".join(r["steps"]))
print(f"exit {r['exit']}; {len(r['messages'])} log messages, {len(bad)} critical or traceback; "
      f"{len(r['exceptions'])} Python exceptions; error windows: {r['error_windows']}; "
      f"'Traceback' in the QGIS console output: {'Traceback' in log}")
for m in bad:
    print("  [%s] %s" % (m["tag"], m["text"][:400]))
for e in r["exceptions"]:
    print(e[:1500])
sys.exit(0 if r["exit"] == 0 and not bad and not r["exceptions"] and not r["error_windows"] and "Traceback" not in log else 1)
PY
