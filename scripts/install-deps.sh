#!/usr/bin/env bash
# Installs every build and test dependency of psafe from Debian 12 packages.
# Used by the README's commands and by .ci/run; safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libsodium-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev
  libcurl4-openssl-dev
  libssh-dev libpq-dev libldap-dev
  openssh-server openssh-client sshpass slapd ldap-utils postgresql-15 sudo
  clang-14 libclang-rt-14-dev
  openssl curl procps python3 python3-pytest python3-requests python3-yaml python3-jsonschema
  python3-cryptography testssl.sh
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
