"""Object storage: the one interface every part of Ponte uses to keep files.

Two backends behind :func:`open_store`: ``file:///abs/dir`` (a local directory) and ``s3://bucket``
(or ``s3://bucket/prefix``; boto3 with credentials from the environment, endpoint from
``endpoint_url``, e.g. MinIO). Both keep the object under its key and its description (file
name, sniffed content type, size, SHA-256, caller metadata) in a JSON sidecar
``<key>.meta.json``; the sidecar is written last and removed first, so it marks a complete object.

:meth:`ObjectStore.put_stream` never holds a whole file in memory: it copies the input in 64 KiB
chunks into a temporary file (file://: in the target directory, then an atomic rename; s3: a
``SpooledTemporaryFile`` that moves to disk past 1 MiB, then ``upload_fileobj``, which switches
to a multipart upload past 8 MiB and aborts it on failure). The size limit and the content type
are checked before anything is stored, so a refused upload leaves nothing behind. The type is
judged by content (:mod:`ponte.filetypes`), and the stored name ends with that type's extension
(``laudo.hta`` holding a PDF is kept as ``laudo.hta.pdf``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO
from urllib.parse import unquote, urlsplit

from ponte.config import settings
from ponte.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from ponte.filetypes import (  # noqa: F401  (storage.X for callers)
    ATTACHMENT_TYPES,
    IMAGE_TYPES,
    SNIFF_BYTES,
    identify,
    mime_type,
    named_as,
)

MiB = 1024 * 1024
CHUNK = 64 * 1024

META_SUFFIX = ".meta.json"
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


@dataclass(frozen=True)
class StoredObject:
    key: str
    filename: str
    content_type: str
    size: int
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: str = ""

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> StoredObject:
        return cls(**json.loads(data))


class ObjectReader:
    """A stored object opened for reading: ``read(n)`` like a binary file, iteration yields
    chunks of at most 64 KiB (so it can be a WSGI response body), ``close()`` releases the file
    or HTTP connection. ``info`` describes the object."""

    def __init__(self, raw: Any, info: StoredObject):
        self._raw = raw
        self.info = info

    def read(self, size: int = -1) -> bytes:
        return self._raw.read() if size is None or size < 0 else self._raw.read(size)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ObjectStore(ABC):
    @abstractmethod
    def put_stream(self, key: str, stream: IO[bytes], *, max_bytes: int,
                   allowed: Mapping[str, str] | None, filename: str,
                   metadata: Mapping[str, str]) -> StoredObject:
        """Store what ``stream.read()`` yields under ``key``, replacing any object there.

        Raises :class:`PayloadTooLarge` as soon as more than ``max_bytes`` arrive, and
        :class:`UnsupportedMediaType` when ``allowed`` (sniffed extension → MIME type) is given
        and the content is none of them; either way nothing is stored.
        """

    @abstractmethod
    def open(self, key: str) -> ObjectReader:
        """Stream an object back; :class:`NotFound` if there is none."""

    @abstractmethod
    def info(self, key: str) -> StoredObject | None:
        ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; removing a missing one is not an error."""

    def exists(self, key: str) -> bool:
        return self.info(key) is not None


class FileStore(ObjectStore):
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put_stream(self, key: str, stream: IO[bytes], *, max_bytes: int,
                   allowed: Mapping[str, str] | None, filename: str,
                   metadata: Mapping[str, str]) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", suffix=".part",
                                         delete=False) as tmp:
            try:
                size, sha256, extension = _receive(stream, tmp, max_bytes, allowed)
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                tmp.close()
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, path)
        stored = _describe(key, named_as(filename, extension), mime_type(extension, allowed),
                           size, sha256, metadata)
        _write_atomically(self._meta(path), stored.to_json())
        return stored

    def open(self, key: str) -> ObjectReader:
        stored = self.info(key)
        if stored is None:
            raise NotFound(f"No stored object {key!r}.")
        return ObjectReader(open(self._path(key), "rb"), stored)

    def info(self, key: str) -> StoredObject | None:
        try:
            return StoredObject.from_json(self._meta(self._path(key)).read_bytes())
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        path = self._path(key)
        self._meta(path).unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    @staticmethod
    def _meta(path: Path) -> Path:
        return path.with_name(path.name + META_SUFFIX)


