"""HTTP statuses, Windows system error codes with their messages (English, Portuguese and
French), exit-status conventions, HWA/TWS AWK… message codes, and the messages workflow
engines and Kubernetes write when a job's dependency, deadline or resources failed it.
"""

from resync.joblog.catalogues.entries import MEDIUM, STRONG, WEAK, Entry

HTTP_SOURCE = "RFC 9110 status codes (and RFC 4918 507)"
HTTP_STATUSES = {
    401: ("Unauthorized", "credentials_expired"),
    407: ("Proxy Authentication Required", "credentials_expired"),
    403: ("Forbidden", "permission_denied"),
    404: ("Not Found", "not_found"),
    410: ("Gone", "not_found"),
    408: ("Request Timeout", "timeout"),
    504: ("Gateway Timeout", "timeout"),
    507: ("Insufficient Storage", "disk_full"),
    500: ("Internal Server Error", "unknown"),
    400: ("Bad Request", "unknown"),
    409: ("Conflict", "unknown"),
    413: ("Content Too Large", "unknown"),
    422: ("Unprocessable Content", "unknown"),
    429: ("Too Many Requests", "unknown"),
}

WINDOWS_SOURCE = (
    "Microsoft Win32 System Error Codes (winerror.h), en-US, pt-BR, pt-PT and fr-FR message texts"
)
# code: (English message, Portuguese message, class)
WINDOWS_ERRORS = {
    2: (
        "The system cannot find the file specified",
        "O sistema não pode encontrar o arquivo especificado",
        "not_found",
    ),
    3: (
        "The system cannot find the path specified",
        "O sistema não pode encontrar o caminho especificado",
        "not_found",
    ),
    5: ("Access is denied", "Acesso negado", "permission_denied"),
    8: (
        "Not enough memory resources are available to process this command",
        "Não há recursos de memória suficientes disponíveis para processar este comando",
        "out_of_memory",
    ),
    14: (
        "Not enough memory resources are available to complete this operation",
        "Não há recursos de memória suficientes para concluir esta operação",
        "out_of_memory",
    ),
    32: (
        "The process cannot access the file because it is being used by another process",
        "O arquivo já está sendo usado por outro processo",
        "unknown",
    ),
    39: ("The disk is full", "O disco está cheio", "disk_full"),
    53: (
        "The network path was not found",
        "O caminho da rede não foi encontrado",
        "connection_failure",
    ),
    64: (
        "The specified network name is no longer available",
        "O nome de rede especificado não está mais disponível",
        "connection_failure",
    ),
    67: (
        "The network name cannot be found",
        "O nome da rede não foi encontrado",
        "connection_failure",
    ),
    86: (
        "The specified network password is not correct",
        "A senha de rede especificada não está correta",
        "credentials_expired",
    ),
    112: (
        "There is not enough space on the disk",
        "Não há espaço suficiente no disco",
        "disk_full",
    ),
    121: (
        "The semaphore timeout period has expired",
        "O período de tempo limite do semáforo expirou",
        "connection_failure",
    ),
    1219: (
        "Multiple connections to a server or shared resource by the same user, using more than "
        "one user name, are not allowed",
        "Não são permitidas várias conexões a um servidor ou recurso compartilhado pelo mesmo "
        "usuário",
        "unknown",
    ),
    1326: (
        "The user name or password is incorrect",
        "Nome de usuário ou senha incorretos",
        "credentials_expired",
    ),
    1327: (
        "Account restrictions are preventing this user from signing in",
        "Restrições de conta estão impedindo que este usuário entre",
        "credentials_expired",
    ),
    1330: (
        "The password for this account has expired",
        "A senha desta conta expirou",
        "credentials_expired",
    ),
    1331: (
        "This user can't sign in because this account is currently disabled",
        "Este usuário não pode entrar porque esta conta está desabilitada",
        "credentials_expired",
    ),
    1909: (
        "The referenced account is currently locked out and may not be logged on to",
        "A conta referida está bloqueada no momento e não é possível fazer logon",
        "credentials_expired",
    ),
    1907: (
        "The user's password must be changed before signing in",
        "A senha do usuário deve ser alterada antes de entrar",
        "credentials_expired",
    ),
    1385: (
        "Logon failure: the user has not been granted the requested logon type at this computer",
        "Falha de logon: o usuário não recebeu o tipo de logon solicitado neste computador",
        "permission_denied",
    ),
    1314: (
        "A required privilege is not held by the client",
        "O cliente não tem o privilégio necessário",
        "permission_denied",
    ),
    1231: (
        "The network location cannot be reached",
        "O local da rede não pode ser alcançado",
        "connection_failure",
    ),
    1460: (
        "This operation returned because the timeout period expired",
        "A operação retornou porque o período de tempo limite expirou",
        "timeout",
    ),
    10060: (
        "A connection attempt failed because the connected party did not properly respond after "
        "a period of time",
        "Uma tentativa de conexão falhou porque o componente conectado não respondeu",
        "connection_failure",
    ),
    10061: (
        "No connection could be made because the target machine actively refused it",
        "Nenhuma conexão pôde ser feita porque a máquina de destino as recusou ativamente",
        "connection_failure",
    ),
    10054: (
        "An existing connection was forcibly closed by the remote host",
        "Foi forçado o cancelamento de uma conexão existente pelo host remoto",
        "connection_failure",
    ),
    10065: (
        "A socket operation was attempted to an unreachable host",
        "Foi tentada uma operação de soquete para um host inacessível",
        "connection_failure",
    ),
    11001: ("No such host is known", "Host desconhecido", "connection_failure"),
    1053: (
        "The service did not respond to the start or control request in a timely fashion",
        "O serviço não respondeu à solicitação de início ou controle em tempo hábil",
        "timeout",
    ),
}

