"""Joblog signatures of each failure class, in English and Portuguese, and what marks an error.

A signature is a regular expression that, on one joblog line, proves a class. Classes are
listed from the most specific to the most generic: when the decisive lines match several
(`psql: error: connection refused` is a database client reporting a connection failure), the
first listed wins. `timeout` means the job's own runtime limit, not a network time-out.
"""

import re

SIGNATURES: dict[str, tuple[str, ...]] = {
    "credentials_expired": (
        r"password\b.{0,60}\b(has )?expired|expired password|ORA-28001|ORA-28002"
        r"|account (is )?expired|CertificateExpiredException|CredentialExpired",
        r"(token|credential|certificate|ticket|kerberos)s? (has |have |is )?expired"
        r"|expired (token|credential|certificate|ticket)",
        r"senha\b.{0,40}(expirada|expirou)|(token|credencia(l|is)|certificado)\b.{0,60}"
        r"(expirad|expirou|venceu|vencid)"
        r"|conta expirada",
        r"AWKJ\w*\d{3}E .*(password|credential)s? .*expir",
    ),
    "disk_full": (
        r"no space left on device|disk quota exceeded|file ?system (is )?full|disk (is )?full",
        r"not enough (disk |free )?space|insufficient (disk )?space|out of disk space|ENOSPC",
        r"sem espa[cç]o (livre )?(no|em|dispon)|espa[cç]o (em disco )?insuficiente"
        r"|disco cheio|sistema de arquivos cheio|n[aã]o h[aá] espa[cç]o",
        r"write error.*(space|quota)|cannot extend file|EDC5133I|ORA-00257|ORA-19809|ORA-19815",
    ),
    "out_of_memory": (
        r"OutOfMemoryError|out of memory|cannot allocate memory|ENOMEM|memory exhausted",
        r"killed process \d+.*(oom|memory)|oom[- ]kill|MemoryError|bad_alloc",
        r"ORA-04030|ORA-04031|std::bad_alloc|insufficient memory|not enough memory",
        r"mem[oó]ria insuficiente|sem mem[oó]ria|falta de mem[oó]ria|estouro de mem[oó]ria",
    ),
    "timeout": (
        r"(exceed(ed|s)?|over) (its |the )?(max(imum)?|allowed) (duration|run ?time|elapsed)",
        r"max(imum)? ?dur(ation)?\b.*(exceed|reach|kill)|\bMAXDUR\b|onmaxdur",
        r"(run ?time|execution time|time) limit (exceeded|reached)|killed after \d+ ?(s|sec|min)",
        r"deadline (exceeded|passed).*(job|killed)|job (was )?killed.*(deadline|duration|limit)",
        r"tempo (m[aá]ximo|limite) (de execu[cç][aã]o )?(excedido|atingido|esgotado)"
        r"|(excedeu|ultrapassou) (o tempo|a dura[cç][aã]o) (m[aá]xim|limite)"
        r"|dura[cç][aã]o m[aá]xima (excedida|atingida)",
    ),
    "permission_denied": (
        r"permission denied|access (is )?denied|operation not permitted|EACCES|EPERM",
        r"not authori[sz]ed|insufficient privileges|ORA-01031|AWKJ\w*\d{3}E .*not authori"
        r"|permission (was )?denied",
        r"permiss[aã]o negada|acesso negado|sem permiss[aã]o|opera[cç][aã]o n[aã]o permitida"
        r"|privil[eé]gios insuficientes|n[aã]o autorizado|n[aã]o tem permiss[aã]o",
    ),
    "connection_failure": (
        r"connection (was )?(refused|reset|timed out|closed by)|could not connect|"
        r"unable to connect|failed to connect|cannot connect",
        r"no route to host|host\b.{0,60}\bunreachable|network is unreachable|name or service not "
        r"known|unknown host|could not resolve host|temporary failure in name resolution",
        r"ECONNREFUSED|ETIMEDOUT|ECONNRESET|ORA-12541|ORA-12170|ORA-12514|ORA-03113|ORA-12154"
        r"|SQL30081N|broken pipe|connect(ion)? timed? ?out",
        r"conex[aã]o (recusada|expirou|perdida|encerrada|reiniciada)|falha (na|ao|de) conex"
        r"|n[aã]o foi poss[ií]vel (se )?conectar|(host|servidor)\b.{0,60}inacess[ií]vel"
        r"|rede inacess[ií]vel",
    ),
    "dependency_not_satisfied": (
        r"predecessor\b.{0,80}\b(not|did not|has not|failed|missing|abend)"
        r"|(prerequisite|dependenc(y|ies))\b.{0,40}\b(not|were not|was not) (met|satisfied)",
        r"(input|trigger|flag|control|source) file\b.{0,120}(not found|missing|does not exist|"
        r"not (yet )?(present|available|arrived))",
        r"(missing|waiting for|no) (input|trigger|control) file|upstream (job|stream|feed)\b"
        r".{0,60}\b(not|failed|missing)",
        r"arquivo (de entrada|de controle|gatilho)\b.{0,120}(n[aã]o (foi )?encontrad|ausente|"
        r"inexistente|n[aã]o (chegou|dispon))|depend[eê]ncia n[aã]o (satisfeita|atendida)"
        r"|predecessor\b.{0,80}\b(n[aã]o|falhou|ausente)",
    ),
    "not_found": (
        r"no such file or directory|command not found|\bENOENT\b|FileNotFoundException"
        r"|ClassNotFoundException|NoClassDefFoundError|ModuleNotFoundError"
        r"|^\S*sh: (\d+: )?.*: not found",
        r"\b(file|directory|folder|script|program|executable|command|path|jar|module|class)\b"
        r"[^;]{0,100}\b(not found|does not exist|is missing|cannot be found)",
        r"(cannot|can't|unable to|could not) (find|open|access|stat) (the )?(input )?"
        r"(file|directory|script|program|path)"
        r"|AWKJ\w*\d{3}E .*not found",
        r"^\S*sh: (\d+: )?.*: n[aã]o encontrad|arquivo ou diret[oó]rio (n[aã]o encontrado"
        r"|inexistente)|(arquivo|diret[oó]rio|script"
        r"|programa|comando|caminho)\b[^;]{0,100}"
        r"(n[aã]o (foi )?encontrad|n[aã]o existe|inexistente)",
    ),
    "database_error": (
        r"\bORA-\d{5}\b|\bSQLCODE\s*[=:]?\s*-\d+|\bSQLSTATE\b|\bSQL\d{4}N\b|\bDSNT\d{3}I",
        r"\bpsql:.*(error|fatal)|^\s*(ERROR|FATAL|ERRO):\s{2}\S",
        r"deadlock detected|unique constraint|duplicate key|integrity constraint|"
        r"SQLException|sqlplus.*error|database error|erro de banco de dados|chave duplicad"
        r"|valor de chave duplicado|viola a restri[cç][aã]o",
    ),
}
FAILURE_CLASSES: tuple[str, ...] = (*SIGNATURES, "unknown")