class S3Store(ObjectStore):
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None):
        import boto3  # only the s3 backend needs it

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url)
        self._bucket_ready = False
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        """The client, after creating the bucket if it does not exist yet (first use only)."""
        if not self._bucket_ready:
            with self._lock:
                if not self._bucket_ready:
                    self._ensure_bucket()
                    self._bucket_ready = True
        return self.client

    def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
        region = self.client.meta.region_name
        options: dict[str, Any] = {}
        if region and region != "us-east-1":
            options["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(Bucket=self.bucket, **options)
        except ClientError as exc:
            if _error_code(exc) != "BucketAlreadyOwnedByYou":
                raise

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put_stream(self, key: str, stream: IO[bytes], *, max_bytes: int,
                   allowed: Mapping[str, str] | None, filename: str,
                   metadata: Mapping[str, str]) -> StoredObject:
        from boto3.s3.transfer import TransferConfig

        s3_key = self._key(key)
        with tempfile.SpooledTemporaryFile(max_size=MiB) as spool:
            size, sha256, extension = _receive(stream, spool, max_bytes, allowed)
            spool.seek(0)
            # No threads: under eventlet they are green anyway, and one stream is enough here.
            self._s3().upload_fileobj(spool, self.bucket, s3_key,
                                      ExtraArgs={"ContentType": mime_type(extension, allowed)},
                                      Config=TransferConfig(use_threads=False))
        stored = _describe(key, named_as(filename, extension), mime_type(extension, allowed),
                           size, sha256, metadata)
        self.client.put_object(Bucket=self.bucket, Key=s3_key + META_SUFFIX,
                               Body=stored.to_json(), ContentType="application/json")
        return stored

    def open(self, key: str) -> ObjectReader:
        stored = self.info(key)
        if stored is None:
            raise NotFound(f"No stored object {key!r}.")
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        return ObjectReader(body, stored)

    def info(self, key: str) -> StoredObject | None:
        try:
            response = self._s3().get_object(Bucket=self.bucket, Key=self._key(key) + META_SUFFIX)
        except self.client.exceptions.NoSuchKey:
            return None
        with response["Body"] as body:
            return StoredObject.from_json(body.read())

    def delete(self, key: str) -> None:
        s3_key = self._key(key)
        self._s3().delete_object(Bucket=self.bucket, Key=s3_key + META_SUFFIX)
        self.client.delete_object(Bucket=self.bucket, Key=s3_key)


def open_store(url: str, endpoint_url: str | None = None) -> ObjectStore:
    """``file:///abs/dir`` or ``s3://bucket[/prefix]``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"storage URL must be file:///absolute/path, not {url!r}")
        return FileStore(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        prefix = parts.path.strip("/")
        return S3Store(parts.netloc, f"{prefix}/" if prefix else "", endpoint_url)
    raise ValueError(f"unsupported storage URL {url!r}: use file:///dir or s3://bucket")


def store() -> ObjectStore:
    """The process-wide store configured by PONTE_STORAGE_URL and PONTE_S3_ENDPOINT_URL
    (follows :func:`ponte.config.settings`, including its ``cache_clear``)."""
    current = settings()
    return _cached_store(current.storage_url, current.s3_endpoint_url)


@functools.lru_cache(maxsize=4)
def _cached_store(url: str, endpoint_url: str | None) -> ObjectStore:
    return open_store(url, endpoint_url)


def _checked(key: str) -> str:
    """Keys are relative slash-separated names: no '..', no hidden segments, no sidecar names."""
    if not _KEY.fullmatch(key) or key.endswith(META_SUFFIX):
        raise ValueError(f"invalid object key {key!r}")
    return key


def _describe(key: str, filename: str, content_type: str, size: int, sha256: str,
              metadata: Mapping[str, str]) -> StoredObject:
    created_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    return StoredObject(key=key, filename=filename, content_type=content_type, size=size,
                        sha256=sha256, metadata={str(k): str(v) for k, v in metadata.items()},
                        created_at=created_at.replace("+00:00", "Z"))


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", suffix=".part",
                                     delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


def _receive(stream: IO[bytes], out: BinaryIO, max_bytes: int,
             allowed: Mapping[str, str] | None) -> tuple[int, str, str | None]:
    """Copy ``stream`` into ``out`` (a seekable temporary file) in chunks, enforcing the size
    limit and the allowed types. Returns (size, sha256 hex, detected extension)."""
    digest = hashlib.sha256()
    size, head, checked_head = 0, b"", False
    while chunk := stream.read(min(CHUNK, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"The file is larger than {_human(max_bytes)}.")
        digest.update(chunk)
        out.write(chunk)
        if not checked_head:
            head += chunk[:SNIFF_BYTES - len(head)]
            if len(head) == SNIFF_BYTES:
                _require(identify(head), allowed)  # refuse early, before reading the rest
                checked_head = True
    extension = identify(head, out)
    _require(extension, allowed)
    out.seek(0)
    return size, digest.hexdigest(), extension


def _require(extension: str | None, allowed: Mapping[str, str] | None) -> None:
    if allowed is not None and extension not in allowed:
        found = f"a {extension} file" if extension else "of an unrecognised type"
        raise UnsupportedMediaType(f"The file is {found}; accepted types: {', '.join(allowed)}.")


def _human(size: int) -> str:
    return f"{size / MiB:g} MiB" if size >= MiB else f"{size} bytes"


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
