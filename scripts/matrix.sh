#!/usr/bin/env bash
# The whole test suite on every QGIS a planner runs (make test-matrix):
#   3.22  Debian 12 bookworm
#   3.40  Debian 13 trixie
#   3.44  Debian 13 trixie + trixie-backports
# A version whose QGIS is the host's runs on the host (make test); the others run in a debootstrap chroot
# cached outside the repository (KAIGO_MATRIX_CACHE, default /var/cache/kaigo-matrix), so a second run
# starts in seconds. The working tree (tracked and untracked files, not .git or ignored ones) is copied into
# the chroot for each run, so nothing the chroot writes reaches the checkout.
#
# Usage: scripts/matrix.sh [--build-only] [--skip-host] [--parallel] [VERSION ...]  (default: 3.22 3.40 3.44)
#   --parallel  builds the missing chroots one after the other, then runs the versions' suites at the same time
#               (each suite is mostly one busy core; CI uses it for the two chroot versions).
# Prints pytest's closing lines per version, then one line per version with the counts; exits non-zero when
# any version fails (or cannot be built).
# Needs root (debootstrap, chroot, mount) and the debootstrap package (installed when missing).
# The host counts as the version of its QGIS (before QGIS is installed: bookworm 3.22, trixie 3.40;
# HOST_QGIS=3.44 overrides).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CACHE="${KAIGO_MATRIX_CACHE:-/var/cache/kaigo-matrix}"
TARGET="${KAIGO_MATRIX_TARGET:-test}" # make target run on each version (test-unit for a quick look)
export QT_QPA_PLATFORM=offscreen

build_only=0
skip_host=0
parallel=0
versions=()
for a in "$@"; do
  case "$a" in
    --build-only) build_only=1 ;;
    --skip-host) skip_host=1 ;;
    --parallel) parallel=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    3.22 | 3.40 | 3.44) versions+=("$a") ;;
    *) echo "matrix: unknown argument $a (versions: 3.22 3.40 3.44)" >&2; exit 2 ;;
  esac
done
[ ${#versions[@]} -gt 0 ] || versions=(3.22 3.40 3.44)

suite_of() { case "$1" in 3.22) echo bookworm ;; 3.40 | 3.44) echo trixie ;; esac; }
backports_of() { case "$1" in 3.44) echo 1 ;; *) echo 0 ;; esac; }

# Packages of the chroots: what scripts/setup.sh would install, so that `make test` inside installs nothing.
PKGS="qgis python3-qgis qgis-providers python3-numpy python3-shapely python3-matplotlib python3-pyproj
python3-venv python3-pip fonts-noto-cjk qttools5-dev-tools xvfb poppler-utils make git ca-certificates
locales"
QGIS_PKGS="qgis python3-qgis qgis-providers"

host_qgis() { # major.minor of the host's QGIS; before it is installed, the one its Debian release ships
  local v codename
  v=$(/usr/bin/python3 -c 'from qgis.core import Qgis; v=Qgis.QGIS_VERSION_INT; print(f"{v//10000}.{v//100%100}")' \
    2>/dev/null) || v=""
  if [ -z "$v" ]; then
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    case "$codename" in bookworm) v=3.22 ;; trixie) v=3.40 ;; esac
  fi
  echo "$v"
}

mirror() { # the Debian mirror this machine's apt sources name (deb822 or one-line), else deb.debian.org
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}')
  [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) {print $i; exit}}')
  echo "${m:-http://deb.debian.org/debian}"
}
security_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -oE 'https?://[^ ]*/debian-security/?' | head -1)
  echo "${m:-http://deb.debian.org/debian-security}"
}

