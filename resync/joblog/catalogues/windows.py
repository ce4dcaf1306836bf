"""Windows: system error codes (winerror.h) with their messages in en-US, pt-BR and, for some,
fr-FR, pt-PT, de-DE, es-ES and zh-CN; the success message of its commands in six locales; the
NTSTATUS values a process ended by an exception exits with.
"""

from collections.abc import Iterable

from resync.joblog.catalogues.entries import STRONG, Entry

WINDOWS_SOURCE = (
    "Microsoft Win32 System Error Codes (winerror.h), en-US, pt-BR, pt-PT, fr-FR, "
    "de-DE, es-ES and zh-CN message texts"
)
# code: (English message, Portuguese message or None where none is catalogued, class)
WINDOWS_ERRORS: dict[int, tuple[str, str | None, str]] = {
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
    4: ("The system cannot open the file", None, "unknown"),
    15: ("The system cannot find the drive specified", None, "not_found"),
    23: ("Data error (cyclic redundancy check)", None, "unknown"),
    33: (
        "The process cannot access the file because another process has locked a portion of "
        "the file",
        None,
        "unknown",
    ),
    59: ("An unexpected network error occurred", None, "connection_failure"),
    65: ("Network access is denied", None, "permission_denied"),
    267: ("The directory name is invalid", None, "not_found"),
    1060: ("The specified service does not exist as an installed service", None, "not_found"),
    1069: ("The service did not start due to a logon failure", None, "credentials_expired"),
    1117: (
        "The request could not be performed because of an I/O device error",
        None,
        "unknown",
    ),
    1203: (
        "The network path was either typed incorrectly, does not exist, or the network provider "
        "is not currently available",
        None,
        "connection_failure",
    ),
    1222: ("The network is not present or not started", None, "connection_failure"),
    1236: ("The network connection was aborted by the local system", None, "connection_failure"),
    1244: (
        "The operation being requested was not performed because the user has not been "
        "authenticated",
        None,
        "credentials_expired",
    ),
    1265: (
        "The system cannot contact a domain controller to service the authentication request",
        None,
        "connection_failure",
    ),
    1311: (
        "There are currently no logon servers available to service the logon request",
        None,
        "connection_failure",
    ),
    1392: ("The file or directory is corrupted and unreadable", None, "unknown"),
    1396: ("The target account name is incorrect", None, "credentials_expired"),
    1455: ("The paging file is too small for this operation to complete", None, "out_of_memory"),
    2242: ("The password of this user has expired", None, "credentials_expired"),
    10050: ("A socket operation encountered a dead network", None, "connection_failure"),
    10051: (
        "A socket operation was attempted to an unreachable network",
        None,
        "connection_failure",
    ),
    10053: (
        "An established connection was aborted by the software in your host machine",
        None,
        "connection_failure",
    ),
    10064: (
        "A socket operation failed because the destination host was down",
        None,
        "connection_failure",
    ),
    11004: (
        "The requested name is valid, but no data of the requested type was found",
        None,
        "connection_failure",
    ),
}

# The same messages as French (fr-FR), European Portuguese (pt-PT), German (de-DE), Spanish
# (es-ES) and Simplified Chinese (zh-CN) Windows write them (.NET's IOException carries them).
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
    "de-DE": {
        2: "Das System kann die angegebene Datei nicht finden",
        3: "Das System kann den angegebenen Pfad nicht finden",
        5: "Zugriff verweigert",
        112: "Es steht nicht genug Speicherplatz auf dem Datenträger zur Verfügung",
    },
    "es-ES": {
        2: "El sistema no puede encontrar el archivo especificado",
        3: "El sistema no puede encontrar la ruta especificada",
        5: "Acceso denegado",
        112: "No hay espacio suficiente en el disco",
    },
    "zh-CN": {
        2: "系统找不到指定的文件",
        3: "系统找不到指定的路径",
        5: "拒绝访问",
        112: "磁盘空间不足",
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

# A Windows process ended by an exception exits with its NTSTATUS (ntstatus.h), which TWS
# prints unsigned or signed.
NTSTATUS_SOURCE = "Microsoft NTSTATUS values (ntstatus.h)"
NTSTATUS_EXITS = {
    0xC0000005: ("unknown", "STATUS_ACCESS_VIOLATION"),
    0xC00000FD: ("unknown", "STATUS_STACK_OVERFLOW"),
    0xC0000409: ("unknown", "STATUS_STACK_BUFFER_OVERRUN"),
    0xC000013A: ("unknown", "STATUS_CONTROL_C_EXIT"),
    0xC0000142: ("unknown", "STATUS_DLL_INIT_FAILED"),
    0xC0000017: ("out_of_memory", "STATUS_NO_MEMORY"),
    0xC0000135: ("not_found", "STATUS_DLL_NOT_FOUND"),
}


def windows_entry(code: int) -> Entry | None:
    """The entry of a Win32 error code (`System error 5 has occurred.`, `[WinError 5]`)."""
    if code not in WINDOWS_ERRORS:
        return None
    return Entry(WINDOWS_ERRORS[code][2], STRONG, f"Windows error {code}")


def windows_texts(locales: Iterable[str] = tuple(WINDOWS_OTHER_LOCALES)) -> dict[str, Entry]:
    """The Windows messages in English, Portuguese and the other `locales`, to their entries."""
    found = {}
    for code, (english, portuguese, cls) in WINDOWS_ERRORS.items():
        found[english] = Entry(cls, STRONG, f"Windows error {code}")
        if portuguese:
            found[portuguese] = Entry(cls, STRONG, f"Windows error {code} (pt-BR)")
    for locale in locales:
        for code, text in WINDOWS_OTHER_LOCALES[locale].items():
            found[text] = Entry(WINDOWS_ERRORS[code][2], STRONG, f"Windows error {code} ({locale})")
    return found
