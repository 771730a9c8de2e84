"""Chinese text search keys: a name is found by its simplified form, traditional form or pinyin.

A record stores `search_key(name)`; a query is normalised with `normalise_query`, and a record
matches when the normalised query is a substring of its key. So 醫院 finds 医院, and zs, zhangs or
zhangsan find 张三.
"""

from __future__ import annotations

import functools
import re

_SPACES = re.compile(r"\s+")


# The dictionaries load on first use, not at import: commands that never search (weijian settle)
# would otherwise pay about 0.4 s at every start.
@functools.cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.cache
def _segmenter():
    from pypinyin.seg.simpleseg import seg

    return seg


@functools.lru_cache(maxsize=65536)
def _char_is_traditional(char: str) -> bool:
    return _converter().convert(char) != char


def to_simplified(text: str) -> str:
    # OpenCC's phrase conversion is slow in pure Python; most names have nothing to convert.
    if not any(_char_is_traditional(c) for c in text):
        return text
    return _converter().convert(text)


@functools.lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(word, errors="default"))


def search_key(name: str) -> str:
    """The text a record is matched against: simplified name | pinyin initials | full pinyin."""
    simplified = _SPACES.sub("", to_simplified(name or "")).lower()
    # The same segmentation lazy_pinyin does, with each word's pinyin cached (names repeat words).
    syllables = [s for word in _segmenter()(simplified) for s in _word_syllables(word)]
    initials = "".join(s[0] for s in syllables if s)
    full = "".join(syllables)
    return f"{simplified}|{initials}|{full}"


def normalise_query(query: str) -> str:
    """Simplify, lower-case and drop spaces and the key separator, so a query cannot span fields."""
    return _SPACES.sub("", to_simplified(query or "")).lower().replace("|", "")
