#!/usr/bin/env bash
# Build the iOS XCFramework: libregcore_mobile.a for devices (arm64) and the
# simulator (arm64 + x86_64, one fat library), the uniffi-generated C header
# and module map, and Regcore.swift to add to the app or a Swift package.
#
# NOT RUN on the project's machines: it needs macOS with Xcode (xcodebuild,
# lipo). It is the recipe for such a machine; the release workflow does not
# run it either.
#
#   bash bindings-mobile/scripts/build-xcframework.sh   # -> target/dist/ios/
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }
out="$root/target/dist/ios"
work="$root/target/ios-xcframework"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
    cargo build --release --locked -p regcore-mobile --lib --target "$t"
done
rm -rf "$work" "$out"
mkdir -p "$work/headers" "$work/sim" "$out"
# The Swift and the C header from the library's own metadata.
cargo build --locked -p regcore-mobile --features cli --bin uniffi-bindgen
"$root/target/debug/uniffi-bindgen" generate --library "$root/target/aarch64-apple-ios/release/libregcore_mobile.a" \
    --language swift --no-format --out-dir "$work/gen"
cp "$work/gen/RegcoreFFI.h" "$work/headers/"
cp "$work/gen/RegcoreFFI.modulemap" "$work/headers/module.modulemap"
lipo -create \
    "$root/target/aarch64-apple-ios-sim/release/libregcore_mobile.a" \
    "$root/target/x86_64-apple-ios/release/libregcore_mobile.a" \
    -output "$work/sim/libregcore_mobile.a"
xcodebuild -create-xcframework \
    -library "$root/target/aarch64-apple-ios/release/libregcore_mobile.a" -headers "$work/headers" \
    -library "$work/sim/libregcore_mobile.a" -headers "$work/headers" \
    -output "$out/RegcoreFFI.xcframework"
cp "$work/gen/Regcore.swift" "$out/"
echo "built $out/RegcoreFFI.xcframework and $out/Regcore.swift"
