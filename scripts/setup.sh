#!/usr/bin/env bash
# Installs what is missing for the demo and the tests; safe to run again (does nothing when all is there).
#  - QGIS with its Python bindings, numpy, shapely, matplotlib from the distribution's packages
#  - a Japanese font for the charts, Qt's lrelease for the translations, Xvfb and poppler for screenshots
#  - a virtual environment made with the system site packages, holding only pure-Python test tools
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
SYS_PY=/usr/bin/python3
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_apt=()
$SYS_PY -c "import qgis.core" >/dev/null 2>&1 || need_apt+=(qgis python3-qgis qgis-providers)
$SYS_PY -c "import numpy, shapely, matplotlib" >/dev/null 2>&1 || need_apt+=(python3-numpy python3-shapely python3-matplotlib)
$SYS_PY -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
fc-list :lang=ja 2>/dev/null | grep -qi . || need_apt+=(fonts-noto-cjk)
command -v lrelease >/dev/null 2>&1 || [ -x /usr/lib/qt5/bin/lrelease ] || need_apt+=(qttools5-dev-tools)
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v make >/dev/null 2>&1 || need_apt+=(make)
if [ ${#need_apt[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: ${need_apt[*]} — install QGIS (with Python) from your distribution, then run make again." >&2
    exit 1
  fi
  echo "Installing from the distribution's packages: ${need_apt[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  $SYS_PY -m venv --system-site-packages "$VENV"
fi
stamp="$VENV/.kaigo-tools"
want="pytest>=7,<9 pytest-qgis>=2,<3 hypothesis>=6,<7 networkx>=3,<4 ruff==0.8.4 mypy==1.13.0"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # Only pure-Python tools: numpy, shapely, matplotlib and GDAL stay the system's (see README).
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check $want
  echo "$want" > "$stamp"
fi
"$VENV/bin/python" -c "import numpy, osgeo.gdal_array, qgis.core" \
  || { echo "The virtual environment cannot import numpy/GDAL/QGIS from the system." >&2; exit 1; }
