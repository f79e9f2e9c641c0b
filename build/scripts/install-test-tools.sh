#!/usr/bin/env bash
# Installs the Debian packages rackboot's test rings and bench use. Idempotent: apt-get runs only
# when a package is missing. Without root it prints what is missing and exits 0, so the rings that
# need those tools skip with a printed reason instead of failing.
set -euo pipefail

packages=(
  # QEMU clients and their firmware: SeaBIOS + iPXE ROM (BIOS), OVMF (UEFI, with MS keys for Secure Boot)
  qemu-system-x86 ovmf ipxe-qemu
  # Bootloaders rackboot ships, collected from Debian packages at build time
  ipxe pxelinux syslinux-common shim-signed grub-efi-amd64-signed debian-installer-12-netboot-amd64
  # Real peers and reference servers
  dnsmasq-base atftp tftp-hpa curl isc-dhcp-client busybox-static kea-admin kea-dhcp4-server nginx-light
  # ISO fixtures (7zip: ground truth for UDF images; udftools + udfclient: UDF-only images without a loop mount;
  # pycdlib: UDF 2.60 with symlinks)
  xorriso genisoimage mtools dosfstools cpio 7zip udftools udfclient python3-pycdlib
  # Network namespaces, UI ring
  iproute2 chromium
  # Reliability ring: tcpdump records the DHCP ACKs that really left rackboot before a kill -9
  tcpdump
  # Answer files checked by the tools that read them: cloud-init schema (+ PyYAML), debconf-set-selections
  cloud-init debconf
  # The IEEE OUI registry the Machines screen's vendor table is checked against
  ieee-data
  # BMC control (issue 12): ipmi_sim (a real RMCP+ BMC), ipmitool and freeipmi (reference IPMI clients)
  openipmi ipmitool freeipmi-tools
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-tools: all ${#packages[@]} Debian packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: not root, cannot install: ${missing[*]}"
  echo "install-test-tools: tests that need them will skip with a reason (run as root, or: sudo apt-get install ${missing[*]})"
  exit 0
fi

echo "install-test-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Services in these packages (kea, nginx) must not start on the host: tests start their own copies.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# cloud-init is installed here for `cloud-init schema` only: it must not configure this host at its next boot.
if printf '%s\n' "${missing[@]}" | grep -qx cloud-init; then touch /etc/cloud/cloud-init.disabled; fi
echo "install-test-tools: done"
