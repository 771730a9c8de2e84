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
from pypinyin.seg.simpleseg import seg

_to_simplified = OpenCC("t2s")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65536)
def _char_is_traditional(char: str) -> bool:
    return _to_simplified.convert(char) != char


def to_simplified(text: str) -> str:
    # OpenCC's phrase conversion is slow in pure Python; most names have nothing to convert.
    if not any(_char_is_traditional(c) for c in text):
        return text
    return _to_simplified.convert(text)


@functools.lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word, errors="default"))


def search_key(name: str) -> str:
    """The text a record is matched against: simplified name | pinyin initials | full pinyin."""
    simplified = _SPACES.sub("", to_simplified(name or "")).lower()
    # The same segmentation lazy_pinyin does, with each word's pinyin cached (names repeat words).
    syllables = [s for word in seg(simplified) for s in _word_syllables(word)]
    initials = "".join(s[0] for s in syllables if s)
    full = "".join(syllables)
    return f"{simplified}|{initials}|{full}"


def normalise_query(query: str) -> str:
    """Simplify, lower-case and drop spaces and the key separator, so a query cannot span fields."""
    return _SPACES.sub("", to_simplified(query or "")).lower().replace("|", "")
