"""The marks of a joblog's structure: errors, lines that only say something failed, recoveries,
successes, retries, warnings, clean-ups and the job's exit status; and the classes.
"""

import re
import unicodedata

from resync.joblog.catalogues.phrases import PHRASES
from resync.joblog.catalogues.windows import COMMAND_COMPLETED

FAILURE_CLASSES: tuple[str, ...] = tuple(name for name in PHRASES if name != "unknown") + (
    "unknown",
)
# A line reporting an error, whatever its cause.
ERROR_MARK = re.compile(
    r"\b(error|erro|fatal|failed|failure|falha|falhou|severe|critical|abend|abended|exception"
    r"|killed|aborted|abortad[oa]|refused|denied|negad[oa]|cannot|could not|unable to"
    r"|n[aã]o foi poss[ií]vel|not found|n[aã]o encontrad[oa]|segmentation fault|core dumped"
    r"|falha de segmenta[cç][aã]o|imagem do n[uú]cleo gravada|panic|traceback|timed out)\b"
    r"|\b(AWK[A-Z]{3}\d{3,4}E|EQQ[A-Z0-9]{3,6}E|ORA-\d{5}|SQL\d{4}N)\b|SQLCODE\s*[=:]?\s*-\d",
    re.IGNORECASE,
)
# A line that only says something failed, not why: the cause is in an error above it.
GENERIC_FAILURE_MARK = re.compile(
    r"(with|due to|see) (the )?previous errors?|com erros?\b|unexplained error|giving up"
    r"|(\brc|return code|returned|retornou|retorno|errorlevel|exit (code|status)|status"
    r"|c[oó]digo)\s*[=:(]?\s*-?\d+|not recoverable|exiting now|encountered an error"
    r"|\b(falha|erro) (ao|na|no) \w+|\berror (creating|running|executing|calling|while|during)\b"
    r"|\bn[aã]o (foi )?(gerad|enviad|executad|iniciad|carregad|processad|realizad)"
    r"|\bnot (sent|generated|created|loaded|released|started|processed)\b|retry limit"
    r"|limite de (novas )?tentativas|retries exhausted|tentativas esgotadas|max(imum)? retries"
    r"|terminating (the )?instance|instance terminated|could not (stop|start|complete)\b"
    r"|desistindo|\b(processing|processamento|job|script|step|run|execution|execu[cç][aã]o"
    r"|etapa|passo|load|carga|transfer|export|import|batch|lote|processo|rotina|exporta[cç][aã]o"
    r"|importa[cç][aã]o|transfer[eê]ncia|package|pacote|workflow|session|sess[aã]o)\b.{0,30}"
    r"\b(failed|falhou|aborted|abortad[oa]|terminated|encerrad[oa]|ended in error)\b",
    re.IGNORECASE,
)
# A line saying the job got past an error: a retry that succeeded, a reconnection (SQL*Plus's
# `Connected to an idle instance` is no connection made: the instance is down).
RECOVERY_MARK = re.compile(
    r"\b(recovered|reconnected|retry (succeeded|ok|successful)|(succeeded|ok|connected|completed"
    r"|loaded|done|worked|passed|sent|received|uploaded|downloaded|transferred|processed)"
    r" (on|after) (attempt|retry|try)|recuperad[oa]|reconectad[oa]|(sucesso|conectado) (na|ap[oó]s)"
    r" (a )?(nova )?tentativa|(succeeded|ok|connected|completed|sucesso) (on|after|na|apos)"
    r" (\d+ )?(attempts?|retr(y|ies)|tries|tentativas?)|restabelecid[oa]|(attempt|try"
    r"|retry) \d+\b.{0,30}\b(succeeded|ok|successful|connected)"
    r"|tentativa \d+\b.{0,30}\b(sucesso|ok|conectad[oa])|connection established"
    r"|conex[aã]o estabelecida|connected to(?! an idle instance)|conectad[oa] a|falling back to"
    r"|fallback to)\b",
    re.IGNORECASE,
)
# A connection made, with no retry named: it recovers only from a connection that failed.
CONNECTION_MADE = re.compile(
    r"connection established|conex[aã]o estabelecida|connected to(?! an idle instance)"
    r"|conectad[oa] a",
    re.IGNORECASE,
)


def _accents_optional(text: str) -> str:
    """A pattern of `text` that also matches it written without its accents."""
    pattern = ""
    for char in text:
        plain = unicodedata.normalize("NFKD", char)[0]
        pattern += f"[{char}{plain}]" if plain != char else re.escape(char)
    return pattern


# A line saying something succeeded: it ends the failing tail when errors follow it.
SUCCESS_MARK = re.compile(
    rf"{RECOVERY_MARK.pattern}|\b(succeeded|completed successfully|finished successfully"
    r"|conclu[ií]d[oa] com (sucesso|[eê]xito)|finalizad[oa] com (sucesso|[eê]xito)"
    r"|bem[- ]sucedid[oa])\b|"
    + "|".join(_accents_optional(text) for text in COMMAND_COMPLETED.values()),
    re.IGNORECASE,
)
# An error announcing a retry or a warning was not the job's last word.
# (`retry later` is advice to whoever reads the message, not a retry.)
RETRYING = re.compile(
    r"\bretry(ing)?\b(?! later)|will retry|tentando novamente|nova tentativa|\bresubmitt(ing|ed)\b"
    r"|\breconnecting\b|reconectando",
    re.IGNORECASE,
)
# A line saying a retry loop ran out: its last attempt failed.
RETRIES_EXHAUSTED = re.compile(
    r"giving up|gave up|desistindo|retry limit|limite de (novas )?tentativas|retries exhausted"
    r"|tentativas esgotadas|max(imum)? (number of )?(retries|attempts)|all \d+ (attempts|tries"
    r"|retries)|(last|final) (attempt|try|retry)|[uú]ltima tentativa|(attempts|retries) exhausted"
    r"|no more (attempts|tries)|(after|ap[oó]s) \d+ (attempts|tries|retries|tentativas)"
    r"|no more retries"
    r"|\b(attempt|try|tentativa) (?P<last>\d+) ?(/|of|de) ?(?P=last)\b",
    re.IGNORECASE,
)
# A later attempt's number: the errors of the attempts before it were retried.
NEXT_ATTEMPT = re.compile(r"\b(attempt|tentativa|try) #?([2-9]|\d{2,})\b", re.IGNORECASE)
WARNING = re.compile(r"^\W{0,3}(\S+\s+){0,3}?(warn(ing)?|aviso|atencao|atenção)\b", re.IGNORECASE)
# Cleaning up a file that was not there is no failure.
CLEANUP = re.compile(
    r"^\W{0,3}(rm|rmdir|unlink|del|erase|remove-item)\b.*(no such|cannot find|not exist"
    r"|inexistente|n[aã]o existe|n[aã]o encontrad)",
    re.IGNORECASE,
)
# The job's end: its exit status or return code, as TWS and scripts write it.
EXIT_MARK = re.compile(
    r"(exit (status|code)|return code|\bRC|c[oó]digo de (retorno|sa[ií]da)|status de sa[ií]da)"
    r"\s*[:=]?\s*(-?\d+)|(ended|terminou) with (rc|return code|c[oó]digo)\s*[:=]?\s*(-?\d+)",
    re.IGNORECASE,
)
