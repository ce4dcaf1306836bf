"""Database error codes: SQLSTATE classes, Oracle ORA-/TNS-/PLS- codes and families, DB2 SQLxxxxN
(and SQLCODE), SQL Server message numbers.

A code outside the tables is still a database's own error (`database_error`, as a carrier: a
cause it carries, such as an OS error on the next line, decides before it).
"""

from resync.joblog.catalogues import statement_errors
from resync.joblog.catalogues.entries import CARRIER, MEDIUM, STRONG, WEAK, Entry

SQLSTATE_SOURCE = "ISO/IEC 9075 SQLSTATE classes; PostgreSQL Appendix A; DB2 SQLSTATE list"
SQLSTATE_CLASSES = {
    "08": "connection_failure",
    "28": "credentials_expired",
    "53": "disk_full",
    "42": "database_error",
    "23": "database_error",
    "22": "database_error",
    "40": "database_error",
    "55": "database_error",
    "57": "database_error",
    "XX": "database_error",
}
SQLSTATE_CODES = {
    "53100": "disk_full",
    "53200": "out_of_memory",
    "53300": "database_error",
    "57014": "timeout",
    "57P01": "connection_failure",
    "57P03": "connection_failure",
    "42501": "permission_denied",
    "42P01": "not_found",
    "42704": "not_found",
    "42S02": "not_found",
    "42883": "not_found",
    "3D000": "not_found",
    "3F000": "not_found",
    "HYT00": "timeout",
    "HYT01": "connection_failure",
    "01000": "unknown",
    "00000": "unknown",
}
# The application's own errors raised through the database (SIGNAL, RAISE EXCEPTION): no
# catalogue can read them; the words beside them decide.
USER_DEFINED_SQLSTATES = {"45000", "P0001"}

ORACLE_SOURCE = "Oracle Database Error Messages (ORA-, TNS-), 19c"
ORACLE_CODES = {
    1017: "credentials_expired",
    1005: "credentials_expired",
    28000: "credentials_expired",
    28001: "credentials_expired",
    28002: "credentials_expired",
    28273: "credentials_expired",
    1031: "permission_denied",
    1039: "permission_denied",
    1045: "permission_denied",
    1749: "permission_denied",
    29024: "unknown",
    28860: "unknown",
    942: "not_found",
    4043: "not_found",
    1403: "database_error",
    2289: "not_found",
    6564: "not_found",
    39087: "not_found",
    257: "disk_full",
    1536: "disk_full",
    1652: "disk_full",
    1653: "disk_full",
    1654: "disk_full",
    1655: "disk_full",
    1658: "disk_full",
    1659: "disk_full",
    1688: "disk_full",
    1691: "disk_full",
    1692: "disk_full",
    19804: "disk_full",
    19809: "disk_full",
    19815: "disk_full",
    30036: "disk_full",
    4030: "out_of_memory",
    4031: "out_of_memory",
    4036: "out_of_memory",
    1013: "timeout",
    40: "timeout",
    3113: "connection_failure",
    3114: "connection_failure",
    3135: "connection_failure",
    3136: "connection_failure",
    1034: "connection_failure",
    1089: "connection_failure",
    1090: "connection_failure",
    1033: "connection_failure",
    27101: "connection_failure",
    2068: "connection_failure",
    60: "database_error",
    54: "database_error",
    1: "database_error",
    28: "unknown",
    1555: "database_error",
    20: "database_error",
    18: "database_error",
}
# The PL/SQL compiler's messages (Oracle Database Error Messages, PLS-): a name that resolves to
# nothing (PLS-00201 `identifier must be declared`, PLS-00302 `component must be declared`), an
# object the user may not reach (PLS-00904); the others are errors in the program.
PLS_CODES = {
    201: "not_found",
    302: "not_found",
    904: "permission_denied",
}
# PL/SQL's predefined exceptions (Oracle PL/SQL Language Reference, "Predefined Exceptions"):
# STORAGE_ERROR is memory; the others are errors in the data or the program's use of it.
PLSQL_PREDEFINED = {
    6500: "out_of_memory",
    6502: "database_error",
    6504: "database_error",
    6511: "database_error",
    6530: "database_error",
    6531: "database_error",
    6532: "database_error",
    6533: "database_error",
    1001: "database_error",
    1422: "database_error",
    1476: "database_error",
    1722: "database_error",
}
# An instance that is down or going down says where the connection ended, not why: weaker than
# a cause named before it (the memory error that stopped the instance's creation).
ORACLE_INSTANCE_STATES = {1033, 1034, 1089, 1090}
ORACLE_WARNINGS = {28002}
# Families by code range: Oracle Net (TNS) errors are connection failures; ORA-27xxx are the
# OS errors of the database's own I/O and ORA-195xx a backup's or restore's file errors, which
# carry the OS cause on the next lines; ORA-20000-20999 are the application's own
# (RAISE_APPLICATION_ERROR).
ORACLE_RANGES = (
    (12150, 12699, "connection_failure", STRONG),
    (27000, 27299, "database_error", WEAK),
    (19500, 19599, "database_error", WEAK),
    (20000, 20999, "unknown", WEAK),
    (6500, 6599, "database_error", WEAK),
    (29280, 29289, "database_error", WEAK),
    (31600, 31699, "database_error", WEAK),
    (39000, 39099, "database_error", WEAK),
)
# Oracle messages that only frame the error above or below them.
ORACLE_FRAMES = {6512, 2063, 29913, 29400, 39002, 39001, 31626, 12801}

