#!/usr/bin/env bash
# Build the Android library (AAR): libregcore_mobile.so for each Android ABI
# (cargo-ndk) and the uniffi-generated Kotlin, packaged by the Android Gradle
# plugin.
#
# NOT RUN on the project's machines: they have no Android NDK or SDK. It is
# the recipe for a machine that has them (ANDROID_NDK_HOME, ANDROID_HOME,
# Gradle 8 and JDK 17); the release workflow does not run it either.
#
#   bash bindings-mobile/scripts/build-aar.sh   # -> target/dist/android/regcore-android-VERSION.aar
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to an Android NDK (r26 or newer)}"
: "${ANDROID_HOME:?set ANDROID_HOME to an Android SDK with platform 34}"
version=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "regcore"))')
out="$root/target/dist/android"
project="$root/target/android-aar"
abis=(arm64-v8a armeabi-v7a x86_64 x86)

rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked

rm -rf "$project"
mkdir -p "$project/src/main/jniLibs" "$project/src/main/kotlin" "$out"
# 1. The native library for every ABI (API 24: what uniffi's Kotlin needs).
cargo ndk --platform 24 $(printf -- '-t %s ' "${abis[@]}") -o "$project/src/main/jniLibs" \
    build --release --locked -p regcore-mobile --lib
# 2. Kotlin from the library's own metadata (the same generator as the tests).
cargo build --locked -p regcore-mobile --features cli --bin uniffi-bindgen
"$root/target/debug/uniffi-bindgen" generate --library "$project/src/main/jniLibs/arm64-v8a/libregcore_mobile.so" \
    --language kotlin --no-format --out-dir "$project/src/main/kotlin"
# 3. A minimal Android library project around them.
cat >"$project/settings.gradle.kts" <<'KTS'
pluginManagement { repositories { google(); mavenCentral(); gradlePluginPortal() } }
dependencyResolutionManagement { repositories { google(); mavenCentral() } }
rootProject.name = "regcore-android"
KTS
cat >"$project/build.gradle.kts" <<KTS
plugins {
    id("com.android.library") version "8.5.2"
    id("org.jetbrains.kotlin.android") version "2.0.20"
}
android {
    namespace = "io.regcore"
    compileSdk = 34
    defaultConfig { minSdk = 24 }
    compileOptions { sourceCompatibility = JavaVersion.VERSION_17; targetCompatibility = JavaVersion.VERSION_17 }
}
kotlin { jvmToolchain(17) }
dependencies { implementation("net.java.dev.jna:jna:5.13.0@aar") }
version = "$version"
KTS
printf '<manifest xmlns:android="http://schemas.android.com/apk/res/android" />\n' >"$project/src/main/AndroidManifest.xml"
(cd "$project" && gradle --no-daemon assembleRelease)
cp "$project/build/outputs/aar/regcore-android-release.aar" "$out/regcore-android-$version.aar"
echo "built $out/regcore-android-$version.aar"
