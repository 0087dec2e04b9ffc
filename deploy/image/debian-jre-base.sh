#!/usr/bin/env bash
# Makes a base image for Bridge's container image out of Debian packages alone, for a machine that
# reaches a Debian mirror but no container registry: Debian 12 (minbase), OpenJDK 17's headless
# JRE and the CA certificates, plus a user `bridge` with uid and gid 65532, the user the image runs
# as. The result is an image tarball in `docker save` layout, one layer, which Jib reads with
#   ./mvnw -B package -Pimage -Dimage.base=tar://$PWD/target/bridge-base.tar
#
# Usage: deploy/image/debian-jre-base.sh [OUTPUT.tar]   (default: target/bridge-base.tar)
# Needs root (or user namespaces) and mmdebstrap (`apt-get install mmdebstrap`); takes a few
# minutes and makes a tarball of about 350 MB. Every file of the image comes from the Debian
# archive, so rebuild it now and then to pick up security updates.
set -euo pipefail

out=${1:-target/bridge-base.tar}
suite=${DEBIAN_SUITE:-bookworm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (apt-get install mmdebstrap)" >&2; exit 2; }

# Documentation, manual pages and translations are left out; nothing in the image reads them. The
# JRE's post-install step links its manual page, so that one directory has to exist all the same.
mmdebstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='chroot "$1" groupadd --system --gid 65532 bridge' \
  --customize-hook='chroot "$1" useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin bridge' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  "$suite" "$work/layer.tar"

diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"deploy/image/debian-jre-base.sh ($suite minbase, openjdk-17-jre-headless)"}]}
JSON
cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["bridge-base:$suite-jre17"],"Layers":["layer.tar"]}]
JSON

mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "base image: $out ($(du -h "$out" | cut -f1)), layer sha256:$diff_id"
