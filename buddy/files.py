"""What kind of file an upload really is, from its first bytes (its name says nothing)."""


def file_kind(file) -> str:
    """"jpeg", "png" or "pdf", or "" for anything else; the file is left at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return ""