mounted=()
mount_chroot() {
  local d="$1" p
  for p in proc sys dev dev/pts; do
    mountpoint -q "$d/$p" && continue
    mkdir -p "$d/$p"
    case "$p" in
      proc) mount -t proc proc "$d/proc" ;;
      sys) mount --rbind /sys "$d/sys"; mount --make-rslave "$d/sys" ;;
      dev) mount --bind /dev "$d/dev" ;;
      dev/pts) mount --bind /dev/pts "$d/dev/pts" ;;
    esac
    mounted=("$d/$p" "${mounted[@]}")
  done
  # resolver, CA certificates (pip reaches PyPI only through this machine's proxy CA) and pip's config
  cp -L /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
  if [ -d /usr/local/share/ca-certificates ]; then
    mkdir -p "$d/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$d/usr/local/share/ca-certificates/"
  fi
  mkdir -p "$d/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$d/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
  [ -f /etc/pip.conf ] && cp /etc/pip.conf "$d/etc/pip.conf"
  [ -d /etc/pip ] && cp -a /etc/pip "$d/etc/" 2>/dev/null
  true
}
umount_all() {
  local m
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
  mounted=()
}
umount_leftovers() { # at exit: whatever is still mounted under the cache (a killed run, a parallel child)
  umount_all
  awk -v c="$CACHE/" 'index($2, c) == 1 {print $2}' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
trap umount_leftovers EXIT

in_chroot() { # dir, command...
  local d="$1"
  shift
  chroot "$d" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 QT_QPA_PLATFORM=offscreen DEBIAN_FRONTEND=noninteractive \
    PYTEST_ARGS="${PYTEST_ARGS:-}" "$@"
}

build_steps() { # dir suite backports mirror security-mirror
  local d="$1" suite="$2" bp="$3" m="$4" sm="$5"
  local base="$CACHE/qgis-3.40-$suite"
  if [ ! -f "$d/.kaigo-debootstrap-done" ] && [ "$bp" = 1 ] && [ -f "$base/.kaigo-matrix-ready" ] \
    && [ "$(cat "$base/.kaigo-matrix-ready")" = "$suite bp=0 $PKGS" ]; then
    # the backports chroot is the plain one plus newer QGIS packages: start from a copy of the plain one
    # (-x: not into its proc/sys/dev mounts) instead of a second debootstrap and download of every package
    echo "matrix: starting from a copy of $base"
    rm -rf "$d"
    cp -ax "$base" "$d" || return 1
    rm -f "$d/.kaigo-matrix-ready"
  fi
  if [ ! -f "$d/.kaigo-debootstrap-done" ]; then
    rm -rf "$d"
    mkdir -p "$d"
    debootstrap --variant=minbase --include=ca-certificates,eatmydata "$suite" "$d" "$m" || return 1
    touch "$d/.kaigo-debootstrap-done"
  fi
  {
    echo "deb $m $suite main"
    echo "deb $m $suite-updates main"
    echo "deb $sm $suite-security main"
    if [ "$bp" = 1 ]; then echo "deb $m $suite-backports main"; fi
  } > "$d/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' > "$d/usr/sbin/policy-rc.d"
  chmod +x "$d/usr/sbin/policy-rc.d"
  mount_chroot "$d"
  in_chroot "$d" apt-get update -q || return 1
  # shellcheck disable=SC2086
  in_chroot "$d" eatmydata apt-get install -y -q --no-install-recommends $PKGS || return 1
  if [ "$bp" = 1 ]; then
    # shellcheck disable=SC2086
    in_chroot "$d" eatmydata apt-get install -y -q --no-install-recommends -t "$suite-backports" $QGIS_PKGS \
      || return 1
  fi
  in_chroot "$d" update-ca-certificates || true
  in_chroot "$d" apt-get clean
  # the test tools' venv is cached in the chroot too, made by the repository's own setup script
  copy_tree "$d/build/repo"
  in_chroot "$d" bash -c 'cd /build/repo && VENV=/build/venv bash scripts/setup.sh' || return 1
  in_chroot "$d" dpkg-query -W -f 'QGIS ${Version}\n' qgis
}

build_chroot() { # version -> prints the chroot directory; builds it when missing (log in $CACHE/<name>.log)
  local v="$1" suite bp name d log stamp want m sm
  suite=$(suite_of "$v")
  bp=$(backports_of "$v")
  name="qgis-$v-$suite"
  d="$CACHE/$name"
  log="$CACHE/$name.log"
  stamp="$d/.kaigo-matrix-ready"
  want="$suite bp=$bp $PKGS"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$d"
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    echo "matrix: installing debootstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 || return 1
  }
  m=$(mirror)
  sm=$(security_mirror)
  echo "matrix: building the QGIS $v chroot ($suite$([ "$bp" = 1 ] && echo ' + backports'), mirror $m) in $d — log $log" >&2
  build_steps "$d" "$suite" "$bp" "$m" "$sm" >> "$log" 2>&1 \
    || { umount_all; echo "matrix: building $name failed, see $log" >&2; return 1; }
  umount_all
  echo "$want" > "$stamp"
  echo "$d"
}