# A line reporting an error, whatever its cause.
ERROR_MARK = re.compile(
    r"\b(error|erro|fatal|failed|failure|falha|falhou|severe|critical|abend|abended|exception"
    r"|killed|aborted|abortad[oa]|refused|denied|negad[oa]|cannot|could not|unable to"
    r"|n[aã]o foi poss[ií]vel|not found|n[aã]o encontrad[oa]|segmentation fault|core dumped"
    r"|falha de segmenta[cç][aã]o|panic|traceback)\b"
    r"|\b(AWK[A-Z]{3}\d{3,4}E|EQQ[A-Z0-9]{3,6}E|ORA-\d{5}|SQL\d{4}N)\b|SQLCODE\s*[=:]?\s*-\d",
    re.IGNORECASE,
)
# A line saying an earlier error was overcome: what precedes it is not the decisive failure.
RECOVERY_MARK = re.compile(
    r"\b(recovered|reconnected|retry (succeeded|ok|successful)|(succeeded|ok|connected) (on|after)"
    r" (attempt|retry|try)|recuperad[oa]|reconectad[oa]|(sucesso|conectado) (na|ap[oó]s) (a )?"
    r"(nova )?tentativa)\b",
    re.IGNORECASE,
)
# The job's end: its exit status or return code, as TWS and scripts write it.
EXIT_MARK = re.compile(
    r"exit (status|code)\s*[:=]?\s*-?\d+|return code\s*[:=]?\s*-?\d+|\bRC\s*[=:]\s*-?\d+"
    r"|c[oó]digo de (retorno|sa[ií]da)\s*[:=]?\s*-?\d+|status de sa[ií]da\s*[:=]?\s*-?\d+"
    r"|ended with (rc|return code)|terminou com (rc|c[oó]digo)",
    re.IGNORECASE,
)

COMPILED: dict[str, re.Pattern[str]] = {
    name: re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)
    for name, patterns in SIGNATURES.items()
}


def matching_classes(line: str) -> list[str]:
    """The classes whose signature `line` matches, most specific first."""
    return [name for name, pattern in COMPILED.items() if pattern.search(line)]
