"""Object storage on the file:// backend: streaming round trip, the size limit, type sniffing.

The sample builders here produce real (minimal) files of each format; tests/service/
test_storage_s3.py reuses them against S3."""
from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from ponte import storage
from ponte.errors import NotFound, PayloadTooLarge, UnsupportedMediaType


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def jpg() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def docx(*, word_late: bool = False) -> bytes:
    """A minimal WordprocessingML package. With ``word_late`` the word/ part comes after several
    others, as some producers write it, and filetype alone calls the file a plain zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>'))
        if word_late:
            for name in ("docProps/app.xml", "docProps/core.xml", "customXml/item1.xml",
                         "customXml/itemProps1.xml"):
                archive.writestr(name, "<x/>")
        archive.writestr("word/document.xml", (
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Olá</w:t></w:r></w:p></w:body>'
            '</w:document>'))
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a document")
    return buffer.getvalue()


def compound_file(stream: str = "WordDocument", *, stream_first: bool = True) -> bytes:
    """A valid OLE2 compound file (512-byte sectors) holding one 4 KiB stream that starts with a
    Word FIB. Word usually writes its stream first (filetype spots the FIB at offset 512); with
    ``stream_first=False`` only the directory tells what the file is."""
    end, free, fat_sect, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    data = b"\xec\xa5\xc1\x00" + bytes(4092)
    count = len(data) // 512
    if stream_first:
        start, fat_sector, dir_sector = 0, count, count + 1
    else:
        fat_sector, dir_sector, start = 0, 1, 2
    fat = [free] * 128
    fat[fat_sector], fat[dir_sector] = fat_sect, end
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else end

    def entry(name: str, kind: int, child: int = none, first: int = end, size: int = 0) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0")
                + struct.pack("<HBBIII", len(encoded), kind, 1 if name else 0, none, none, child)
                + bytes(36) + struct.pack("<IQ", first, size))

    directory = (entry("Root Entry", 5, child=1) + entry(stream, 2, first=start, size=len(data))
                 + entry("", 0) + entry("", 0))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, dir_sector, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", fat_sector, *[free] * 108))
    sectors = {fat_sector: struct.pack("<128I", *fat), dir_sector: directory}
    sectors.update({start + i: data[i * 512:(i + 1) * 512] for i in range(count)})
    return header + b"".join(sectors[i] for i in range(len(sectors)))


ACCEPTED = [
    ("report.pdf", pdf, "application/pdf"),
    ("scan.png", png, "image/png"),
    ("photo.jpg", jpg, "image/jpeg"),
    ("letter.doc", compound_file, "application/msword"),
    ("letter.doc", lambda: compound_file(stream_first=False), "application/msword"),
    ("letter.docx", docx, storage.ATTACHMENT_TYPES["docx"]),
    ("letter.docx", lambda: docx(word_late=True), storage.ATTACHMENT_TYPES["docx"]),
]
REJECTED = [
    ("x.pdf", lambda: b"just some text, named like a pdf\n" * 10),
    ("x.pdf", lambda: b"\x7fELF\x02\x01\x01" + bytes(57)),
    ("setup.doc", lambda: b"MZ\x90\x00\x03" + bytes(59) + b"This program cannot be run in DOS"),
    ("sheet.doc", lambda: compound_file("Workbook")),
    ("archive.docx", plain_zip),
    ("empty.pdf", lambda: b""),
]


@pytest.fixture
def store(tmp_path: Path) -> storage.ObjectStore:
    return storage.open_store(f"file://{tmp_path}/objects")


def stored_keys(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def put(store: storage.ObjectStore, key: str, data: bytes, *, filename: str = "f.pdf",
        max_bytes: int = 10 * storage.MiB, allowed=storage.ATTACHMENT_TYPES,
        metadata: dict | None = None) -> storage.StoredObject:
    return store.put_stream(key, io.BytesIO(data), max_bytes=max_bytes, allowed=allowed,
                            filename=filename, metadata=metadata or {})


def test_round_trip_streams_back_the_same_bytes(store):
    data = pdf() + bytes(range(256)) * 1000  # several chunks
    stored = put(store, "uploads/a", data, filename="guia.pdf", metadata={"owner": "u1"})
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.content_type == "application/pdf"
    assert stored.created_at.endswith("Z")
    assert store.info("uploads/a") == stored
    assert store.exists("uploads/a")
    with store.open("uploads/a") as reader:
        chunks = list(reader)
    assert all(len(chunk) <= storage.CHUNK for chunk in chunks) and len(chunks) > 1
    assert b"".join(chunks) == data
    with store.open("uploads/a") as reader:
        assert reader.read(4) == b"%PDF" and reader.info == stored


def test_limit_is_inclusive(store):
    data = pdf().ljust(200_000, b"\n")
    assert put(store, "k", data, max_bytes=len(data)).size == len(data)


def test_one_byte_over_the_limit_stores_nothing(store, tmp_path):
    data = pdf().ljust(200_001, b"\n")
    stream = io.BytesIO(data)
    with pytest.raises(PayloadTooLarge) as caught:
        store.put_stream("uploads/big", stream, max_bytes=len(data) - 1,
                         allowed=storage.ATTACHMENT_TYPES, filename="big.pdf", metadata={})
    assert caught.value.status == 413
    assert stream.tell() == len(data)  # stopped at max_bytes + 1, read nothing more
    assert not store.exists("uploads/big")
    assert stored_keys(tmp_path / "objects") == []  # no object, sidecar or temp file


def test_a_refused_type_is_refused_before_reading_the_whole_stream(store, tmp_path):
    stream = io.BytesIO(b"\x7fELF\x02\x01\x01" + bytes(5 * storage.MiB))
    with pytest.raises(UnsupportedMediaType):
        store.put_stream("k", stream, max_bytes=10 * storage.MiB, allowed=storage.IMAGE_TYPES,
                         filename="a.png", metadata={})
    assert stream.tell() < storage.MiB
    assert stored_keys(tmp_path / "objects") == []


@pytest.mark.parametrize("filename, make, content_type", ACCEPTED,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ACCEPTED)])
def test_accepted_types_are_sniffed_from_content(store, filename, make, content_type):
    stored = put(store, "k", make(), filename="no-extension")
    assert stored.content_type == content_type
    assert store.info("k").content_type == content_type


@pytest.mark.parametrize("filename, make", REJECTED, ids=[n for n, _ in REJECTED])
def test_other_content_is_unsupported_whatever_its_name(store, tmp_path, filename, make):
    with pytest.raises(UnsupportedMediaType) as caught:
        put(store, "k", make(), filename=filename)
    assert caught.value.status == 415 and "accepted types: pdf, jpg, png" in caught.value.detail
    assert stored_keys(tmp_path / "objects") == []


def test_an_images_only_store_refuses_a_pdf_and_takes_a_png(store):
    with pytest.raises(UnsupportedMediaType):
        put(store, "k", pdf(), allowed=storage.IMAGE_TYPES)
    assert put(store, "k", png(), allowed=storage.IMAGE_TYPES).content_type == "image/png"


def test_without_allowed_any_content_is_stored(store):
    assert put(store, "k", plain_zip(), allowed=None).content_type == "application/zip"
    assert put(store, "t", b"hello", allowed=None).content_type == "application/octet-stream"


def test_non_ascii_filename_and_metadata_are_preserved(store, tmp_path):
    name = "Relatório de atendimento – São João 😀.pdf"
    put(store, "k", pdf(), filename=name, metadata={"owner": "José"})
    again = storage.open_store(f"file://{tmp_path}/objects").info("k")
    assert again.filename == name and again.metadata == {"owner": "José"}


def test_a_deleted_object_is_gone_and_deleting_it_again_is_harmless(store, tmp_path):
    put(store, "uploads/x", pdf())
    store.delete("uploads/x")
    assert store.info("uploads/x") is None and not store.exists("uploads/x")
    with pytest.raises(NotFound):
        store.open("uploads/x")
    store.delete("uploads/x")  # idempotent
    assert stored_keys(tmp_path / "objects") == []


@pytest.mark.parametrize("key", ["../escape", "/abs", "a//b", "a/../b", ".hidden", "k.meta.json",
                                 ""])
def test_keys_cannot_escape_or_collide_with_sidecars(store, key):
    with pytest.raises(ValueError):
        put(store, key, pdf())


def test_store_follows_settings(tmp_path, monkeypatch):
    from ponte import config

    monkeypatch.setenv("PONTE_STORAGE_URL", f"file://{tmp_path}/configured")
    config.settings.cache_clear()
    try:
        assert storage.store() is storage.store()
        assert storage.store().root == tmp_path / "configured"
    finally:
        config.settings.cache_clear()


def test_an_unsupported_storage_url_is_refused():
    for url in ("ftp://x/y", "file://relative/dir", "s3://"):
        with pytest.raises(ValueError):
            storage.open_store(url)


@pytest.mark.parametrize("given, kept", [
    ("laudo.hta", "laudo.hta.pdf"), ("laudo.html", "laudo.html.pdf"),
    ("laudo.svg", "laudo.svg.pdf"), ("laudo.js", "laudo.js.pdf"), ("laudo.bat", "laudo.bat.pdf"),
    ("laudo.exe", "laudo.exe.pdf"), ("laudo.lnk", "laudo.lnk.pdf"), ("laudo", "laudo.pdf"),
    ("laudo.PDF", "laudo.PDF"), ("laudo.pdf", "laudo.pdf"), (".pdf", ".pdf"),
])
def test_a_stored_name_ends_with_the_extension_of_its_detected_type(store, given, kept):
    assert put(store, "k", pdf(), filename=given).filename == kept
    assert store.info("k").filename == kept


def test_other_spellings_of_the_detected_extension_are_kept(store):
    assert put(store, "k", png(), filename="raio-x.png", allowed=storage.IMAGE_TYPES).filename \
        == "raio-x.png"
    assert put(store, "t", b"hello", filename="notes.txt", allowed=None).filename == \
        "notes.txt.bin"
    assert len(put(store, "l", pdf(), filename="a" * 255).filename) == 255


def test_jpeg_spellings():
    from ponte.filetypes import named_as
    assert [named_as(n, "jpg") for n in ("a.jpeg", "a.JPG", "a.jpe", "a.gif")] == [
        "a.jpeg", "a.JPG", "a.jpe", "a.gif.jpg"]