copy_tree() { # copies the working tree (not .git, not ignored files) into dir
  local dest="$1"
  rm -rf "$dest"
  mkdir -p "$dest"
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r ls -d 2>/dev/null \
    | tar -cf - -T -) | tar -xf - -C "$dest"
}

run_version() { # version -> runs the suite, writes $CACHE/result-<v>.txt ("<where>|<summary>|<rc>")
  local v="$1" d rc log where summary hv
  log="$CACHE/test-$v.log"
  hv=${HOST_QGIS:-$(host_qgis)}
  if [ "$hv" = "$v" ]; then
    where="host"
    [ "$skip_host" = 1 ] && { echo "skipped|host version, run by make test|0" > "$CACHE/result-$v.txt"; return 0; }
    [ "$build_only" = 1 ] && return 0
    echo "=== QGIS $v (host) ==="
    (cd "$ROOT" && make --no-print-directory "$TARGET") 2>&1 | tee "$log" | tail -n 15
    rc=${PIPESTATUS[0]}
  else
    d=$(build_chroot "$v") || { echo "chroot|could not build the chroot (see $CACHE/qgis-$v-*.log)|1" > "$CACHE/result-$v.txt"; return 1; }
    [ "$build_only" = 1 ] && return 0
    where="chroot $(basename "$d")"
    echo "=== QGIS $v ($where) ==="
    copy_tree "$d/build/repo"
    mount_chroot "$d"
    in_chroot "$d" bash -c "cd /build/repo && VENV=/build/venv make --no-print-directory $TARGET" 2>&1 \
      | tee "$log" | tail -n 15
    rc=${PIPESTATUS[0]}
    umount_all
  fi
  summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)|^(=+ )?(no tests ran|[0-9]+ (skipped|deselected))' "$log" \
    | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
  [ -n "$summary" ] || summary="no pytest summary (see $log)"
  echo "$where|$summary|$rc" > "$CACHE/result-$v.txt"
  return "$rc"
}

mkdir -p "$CACHE"
exec 8> "$CACHE/.matrix.lock"
flock -w 5400 8 || { echo "matrix: another run holds $CACHE/.matrix.lock" >&2; exit 1; }
status=0
if [ "$parallel" = 1 ] && [ "$build_only" = 0 ]; then
  hv=${HOST_QGIS:-$(host_qgis)}
  for v in "${versions[@]}"; do # the chroots first, one at a time (the 3.44 one starts from the 3.40 one)
    [ "$v" = "$hv" ] || build_chroot "$v" > /dev/null || status=1
  done
  pids=()
  for v in "${versions[@]}"; do
    rm -f "$CACHE/result-$v.txt"
    (run_version "$v" > "$CACHE/output-$v.txt" 2>&1) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  for v in "${versions[@]}"; do cat "$CACHE/output-$v.txt"; done
else
  for v in "${versions[@]}"; do
    rm -f "$CACHE/result-$v.txt"
    run_version "$v" || status=1
  done
fi
[ "$build_only" = 1 ] && exit "$status"

echo
echo "QGIS test matrix:"
for v in "${versions[@]}"; do
  IFS='|' read -r where summary rc < "$CACHE/result-$v.txt" || { where="?"; summary="no result"; rc=1; }
  if [ "$rc" = 0 ]; then mark="ok  "; else mark="FAIL"; status=1; fi
  actual=""
  if [ "$where" != host ] && [ "$where" != skipped ] && [ -d "$CACHE/qgis-$v-$(suite_of "$v")" ]; then
    actual=$(chroot "$CACHE/qgis-$v-$(suite_of "$v")" dpkg-query -W -f '${Version}' qgis 2>/dev/null)
  elif [ "$where" = host ]; then
    actual=$(dpkg-query -W -f '${Version}' qgis 2>/dev/null)
  fi
  printf '  %s QGIS %-5s %-28s %-22s %s\n' "$mark" "$v" "${actual:-}" "($where)" "$summary"
done
exit "$status"
