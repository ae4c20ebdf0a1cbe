#!/usr/bin/env bash
# CPython 3.13 for the Django 6.x tests (bindings-python/tests-django/run.sh),
# on a machine whose Python is 3.11 and that cannot reach python.org.
#
# Prints the interpreter's path on stdout (the only line on stdout); the rest
# goes to stderr. Idempotent:
#   - a cached build (outside the checkout, so it survives clean clones) that
#     runs and imports what the tests need is used as it is;
#   - otherwise the CPython source is fetched from Debian's archive (the
#     upstream tarball Debian ships as python3.13's orig tarball, checked
#     against the SHA-256 below), the -dev packages it needs are installed
#     with apt when missing, and it is built (no PGO, no LTO, make -j2) and
#     installed into the cache (the tarball is kept beside it, so a rebuild
#     does not fetch it again).
#
#   bash scripts/python313.sh          # -> ~/.cache/regcore/cpython-3.13.5/bin/python3.13
#
# Environment: REGCORE_PY313_PREFIX (install location; default
# ${XDG_CACHE_HOME:-$HOME/.cache}/regcore/cpython-3.13.5), TMPDIR (build tree,
# about 350 MB while building, removed afterwards).
set -euo pipefail

version=3.13.5
# python3.13_3.13.5.orig.tar.xz as listed in trixie's main/source/Sources.xz
# (python3.13 3.13.5-2+deb13u5) and in python3.13_3.13.5-2.dsc; Sources.xz
# was checked against trixie's InRelease, whose signature gpgv verified with
# debian-archive-keyring.
sha256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
url="http://deb.debian.org/debian/pool/main/p/python3.13/python3.13_${version}.orig.tar.xz"
# What a build is made with; a cached build made otherwise is rebuilt.
configure_args=(--disable-test-modules --with-ensurepip=install)
apt_packages=(build-essential pkg-config curl xz-utils libssl-dev libffi-dev zlib1g-dev
    libsqlite3-dev libbz2-dev liblzma-dev libreadline-dev libncurses-dev uuid-dev)

cache="${XDG_CACHE_HOME:-$HOME/.cache}/regcore"
prefix="${REGCORE_PY313_PREFIX:-$cache/cpython-$version}"
python="$prefix/bin/python3.13"
stamp="$prefix/.regcore-build"
want_stamp="cpython $version sha256=$sha256 configure ${configure_args[*]}"
start=$SECONDS

log() { printf 'python313: %s\n' "$*" >&2; }

usable() {
    [[ -x "$python" && -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]] || return 1
    # The modules pip, venv, Django and the tests use.
    "$python" - "$version" >/dev/null 2>&1 <<'PY'
import sys
assert "%d.%d.%d" % sys.version_info[:3] == sys.argv[1], sys.version
import ssl, sqlite3, ctypes, zlib, bz2, lzma, hashlib, uuid, venv, ensurepip, multiprocessing
hashlib.sha256(b"")
ssl.create_default_context()
sqlite3.connect(":memory:").execute("select 1")
PY
}

if usable; then
    log "cached $python ($((SECONDS - start)) s)"
    echo "$python"
    exit 0
fi

mkdir -p "$(dirname "$prefix")"
# One build at a time; a second caller waits and then finds the build done.
exec 9>"$prefix.lock"
flock 9
if usable; then
    log "cached $python, built by another run meanwhile ($((SECONDS - start)) s)"
    echo "$python"
    exit 0
fi

log "no usable build at $prefix: building CPython $version from Debian's orig tarball"

missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing with apt: ${missing[*]}"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/regcore-cpython-$version.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tarball="$cache/python3.13_${version}.orig.tar.xz"
if [[ ! -f "$tarball" ]] || ! echo "$sha256  $tarball" | sha256sum --check --status; then
    log "fetching $url"
    curl -fsSL --retry 3 -o "$work/src.tar.xz" "$url"
    if ! echo "$sha256  $work/src.tar.xz" | sha256sum --check --status; then
        log "SHA-256 mismatch for $url: got $(sha256sum "$work/src.tar.xz" | cut -d' ' -f1), want $sha256"
        exit 1
    fi
    mv "$work/src.tar.xz" "$tarball"
fi
log "source verified (sha256 $sha256)"
tar -xJf "$tarball" -C "$work"
src="$work/Python-$version"
[[ -x "$src/configure" ]] || { log "no Python-$version/configure in the tarball"; exit 1; }

log "configure --prefix=$prefix ${configure_args[*]}"
(cd "$src" && ./configure --prefix="$prefix" "${configure_args[@]}" >"$work/configure.log" 2>&1) || {
    tail -n 40 "$work/configure.log" >&2
    exit 1
}
log "make -j2"
(cd "$src" && make -j2 >"$work/make.log" 2>&1) || { tail -n 60 "$work/make.log" >&2; exit 1; }
# Optional modules the build could not make (missing -dev packages) are
# listed here; usable() below fails if one the tests need is among them.
grep -A3 -E "necessary bits to build these optional modules were not found|Failed to build these modules" \
    "$work/make.log" >&2 || true
# Install into a staging tree and move it into place, so an interrupted run
# never leaves a half-installed prefix behind.
log "make install"
(cd "$src" && make install DESTDIR="$work/stage" >"$work/install.log" 2>&1) || {
    tail -n 40 "$work/install.log" >&2
    exit 1
}
rm -rf "$prefix"
mv "$work/stage$prefix" "$prefix"
echo "$want_stamp" >"$stamp"
rm -rf "$work"

if ! usable; then
    log "the build at $prefix does not run or lacks a module the tests need:"
    "$python" -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, hashlib, uuid, venv, ensurepip, multiprocessing' >&2 || true
    exit 1
fi
log "built $python in $((SECONDS - start)) s"
echo "$python"
