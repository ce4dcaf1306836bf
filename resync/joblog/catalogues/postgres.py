"""PostgreSQL's own messages, in English and in every locale installed on the machine.

The English texts are the message ids of PostgreSQL 15's server (`postgres.pot`) and client
library (`libpq5.pot`) catalogues; their translations are read from the compiled catalogues
(`postgres-15.mo`, `libpq5-15.mo`) of every installed locale (Debian's `postgresql-15` and
`libpq5` packages), so `storniere Anfrage wegen Zeitüberschreitung der Anfrage` is read like
`canceling statement due to statement timeout`. A message's arguments (`%s`, `%m`, `%d`) match
any text; a client message is read up to its first line.
"""

import gettext
import re
from functools import cache
from pathlib import Path
from typing import Any

from resync.joblog.catalogues.entries import MEDIUM, STRONG, Entry, fold, pattern_set

SOURCE = "PostgreSQL 15 server and libpq messages (postgres.pot, libpq5.pot) and their .mo"
LOCALE_DIR = Path("/usr/share/locale")
# message id: (SQLSTATE it is raised with, or the client's, class). `canceling statement due
# to user request` is left out: a client's own time limit (JDBC's query timeout) sends the same
# cancel as an operator.
SERVER_MESSAGES = {
    "canceling statement due to statement timeout": ("57014", "timeout"),
    "terminating connection due to idle-in-transaction timeout": ("25P03", "timeout"),
    "canceling statement due to lock timeout": ("55P03", "database_error"),
    'password authentication failed for user "%s"': ("28P01", "credentials_expired"),
    'role "%s" does not exist': ("28000", "credentials_expired"),
    'database "%s" does not exist': ("3D000", "not_found"),
    'relation "%s" does not exist': ("42P01", "not_found"),
    "function %s does not exist": ("42883", "not_found"),
    'column "%s" does not exist': ("42703", "database_error"),
    "permission denied for table %s": ("42501", "permission_denied"),
    "permission denied for schema %s": ("42501", "permission_denied"),
    "permission denied for sequence %s": ("42501", "permission_denied"),
    "permission denied for view %s": ("42501", "permission_denied"),
    'permission denied for database "%s"': ("42501", "permission_denied"),
    'could not extend file "%s": %m': ("53100", "disk_full"),
    "temporary file size exceeds temp_file_limit (%dkB)": ("53400", "disk_full"),
    "out of memory": ("53200", "out_of_memory"),
    "deadlock detected": ("40P01", "database_error"),
    'duplicate key value violates unique constraint "%s"': ("23505", "database_error"),
    'null value in column "%s" of relation "%s" violates not-null constraint': (
        "23502",
        "database_error",
    ),
    'insert or update on table "%s" violates foreign key constraint "%s"': (
        "23503",
        "database_error",
    ),
    "could not serialize access due to concurrent update": ("40001", "database_error"),
    "sorry, too many clients already": ("53300", "database_error"),
    "the database system is starting up": ("57P03", "connection_failure"),
    "the database system is shutting down": ("57P03", "connection_failure"),
    "the database system is in recovery mode": ("57P03", "connection_failure"),
    "terminating connection due to administrator command": ("57P01", "connection_failure"),
}
CLIENT_MESSAGES = {
    'could not translate host name "%s" to address: %s\n': ("libpq", "connection_failure"),
    "server closed the connection unexpectedly\n": ("libpq", "connection_failure"),
    "\tIs the server running on that host and accepting TCP/IP connections?\n": (
        "libpq",
        "connection_failure",
    ),
    "\tIs the server running locally and accepting connections on that socket?\n": (
        "libpq",
        "connection_failure",
    ),
}
# The client's frame around the server's or the system's reason (`…failed: FATAL: password
# authentication failed`): a connection, the reason after it more exact.
CLIENT_FRAMES = {
    'connection to server at "%s" (%s), port %s failed: ': ("libpq", "connection_failure"),
    'connection to server at "%s", port %s failed: ': ("libpq", "connection_failure"),
    'connection to server on socket "%s" failed: ': ("libpq", "connection_failure"),
}
MIN_CHARACTERS = 8
_ARGUMENT = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z)?[sdumxXcfgi]")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def _pattern(text: str) -> str:
    """A pattern of a folded message whose arguments match any text."""
    parts = _ARGUMENT.split(fold(_first_line(text)))
    literal = [re.escape(part).replace("\\ ", " ") for part in parts]
    return ".+?".join(literal).strip()


def _telling(text: str) -> bool:
    """Whether a translation says enough without its arguments to prove anything (`函数 %s 不存在`
    is two words around a name)."""
    return len(_ARGUMENT.sub("", _first_line(text))) >= MIN_CHARACTERS


def _catalogued() -> list[tuple[str, str, Entry]]:
    """(English message id, domain, entry) of every catalogued message."""
    found = []
    for domain, messages, strength in (
        ("postgres", SERVER_MESSAGES, STRONG),
        ("libpq5", CLIENT_MESSAGES, STRONG),
        ("libpq5", CLIENT_FRAMES, MEDIUM),
    ):
        for message, (code, cls) in messages.items():
            label = f"PostgreSQL {code}: {_first_line(message)}"
            found.append((message, domain, Entry(cls, strength, label)))
    return found


def _translations(domain: str) -> list[tuple[str, dict[Any, str]]]:
    """(file name and locale, message table) of each installed catalogue of `domain`."""
    tables = []
    for catalogue in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{domain}-*.mo")):
        with catalogue.open("rb") as stream:
            table = gettext.GNUTranslations(stream)._catalog  # its own table, no fallback
        tables.append((f"{catalogue.name} {catalogue.parent.parent.name}", table))
    return tables


@cache
def message_texts() -> tuple[tuple[str, Entry], ...]:
    """(text, entry) of each catalogued message in English and every installed translation."""
    texts = []
    tables = {domain: _translations(domain) for domain in ("postgres", "libpq5")}
    for message, domain, entry in _catalogued():
        texts.append((message, entry))
        for name, table in tables[domain]:
            translated = table.get(message)
            if (
                translated
                and _first_line(translated) != _first_line(message)
                and _telling(translated)
            ):
                source = f"{entry.source}, {name}"
                texts.append((translated, Entry(entry.failure_class, entry.strength, source)))
    return tuple(texts)


@cache
def _compiled() -> tuple[Any, tuple[tuple[re.Pattern[str], Entry], ...]]:
    patterns = tuple((re.compile(_pattern(text)), entry) for text, entry in message_texts())
    return pattern_set(pattern.pattern for pattern, _ in patterns), patterns


def message_matches(folded: str) -> list[tuple[int, int, Entry]]:
    """(start, end, entry) of every catalogued PostgreSQL message in a folded line."""
    found, patterns = _compiled()
    return [
        (match.start(), match.end(), entry)
        for index in sorted(found.Match(folded) or ())
        for pattern, entry in (patterns[index],)
        for match in pattern.finditer(folded)
    ]
