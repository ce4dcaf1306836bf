"""The C library's error texts: errno names and numbers, `strerror`, `strsignal`, `gai_strerror`.

The English texts are glibc's own (they are the message ids of its catalogue, `libc.pot`); their
translations are read from glibc's compiled catalogues (`libc.mo`) of every locale installed on
the machine (Debian's `libc-l10n` package), so a joblog written under `pt_BR.UTF-8`, `de_DE` or
`fr_FR` is read as well as one in English. AIX's texts for the same errno (from its
`/usr/include/sys/errno.h` descriptions as `strerror` prints them) follow, for AIX FTAs.
Errors whose cause is outside the classes (too many open files, a busy text file, a process
limit) are catalogued as `unknown`: they are evidence against a guess.
"""

import gettext
from functools import cache
from pathlib import Path

from resync.joblog.catalogues.entries import MEDIUM, STRONG, WEAK, Entry

SOURCE = "glibc 2.36 strerror/strsignal/gai_strerror (libc.pot), Linux asm-generic/errno.h"
LOCALE_DIR = Path("/usr/share/locale")

# errno name: (Linux number, glibc text, class, strength)
ERRNO: dict[str, tuple[int, str, str, float]] = {
    "EPERM": (1, "Operation not permitted", "permission_denied", STRONG),
    "ENOENT": (2, "No such file or directory", "not_found", STRONG),
    "ESRCH": (3, "No such process", "unknown", WEAK),
    "EINTR": (4, "Interrupted system call", "unknown", WEAK),
    "EIO": (5, "Input/output error", "unknown", MEDIUM),
    "ENXIO": (6, "No such device or address", "not_found", WEAK),
    "E2BIG": (7, "Argument list too long", "unknown", STRONG),
    "ENOEXEC": (8, "Exec format error", "unknown", STRONG),
    "EBADF": (9, "Bad file descriptor", "unknown", MEDIUM),
    "EAGAIN": (11, "Resource temporarily unavailable", "unknown", MEDIUM),
    "ENOMEM": (12, "Cannot allocate memory", "out_of_memory", STRONG),
    "EACCES": (13, "Permission denied", "permission_denied", STRONG),
    "EBUSY": (16, "Device or resource busy", "unknown", MEDIUM),
    "EEXIST": (17, "File exists", "unknown", WEAK),
    "EXDEV": (18, "Invalid cross-device link", "unknown", MEDIUM),
    "ENOTDIR": (20, "Not a directory", "not_found", MEDIUM),
    "EISDIR": (21, "Is a directory", "unknown", WEAK),
    "EINVAL": (22, "Invalid argument", "unknown", WEAK),
    "ENFILE": (23, "Too many open files in system", "unknown", STRONG),
    "EMFILE": (24, "Too many open files", "unknown", STRONG),
    "ETXTBSY": (26, "Text file busy", "unknown", STRONG),
    "EFBIG": (27, "File too large", "unknown", MEDIUM),
    "ENOSPC": (28, "No space left on device", "disk_full", STRONG),
    "EROFS": (30, "Read-only file system", "unknown", MEDIUM),
    "EPIPE": (32, "Broken pipe", "connection_failure", MEDIUM),
    "ENAMETOOLONG": (36, "File name too long", "unknown", MEDIUM),
    "ENOTEMPTY": (39, "Directory not empty", "unknown", WEAK),
    "ELOOP": (40, "Too many levels of symbolic links", "unknown", MEDIUM),
    "ETIME": (62, "Timer expired", "timeout", WEAK),
    "ENOBUFS": (105, "No buffer space available", "out_of_memory", WEAK),
    "ENOTCONN": (107, "Transport endpoint is not connected", "connection_failure", MEDIUM),
    "ETIMEDOUT": (110, "Connection timed out", "connection_failure", STRONG),
    "ECONNREFUSED": (111, "Connection refused", "connection_failure", STRONG),
    "EHOSTDOWN": (112, "Host is down", "connection_failure", STRONG),
    "EHOSTUNREACH": (113, "No route to host", "connection_failure", STRONG),
    "ENETDOWN": (100, "Network is down", "connection_failure", STRONG),
    "ENETUNREACH": (101, "Network is unreachable", "connection_failure", STRONG),
    "ECONNABORTED": (103, "Software caused connection abort", "connection_failure", STRONG),
    "ECONNRESET": (104, "Connection reset by peer", "connection_failure", STRONG),
    "EADDRNOTAVAIL": (99, "Cannot assign requested address", "connection_failure", MEDIUM),
    "EADDRINUSE": (98, "Address already in use", "unknown", MEDIUM),
    "ESTALE": (116, "Stale file handle", "unknown", MEDIUM),
    "EDQUOT": (122, "Disk quota exceeded", "disk_full", STRONG),
    "EKEYEXPIRED": (127, "Key has expired", "credentials_expired", STRONG),
    "EKEYREVOKED": (128, "Key has been revoked", "credentials_expired", STRONG),
    "EKEYREJECTED": (129, "Key was rejected by service", "credentials_expired", STRONG),
}
# gai_strerror: name resolution failures are connection failures.
RESOLVER: dict[str, tuple[str, str, float]] = {
    "EAI_NONAME": ("Name or service not known", "connection_failure", STRONG),
    "EAI_AGAIN": ("Temporary failure in name resolution", "connection_failure", STRONG),
    "EAI_NODATA": ("No address associated with hostname", "connection_failure", STRONG),
    "EAI_FAIL": ("Non-recoverable failure in name resolution", "connection_failure", STRONG),
    "HOST_NOT_FOUND": ("Unknown host", "connection_failure", STRONG),
    # Node.js's name for EAI_NONAME and EAI_NODATA.
    "ENOTFOUND": ("getaddrinfo ENOTFOUND", "connection_failure", STRONG),
}
# strsignal: a signal says how a process ended, rarely why; SIGXCPU is a CPU time limit.
SIGNALS: dict[str, tuple[int, str, str, float]] = {
    "SIGXCPU": (24, "CPU time limit exceeded", "timeout", STRONG),
    "SIGALRM": (14, "Alarm clock", "timeout", WEAK),
    "SIGXFSZ": (25, "File size limit exceeded", "unknown", STRONG),
    "SIGSEGV": (11, "Segmentation fault", "unknown", STRONG),
    "SIGBUS": (7, "Bus error", "unknown", STRONG),
    "SIGABRT": (6, "Aborted", "unknown", WEAK),
    "SIGKILL": (9, "Killed", "unknown", WEAK),
    "SIGTERM": (15, "Terminated", "unknown", WEAK),
    "SIGILL": (4, "Illegal instruction", "unknown", STRONG),
    "SIGFPE": (8, "Floating point exception", "unknown", STRONG),
}
# AIX's strerror texts (its own wording for the same errno).
AIX_SOURCE = "AIX 7.2 strerror texts (sys/errno.h)"
AIX: dict[str, str] = {
    "There is not enough space in the file system.": "ENOSPC",
    "The file access permissions do not allow the specified action.": "EACCES",
    "A file or directory in the path name does not exist.": "ENOENT",
    "There is not enough memory available now.": "ENOMEM",
    "A remote host refused an attempted connect operation.": "ECONNREFUSED",
    "A remote host did not respond within the timeout period.": "ETIMEDOUT",
    "No route to a host is available.": "EHOSTUNREACH",
    "Disc quota exceeded.": "EDQUOT",
    "The process file table is full.": "EMFILE",
    "Connection reset by peer.": "ECONNRESET",
}


