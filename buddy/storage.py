"""A file storage for private files (receipts): it has no URL, so no template or API can
link a file directly; the files are served only by views that check permissions."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks "
                         "permissions.")
