#!/bin/sh
# Builds a one-layer OCI image archive holding a static pause binary, importable
# with `ctr -n k8s.io images import` (NODE-NOTES: tar + gzip + sha256, index.json
# naming the image with io.containerd.image.name). Test support only.
# Usage: make_pause_image.sh OUT.tar [REF]
set -eu
out=$1
ref=${2:-docker.io/kcpp/pause:3.9}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/rootfs" "$work/oci/blobs/sha256"
gcc -static -Os -s -o "$work/rootfs/pause" "$here/pause.c"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"

blob() {  # file → prints "digest size", stores the blob
  d=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$work/oci/blobs/sha256/$d"
  echo "$d $(stat -c %s "$1")"
}
set -- $(blob "$work/layer.tar.gz"); layer_digest=$1; layer_size=$2

printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$diff_id" > "$work/config.json"
set -- $(blob "$work/config.json"); config_digest=$1; config_size=$2

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
set -- $(blob "$work/manifest.json"); manifest_digest=$1; manifest_size=$2

printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s"}}]}' \
  "$manifest_digest" "$manifest_size" "$ref" > "$work/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/oci/oci-layout"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/oci" -cf "$out" .
