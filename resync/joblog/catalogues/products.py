"""Error codes of the products TWS jobs drive beyond the SQL standards: MySQL/MariaDB server and
client errors, Teradata database errors (BTEQ, TPT, JDBC), IBM MQ reason codes and channel
messages, IBM Spectrum Protect (TSM) client messages, COBOL file status codes, Microsoft Entra
ID (Azure AD) sign-in error codes.

A MySQL or Teradata code outside its table is still the database's own error (`database_error`,
as a carrier, like the other databases' codes); an MQ or TSM code outside its table says nothing.
"""

from resync.joblog.catalogues.entries import CARRIER, MEDIUM, STRONG, WEAK, Entry

MYSQL_SOURCE = "MySQL 8.0 Server and Client Error Message Reference"
MYSQL_CODES = {
    1044: "permission_denied",  # ER_DBACCESS_DENIED_ERROR
    1142: "permission_denied",  # ER_TABLEACCESS_DENIED_ERROR
    1143: "permission_denied",  # ER_COLUMNACCESS_DENIED_ERROR
    1227: "permission_denied",  # ER_SPECIFIC_ACCESS_DENIED_ERROR
    1370: "permission_denied",  # ER_PROCACCESS_DENIED_ERROR
    1130: "permission_denied",  # ER_HOST_NOT_PRIVILEGED
    1045: "credentials_expired",  # ER_ACCESS_DENIED_ERROR (using password)
    1698: "credentials_expired",  # ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    1820: "credentials_expired",  # ER_MUST_CHANGE_PASSWORD
    1862: "credentials_expired",  # ER_MUST_CHANGE_PASSWORD_LOGIN
    3118: "credentials_expired",  # ER_ACCOUNT_HAS_BEEN_LOCKED
    1049: "not_found",  # ER_BAD_DB_ERROR
    1146: "not_found",  # ER_NO_SUCH_TABLE
    1305: "not_found",  # ER_SP_DOES_NOT_EXIST
    1021: "disk_full",  # ER_DISK_FULL
    1114: "disk_full",  # ER_RECORD_FILE_FULL
    1037: "out_of_memory",  # ER_OUTOFMEMORY
    1038: "out_of_memory",  # ER_OUT_OF_SORTMEMORY
    3024: "timeout",  # ER_QUERY_TIMEOUT
    2002: "connection_failure",  # CR_CONNECTION_ERROR
    2003: "connection_failure",  # CR_CONN_HOST_ERROR
    2005: "connection_failure",  # CR_UNKNOWN_HOST
    2006: "connection_failure",  # CR_SERVER_GONE_ERROR
    2013: "connection_failure",  # CR_SERVER_LOST
    2026: "unknown",  # CR_SSL_CONNECTION_ERROR
}
SIGNAL_EXCEPTION = 1644  # a procedure's SIGNAL: the application's own error

TERADATA_SOURCE = "Teradata Vantage Messages: database error codes"
TERADATA_CODES = {
    2801: "database_error",  # duplicate unique prime key
    2802: "database_error",  # duplicate row
    2803: "database_error",  # secondary index uniqueness violation
    2631: "database_error",  # transaction aborted due to deadlock
    3706: "database_error",  # syntax error
    2616: "database_error",  # numeric overflow
    2644: "disk_full",  # no more room in database
    2646: "disk_full",  # no more spool space
    3807: "not_found",  # object does not exist
    3802: "not_found",  # database does not exist
    3523: "permission_denied",  # the user does not have the access
    3524: "permission_denied",  # the user does not have the grant option
    8017: "credentials_expired",  # the UserId, Password or Account is invalid
    3110: "unknown",  # the transaction was aborted by the user
}

MQ_SOURCE = "IBM MQ 9.3 reason codes (MQRC_*) and AMQ messages"
MQ_REASONS = {
    2009: ("MQRC_CONNECTION_BROKEN", "connection_failure"),
    2059: ("MQRC_Q_MGR_NOT_AVAILABLE", "connection_failure"),
    2537: ("MQRC_CHANNEL_NOT_AVAILABLE", "connection_failure"),
    2538: ("MQRC_HOST_NOT_AVAILABLE", "connection_failure"),
    2035: ("MQRC_NOT_AUTHORIZED", "permission_denied"),
    2217: ("MQRC_CONNECTION_NOT_AUTHORIZED", "permission_denied"),
    2085: ("MQRC_UNKNOWN_OBJECT_NAME", "not_found"),
    2071: ("MQRC_STORAGE_NOT_AVAILABLE", "out_of_memory"),
    2042: ("MQRC_OBJECT_IN_USE", "unknown"),
    2393: ("MQRC_SSL_INITIALIZATION_ERROR", "unknown"),
}
MQ_REASON_NAMES = {name: code for code, (name, _) in MQ_REASONS.items()}
MQ_MESSAGES = {
    9202: "connection_failure",  # remote host not available
    9204: "connection_failure",  # connection to host rejected
    9205: "connection_failure",  # host name not found
    9206: "connection_failure",  # error sending data to host
    9208: "connection_failure",  # error on receive from host
    9209: "connection_failure",  # connection to host closed
    9213: "connection_failure",  # communications error
}