# The same messages as French (fr-FR) and European Portuguese (pt-PT) Windows write them.
WINDOWS_OTHER_LOCALES = {
    "fr-FR": {
        2: "Le fichier spécifié est introuvable",
        3: "Le chemin d'accès spécifié est introuvable",
        5: "Accès refusé",
        32: "Le processus ne peut pas accéder au fichier car ce fichier est utilisé par un autre "
        "processus",
        53: "Le chemin réseau n'a pas été trouvé",
        112: "Espace insuffisant sur le disque",
        1326: "Nom d'utilisateur ou mot de passe incorrect",
        10061: "Aucune connexion n'a pu être établie car l'ordinateur cible l'a expressément "
        "refusée",
    },
    "pt-PT": {
        2: "O sistema não consegue localizar o ficheiro especificado",
        3: "O sistema não consegue localizar o caminho especificado",
        10061: "Nenhuma ligação pôde ser feita porque o computador de destino as recusou "
        "ativamente",
    },
}

# `net`'s and the other Windows commands' success message (NET3500 `The command completed
# successfully.`) in the locales of WINDOWS_SOURCE and de-DE and es-ES: a command that succeeded,
# retried after an error (`net use` on its second attempt), got past it.
COMMAND_COMPLETED = {
    "en-US": "The command completed successfully",
    "pt-BR": "Comando concluído com êxito",
    "pt-PT": "O comando foi concluído com êxito",
    "fr-FR": "La commande s'est terminée correctement",
    "de-DE": "Der Befehl wurde erfolgreich ausgeführt",
    "es-ES": "Se ha completado el comando correctamente",
}

EXIT_SOURCE = "POSIX shell and GNU coreutils exit-status conventions"
# 137 (SIGKILL) and 143 (SIGTERM) name no reason: `unknown` unless a line says why.
EXIT_STATUSES = {
    124: ("timeout", MEDIUM, "GNU timeout: the command timed out"),
    126: ("permission_denied", WEAK, "command found but not executable"),
    127: ("not_found", MEDIUM, "command not found"),
    137: ("unknown", WEAK, "killed by SIGKILL"),
    139: ("unknown", MEDIUM, "killed by SIGSEGV"),
    143: ("unknown", WEAK, "killed by SIGTERM"),
    152: ("timeout", MEDIUM, "killed by SIGXCPU (CPU time limit)"),
    9009: ("not_found", MEDIUM, "cmd.exe: the command was not found"),
}

