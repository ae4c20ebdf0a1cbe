#!/usr/bin/env bash
# The example portal (and the Express guard's demo page) in headless
# Chromium. Installs Debian's chromium, chromium-driver and a Japanese font
# when missing (as root), Selenium into target/py-venv, starts the portal
# on a fresh data folder and (when the Node addon is built) the Express demo,
# and saves screenshots to target/browser-screens/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
py="${PYTHON:-$target/py-venv/bin/python}"
screens="$target/browser-screens"

need=()
command -v chromium >/dev/null || need+=(chromium)
[[ -x /usr/bin/chromedriver ]] || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qiE 'IPAGothic|Noto Sans CJK' || need+=(fonts-ipafont-gothic)
if (( ${#need[@]} )); then
    if [[ $(id -u) -ne 0 ]]; then echo "browser: install ${need[*]} (Debian) first" >&2; exit 1; fi
    echo "browser: apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
"$py" -m pip install --quiet --disable-pip-version-check "django>=5.2,<7" "selenium>=4.20,<5" "pytest>=8"

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
data="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT

port=$(free_port)
PORTAL_DATA="$data" PORT=$port PYTHON="$py" bash "$here/run.sh" >"$target/portal-server.log" 2>&1 &
pids+=($!)
export PORTAL_URL="http://127.0.0.1:$port" PORTAL_DATA="$data"

express="$root/examples/express"
if [[ -f "$express/server.js" ]] && ls "$root"/bindings-node/regcore.*.node >/dev/null 2>&1; then
    bash "$express/setup.sh" >/dev/null
    eport=$(free_port)
    PORT=$eport REGCORE_DEMO_DB="$data/express.sqlite3" node "$express/server.js" >"$target/express-server.log" 2>&1 &
    pids+=($!)
    export EXPRESS_URL="http://127.0.0.1:$eport"
fi

for url in "$PORTAL_URL/" ${EXPRESS_URL:+"$EXPRESS_URL/login"}; do
    for _ in $(seq 1 60); do curl -fs -o /dev/null "$url" && break; sleep 0.5; done
done
rm -rf "$screens"; mkdir -p "$screens"
export SCREENS="$screens"
cd "$here"
"$py" -m pytest -p no:cacheprovider -q test_browser.py "$@"
echo "browser: screenshots in $screens:"; ls "$screens"
