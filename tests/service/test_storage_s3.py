"""Object storage on the s3:// backend, against a real S3 HTTP server (moto in a subprocess)."""
from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest

from ponte import storage
from ponte.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from tests.unit.test_storage import ACCEPTED, REJECTED, pdf

BUCKET = "ponte-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    """A moto S3 server on a free port, with dummy credentials in the environment."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"moto server did not start: {process.stderr.read()!r}") from None
                time.sleep(0.1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_ACCESS_KEY_ID", "testing")
            patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            patch.setenv("AWS_DEFAULT_REGION", "sa-east-1")  # exercises LocationConstraint
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
                patch.delenv(name, raising=False)
            yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.fixture(scope="module")
def store(endpoint) -> storage.ObjectStore:
    return storage.open_store(f"s3://{BUCKET}", endpoint_url=endpoint)


@pytest.fixture(scope="module")
def s3(endpoint):
    return boto3.client("s3", endpoint_url=endpoint)


def keys(s3, prefix: str) -> list[str]:
    """What is stored under ``prefix``; before the first store the bucket itself does not exist
    (tests run in any order)."""
    try:
        listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    except s3.exceptions.NoSuchBucket:
        return []
    return [item["Key"] for item in listing.get("Contents", [])]


def put(store, key: str, data: bytes, *, filename: str = "f.pdf",
        max_bytes: int = 10 * storage.MiB, metadata: dict | None = None):
    return store.put_stream(key, io.BytesIO(data), max_bytes=max_bytes,
                            allowed=storage.ATTACHMENT_TYPES, filename=filename,
                            metadata=metadata or {})


def test_the_bucket_is_created_on_first_use(store, s3, endpoint):
    assert store.info("nothing") is None
    s3.head_bucket(Bucket=BUCKET)
    again = storage.open_store(f"s3://{BUCKET}", endpoint_url=endpoint)
    assert again.info("nothing") is None  # an existing bucket is fine


def test_round_trip_of_a_full_size_upload(store, s3):
    """10 MiB exactly: the limit passes, and the upload goes multipart (over 8 MiB)."""
    data = pdf() + os.urandom(10 * storage.MiB - len(pdf()))
    name = "Relatório São João.pdf"
    stored = put(store, "uploads/big", data, filename=name, metadata={"owner": "José"})
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.info("uploads/big") == stored
    assert store.info("uploads/big").filename == name
    head = s3.head_object(Bucket=BUCKET, Key="uploads/big")
    assert head["ContentType"] == "application/pdf" and head["ContentLength"] == len(data)
    assert head["ETag"].endswith("-2\"")  # two parts: 8 MiB + 2 MiB
    digest, chunks = hashlib.sha256(), 0
    with store.open("uploads/big") as reader:
        for chunk in reader:
            assert len(chunk) <= storage.CHUNK
            digest.update(chunk)
            chunks += 1
    assert digest.hexdigest() == stored.sha256 and chunks >= 160


def test_one_byte_over_the_limit_stores_nothing(store, s3):
    data = pdf() + bytes(10 * storage.MiB + 1 - len(pdf()))
    with pytest.raises(PayloadTooLarge):
        put(store, "uploads/too-big", data)
    assert keys(s3, "uploads/too-big") == []
    assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads")


@pytest.mark.parametrize("filename, make, content_type", ACCEPTED,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ACCEPTED)])
def test_an_accepted_type_is_stored_on_s3_as_sniffed(store, filename, make, content_type):
    assert put(store, "sniffed", make(), filename="x").content_type == content_type
    assert store.info("sniffed").content_type == content_type


@pytest.mark.parametrize("filename, make", REJECTED, ids=[n for n, _ in REJECTED])
def test_a_refused_type_leaves_nothing_on_s3(store, s3, filename, make):
    with pytest.raises(UnsupportedMediaType):
        put(store, "refused/x", make(), filename=filename)
    assert keys(s3, "refused/") == []


def test_a_deleted_s3_object_is_gone_and_deleting_it_again_is_harmless(store, s3):
    put(store, "gone/x", pdf())
    assert store.exists("gone/x")
    store.delete("gone/x")
    assert not store.exists("gone/x") and keys(s3, "gone/") == []
    with pytest.raises(NotFound):
        store.open("gone/x")
    store.delete("gone/x")


def test_a_prefix_keeps_objects_under_it(endpoint, s3):
    prefixed = storage.open_store(f"s3://{BUCKET}/tenant-a", endpoint_url=endpoint)
    put(prefixed, "k", pdf())
    assert keys(s3, "tenant-a/") == ["tenant-a/k", "tenant-a/k.meta.json"]
    with prefixed.open("k") as reader:
        assert reader.read() == pdf()
