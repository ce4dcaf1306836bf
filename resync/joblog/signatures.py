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
        r"AWKJ\w*\d{3}E .*(password|credential)s? .*expir"
        r"|AcceptSecurityContext error, data (532|701|773)\b",
    ),
    "disk_full": (
        r"no space left on device|disk quota exceeded|file ?system (is )?full|disk (is )?full",
        r"not enough (disk |free )?space|insufficient (disk )?space|out of disk space|ENOSPC",
        r"sem espa[cç]o (livre )?(no|em|dispon)|espa[cç]o (em disco )?insuficiente"
        r"|disco cheio|sistema de arquivos cheio|n[aã]o h[aá] espa[cç]o",
        r"write error.*(space|quota)|cannot extend file|EDC5133I|ORA-00257|ORA-19809|ORA-19815",
    ),
    "out_of_memory": (
        r"OutOfMemory(Error|Exception)|out of memory|cannot allocate memory|ENOMEM"
        r"|memory exhausted",
        r"could not reserve enough space for .{0,40}heap"
        r"|no more (storage|memory)( space)? available|TSV_TNEW_PAGE_ALLOC_FAILED"
        r"|TSV_TNEW_BLOCKS_NO_ROLL_MEMORY|SYSTEM_NO_ROLL|MEMORY_NO_MORE_PAGING",
        r"killed process \d+.*(oom|memory)|oom[- ]kill|MemoryError|bad_alloc",
        r"ORA-04030|ORA-04031|std::bad_alloc|insufficient memory|not enough memory",
        r"mem[oó]ria insuficiente|sem mem[oó]ria|falta de mem[oó]ria|estouro de mem[oó]ria"
        r"|mem[oó]ria esgotada|n[aã]o foi poss[ií]vel alocar mem[oó]ria",
    ),
    "timeout": (
        r"(exceed(ed|s)?|over) (its |the )?(max(imum)?|allowed) (duration|run ?time|elapsed)",
        r"max(imum)? ?dur(ation)?\b.*(exceed|reach|kill)|\bMAXDUR\b|onmaxdur",
        r"(run ?time|execution time|time) limit (exceeded|reached)|killed after \d+ ?(s|sec|min)",
        r"deadline (exceeded|passed).*(job|killed)|job (was )?killed.*(deadline|duration|limit)",
        r"(exceeded|after|beyond|past) (the |its |a )?\d+[ -]?(s|secs?|seconds?|mins?|minutes?|h"
        r"|hours?)\b[ -]?(run ?time |execution |time |job )?limit\b"
        r"|(did not|didn't|failed to) (finish|complete|end)\b.{0,20}\bwithin\b"
        r".{0,40}\b(limit|max(imum)?)\b|^timeout: sending signal \w+ to command",
        r"tempo (m[aá]ximo|limite)\b(?:(?!conex).){0,40}\b(excedido|atingido|esgotado)"
        r"|(excedeu|ultrapassou) (o tempo|a dura[cç][aã]o) (m[aá]xim|limite)"
        r"|dura[cç][aã]o m[aá]xima (excedida|atingida)",
    ),
    "permission_denied": (
        r"permission denied|access (is )?denied|operation not permitted|EACCES|EPERM",
        r"not authori[sz]ed|insufficient privileges|ORA-01031|AWKJ\w*\d{3}E .*not authori"
        r"|permission (was )?denied|AccessDeniedException|UnauthorizedAccessException"
        r"|access to (the )?path\b.{0,200}\bdenied|\b403 Forbidden\b|\b(error|erro)\W{0,3}403\b",
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
        r"|rede inacess[ií]vel|(nenhuma|sem) rota para o host|a rede est[aá] fora de alcance"
        r"|tempo esgotado para conex[aã]o|tempo (limite )?de conex[aã]o esgotado",
        r"connection to server\b[^;]{0,160}\bfailed:|SQLSTATE\s*[=:]?\s*08\w{3}\b"
        r"|connection unexpectedly closed|\blost connection\b",
    ),
    "dependency_not_satisfied": (
        r"predecessor\b.{0,80}\b(not|did not|has not|failed|missing|abend)"
        r"|(prerequisite|dependenc(y|ies))\b.{0,40}\b(not|were not|was not) (met|satisfied)",
        r"(input|trigger|flag|control|source) file\b.{0,120}(not found|missing|does not exist|"
        r"not (yet )?(present|available|arrived|received)|did not arrive|has not arrived)",
        r"(missing|waiting for|no) (input|trigger|control) file|upstream (\w+ )?(job|stream|feed"
        r"|extract|file|input|data|run|load)s?\b.{0,60}\b(not (yet )?(complete|completed|finished"
        r"|run|delivered|available)|has not|failed|missing)"
        r"|not (yet )?(produced|delivered|created|written) by (the |its )?(upstream|predecessor)"
        r"|prerequisite\b.{0,80}\b(has not|did not|not) (run|complete|completed|finished|ended)",
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
        r"(cannot|can't|unable to|could not) (find|locate) (the )?(input )?"
        r"(file|directory|script|program|path)"
        r"|AWKJ\w*\d{3}E .*not found|\bSP2-0310\b",
        r"is not recognized as (an internal or external command|the name of a cmdlet)"
        r"|the system cannot find the (file|path) specified|\b404 Not Found\b"
        r"|\b(error|erro)\W{0,3}404\b",
        r"n[aã]o [eé] reconhecido como (um )?comando interno|o sistema n[aã]o pode encontrar o"
        r" (arquivo|caminho) especificado",
        r"^\S*sh: (\d+: )?.*: n[aã]o encontrad|arquivo ou diret[oó]rio (n[aã]o encontrado"
        r"|inexistente)|(arquivo|diret[oó]rio|script"
        r"|programa|comando|caminho)\b[^;]{0,100}"
        r"(n[aã]o (foi )?encontrad|n[aã]o existe|inexistente)",
    ),
    "database_error": (
        r"\bORA-\d{5}\b|\bSQLCODE\s*[=:]?\s*-\d+|\bSQLSTATE\b|\bSQL\d{4}N\b|\bDSNT\d{3}I",
        r"\bpsql:.*(error|erro|fatal)|^\s*(ERROR|FATAL|ERRO):\s{2}\S"
        r"|^Msg \d+, Level \d+, State \d+",
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
    r"|falha de segmenta[cç][aã]o|imagem do n[uú]cleo gravada|panic|traceback)\b"
    r"|\b(AWK[A-Z]{3}\d{3,4}E|EQQ[A-Z0-9]{3,6}E|ORA-\d{5}|SQL\d{4}N)\b|SQLCODE\s*[=:]?\s*-\d",
    re.IGNORECASE,
)
# A line that only says something failed, not why: the cause is in an error above it.
GENERIC_FAILURE_MARK = re.compile(
    r"(with|due to|see) (the )?previous errors?|com erros?\b|unexplained error|giving up"
    r"|\b(processing|processamento|job|script|step|run|execution|execu[cç][aã]o)\b.{0,30}"
    r"\b(failed|falhou|aborted|abortad[oa]|terminated|encerrad[oa])\b",
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
