"""File types judged by content, never by name: what an upload is, and which MIME type it is
stored and served as."""
from __future__ import annotations

import zipfile
from collections.abc import Mapping
from typing import BinaryIO

import filetype

SCAN_CHUNK = 64 * 1024  # a multiple of 128: compound-file entries never straddle two
SNIFF_BYTES = 8192  # what filetype itself looks at

IMAGE_TYPES: dict[str, str] = {"jpg": "image/jpeg", "png": "image/png"}
ATTACHMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    **IMAGE_TYPES,
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A compound-file directory entry (128 bytes, 128-aligned) for the stream "WordDocument":
# UTF-16LE name with its terminator, then at 0x40 the name length (26) and type 2 (stream).
_WORD_ENTRY = "WordDocument\0".encode("utf-16-le")
_WORD_ENTRY_TAIL = b"\x1a\x00\x02"


# other spellings of a detected type's extension that a name may already end with
ALIASES: dict[str, tuple[str, ...]] = {"jpg": ("jpg", "jpeg", "jpe"), "tif": ("tif", "tiff")}
UNKNOWN_EXTENSION = "bin"
MAX_NAME = 255


def named_as(filename: str, extension: str | None) -> str:
    """``filename`` ending with the extension of its detected type: kept when it already does,
    else the type's extension is appended (``laudo.hta`` holding a PDF is ``laudo.hta.pdf``,
    ``laudo`` is ``laudo.pdf``); an unrecognised type is ``.bin``. So a name never makes a
    browser or a desktop open a file as something it is not."""
    extension = extension or UNKNOWN_EXTENSION
    _, dot, given = filename.rpartition(".")
    if dot and given.lower() in ALIASES.get(extension, (extension,)):
        return filename
    suffix = f".{extension}"
    return filename[:MAX_NAME - len(suffix)] + suffix


def mime_type(extension: str | None, allowed: Mapping[str, str] | None = None) -> str:
    """The MIME type of a detected ``extension``: the one ``allowed`` names for it, else the one
    filetype knows, else ``application/octet-stream``."""
    if allowed is not None and extension in allowed:
        return allowed[extension]  # type: ignore[index]
    kind = filetype.get_type(ext=extension) if extension else None
    return kind.mime if kind else "application/octet-stream"


def identify(head: bytes, whole: BinaryIO | None = None) -> str | None:
    """The file extension the content shows, judged from its first bytes (never its name).

    Word files are containers whose type shows only inside: .doc is an OLE2 compound file holding
    a ``WordDocument`` stream, .docx a ZIP holding ``[Content_Types].xml`` and ``word/`` parts.
    filetype only recognises them when those parts sit at fixed places near the start, so from
    ``head`` alone an OLE2 file counts as "doc" and a ZIP as "docx"; given ``whole`` (the complete
    file, seekable) the container is opened and the verdict becomes final.
    """
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if head.startswith(_OLE2_MAGIC):
        if whole is None or _has_word_stream(whole):
            return "doc"
        return None if extension == "doc" else extension
    if extension in ("zip", "docx"):
        return "docx" if whole is None or _is_docx(whole) else "zip"
    return extension


def _has_word_stream(whole: BinaryIO) -> bool:
    whole.seek(0)
    while chunk := whole.read(SCAN_CHUNK):
        at = chunk.find(_WORD_ENTRY)
        while at != -1:
            if at % 128 == 0 and chunk[at + 0x40:at + 0x43] == _WORD_ENTRY_TAIL:
                return True
            at = chunk.find(_WORD_ENTRY, at + 1)
    return False


def _is_docx(whole: BinaryIO) -> bool:
    whole.seek(0)
    try:
        with zipfile.ZipFile(whole) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
