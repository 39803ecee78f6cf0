"""Files: uploads streamed into object storage, and downloads streamed back."""
from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from gateway.api import Api, Call
from ponte import attachments, storage
from ponte.errors import InvalidInput, NotFound, UnsupportedMediaType

api = Api()
MULTIPART_OVERHEAD = 64 * 1024
PATH_SEPARATORS = re.compile(r"[\\/]")
# dropped from file names: control characters (headers and SQL refuse them), format characters
# such as U+202E RIGHT-TO-LEFT OVERRIDE (they make "gpj.exe" display as "exe.jpg"), line and
# paragraph separators, surrogates, private-use and unassigned code points
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
NO_STORE = "no-store"


def safe_filename(name: str) -> str:
    """The last path part of a client's file name, without characters that could disguise it,
    at most 255 characters; empty when nothing is left (then it is no file name at all)."""
    name = PATH_SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in UNSAFE_CATEGORIES)
    name = " ".join(name.split())[:255].strip()
    return name if name.strip(".") else ""


def receive_file(request: Request, *, key_prefix: str, max_bytes: int,
                 allowed: dict[str, str], owner: str) -> storage.StoredObject:
    """Store the multipart field ``file``: size enforced while streaming (413), type by content
    (415). werkzeug spools the part to disk, so memory holds at most one chunk of it."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the file as multipart/form-data in the field 'file'.")
    request.max_content_length = max_bytes + MULTIPART_OVERHEAD
    if len(request.files.getlist("file")) > 1:
        raise InvalidInput("Send one file per upload.", {"file": ["Send exactly one file."]})
    upload = request.files.get("file")
    filename = safe_filename(upload.filename or "") if upload is not None else ""
    if not filename:
        raise InvalidInput("The field 'file' with a file is required.",
                           {"file": ["Missing file."]})
    object_id = str(uuid.uuid4())
    try:
        return storage.store().put_stream(
            f"{key_prefix}/{object_id}", upload.stream, max_bytes=max_bytes, allowed=allowed,
            filename=filename, metadata={"id": object_id, "owner": owner})
    finally:
        upload.close()


def upload_view(stored: storage.StoredObject) -> dict[str, Any]:
    return {"id": stored.metadata["id"], "filename": stored.filename,
            "content_type": stored.content_type, "size": stored.size, "sha256": stored.sha256}


def stream(stored: storage.StoredObject, *, inline: bool = False,
           cache: str = NO_STORE) -> Response:
    """The stored file as a download (or ``inline``). Health files are never kept by a browser
    or a proxy: ``Cache-Control: no-store`` unless ``cache`` says otherwise."""
    disposition = "inline" if inline else "attachment"
    ascii_name = stored.filename.encode("ascii", "replace").decode().replace('"', "")
    return Response(
        storage.store().open(stored.key), mimetype=stored.content_type, direct_passthrough=True,
        headers={"Content-Length": str(stored.size),
                 "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                                        f"filename*=UTF-8''{quote(stored.filename)}",
                 "X-Content-Type-Options": "nosniff",
                 "Cache-Control": cache})


@api.route("POST", "/api/v1/uploads", raw_body=True, status=201, tag="files",
           summary="Upload a pdf, doc, docx, jpg or png (≤ 10 MiB, type checked by content)")
def upload(call: Call) -> dict:
    stored = receive_file(call.request, key_prefix="uploads", max_bytes=10 * storage.MiB,
                          allowed=storage.ATTACHMENT_TYPES, owner=call.principal.account_id)
    return upload_view(stored)


@api.route("GET", "/api/v1/attachments/{id}", tag="files",
           summary="Download an upload (its uploader) or an attachment of something you may "
                   "see (the service that holds it decides)")
def download(call: Call) -> Response:
    upload_id = call.params["id"]
    stored = attachments.upload(upload_id)
    if stored is None:
        raise NotFound("No such attachment.")
    if stored.metadata.get("owner") == call.principal.account_id or _holder_allows(call,
                                                                                 upload_id):
        return stream(stored)
    raise NotFound("No such attachment.")


def _holder_allows(call: Call, upload_id: str) -> bool:
    holders = attachments.holders(upload_id)
    if not holders:
        return False
    caller = call.caller_with_grants()
    return any(call.rpc(holder, "may_read_attachment", caller, upload_id) for holder in holders)