def _entries_in_english() -> dict[str, Entry]:
    found = {
        text: Entry(cls, strength, f"glibc {name} ({number})")
        for name, (number, text, cls, strength) in ERRNO.items()
    }
    found |= {
        text: Entry(cls, strength, f"glibc gai_strerror {name}")
        for name, (text, cls, strength) in RESOLVER.items()
    }
    found |= {
        text: Entry(cls, strength, f"glibc strsignal {name} ({number})")
        for name, (number, text, cls, strength) in SIGNALS.items()
    }
    for text, name in AIX.items():
        _, _, cls, strength = ERRNO[name]
        found[text.rstrip(".")] = Entry(cls, strength, f"AIX strerror {name}")
    return found


@cache
def installed_locales() -> tuple[Path, ...]:
    """The glibc catalogues installed on this machine, one per locale."""
    return tuple(sorted(LOCALE_DIR.glob("*/LC_MESSAGES/libc.mo")))


@cache
def strerror_texts() -> dict[str, Entry]:
    """Every catalogued text, English and each installed locale's translation, to its entry."""
    english = _entries_in_english()
    found = dict(english)
    for catalogue in installed_locales():
        locale = catalogue.parent.parent.name
        with catalogue.open("rb") as stream:
            translations = gettext.GNUTranslations(stream)
        for text, entry in english.items():
            translated = translations._catalog.get(text)  # the catalogue's own table, no fallback
            # A one-word translation ("Morto", "Terminé") is too common a word to prove anything.
            if translated and " " in translated.strip() and translated not in found:
                found[translated] = Entry(
                    entry.failure_class, entry.strength, f"{entry.source}, libc.mo {locale}"
                )
    return found


def errno_entry(number: int) -> Entry | None:
    """The entry of a Linux errno number (`[Errno 28]`, `Linux-x86_64 Error: 28`)."""
    return next(
        (
            Entry(cls, strength, f"Linux errno {number} {name}")
            for name, (known, _, cls, strength) in ERRNO.items()
            if known == number
        ),
        None,
    )


def errno_name_entry(name: str) -> Entry | None:
    """The entry of an errno or resolver symbol (`ENOSPC`, `EAI_AGAIN`), if catalogued."""
    if name in ERRNO:
        number, _, cls, strength = ERRNO[name]
        return Entry(cls, strength, f"errno {name} ({number})")
    if name in RESOLVER:
        _, cls, strength = RESOLVER[name]
        return Entry(cls, strength, f"gai_strerror {name}")
    return None
