#!/usr/bin/env bash
# System packages jingfen needs beyond Python: headless Chromium + CJK fonts (dashboard browser
# checks and screenshots), chromedriver (Superset's scheduled reports drive Chromium through
# Selenium; Debian has no geckodriver), OpenSSH server (SFTP tests), Java 17 if absent (Spark). Idempotent: installs only what is
# missing, and does nothing (no apt-get update) when everything is present.
set -euo pipefail

PACKAGES=(chromium chromium-driver fonts-noto-cjk openssh-server)
# Spark (make test-spark) needs a Java 17 runtime; the machine image usually has one.
if ! command -v java >/dev/null 2>&1; then
    PACKAGES+=(openjdk-17-jre-headless)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages already installed: ${PACKAGES[*]}"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
