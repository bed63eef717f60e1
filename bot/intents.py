"""What a message in a thread amzerror answered asks of it, in English, Portuguese or Spanish:
reprocessing, or what the error means again. Anything else is people talking: nothing."""

from __future__ import annotations

import re
import unicodedata

REPROCESS = "reprocess"
EXPLAIN = "explain"

# A request is short; a paragraph that mentions reprocessing is a conversation.
MAX_CHARS = 280

# The verb as people ask with it: "reprocess", "reprocessar", "reprocessa", "reprocesse(m)",
# "reprocesar", "reprocesa", "reprocese(n)". Not "reprocessed" / "reprocessado" / "reprocessing":
# those tell what happened, they ask for nothing.
_ASK = re.compile(
    r"\b(?:reprocess|reprocessar|reprocessa|reprocesse|reprocessem|reprocessen"
    r"|reprocesar|reprocesa|reprocese|reprocesen|reprocesalo|reprocesala|reprocesarlo"
    r"|reprocesarla|reprocesarlos)\b"
)
# "don't reprocess", "não precisa reprocessar", "no reprocesen", and questions about the past
# ("did anyone reprocess it?", "já reprocessaram?") are not requests.
_NOT_ASKING = re.compile(
    r"\b(?:don'?t|do not|never|no|not|nao|nunca|did|didn'?t|has|have|had|already|ja|ya)"
    r"(?:\s+\S+){0,2}\s+$"
)
_EXPLAIN = re.compile(
    r"what (?:does|did) (?:this|that|it|the error|this error)\s*mean"
    r"|what(?:'s| is| was) (?:this|that|the) error"
    r"|\bexplain\b|\bshow (?:me )?(?:the )?(?:card|fix|error) again\b"
    r"|o que (?:significa|quer dizer|e esse erro|e este erro|e isso)"
    r"|\bexplica(?:r)?\b|\bmostra (?:o card |o erro )?de novo\b|qual o significado"
    r"|que (?:significa|quiere decir|es este error|es ese error)"
    r"|\bmuestra (?:la tarjeta |el error )?otra vez\b|cual es el significado"
)


def _plain(text: str) -> str:
    """Lower case without accents, so "não", "qué" and "já" read as typed without them."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_intent(text: str) -> str | None:
    """REPROCESS, EXPLAIN or None for a message in an answered thread."""
    plain = _plain(text or "").strip()
    if not plain or len(plain) > MAX_CHARS:
        return None
    ask = _ASK.search(plain)
    if ask and not _NOT_ASKING.search(plain[: ask.start()]):
        return REPROCESS
    if _EXPLAIN.search(plain):
        return EXPLAIN
    return None
