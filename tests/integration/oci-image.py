#!/usr/bin/python3
"""Wrap a root file system tarball (mmdebstrap's) as a one-layer OCI image archive.

    oci-image.py ROOTFS.tar OUT.tar NAME:TAG

For `ctr image import` in test-oci-containerd.sh: an oci-layout, an index naming the image
(io.containerd.image.name), a manifest, a config and the tarball itself as an uncompressed
layer.  Deterministic: the same tarball gives the same archive.
"""
import hashlib
import io
import json
import sys
import tarfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    rootfs, out, ref = sys.argv[1:4]
    layer = sha256_file(rootfs)
    size = __import__("os").path.getsize(rootfs)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer]},
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + layer, "size": size}],
    }, sort_keys=True).encode()
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(), "size": len(manifest),
                       "annotations": {"io.containerd.image.name": ref,
                                       "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[-1]}}],
    }, sort_keys=True).encode()
    with tarfile.open(out, "w") as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", index)
        add("blobs/sha256/" + hashlib.sha256(config).hexdigest(), config)
        add("blobs/sha256/" + hashlib.sha256(manifest).hexdigest(), manifest)
        info = tarfile.TarInfo("blobs/sha256/" + layer)
        info.size, info.mtime = size, 0
        with open(rootfs, "rb") as f:
            t.addfile(info, f)


if __name__ == "__main__":
    main()
