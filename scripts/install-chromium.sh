#!/usr/bin/env bash
# Installs Debian's Chromium, which prints the yearly report as PDF (and lets the tests open it).
# Does nothing when `chromium` is already on PATH. Never fails the set-up: without Chromium the
# report is still written as HTML, and the PDF is skipped with a warning.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
warn() {
    echo "AVERTISSEMENT : Chromium n'est pas installé ($1) : le rapport sera écrit en HTML, sans PDF." \
         "Pour l'installer : apt-get update && apt-get install -y chromium (en root)." >&2
    exit 0
}
if [ "$(id -u)" -ne 0 ]; then
    warn "il faut être root pour l'installer"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null \
    || warn "apt-get a échoué"
command -v chromium >/dev/null 2>&1 || warn "introuvable après installation"