AWK_SOURCE = "HCL Workload Automation 9.5/10.2 Messages and Codes"
AWK_CODES = {
    "AWKJMJ007E": "connection_failure",
    "AWKJSJ007E": "connection_failure",
    "AWKJMJ002E": "connection_failure",
    "AWKJSJ002E": "connection_failure",
    "AWKJMJ010E": "credentials_expired",
    "AWKJSJ010E": "credentials_expired",
    "AWKRAA210E": "credentials_expired",
    "AWKFTE015E": "not_found",
    "AWKJMJ008W": "unknown",
    "AWKJSJ008W": "unknown",
}

WORKFLOW_SOURCE = "Apache Airflow 2.x, Spotify luigi 3.x and Kubernetes 1.29 messages"
WORKFLOW_MESSAGES = {
    "Unfulfilled dependency at run time": ("dependency_not_satisfied", "luigi"),
    "were not granted run permission by the scheduler": ("dependency_not_satisfied", "luigi"),
    "had missing dependencies": ("dependency_not_satisfied", "luigi"),
    "Snap. Time is OUT.": ("dependency_not_satisfied", "Airflow sensor"),
    "Marking task as UPSTREAM_FAILED": ("dependency_not_satisfied", "Airflow"),
    "Dependencies not met for": ("dependency_not_satisfied", "Airflow"),
    "Job was active longer than specified deadline": ("timeout", "Kubernetes"),
    "Job has reached the specified backoff limit": ("unknown", "Kubernetes"),
    "The node was low on resource: ephemeral-storage": ("disk_full", "Kubernetes"),
    "The node was low on resource: memory": ("out_of_memory", "Kubernetes"),
    "Reason: OOMKilled": ("out_of_memory", "Kubernetes"),
    "Back-off restarting failed container": ("unknown", "Kubernetes"),
}


def workflow_texts() -> dict[str, Entry]:
    """The workflow engines' messages, to their entries."""
    return {
        text: Entry(cls, STRONG, f"{engine}: {text}")
        for text, (cls, engine) in WORKFLOW_MESSAGES.items()
    }


def http_entry(status: int) -> Entry | None:
    """The entry of an HTTP status, if it names a class or a cause outside them."""
    if status not in HTTP_STATUSES:
        return None
    reason, cls = HTTP_STATUSES[status]
    return Entry(cls, STRONG if cls != "unknown" else MEDIUM, f"HTTP {status} {reason}")


def http_texts() -> dict[str, Entry]:
    """`404 Not Found` and the like, as servers and clients print them."""
    return {
        f"{status} {reason}": Entry(
            cls, STRONG if cls != "unknown" else MEDIUM, f"HTTP {status} {reason}"
        )
        for status, (reason, cls) in HTTP_STATUSES.items()
    }


def windows_entry(code: int) -> Entry | None:
    """The entry of a Win32 error code (`System error 5 has occurred.`, `[WinError 5]`)."""
    if code not in WINDOWS_ERRORS:
        return None
    return Entry(WINDOWS_ERRORS[code][2], STRONG, f"Windows error {code}")


def windows_texts() -> dict[str, Entry]:
    """The Windows messages in English, Portuguese and French, to their entries."""
    found = {}
    for code, (english, portuguese, cls) in WINDOWS_ERRORS.items():
        found[english] = Entry(cls, STRONG, f"Windows error {code}")
        found[portuguese] = Entry(cls, STRONG, f"Windows error {code} (pt-BR)")
    for locale, texts in WINDOWS_OTHER_LOCALES.items():
        for code, text in texts.items():
            found[text] = Entry(WINDOWS_ERRORS[code][2], STRONG, f"Windows error {code} ({locale})")
    return found


def exit_status_entry(status: int) -> Entry | None:
    """The entry of a job's exit status, for the conventions that name a cause."""
    if status not in EXIT_STATUSES:
        return None
    cls, strength, meaning = EXIT_STATUSES[status]
    return Entry(cls, strength, f"exit status {status}: {meaning}")


def awk_entry(code: str) -> Entry | None:
    """The entry of an HWA/TWS message code, when the message names its cause."""
    cls = AWK_CODES.get(code.upper())
    return None if cls is None else Entry(cls, STRONG, f"HWA {code.upper()}")