DB2_SOURCE = "IBM Db2 11.5 SQL messages (SQLxxxxN/C) and SQLCODEs"
DB2_CODES = {
    30081: "connection_failure",
    30080: "connection_failure",
    1336: "connection_failure",
    1032: "connection_failure",
    1224: "connection_failure",
    30082: "credentials_expired",
    1639: "credentials_expired",
    551: "permission_denied",
    552: "permission_denied",
    1092: "permission_denied",
    1060: "permission_denied",
    204: "not_found",
    805: "not_found",
    440: "not_found",
    1013: "not_found",
    1031: "not_found",
    2036: "not_found",
    968: "disk_full",
    289: "disk_full",
    964: "disk_full",
    1084: "out_of_memory",
    954: "out_of_memory",
    955: "out_of_memory",
    973: "out_of_memory",
    952: "timeout",
    911: "database_error",
    913: "database_error",
    803: "database_error",
    530: "database_error",
    904: "database_error",
}

SQLSERVER_SOURCE = "Microsoft SQL Server database engine events and errors (sys.messages)"
USER_DEFINED_MESSAGES = 50000
SQLSERVER_CODES = {
    18456: "credentials_expired",
    18487: "credentials_expired",
    18488: "credentials_expired",
    18486: "credentials_expired",
    18452: "credentials_expired",
    229: "permission_denied",
    230: "permission_denied",
    262: "permission_denied",
    297: "permission_denied",
    300: "permission_denied",
    916: "permission_denied",
    15247: "permission_denied",
    208: "not_found",
    2812: "not_found",
    911: "not_found",
    3701: "not_found",
    1105: "disk_full",
    1101: "disk_full",
    9002: "disk_full",
    5149: "disk_full",
    701: "out_of_memory",
    802: "out_of_memory",
    8645: "out_of_memory",
    53: "connection_failure",
    2: "connection_failure",
    10060: "connection_failure",
    10061: "connection_failure",
    10054: "connection_failure",
    17: "connection_failure",
    1205: "database_error",
    1222: "database_error",
    2627: "database_error",
    2601: "database_error",
    547: "database_error",
    515: "database_error",
    8152: "database_error",
    245: "database_error",
    102: "database_error",
}


def sqlstate_entry(code: str) -> Entry:
    """The entry of a five-character SQLSTATE: the code's own, else its class's, else a carrier."""
    code = code.upper()
    if code in USER_DEFINED_SQLSTATES:
        return Entry("unknown", WEAK, f"SQLSTATE {code} (user-defined)")
    if code in SQLSTATE_CODES:
        return Entry(SQLSTATE_CODES[code], STRONG, f"SQLSTATE {code}")
    if code in statement_errors.SQLSTATE_STATEMENT_CODES:
        return Entry(statement_errors.SQLSTATE_STATEMENT_CODES[code], STRONG, f"SQLSTATE {code}")
    if code[:2] in SQLSTATE_CLASSES:
        # A class names a family of conditions: the message number beside it (SQL30082N's
        # `SQLSTATE=08001`) or a code of its own says more.
        cls = SQLSTATE_CLASSES[code[:2]]
        strength = CARRIER if cls == "database_error" else MEDIUM
        return Entry(cls, strength, f"SQLSTATE class {code[:2]} ({code})")
    return Entry("database_error", CARRIER, f"SQLSTATE {code}")


def oracle_entry(prefix: str, number: int) -> Entry | None:
    """The entry of ORA-nnnnn or TNS-nnnnn; None for a message that only frames another."""
    label = f"{prefix}-{number:05d}"
    if prefix == "PLS":
        cls = PLS_CODES.get(number)
        return Entry("database_error", CARRIER, label) if cls is None else Entry(cls, MEDIUM, label)
    if number in ORACLE_FRAMES:
        return None
    if number in ORACLE_CODES:
        cls = ORACLE_CODES[number]
        strength = MEDIUM if number in ORACLE_INSTANCE_STATES else STRONG
        # ORA-28002 (the password will expire within n days) is a warning: the login succeeded.
        strength = WEAK if number in ORACLE_WARNINGS else strength
        return Entry(cls, strength, f"Oracle {label}")
    if prefix == "ORA" and number in statement_errors.ORACLE_STATEMENT_ERRORS:
        return Entry(statement_errors.ORACLE_STATEMENT_ERRORS[number], STRONG, f"Oracle {label}")
    if prefix == "ORA" and number in PLSQL_PREDEFINED:
        return Entry(PLSQL_PREDEFINED[number], STRONG, f"Oracle {label} (PL/SQL predefined)")
    for first, last, cls, strength in ORACLE_RANGES:
        if first <= number <= last:
            return Entry(cls, strength, f"Oracle {label} (ORA-{first:05d}–{last:05d})")
    if prefix == "TNS":
        return Entry("connection_failure", MEDIUM, f"Oracle {label} (Oracle Net)")
    return Entry("database_error", CARRIER, f"Oracle {label}")


def db2_entry(number: int, label: str) -> Entry:
    """The entry of a DB2 message or SQLCODE number."""
    if number in DB2_CODES:
        return Entry(DB2_CODES[number], STRONG, f"Db2 {label}")
    if number in statement_errors.DB2_STATEMENT_ERRORS:
        return Entry(statement_errors.DB2_STATEMENT_ERRORS[number], STRONG, f"Db2 {label}")
    return Entry("database_error", CARRIER, f"Db2 {label}")


def sqlserver_entry(number: int) -> Entry:
    """The entry of a SQL Server message number; from 50000 up, the application's own error
    (RAISERROR, THROW), which no catalogue can read."""
    if number >= USER_DEFINED_MESSAGES:
        return Entry("unknown", WEAK, f"SQL Server Msg {number} (user-defined)")
    if number in SQLSERVER_CODES:
        return Entry(SQLSERVER_CODES[number], STRONG, f"SQL Server Msg {number}")
    return Entry("database_error", CARRIER, f"SQL Server Msg {number}")
