"""Phrases that prove a class, in English and Portuguese: what no catalogue enumerates.

How scripts, schedulers and tools say a cause in their own words (`file system full`, `tempo
limite de execução excedido`, `predecessor job did not complete`), matched on folded text
(lower case, no accents). `PHRASES` are MEDIUM evidence, `STRONG_PHRASES` as exact as a
catalogue code, `CARRIER_PHRASES` a database tool's own words around another cause; where a
phrase and a catalogue text cover the same words, the longer one speaks (`Permission denied
(publickey)` is an authentication failure, not a file permission). The `unknown` phrases name
causes outside the classes (TLS trust, host keys, files in use). A class's phrases are tried
only on a line holding one of its `KEYWORDS`.
"""

import re

from resync.joblog.catalogues.entries import pattern_set

# The extensions of marker files: trigger, flag, semaphore, indicator, ready, done, end of day.
MARKER_FILE = r"\.(trg|trigger|flg|flag|sem|ind|rdy|ready|done|eod)"

PHRASES: dict[str, tuple[str, ...]] = {
    "credentials_expired": (
        r"password\b.{0,60}\b(has )?expired|expired password|account (is |has been |was )?(expired"
        r"|locked( out)?|disabled)"
        r"|(token|credential|certificate|ticket|kerberos|session|key)s? (has |have |is )?expired"
        r"|expired (token|credential|ticket|session)",
        r"senha\b.{0,40}(expirada|expirou|invalid|incorret)|(token|credencia(l|is)|ticket"
        r"|certificado)\b.{0,60}"
        r"(expirad|expirou|venceu|vencid)|conta (expirada|bloqueada|desabilitada)",
        r"permission denied \((publickey|password|keyboard-interactive|gssapi)"
        r"|authentication (failed|failure|error)|auth fail|login failed|logon failure"
        r"|invalid (username|user name|user|login)( and| or|/)( ?password)|invalid credentials"
        r"|(bad|wrong|incorrect|invalid) password|password authentication failed"
        r"|login incorrect|unable to authenticate|not authenticated"
        r"|too many authentication failures|no supported authentication methods"
        r"|preauthentication failed|unknown user name or bad password|invalid_grant"
        r"|fail(ed|ure)? to authenticate\b(?!.{0,40}\b(certificate|server|host)\b)"
        r"|(user ?name|login|user) (or|and|/) password"
        r" (is |was |are )?(not valid|invalid|incorrect|wrong)",
        r"falha (na|de|ao) (autentica|login|logon)|(usuario|login) (ou|e|/) senha (invalid"
        r"|incorret)"
        r"|autenticacao (falhou|recusada|negada)"
        r"|(nome de )?usuario ou (a )?senha (esta |estao )?(invalid|incorret)",
        r"awk\w*\d{3}e .*(password|credential)s? .*(expir|invalid|incorrect)"
        r"|acceptsecuritycontext error, data (52e|532|701|773|775)\b|kinit: .*(expired|password)",
        r"expiredtoken|invalidaccesskeyid|signaturedoesnotmatch|invalidclienttokenid"
        r"|(role|user) \W?[\w.@-]+\W? does not exist|no such user",
        r"credenciais (invalidas|incorretas)|(login|logon) (falhou|recusado|negado)",
        r"no valid credentials|failed to find any kerberos tgt|gss initiate failed|logon_failure"
        r"|password is incorrect|(usuario|senha)\b.{0,40}\b(recusad|invalid|incorret)"
        r"|autenticacao\b.{0,30}\b(falhou|recusada|negada)|access denied: 530|530 (login|user"
        r"|not logged)|not logged in",
    ),
    "disk_full": (
        r"file ?system (is )?full|disk (is )?full|not enough (free )?(disk )?space"
        r"|insufficient (disk )?space|out of (\w+ )?(disk|storage) space|no free space"
        r"|space quota exceeded|quota exceeded|(disk ?space|space|storage|disk) quota\b.{0,60}"
        r"\bexceeded"
        r"|(table|tablespace|filegroup|archive destination|recovery area|log)\b.{0,60}\bis full",
        r"sem espaco (livre )?(no|em|dispon)|espaco (em disco )?insuficiente|disco cheio"
        r"|(sistema de arquivos|file ?system|particao) (esta )?cheio|nao ha espaco"
        r"|cota .{0,20}excedida",
        r"write error.*(space|quota)|cannot extend file|edc5133i|wrote only \d+ of \d+ bytes"
        r"|low on resource: ephemeral-storage|diskpressure",
        r"(tablespace|tabela|particao|volume|file ?system|fs|disco)\b.{0,60}\b(esta )?(cheio"
        r"|lotado)",
        # Micro Focus COBOL run-time error 007 `Disk space exhausted`; the same words from
        # spool, temporary and log space.
        r"(disk|disco|storage|spool|temp(orary)?|log|file) space (is )?(exhausted|esgotad)"
        r"|espaco (em disco |de disco )?(esgotado|exaurido)",
    ),
    "out_of_memory": (
        r"out of (shared |process |virtual |physical )?memory|memory exhausted"
        r"|could not reserve enough space for .{0,40}heap"
        r"|no more (storage|memory)( space)? available|tsv_tnew_page_alloc_failed"
        r"|tsv_tnew_blocks_no_roll_memory|system_no_roll|memory_no_more_paging",
        r"killed process \d+.*(oom|memory)|oom[- ]?kill|bad_alloc|insufficient memory"
        r"|not enough memory|gc overhead limit exceeded|java heap space|memory limit"
        r"|(exceeded|exceeds) (the )?memory|memory cgroup",
        r"memoria insuficiente|sem memoria|falta de memoria|estouro de memoria|memoria esgotada"
        r"|nao foi possivel alocar memoria|oom_reaper",
        r"unable to allocate\b.{0,40}\b(gib|mib|kib|gb|mb|kb|bytes|memory|array)"
        # An allocation of a stated size that failed (SSIS 0xC0047012 `A buffer failed while
        # allocating N bytes`, C and C++ runtimes) and Windows' memory load report with it.
        r"|(failed|unable|could not|cannot|can't)\b.{0,20}\ballocat\w*\b.{0,20}\d+ ?(bytes|kb"
        r"|mb|gb)"
        r"|\d+ percent memory load",
    ),
    "timeout": (
        r"(exceed(ed|s)?|over) (its |the )?(max(imum)?|allowed) (duration|run ?time|elapsed)",
        r"max(imum)? ?dur(ation)?\b.*(exceed|reach|kill)|\bmaxdur\b|onmaxdur",
        r"(run ?time|execution time|time|cpu time|wall ?clock) limit (exceeded|reached)"
        r"|killed after \d+ ?(s|sec|min)|time ?limit\b.{0,40}\b(exceeded|reached|killed|stopped)",
        r"deadline (exceeded|passed)|job (was )?killed.*(deadline|duration|limit)",
        r"(exceeded|after|beyond|past) (the |its |a )?\d+[ -]?(s|secs?|seconds?|mins?|minutes?|h"
        r"|hours?)\b[ -]?(run ?time |execution |time |job )?limit\b"
        r"|(did not|didn't|failed to) (finish|complete|end|respond)\b.{0,20}\bwithin\b"
        r"|^timeout: sending signal \w+ to command|terminated by timeout|\btimeout\(1\)"
        r"|(operation|read|query|statement|request|command|wait|job|step|process) timed out"
        r"|timeout expired|statement timeout|query timeout",
        r"tempo (maximo|limite)\b(?:(?!conex).){0,40}\b(excedido|atingido|esgotado)"
        r"|(excedeu|ultrapassou) (o tempo|a duracao) (maxim|limite)|duracao maxima (excedida"
        r"|atingida)"
        r"|tempo de (execucao|processamento) (excedido|esgotado)",
        r"\btimed out\b|deadlineexceeded|active longer than specified deadline"
        r"|timeout in data send/receive",
        r"exced\w* (o |a )?(tempo|prazo|limite|duracao)(?!.{0,30}conex)|timeout (apos|after) \d+"
        r"|(run ?time|execution time|time|duration|elapsed)\b.{0,10}\blimit\b.{0,30}\b(exceeded"
        r"|reached|hit)"
        r"|exceeding (the |its |a )?\d+",
        r"exceed\w*\b.{0,20}\b(run ?time|time|duration|execution)\b.{0,10}\blimit"
        r"|still running after \d+",
        # PHP's fatal error for max_execution_time (`Maximum execution time of 30 seconds
        # exceeded`), and the same words for CPU, wall-clock and run-time maxima.
        r"max(imum)? (execution |run ?|cpu |wall ?clock |elapsed )time\b.{0,40}\bexceeded",
    ),
    "permission_denied": (
        r"access (is )?denied|not authori[sz]ed|insufficient privileges?|permission (was )?denied"
        r"|access to (the )?path\b.{0,200}\bdenied|not permitted|no permission|lacks? permission"
        r"|awk\w*\d{3}e .*not authori|privilege\b.{0,40}\b(required|missing|not held)",
        r"permissao negada|acesso negado|sem permissao|operacao nao permitida"
        r"|privilegios insuficientes|nao autorizado|nao tem permissao|permissao insuficiente",
        r"not in the sudoers|not allowed to (execute|run)|may not run sudo|permissiondenied"
        r"|accessdenied",
        r"nao possui (permissao|privilegio)|(acesso|permissao)\b.{0,80}\b(foi )?negad"
        r"|(do|does) not have (the )?(required |necessary )?(permission|privilege|access)"
        r"|requires elevation",
        r"(do|does|did) not have\b.{0,40}\b(permission|privilege|access|rights)",
    ),
    "connection_failure": (
        r"connection (was )?(refused|reset|timed out|closed by|lost|aborted|dropped)"
        r"|could not connect"
        r"|unable to connect|failed to connect|cannot connect|can't connect|couldn't connect"
        r"|connect failed|socket is not established|could not open a connection"
        r"|rpc server is unavailable",
        r"no route to host|host\b.{0,60}\bunreachable|unknown host|could not resolve (host"
        r"|hostname)"
        r"|name resolution|unable to resolve|unreachable(?!\s?=\s?\d)|connection attempt failed",
        r"connection to server\b[^;]{0,160}?\bfailed|connection unexpectedly closed|lost connection"
        r"|network (error|is down)|socket (error|closed)|connect(ion)? timed? ?out"
        r"|handshake timed out"
        r"|no listener|listener (does not|could not)|end of file on communication channel",
        r"conexao (recusada|expirou|perdida|encerrada|reiniciada|fechada)|falha (na|ao|de) conex"
        r"|(nao foi possivel|impossivel) (se )?conectar(-se)?|(host|servidor)\b.{0,60}inacessivel"
        r"|rede inacessivel|(nenhuma|sem) rota para o host|tempo esgotado para conexao"
        r"|resolucao de nome"
        r"|tempo (limite )?de conexao (esgotado|excedido)",
        r"(could not|couldn't|unable to|failed to) establish (a |the )?(new )?connection"
        r"|the database system is (starting up|shutting down)|can't connect",
        r"conexao (foi )?(recusada|perdida|encerrada|redefinida|reiniciada|fechada)|redefinida pelo"
        r"|(nao foi possivel|could not|unable to|failed to) resolv|could not be resolved"
        r"|nao pode ser resolvid"
        r"|connect(ion)? timeout",
        r"conexao com (o )?servidor\b[^;]{0,160}?\bfalhou|jco_error_communication|not reached"
        r"|not reachable|em_nohost|name not in hosts file",
        # Microsoft ODBC Driver for SQL Server: the TCP connection did not open in time.
        r"delay in opening server connection",
    ),
    "dependency_not_satisfied": (
        r"predecessor\b.{0,80}\b(not|did not|has not|failed|missing|abend|incomplete)"
        r"|(prerequisite|pre-requisite|dependenc(y|ies))\b.{0,60}\b(missing|not present|not found"
        r"|not met|unmet|absent)"
        r"|(prerequisite|dependenc(y|ies))\b.{0,60}\b(not|were not|was not|has not|have not) "
        r"(met|satisfied|complete|completed|finished|run|available|ready)",
        r"(input|trigger|flag|control|source|feed|signal|ready|done|marker"
        r"|upstream) files?\b.{0,120}"
        r"(not found|missing|does not exist|not (yet )?(present|available|arrived|received"
        r"|delivered)"
        r"|did not arrive|has not (yet )?arrived|never arrived)",
        r"(empty|no rows|0 rows|no data|no records)\b.{0,60}\b(upstream|predecessor)"
        r"|waited\b.{0,40}\bfor\b.{0,80}\b(not|never) (found|arrived|present|delivered)"
        r"|timed out waiting for (the )?(input|trigger|flag|file|predecessor|upstream|dependenc)",
        r"(missing|waiting for|no|awaiting) (input|trigger|control|flag|ready) file"
        r"|upstream (\w+ )?(job|stream|feed|extract|file|input|data|run|load|system|partition"
        r"|table|dataset)s?\b.{0,60}"
        r"\b(not (yet )?(complete|completed|finished|run|delivered|available|ready|closed"
        r"|published)|has not"
        r"|failed|missing)|not (yet )?(produced|delivered|created|written|sent) by (the |its )?"
        r"(upstream|predecessor)|gave up waiting|(file ?watch\w*|wait loop)\b.{0,80}"
        r"(gave up|timed out|expired|not (found|arrived))|(business|processing) date\b.{0,60}"
        r"\bnot (yet )?(closed|open|available)",
        r"arquivo (de entrada|de controle|gatilho|sinalizador)\b.{0,120}(nao (foi )?(encontrad"
        r"|receb)"
        r"|ausente|inexistente|nao (chegou|dispon))|dependencia (nao|ainda nao) (satisfeita"
        r"|atendida)"
        r"|pre-?requisito\b.{0,60}(ausente|nao (encontrad|atendid|satisfeit|cumprid|dispon))"
        r"|predecessor\b.{0,80}\b(nao|falhou|ausente)|(aguardando|esperando"
        r"|aguardou) (o )?(arquivo|job|"
        r"predecessor|carga)|nao (foi )?recebid|ainda nao (chegou|foi (gerad|entregu|concluid))"
        r"|(carga|lote|processo|job|etapa|extracao) anterior\b.{0,40}\bnao (foi )?(concluid"
        r"|finaliz|termin|execut)"
        r"|(vazio|nenhum registro)\b.{0,60}(origem|predecessor|anterior)"
        r"|(data|dia) (de negocio|contabil|de processamento)\b.{0,40}nao (foi )?(fechad|encerrad"
        r"|abert)",
        r"(missing|unfulfilled|unmet) (external )?dependenc|upstream_failed"
        r"|sensor\b.{0,60}\b(timed out|time is out|timeout)",
        r"(carga|lote|processo|job|etapa|extracao|arquivo"
        r"|execucao)\b.{0,30}\banterior\b.{0,40}\bnao"
        r"|ainda nao (foi )?(realizad|fechad|processad|executad|concluid|gerad|entregu|publicad"
        r"|disponibilizad)"
        r"|arquivo (flag|ok|de sinalizacao)\b.{0,80}\bnao|nao foi disponibilizad"
        r"|(arquivo|lote|remessa)\b.{0,80}\bnao (chegou|foi entregue)"
        r"|(waiting|waited) for (the )?(predecessor|upstream|dependenc)"
        r"|no (input|trigger|control|flag|source) files? (found|present|available|received)"
        r"|(period|business day|day|month)\b.{0,20}\bnot (yet )?closed|upstream\b.{0,60}\babend",
        r"upstream\b.{0,60}\b(has not|have not|not yet|did not|hasn't|not)\b.{0,20}(finish"
        r"|complete|run|deliver|arriv|end|ready)|not ready after|not (yet )?(produced|delivered"
        r"|created|written|sent|transmitted|received|published)\b.{0,10}\b(by|from)\b"
        r"|ainda nao (transmitiu|enviou|gerou|entregou|disponibilizou|liberou)"
        r"|input (path|data|dataset|partition)s?\b.{0,120}(not found|missing|does not exist"
        r"|not (yet )?(present|available))",
        r"(flag|marker|sentinel|semaphore)s?\b.{0,120}\b(missing|absent|not (yet )?(found|present"
        r"|arrived|received))|(trigger|control|signal|ready|done|end-of-day|eod) messages?\b.{0,80}"
        r"\bnot (yet )?(received|arrived|delivered)|(file|flag|marker|path)\b.{0,120}\b(missing"
        r"|not found|absent|does not exist|not present) after waiting|(file|flag|marker)\b.{0,80}"
        r"\b(did not get created|never (appeared|arrived)|did not appear)"
        r"|waiting for\b.{0,60}\b(file|flag|marker) to (exist|appear|arrive)"
        r"|ainda nao (rodou|executou|terminou|finalizou|concluiu|processou)"
        r"|(fechamento|encerramento)\b.{0,80}\bnao (foi )?(concluid|realizad|finalizad|efetuad"
        r"|encerrad)|\b(month|period|year|quarter|day)[- ]end clos(e|ing)\b.{0,60}\bnot (yet )?"
        r"(complete|completed|done|finished)",
        # Marker files by their extension (trigger, flag, semaphore, indicator, ready, done,
        # end-of-day: what file watchers, Informatica's Event-Wait and jobarranger's jafwait
        # wait for) found absent or not created.
        rf"{MARKER_FILE}['\"]?\b.{{0,120}}\b(not found|missing|absent|does not exist|not present"
        r"|not (yet )?created|no such file|nao (foi )?(encontrad|criad|gerad|recebid)"
        r"|no (encontrad|existe)|arquivo ou diretorio (nao encontrado|inexistente)"
        r"|inexistente|ausente)"
        rf"|(can ?not|can't|could not|unable to|failed to) (find|locate|stat|access)\b.{{0,80}}"
        rf"{MARKER_FILE}\b",
        # A file watcher's time limit reached with its files not there (English, Portuguese and
        # Spanish shell wait loops: `Tiempo limite alcanzado: ficheros … no encontrados`).
        r"(time ?limit|tempo limite|tiempo limite|prazo|deadline|timeout)\b.{0,30}\b(reached"
        r"|alcanzado|atingido|esgotado|expired|exceeded|excedido)\b.{0,80}\b(files?|ficheros?"
        r"|arquivos?|archivos?)\b.{0,200}\b(not found|no encontrad|nao encontrad|missing"
        r"|ausente)",
        # The sending party (partner, supplier, source system, bank) has not sent or signalled.
        r"(partner|parceiro|fornecedor|supplier|vendor|sender|remetente|sistema|source system"
        r"|origem|banco|bank)\b.{0,40}\b(nao|did not|didn't|has not|hasn't|never) (enviou"
        r"|entregou|sinalizou|disponibilizou|transmitiu|send|sent|deliver(ed)?|signal+ed"
        r"|transmit(ted)?)\b",
        # What another system or load has not done yet (`ainda nao recebeu a carga`, `ainda nao
        # aplicou os archives`, `has not yet received`).
        r"ainda nao (recebeu|aplicou|sinalizou|carregou|publicou|chegou|fechou|atualizou)"
        r"|\b(has|have|had) not yet (received|applied|loaded|signal+ed|published|arrived"
        r"|finished|completed)",
        # A status check that found the prerequisite still running or pending.
        r"(nao (concluid|finalizad|terminad)|not (yet )?(complete|completed|finished))\w*\b"
        r".{0,60}\bstatus\W{0,3}(em[_ ]execucao|executando|em[_ ]andamento|pendente|running"
        r"|in[_ ]progress|pending)",
        # dbt source freshness: a source older than its error threshold (`ERROR STALE`).
        r"\berror stale\b|\berror\b.{0,10}\bfreshness of\b.{0,200}\[stale\b",
    ),
    "not_found": (
        r"command not found|^\S*sh: (\d+: )?.*: not found|no such (file|directory|table|object"
        r"|host key)",
        r"(?<![\w-])(file|directory|folder|script|program|executable|command|path|jar|module|class"
        r"|table"
        r"|view|relation|object|procedure|function|package|schema|database|bucket|key|url|page"
        r"|workflow|worklet|mapping|variant|report|member|queue|container|image|repository)"
        # A connection that does not exist (Db2's SQL1024N after a refused connect) is no object.
        r"\b(?! connection\b)[^;]{0,100}\b(not found|does not exist|doesn't exist|is missing"
        r"|cannot be found|could not be found)|invalid object name"
        r"|could not find or load main class|unable to access jarfile|no module named"
        r"|nosuchbucket|nosuchkey",
        r"(cannot|can't|unable to|could not) (find|locate|open|stat|access) (the )?(input )?"
        r"(file|directory|script|program|path|workflow|worklet|mapping|variant|report)"
        r"|awk\w*\d{3}e .*not found|\bsp2-0310\b"
        # sqlcmd's answer to an input file (-i) that is not there.
        r"|^sqlcmd: .{1,260}: invalid filename",
        r"is not recognized as (an internal or external command|the name of a cmdlet)"
        r"|the system cannot find the (file|path)|cannot find path\b|item not found",
        r"nao e reconhecido como (um )?comando interno|o sistema nao pode encontrar o (arquivo"
        r"|caminho)",
        r"^\S*sh: (\d+: )?.*: nao encontrad|arquivo ou diretorio (nao encontrado|inexistente)"
        r"|(arquivo|diretorio|script|programa|comando|caminho|tabela|objeto|relacao"
        r"|visao)\b[^;]{0,100}"
        r"(nao (foi )?encontrad|nao existe|inexistente)",
        r"nonexistent (file|path|directory)|could not find a part of the path"
        r"|unable to open bcp host data-file|nosuchbucket",
        r"nao foi possivel (encontrar|localizar)",
        r"\bis not installed\b|nao (esta )?instalad|不是内部或外部命令",
        r"can't locate \S+ in @inc|cannot load such file|cannot find module",
    ),
    "database_error": (
        r"deadlock|lock wait timeout|lock request time ?out|lock timeout|too many (connections"
        r"|clients)|unique constraint|duplicate (unique )?(prime |primary )?key"
        r"|integrity constraint|foreign key constraint|violates .{0,40}constraint|chave duplicad"
        r"|valor de chave duplicado|viola a restricao|snapshot too old|syntax error at or near"
        r"|dbif_rsql_sql_error|invalid identifier|could not serialize access|serialization failure"
        r"|(transaction|txn)\b.{0,100}\b(aborted|expired)\b.{0,30}\bconflict",
        r"(relation|table|constraint|index|object|role|schema|type)\b.{0,60}\balready exists"
        r"|value too long|invalid input syntax|numeric field overflow|out of range for type"
        r"|null value in column|violates not-null|invalid number",
        r"duplicate (database )?records?|sapsql_|dbsql_|viola(m)? (a )?restricao"
        r"|would be truncated|string or binary data",
        # ODBC SQLSTATE 22001's message text (`String data, right truncation`).
        r"string data,? right truncat",
    ),
    "unknown": (
        r"host key verification failed|remote host identification has changed"
        r"|certificate verify failed|unable to get local issuer certificate"
        r"|self[- ]signed certificate"
        r"|pkix path building failed|ssl certificate problem|certificate is not trusted"
        r"|remote certificate is invalid|being used by another process"
        r"|sendo usado por outro processo"
        r"|stack overflow|end-of-central-directory signature not found|not a zip ?file"
        r"|not in gzip format|invalid compressed data|(archive|arquivo|file|zip) (is )?(corrupt"
        r"|corrompido)|checksum (mismatch|error)"
        r"|(validation|reconciliation|consistency) (check )?failed|killed by (the )?operator"
        r"|cancel+ed by (the )?(user|operator)|max user processes|fork: retry|reject hostkey"
        r"|unknownhostkey|unable to find valid certification path|killed by user"
        r"|unable to negotiate|no matching (host key|key exchange|cipher)"
        r"|could not establish trust relationship|ssl/tls secure channel"
        r"|(session|job) (has been |was )?killed by",
        r"killed by (the )?(operator|user|conman|administrator)|conman kill",
    ),
}
# Words every phrase of a class contains one of ("|" between words): a line with none of them
# skips its phrases.
KEYWORDS: dict[str, str] = {
    "credentials_expired": (
        "credentials|kerberos|gss|530|logged in|incorrect|usuario|autenticacao|credenciais|falhou"
        "|recusado|negado|token|accesskey|signature|does not exist|no such user|passw|senha|expir"
        "|vencid|venceu|locked|disabled|bloquead|desabilitad|auth|login|logon|credential"
        "|credencia|acceptsecuritycontext|kinit|permission denied (|invalid user|denied for user"
    ),
    "disk_full": (
        "cheio|lotado|ephemeral-storage|diskpressure|full|space|espaco|quota|cota|extend file"
        "|edc5133i|wrote only"
    ),
    "out_of_memory": (
        "allocat|oom_reaper|memor|heap|storage|tsv_|no_roll|paging|oom|bad_alloc|gc overhead"
    ),
    "timeout": (
        "still running|exced|prazo|duracao|timeout|exceeding|within|maximum|exceed|elapsed"
        "|killed after|deadline|send/receive|time|dur|limit|tempo|cancel"
    ),
    "permission_denied": (
        "possui|negad|have|elevation|accessdenied|sudo|allowed|denied|authori|privilege|permitted"
        "|permission|permissao|permitida|privilegio|autorizado"
    ),
    "connection_failure": (
        "servidor|jco_error|reach|em_nohost|redefinida|resolv|timeout|establish|database system is"
        "|closed|connect|conectar|conex|route|unreachable|host|resolution|network|socket|listener"
        "|communication channel|inacessivel|rota"
    ),
    "dependency_not_satisfied": (
        "not ready|waiting for|produced|published|delivered|transmitted|received|input path"
        "|input data"
        "|input partition|transmitiu|enviou|gerou|entregou|liberou|anterior|disponibilizad|flag"
        "|period|day|month|abend|ainda nao|sensor|unfulfilled|unmet|missing|predecessor"
        "|prerequisit|pre-requisit|requisito|depend|file|upstream|wait|gave up|watch|date|arquivo"
        "|aguardando|esperando|recebid|marker|sentinel|semaphore|message|rodou|executou|terminou"
        "|finalizou|concluiu|processou|fechamento|encerramento|clos|.trg|.trigger|.flg|.flag|.sem"
        "|.ind|.rdy|.ready|.done|.eod|fichero|archivo|sinalizou|send|sent|signal|recebeu|aplicou"
        "|carregou|publicou|chegou|fechou|atualizou|not yet|concluid|finalizad|terminad"
        "|not complete|not finished|stale"
    ),
    "not_found": (
        "installed|instalad|module|load such|@inc|jarfile|main class|object name|命令|encontrar"
        "|localizar"
        "|nonexistent|part of the path|bcp host|nosuchbucket|not found|no such|exist|missing"
        "|be found|find|locate|open|stat|access|sp2-0310|not recognized|nao e reconhecido"
        "|encontrad|awk|invalid filename"
    ),
    "database_error": (
        "duplicate|sapsql|dbsql|viola|truncated|binary data|already exists|value too long"
        "|invalid input|overflow|out of range|null value|not-null|could not execute"
        "|invalid number|deadlock|lock|constraint|duplicat|duplicad|violat|viola a|snapshot"
        "|truncation"
        "|syntax error|dbif_|sql|identifier|error:|fatal:|erro:|database|banco de dados|serializ"
        "|conflict"
    ),
    "unknown": (
        "killed by|conman|negotiate|no matching|trust relationship|secure channel|host key"
        "|identification|certificate|issuer|signed|pkix|ssl|process|central-directory|zip"
        "|compressed|corrupt|corrompido"
        "|stack overflow|checksum|failed|operator|cancel|fork"
    ),
}
# Phrases as exact as a catalogue code: they decide over a tool's own wording around them.
STRONG_PHRASES: dict[str, str] = {
    "credentials_expired": r"permission denied \((publickey|password|keyboard-interactive|gssapi)"
    r"|senha falhou|access denied: 530|rfc_error_logon_failure"
    r"|access denied for user [^\n]{0,80}using password"
    r"|permission denied, please try again|password authentication failed|login failed for user"
    r"|invalid username/password",
    # SSH clients' (ssh2, paramiko) timeout before the SSH handshake: the connection's fault.
    "connection_failure": r"is the server running|login timeout expired|connect timed out"
    r"|(timed out|timeout)\b.{0,20}\bwaiting for (the )?handshake"
    r"|servidor esta executando|partner\b.{0,40}\bnot reached"
    r"|connect to host .{0,80}timed out"
    r"|could not resolve host|network-related or instance-specific error",
    "timeout": r"canceling statement due to statement timeout|^timeout: sending signal"
    r"|execution timeout expired|timeout period elapsed prior to completion"
    r"|(exceed(ed|s)?|over) (its |the )?(max(imum)?|allowed) (duration|run ?time)|\bmaxdur\b"
    r"|maximum duration exceeded"
    r"|terminated by timeout",
    "database_error": r"lock wait timeout exceeded|deadlock (found|detected)"
    r"|canceling statement due to"
    r" lock timeout",
    "dependency_not_satisfied": r"\bafter \d+ (checks|polls|verificacoes)\b.{0,20}\b(giving up"
    r"|gave up|desistindo)|(timed out|time ?out|gave up|giving up)\b.{0,30}\bwait(ing|ed) for"
    r" (the )?(file |flag |marker )?(/|\w:\\|\\\\)\S"
    r"|(input|trigger|flag|control|ready|done|marker) files?\b.{0,120}"
    r"(not (yet )?(found|present|arrived|received|delivered)|did not arrive|has not (yet )?arrived"
    r"|never arrived)|arquivo (de entrada|de controle|gatilho|flag)\b.{0,120}nao (foi )?"
    r"(recebid|encontrad|entregu)|predecessor\b.{0,40}\bnot (yet )?(complete|completed|finished)"
    r"|upstream\b.{0,60}\b(has not|not yet|did not|hasn't)\b.{0,20}(finish|complete|run|deliver)",
    "not_found": r"could not find file '|could not find a part of the path '",
    "unknown": r"host key verification failed|certificate verify failed|pkix path building failed"
    r"|syntax error near unexpected token|erro de sintaxe proximo ao token inesperado"
    r"|syntax error: unexpected end of file"
    # cmd.exe's syntax error in a batch file (`do was unexpected at this time.`).
    r"|\bwas unexpected at this time\b"
    r"|unable to negotiate|no matching (host key|key exchange|cipher)"
    r"|ssl certificate problem",
}
# A database tool's own words around an error: they carry the cause (CARRIER), not name it.
CARRIER_PHRASES = {
    "database_error": r"\bpg_(restore|dump|dumpall)\b.*(error|erro|fatal)|archiver \(db\)"
    r"|\bpsql:.*(error|erro|fatal)|^\s*(error|fatal|erro):\s{2}\S|database error"
    r"|erro de banco de dados|sqlplus.*error|could not execute query",
}
# Words one of which a line holds when a strong or carrier phrase can be in it.
STRONG_KEYWORDS = (
    "giving up|gave up|desistindo|negotiate|no matching|file|arquivo|predecessor|upstream"
    "|servidor esta|partner"
    "|execution timeout|timeout period|senha falhou|530|logon_failure|permission denied|passw"
    "|login|username|access denied|server running|timed out|resolve host|network-related"
    "|canceling|timeout|duration|run ?time|maxdur|lock wait|deadlock|host key|certificate|pkix"
    "|ssl|unexpected|inesperado|could not find"
)
CARRIER_KEYWORDS = (
    "pg_restore|pg_dump|archiver|psql|error:|fatal:|erro:|database error|banco de dados|sqlplus"
    "|could not execute"
)
STRONG_COMPILED = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in STRONG_PHRASES.items())
)
CARRIER_COMPILED = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in CARRIER_PHRASES.items())
)
COMPILED: dict[str, re.Pattern[str]] = {
    name: re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    for name, patterns in PHRASES.items()
}
# (kind, class, or None for the named group's, pattern), in the order their findings are listed.
_TRIED: tuple[tuple[str, str | None, re.Pattern[str]], ...] = (
    ("strong", None, STRONG_COMPILED),
    ("carrier", None, CARRIER_COMPILED),
    *(("phrase", name, pattern) for name, pattern in COMPILED.items()),
)
# The words of each of `_TRIED`: one pass over a line tells which to try.
_WORDS = pattern_set(
    (
        STRONG_KEYWORDS,
        CARRIER_KEYWORDS,
        *("|".join(map(re.escape, KEYWORDS[name].split("|"))) for name in COMPILED),
    )
)


def phrase_matches(folded: str) -> list[tuple[int, int, str, str]]:
    """(start, end, class, kind) of every phrase found in a folded line; the kind is `strong`,
    `carrier` or `phrase`."""
    return [
        (match.start(), match.end(), name or str(match.lastgroup), kind)
        for index in sorted(_WORDS.Match(folded) or ())
        for kind, name, pattern in (_TRIED[index],)
        for match in pattern.finditer(folded)
    ]
