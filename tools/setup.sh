#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install everything kitt's build and tests need on a Debian 12 (bookworm)
# machine, as root.  Idempotent: when all is present it changes nothing.
set -eu

# Debian kernel ABI flavours we build and test against.
PKGS_MAIN="build-essential kmod cpio xz-utils zstd busybox-static
qemu-system-x86 qemu-utils sparse targetcli-fb python3-rtslib-fb open-iscsi
libiscsi-bin sg3-utils lsscsi fio dbus iproute2 e2fsprogs dkms python3-docutils psmisc
clang libclang-rt-14-dev resource-agents multipath-tools iptables bpftrace linux-perf trace-cmd
linux-image-amd64 linux-headers-amd64"
PKGS_BPO="linux-image-amd64 linux-headers-amd64 linux-source-6.12"

if [ "$(id -u)" -ne 0 ]; then
	echo "kitt setup: must run as root" >&2
	exit 1
fi

have_all() {
	for p in $PKGS_MAIN; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || return 1
	done
	# a 6.12 image and its headers from bookworm-backports
	ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 || return 1
	ls -d /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1 || return 1
	ls /boot/vmlinuz-6.1.* >/dev/null 2>&1 || return 1
	ls -d /usr/src/linux-headers-6.1.*-amd64 >/dev/null 2>&1 || return 1
	# checkpatch.pl comes from the kernel source tarball
	ls /usr/src/linux-source-6.12.tar.* >/dev/null 2>&1 || return 1
}

if have_all; then
	echo "kitt setup: everything is installed"
	exit 0
fi

# Add bookworm-backports with the same mirror and keyring as the main suite.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(grep -rhs '^URIs:.*debian/\?$' /etc/apt/sources.list.d/*.sources | head -n1 | awk '{print $2}')
	[ -n "$uri" ] || uri=$(awk '/^deb .*bookworm main/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	cat > /etc/apt/sources.list.d/kitt-bookworm-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The main suite's kernel first (6.1), pinned as manually installed so that the
# backports metapackage (6.12) does not make it removable.
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS_MAIN
apt-mark manual $(dpkg-query -W -f='${Package}\n' 'linux-image-6.1.*' 'linux-headers-6.1.*' 2>/dev/null) >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -t bookworm-backports $PKGS_BPO
have_all || { echo "kitt setup: packages missing after install" >&2; exit 1; }
echo "kitt setup: done"
