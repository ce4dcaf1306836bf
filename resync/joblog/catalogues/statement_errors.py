"""Errors of a SQL statement or its data, by database, and SQL Server's message texts.

A statement the database refused for its own text or data (a syntax error, an unknown column, a
constraint, a value too large) is `database_error` as exactly as a code names anything: a code
of these tables decides over an earlier error of another class the job went past (an
`ORA-00942` on a `DROP` it ignores). Codes that name a class of their own (a missing table,
space, privileges) stay in resync/joblog/catalogues/databases.py.

SQL Server's messages are kept as the text before their first argument (`Could not allocate
space for object`), in the locales sqlcmd prints them in, so a message quoted without its
number (a JDBC driver's, an ORM's) is read like its number.
"""

from resync.joblog.catalogues.entries import STRONG, Entry

ORACLE_SOURCE = "Oracle Database Error Messages 19c (ORA-00900–ORA-01499, ORA-02290–02292)"
ORACLE_STATEMENT_ERRORS = {
    900: "database_error",  # invalid SQL statement
    901: "database_error",  # invalid CREATE command
    904: "database_error",  # invalid identifier
    905: "database_error",  # missing keyword
    906: "database_error",  # missing left parenthesis
    907: "database_error",  # missing right parenthesis
    911: "database_error",  # invalid character
    913: "database_error",  # too many values
    917: "database_error",  # missing comma
    918: "database_error",  # column ambiguously defined
    921: "database_error",  # unexpected end of SQL command
    923: "database_error",  # FROM keyword not found where expected
    933: "database_error",  # SQL command not properly ended
    936: "database_error",  # missing expression
    937: "database_error",  # not a single-group group function
    947: "database_error",  # not enough values
    955: "database_error",  # name is already used by an existing object
    957: "database_error",  # duplicate column name
    979: "database_error",  # not a GROUP BY expression
    1400: "database_error",  # cannot insert NULL into
    1407: "database_error",  # cannot update to NULL
    1410: "database_error",  # invalid ROWID
    1427: "database_error",  # single-row subquery returns more than one row
    1438: "database_error",  # value larger than specified precision allowed for this column
    1452: "database_error",  # cannot CREATE UNIQUE INDEX; duplicate keys found
    1830: "database_error",  # date format picture ends before converting entire input string
    1843: "database_error",  # not a valid month
    1858: "database_error",  # a non-numeric character was found where a numeric was expected
    1861: "database_error",  # literal does not match format string
    2290: "database_error",  # check constraint violated
    2291: "database_error",  # integrity constraint violated - parent key not found
    2292: "database_error",  # integrity constraint violated - child record found
    4091: "database_error",  # table is mutating, trigger/function may not see it
    8177: "database_error",  # can't serialize access for this transaction
    12899: "database_error",  # value too large for column
    30926: "database_error",  # unable to get a stable set of rows in the source tables
}

DB2_SOURCE = "IBM Db2 11.5 SQL messages (SQLxxxxN)"
DB2_STATEMENT_ERRORS = {
    104: "database_error",  # an unexpected token was found
    117: "database_error",  # the number of values assigned is not the number of columns
    180: "database_error",  # the syntax of a datetime value is not valid
    181: "database_error",  # a datetime value is out of range
    206: "database_error",  # a name is not valid in the context where it is used
    302: "database_error",  # a variable's value is not valid for its use
    303: "database_error",  # a value cannot be assigned: its data types are not compatible
    407: "database_error",  # a NULL value cannot be assigned to a NOT NULL column
    408: "database_error",  # a value is not compatible with the data type of its target
    433: "database_error",  # a value is too long
    531: "database_error",  # a parent key with dependent rows cannot be updated
    532: "database_error",  # a parent row cannot be deleted: a relationship restricts it
    545: "database_error",  # a check constraint does not allow the row
    668: "database_error",  # the table is in reorg or load pending state
    811: "database_error",  # a scalar subquery returned more than one row
    30061: "not_found",  # the database alias or name was not found at the remote node
}

SQLSTATE_SOURCE = "ISO/IEC 9075 and PostgreSQL 15 Appendix A SQLSTATE codes"
SQLSTATE_STATEMENT_CODES = {
    "22001": "database_error",  # string data, right truncation
    "22003": "database_error",  # numeric value out of range
    "22P02": "database_error",  # invalid text representation
    "23502": "database_error",  # not-null violation
    "23503": "database_error",  # foreign key violation
    "23505": "database_error",  # unique violation
    "40001": "database_error",  # serialization failure
    "40P01": "database_error",  # deadlock detected
    "42601": "database_error",  # syntax error
    "42703": "database_error",  # undefined column
    "42P07": "database_error",  # duplicate table
    "42710": "database_error",  # duplicate object
    "42S22": "database_error",  # ODBC: column not found
    "55P03": "database_error",  # lock not available
    "28P01": "credentials_expired",  # invalid password
    "58P01": "not_found",  # undefined file
}

SQLSERVER_SOURCE = "Microsoft SQL Server sys.messages, en-US, pt-BR, de-DE, fr-FR and es-ES"
# message number: (class, {locale: the message's text before its first argument})
SQLSERVER_TEXTS = {
    1105: ("disk_full", {"en-US": "Could not allocate space for object"}),
    1101: ("disk_full", {"en-US": "Could not allocate a new page for database"}),
    701: ("out_of_memory", {"en-US": "There is insufficient system memory in resource pool"}),
    802: ("out_of_memory", {"en-US": "There is insufficient memory available in the buffer pool"}),
    2812: ("not_found", {"en-US": "Could not find stored procedure"}),
    229: ("permission_denied", {"en-US": "permission was denied on the object"}),
    916: ("permission_denied", {"en-US": "is not able to access the database"}),
    2627: ("database_error", {"en-US": "Cannot insert duplicate key in object"}),
    2601: ("database_error", {"en-US": "Cannot insert duplicate key row in object"}),
    515: ("database_error", {"en-US": "Cannot insert the value NULL into column"}),
    18456: (
        "credentials_expired",
        {
            "en-US": "Login failed for user",
            "pt-BR": "Falha de logon para o usuário",
            "de-DE": "Fehler bei der Anmeldung für den Benutzer",
            "fr-FR": "Échec de la connexion de l'utilisateur",
            "es-ES": "Error de inicio de sesión del usuario",
        },
    ),
    18452: (
        "credentials_expired",
        {"en-US": "The login is from an untrusted domain and cannot be used with"},
    ),
}


def sqlserver_texts() -> dict[str, Entry]:
    """SQL Server's message texts in every catalogued locale, to their entries."""
    return {
        text: Entry(cls, STRONG, f"SQL Server Msg {number} ({locale})")
        for number, (cls, texts) in SQLSERVER_TEXTS.items()
        for locale, text in texts.items()
    }