TSM_SOURCE = "IBM Spectrum Protect 8.1 client messages (ANS)"
TSM_MESSAGES = {
    1311: "disk_full",  # server out of data storage space
    1329: "disk_full",  # server out of data storage space
    1017: "connection_failure",  # session rejected: TCP/IP connection failure
    1025: "credentials_expired",  # session rejected: authentication failure
    1352: "credentials_expired",  # session rejected: the node's password has expired
    1030: "out_of_memory",  # the operating system refused a memory allocation
}

COBOL_SOURCE = "ISO/IEC 1989 COBOL I-O status codes (IBM Enterprise COBOL, Micro Focus)"
COBOL_FILE_STATUS = {
    35: "not_found",  # OPEN of a non-optional file that is not present
    37: "permission_denied",  # OPEN mode the file's permissions do not allow
}

ENTRA_SOURCE = "Microsoft Entra authentication and authorization error codes (AADSTS)"
ENTRA_CODES = {
    50034: "credentials_expired",  # the user account does not exist in the directory
    50053: "credentials_expired",  # account locked (too many sign-ins with a wrong password)
    50055: "credentials_expired",  # the password is expired
    50057: "credentials_expired",  # the user account is disabled
    50126: "credentials_expired",  # invalid username or password
    50173: "credentials_expired",  # the grant expired (password changed, tokens revoked)
    700082: "credentials_expired",  # the refresh token expired from inactivity
    7000215: "credentials_expired",  # invalid client secret
    7000222: "credentials_expired",  # the client secret keys are expired
    50076: "unknown",  # multi-factor authentication required
}


def cobol_status_entry(number: int) -> Entry | None:
    """The entry of a COBOL file status (`FILE STATUS 35`)."""
    cls = COBOL_FILE_STATUS.get(number)
    return None if cls is None else _entry(cls, f"COBOL file status {number}")


def entra_entry(number: int) -> Entry | None:
    """The entry of a Microsoft Entra sign-in error (`AADSTS7000222`)."""
    cls = ENTRA_CODES.get(number)
    return None if cls is None else _entry(cls, f"Microsoft Entra AADSTS{number}")


def mysql_entry(number: int) -> Entry:
    """The entry of a MySQL/MariaDB error number (`ERROR 1142 (42000)`)."""
    if number == SIGNAL_EXCEPTION:
        return Entry("unknown", WEAK, f"MySQL error {number} (user-defined)")
    if number in MYSQL_CODES:
        return _entry(MYSQL_CODES[number], f"MySQL error {number}")
    return Entry("database_error", CARRIER, f"MySQL error {number}")


def teradata_entry(number: int) -> Entry:
    """The entry of a Teradata error code (`*** Failure 3807`, `[Error 2801]`)."""
    if number in TERADATA_CODES:
        return _entry(TERADATA_CODES[number], f"Teradata error {number}")
    return Entry("database_error", CARRIER, f"Teradata error {number}")


def _entry(cls: str, label: str) -> Entry:
    return Entry(cls, MEDIUM if cls == "unknown" else STRONG, label)


def mq_entry(number: int, message: bool) -> Entry | None:
    """The entry of an MQ reason code, or of an AMQ message number when `message`."""
    if message:
        cls = MQ_MESSAGES.get(number)
        return None if cls is None else _entry(cls, f"IBM MQ AMQ{number}")
    if number not in MQ_REASONS:
        return None
    return _entry(MQ_REASONS[number][1], f"IBM MQ reason {number}")


def mq_name_entry(name: str) -> Entry | None:
    """The entry of an MQ reason code by its name (`MQRC_NOT_AUTHORIZED`)."""
    code = MQ_REASON_NAMES.get(name.upper())
    return None if code is None else mq_entry(code, message=False)


def tsm_entry(number: int) -> Entry | None:
    """The entry of a Spectrum Protect client message (`ANS1329S`)."""
    cls = TSM_MESSAGES.get(number)
    return None if cls is None else _entry(cls, f"Spectrum Protect ANS{number}")
