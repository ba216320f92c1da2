"""The search box's syntax, parsed into terms; pure Python, no Django.

    red bicycle          both words (stemmed: "bicycles" and "cycling" forms match too)
    "red bicycle"        the words next to each other, in this order
    -rust  -"flat tyre"  without this word, or without this phrase
    bicy                 the last word, while it is still being typed, also matches words it
                         begins ("bicycle"); a trailing space ends it

Words are runs of letters, digits and underscores (`\\w+`); everything else only separates them,
so nothing a user types reaches a database's query syntax except those words. Several words joined
by punctuation ("e-mail", "example.org") are kept together as a phrase.
"""

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
# Each term costs the database a posting list (a phrase, a positional check on every candidate),
# so a query counts only this many terms, and a phrase this many words; people search with fewer.
MAX_TERMS = 10
MAX_PHRASE_WORDS = 10
# A quoted phrase (an unclosed quote runs to the end), or a run of anything but spaces; either may
# start with "-" to exclude it.
_CHUNK = re.compile(r'(?P<minus>-?)(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+))')


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query."""

    words: tuple[str, ...]
    exclude: bool = False
    # The last word as typed so far: it may be the beginning of a longer word.
    prefix: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]

    @property
    def included(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.exclude)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.exclude)

    @property
    def finds_nothing(self) -> bool:
        """Only exclusions (or nothing at all) would match almost everything: it finds nothing."""
        return not self.included


def parse_query(raw: str) -> ParsedQuery:
    """The terms of a search box's text, in order, each word or phrase once."""
    terms: list[Term] = []
    typing: Term | None = None
    for match in _CHUNK.finditer(raw):
        quoted = match.group("quoted")
        words = tuple(_WORD.findall(quoted if quoted is not None else match.group("bare")))
        if not words:
            continue
        term = Term(words=words[:MAX_PHRASE_WORDS], exclude=bool(match.group("minus")))
        if term not in terms:
            if len(terms) == MAX_TERMS:
                break
            terms.append(term)
        # Only a bare word the text ends in is still being typed: a space, a closing quote or
        # punctuation after it says it is complete.
        ends_in_word = match.end() == len(raw) and _WORD.fullmatch(raw[-1])
        typing = term if quoted is None and ends_in_word else None
    if typing is not None and not typing.exclude and not typing.is_phrase:
        terms[terms.index(typing)] = Term(words=typing.words, prefix=True)
    return ParsedQuery(terms=tuple(terms))
