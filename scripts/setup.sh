#!/usr/bin/env bash
# Installs what AnchorDesk needs and is missing, then returns quickly on every later run.
#   scripts/setup.sh run    system packages to build and run the desktop app, and the UI's npm packages
#   scripts/setup.sh test   the above, plus what the tests need (Xvfb, WebKitWebDriver, Chromium, ...)
# System packages come from apt (with sudo when not root); Node packages from `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"

# Debian/Ubuntu package names (see shared/design/toolchain.md).
build_pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
  libssl-dev build-essential pkg-config file libxdo-dev libgl1-mesa-dri fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core
  ffmpeg)
# ffmpeg (above) is the sandbox's simulated OBS: it pushes a real RTMP test stream into the sandbox's
# ingest, in the app and in the tests.
# chromium: the UI's page tests and feed benchmark drive it (Playwright, no browser download).
test_pkgs=(xvfb xauth webkit2gtk-driver chromium xdotool dbus-x11 x11-utils imagemagick)

wanted=("${build_pkgs[@]}")
[ "$mode" = test ] && wanted+=("${test_pkgs[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "AnchorDesk's set-up needs these Debian/Ubuntu packages, and this machine has no apt-get:" >&2
    echo "  ${missing[*]}" >&2
    echo "Install their equivalents with your package manager, then run make again." >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || [ -t 0 ]; then
    sudo=(sudo)
  else
    echo "AnchorDesk needs these system packages, and cannot install them without root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    echo "Run that (or ask an administrator to), then run make again." >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "AnchorDesk is written in Rust and needs cargo: install it from https://rustup.rs, then run make again." >&2
  exit 1
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "AnchorDesk's UI needs Node.js 20.19+ (22 LTS recommended) with npm; install it, then run make again." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "AnchorDesk's UI needs Node.js 20.19 or newer; this machine has $(node --version). Update Node, then run make again." >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
stamp=ui/node_modules/.anchordesk-installed
if [ ! -f "$stamp" ] || [ ui/package-lock.json -nt "$stamp" ] || [ ui/package.json -nt "$stamp" ]; then
  echo "Installing the UI's npm packages (npm ci)"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
