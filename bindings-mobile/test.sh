#!/usr/bin/env bash
# Build the mobile library, generate Kotlin and Swift, and run the Kotlin
# boundary tests on the JVM (JNA), the same generated code an Android app runs.
#
# Needs Rust, Node 20 + npm, Java 17 and (only when JNA is missing) root with
# apt. Installs kotlinc (npm `kotlin-compiler`) and JNA (Debian
# `libjna-java`) itself, idempotently. Exits non-zero on any failure.
#
#   bash bindings-mobile/test.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$here/build"
kotlin_version="2.4.20"
jna_jar="/usr/share/java/jna.jar"
cd "$root"

step() { printf '\n== %s\n' "$*"; }

# --- tools -----------------------------------------------------------------
if [ ! -s "$jna_jar" ]; then
    step "installing libjna-java"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libjna-java
fi
[ -s "$jna_jar" ] || { echo "JNA not found at $jna_jar" >&2; exit 1; }

kotlinc="$build/kotlin/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$kotlinc" ] || ! grep -q "\"version\": \"$kotlin_version\"" \
    "$build/kotlin/node_modules/kotlin-compiler/package.json" 2>/dev/null; then
    step "installing kotlin-compiler@$kotlin_version (npm)"
    mkdir -p "$build/kotlin"
    npm install --prefix "$build/kotlin" --no-audit --no-fund --loglevel=error \
        "kotlin-compiler@$kotlin_version"
fi

# --- Rust: library and generator in one build (one uniffi feature set) -----
step "cargo build -p regcore-mobile --features cli"
cargo build -p regcore-mobile --features cli --lib --bin uniffi-bindgen
step "cargo test -p regcore-mobile --features cli"
cargo test -p regcore-mobile --features cli --lib

target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
lib="$target_dir/debug/libregcore_mobile.so"
bindgen="$target_dir/debug/uniffi-bindgen"

# --- generate ----------------------------------------------------------------
step "generating Kotlin and Swift into $build/gen"
rm -rf "$build/gen"
"$bindgen" generate --library "$lib" --language kotlin --no-format --out-dir "$build/gen/kotlin"
"$bindgen" generate --library "$lib" --language swift --no-format --out-dir "$build/gen/swift"

# Swift cannot be compiled on these machines: check the three artefacts.
for f in Regcore.swift RegcoreFFI.h RegcoreFFI.modulemap; do
    [ -s "$build/gen/swift/$f" ] || { echo "missing or empty Swift output: $f" >&2; exit 1; }
done
grep -q "public func parseIdentifier" "$build/gen/swift/Regcore.swift" ||
    { echo "Swift bindings lack parseIdentifier" >&2; exit 1; }
kotlin_src="$build/gen/kotlin/io/regcore/regcore_mobile.kt"
[ -s "$kotlin_src" ] || { echo "missing Kotlin bindings" >&2; exit 1; }

# --- Kotlin tests on the JVM ---------------------------------------------------
# kotlinc is slow (minutes on a shared machine), so each jar is rebuilt only
# when its sources change: the bindings jar is keyed by the generated Kotlin,
# the tests jar by the tests and the bindings. The native library is loaded
# fresh at every run, so a Rust change with an unchanged interface is still
# tested.
kotlin_home="$build/kotlin/node_modules/kotlin-compiler"
jars="$build/jars"
mkdir -p "$jars"
bindings_key="$(cat "$kotlin_src" | sha256sum | cut -c1-16)"
tests_key="$( (echo "$bindings_key"; cat "$here"/tests/kotlin/*.kt) | sha256sum | cut -c1-16)"
bindings_jar="$jars/bindings-$bindings_key.jar"
tests_jar="$jars/tests-$tests_key.jar"
if [ ! -s "$bindings_jar" ]; then
    step "compiling generated Kotlin bindings"
    "$kotlinc" -nowarn -cp "$jna_jar" -d "$bindings_jar.tmp.jar" "$kotlin_src"
    mv "$bindings_jar.tmp.jar" "$bindings_jar"
fi
if [ ! -s "$tests_jar" ]; then
    step "compiling Kotlin tests"
    "$kotlinc" -nowarn -cp "$jna_jar:$bindings_jar" -d "$tests_jar.tmp.jar" "$here"/tests/kotlin/*.kt
    mv "$tests_jar.tmp.jar" "$tests_jar"
fi
# Keep only the current jars.
find "$jars" -name '*.jar' ! -name "$(basename "$bindings_jar")" ! -name "$(basename "$tests_jar")" -delete

step "running Kotlin tests"
java -Djna.library.path="$target_dir/debug" \
    -Dregcore.vectors="$root/core/tests/vectors" \
    -cp "$tests_jar:$bindings_jar:$jna_jar:$kotlin_home/lib/kotlin-stdlib.jar" MainKt
