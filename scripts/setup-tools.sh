#!/usr/bin/env bash
# Installs (only when missing) and configures the container tooling the e2e suite uses.
# Safe to run repeatedly: a second run installs and rewrites nothing.
set -euo pipefail

# "package:probe" — probe is a command name or an absolute path that proves the package is usable.
# runc comes first so apt satisfies podman's "crun | runc" with runc instead of pulling crun.
# netavark + iptables: podman's network stack for RUN steps (recommends are not installed).
# docker.io: a real dockerd (20.10) for the docker-engine tests; the harness starts its own
# instance on a private socket. Probed as dockerd because /usr/local/bin/docker may be a lone client.
TOOLS=(
  "runc:runc"
  "podman:podman"
  "buildah:buildah"
  "skopeo:skopeo"
  "docker-registry:docker-registry"
  "busybox-static:busybox"
  "uidmap:newuidmap"
  "netavark:/usr/lib/podman/netavark"
  "iptables:iptables"
  "docker.io:dockerd"
)

# runc/iptables live in sbin, which a non-root PATH may lack.
have() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else SUDO=(__no_root__); fi
fi
as_root() {
  if [ "${SUDO[0]:-}" = "__no_root__" ]; then return 1; fi
  "${SUDO[@]}" "$@"
}

missing=()
for entry in "${TOOLS[@]}"; do
  have "${entry#*:}" || missing+=("${entry%%:*}")
done

# docker.io Conflicts with podman-docker (and docker-ce); apt would silently remove those.
if [[ " ${missing[*]} " == *" docker.io "* ]] && dpkg-query -W -f='${Status}' podman-docker 2>/dev/null | grep -q 'ok installed'; then
  echo "setup-tools: WARNING: podman-docker is installed and conflicts with docker.io; not installing docker.io" >&2
  kept=()
  for pkg in "${missing[@]}"; do [ "$pkg" = docker.io ] || kept+=("$pkg"); done
  missing=("${kept[@]}")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-tools: installing ${missing[*]}"
  # docker.io/containerd postinst would start system daemons; policy-rc.d (honoured by invoke-rc.d
  # and deb-systemd-invoke) forbids that. Only a file we created is removed again.
  if [ ! -e /usr/sbin/policy-rc.d ] && as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'; then
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
  if ! as_root apt-get update; then
    echo "setup-tools: WARNING: apt-get update failed (not root and no sudo?); trying to install anyway" >&2
  fi
  # One transaction is fastest; on failure retry one by one so a single bad package only loses itself.
  if ! apt_install "${missing[@]}"; then
    for pkg in "${missing[@]}"; do
      apt_install "$pkg" || echo "setup-tools: ERROR: could not install '$pkg'; e2e tests that need it will fail naming it" >&2
    done
  fi
else
  echo "setup-tools: all packages already present, nothing to install"
fi

write_root_file() { # path content — only writes when the content differs, to stay idempotent
  local path="$1" content="$2"
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then return 0; fi
  # Explicit "|| return": set -e does not apply inside a function called from a condition.
  as_root mkdir -p "$(dirname "$path")" || return 1
  printf '%s\n' "$content" | as_root tee "$path" >/dev/null || return 1
  echo "setup-tools: wrote $path"
}

# crun fails here ("cgroups in hybrid mode not supported") and runc's default RLIMIT_NOFILE
# exceeds this host's hard limit, so pin runc and ulimits the host can grant.
PODMAN_CONF='[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]'

if have podman; then
  if ! write_root_file /etc/containers/containers.conf.d/50-nx-fleet.conf "$PODMAN_CONF"; then
    echo "setup-tools: ERROR: could not write /etc/containers/containers.conf.d/50-nx-fleet.conf" >&2
  fi
  runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || true)"
  # Empty means podman itself failed (e.g. unprivileged user), which says nothing about drop-ins.
  if [ -n "$runtime" ] && [ "$runtime" != "runc" ]; then
    # Drop-in ignored (older containers-common): fall back to the main file, never clobbering one.
    if [ ! -e /etc/containers/containers.conf ]; then
      write_root_file /etc/containers/containers.conf "$PODMAN_CONF" || true
      runtime="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || true)"
    fi
  fi
  [ "$runtime" = "runc" ] || echo "setup-tools: WARNING: podman OCI runtime is '${runtime:-unknown}', expected runc" >&2
fi

version_of() { # tool probe package
  local out
  case "$1" in
    busybox) out="$(busybox --help 2>&1 || true)" ;;
    newuidmap | netavark | iptables) out="$(dpkg-query -W -f='${Version}' "$3" 2>/dev/null || true)" ;;
    runc) out="$({ runc --version || /usr/sbin/runc --version; } 2>/dev/null || true)" ;;
    dockerd) out="$({ dockerd --version || /usr/sbin/dockerd --version; } 2>/dev/null || true)" ;;
    *) out="$("$1" --version 2>&1 || true)" ;;
  esac
  printf '%s' "${out%%$'\n'*}"
}

for entry in "${TOOLS[@]}"; do
  pkg="${entry%%:*}" probe="${entry#*:}"
  tool="$(basename "$probe")"
  if have "$probe"; then
    printf '%-16s %s\n' "$tool" "$(version_of "$tool" "$probe" "$pkg")"
  else
    printf '%-16s MISSING (Debian package %s could not be installed)\n' "$tool" "$pkg"
  fi
done
