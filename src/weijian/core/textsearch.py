"""Chinese text search keys: a name is found by its simplified form, traditional form or pinyin.

A record stores `search_key(name)`; a query is normalised with `normalise_query`, and a record
matches when the normalised query is a substring of its key. So 醫院 finds 医院, and zs, zhangs or
zhangsan find 张三.
"""

from __future__ import annotations

import functools
import re

from opencc import OpenCC
from pypinyin import lazy_pinyin

_to_simplified = OpenCC("t2s")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _to_simplified.convert(text)


def search_key(name: str) -> str:
    """The text a record is matched against: simplified name | pinyin initials | full pinyin."""
    simplified = _SPACES.sub("", to_simplified(name or "")).lower()
    syllables = lazy_pinyin(simplified, errors="default")
    initials = "".join(s[0] for s in syllables if s)
    full = "".join(syllables)
    return f"{simplified}|{initials}|{full}"


def normalise_query(query: str) -> str:
    """Simplify, lower-case and drop spaces and the key separator, so a query cannot span fields."""
    return _SPACES.sub("", to_simplified(query or "")).lower().replace("|", "")
