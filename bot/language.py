"""Which language to answer a person in: their choice, the language they wrote in, Slack's.

Order messages are printed in English in every locale, and many teams paste English
errors whatever language they speak, so English text says little: a paste in Portuguese
or Spanish decides, an English one only when neither Slack nor what they clicked says the
person's language.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

from bot.knowledge import LANGUAGES
from bot.normalize import fold

__all__ = ["LANGUAGES", "choose_language", "from_locale", "language_of_text", "language_of_words"]
DEFAULT = "en"

# Words frequent in one of the three languages and rare in the other two (accents folded).
_MARKERS = {
    "pt": frozenset(
        [
            "nao",
            "um",
            "uma",
            "do",
            "da",
            "dos",
            "das",
            "na",
            "nas",
            "em",
            "com",
            "voce",
            "isso",
            "esse",
            "essa",
            "ou",
            "mas",
            "tambem",
            "ao",
            "aos",
            "pelo",
            "pela",
            "nos",
            "estao",
            "foi",
            "ele",
            "ela",
            "aqui",
            "tem",
            "sem",
            "gente",
            "pessoal",
            "alguem",
            "obrigado",
            "obrigada",
            "planilha",
            "estoque",
            "loja",
            "cor",
            "tamanho",
            "entrou",
            "travado",
            "ja",
            "deu",
            "erro",
            "eu",
            "onde",
            "vou",
            "quero",
            "hoje",
            "tudo",
            "pra",
            "agora",
            # The words people ask amzerror with, in a thread.
            "reprocessar",
            "reprocessa",
            "reprocesse",
            "reprocessem",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "los",
            "las",
            "del",
            "al",
            "y",
            "pero",
            "tiene",
            "tienen",
            "hay",
            "sin",
            "una",
            "muy",
            "ya",
            "plantilla",
            "orden",
            "gracias",
            "hola",
            "alguien",
            "tienda",
            "talla",
            "equipo",
            "inventario",
            "nos",
            "aparece",
            "sale",
            "sigue",
            "tengo",
            "yo",
            "donde",
            "quiero",
            "hoy",
            "ahora",
            # The words people ask amzerror with, in a thread.
            "reprocesar",
            "reprocesa",
            "reprocese",
            "reprocesen",
            "reprocesalo",
            "reprocesarlo",
            "explicame",
            "quiere",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "is",
            "are",
            "not",
            "with",
            "for",
            "and",
            "to",
            "of",
            "this",
            "that",
            "it",
            "on",
            "please",
            "thanks",
            "hi",
            "team",
            "anyone",
            "stuck",
            "says",
            "doesn",
            "isn",
            "spreadsheet",
            "value",
            "reprocess",
            "explain",
        ]
    ),
}
_WORD = re.compile(r"[a-z]+")
_ANY_MARKER = frozenset().union(*_MARKERS.values())
_LANGUAGES_OF = {w: tuple(lang for lang, m in _MARKERS.items() if w in m) for w in _ANY_MARKER}
# The words read to tell a language: as many as 4,000 characters hold.
_MAX_WORDS = 800


def from_locale(locale: str | None) -> str | None:
    """Slack's locale ("pt-BR", "es-LA", "en-US") as one of our languages, if it is one."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


@functools.lru_cache(maxsize=256)  # asked several times of one message on its way
def language_of_text(text: str) -> str | None:
    """The language most of the text's telling words belong to; None when it does not say."""
    spanish_marks = ("¿" in text) or ("¡" in text)  # punctuation only Spanish writes
    return language_of_words(_WORD.findall(fold(text[:4000])), spanish_marks)


def language_of_words(folded_words: Sequence[str], spanish_marks: bool = False) -> str | None:
    """`language_of_text` for a text already folded and split into words."""
    counts = dict.fromkeys(LANGUAGES, 0)
    counts["es"] += 2 * spanish_marks
    telling = Counter(word for word in folded_words[:_MAX_WORDS] if word in _ANY_MARKER)
    for word, times in telling.items():
        for lang in _LANGUAGES_OF[word]:
            counts[lang] += times
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 1 and top > second else None


def choose_language(
    *,
    chosen: str | None = None,
    text: str | None = None,
    locale: str | None = None,
    fallback: str | None = None,
    default: str = DEFAULT,
) -> str:
    """The language to answer in (en, pt or es).

    In order: what the person chose (`/amzerror lang`), Portuguese or Spanish text, their
    Slack locale, `fallback` (the language of the card they clicked), English text, and
    the configured default.
    """
    if chosen in LANGUAGES:
        return chosen
    written = language_of_text(text) if text else None
    if written in ("pt", "es"):
        return written
    for lang in (from_locale(locale), fallback, written, default):
        if lang in LANGUAGES:
            return lang
    return DEFAULT
