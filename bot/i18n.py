"""The bot's own sentences in Portuguese and Spanish: gettext catalogs under `locale/`.

The English sentences in the code and templates are the message ids; `locale/<lang>/
LC_MESSAGES/amzerror.po` holds their translations. The catalogs are read as they are
(compiled in memory by Babel), so an edited `.po` needs no build step.
"""

from __future__ import annotations

import functools
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import PROJECT_ROOT
from bot.language import LANGUAGES

LOCALE_DIR = PROJECT_ROOT / "locale"
DOMAIN = "amzerror"


def catalog_path(lang: str):
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> NullTranslations:
    """gettext for `lang`; English, the language of the message ids, translates nothing."""
    if lang not in LANGUAGES or lang == "en" or not catalog_path(lang).exists():
        return NullTranslations()
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)
