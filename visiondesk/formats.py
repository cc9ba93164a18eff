"""Which file names are taken for images when a folder is opened, dropped or batched (a file
named on its own is always tried, and refused with a reason if it is not an image). No imports:
the window reads this before anything heavy loads."""

IMAGE_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".jpe",
        ".webp",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".heic",
        ".heif",
        ".avif",
    }
)
