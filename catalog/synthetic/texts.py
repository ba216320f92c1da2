"""Titles, descriptions, links and board names for a synthetic catalog, from its vocabulary."""

from collections.abc import Iterator, Sequence

import numpy as np
from django.utils.text import slugify

from catalog.synthetic.vocabulary import Vocabulary


def title_case(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class Texts:
    """Titles, descriptions, links and names drawn from the Zipf vocabulary, a batch at a time."""

    def __init__(self, rng: np.random.Generator, words: Vocabulary) -> None:
        self.rng = rng
        self.words = words

    def _draw(self, pool: np.ndarray, p: np.ndarray, lengths: np.ndarray) -> Iterator[list[str]]:
        drawn = pool[self.rng.choice(len(pool), size=int(lengths.sum()), p=p)].tolist()
        start = 0
        for length in lengths.tolist():
            yield drawn[start : start + length]
            start += length

    def content(self, lengths: np.ndarray) -> Iterator[list[str]]:
        return self._draw(self.words.content, self.words.content_p, lengths)

    def _phrase_or_none(self, count: int, share: float) -> list[str | None]:
        picked = self.words.phrases[
            self.rng.choice(len(self.words.phrases), size=count, p=self.words.phrases_p)
        ].tolist()
        keep = (self.rng.random(count) < share).tolist()
        return [phrase if wanted else None for phrase, wanted in zip(picked, keep, strict=True)]

    def titles(self, count: int) -> list[str]:
        lengths = self.rng.integers(2, 7, size=count)
        phrases = self._phrase_or_none(count, 0.25)
        titles = []
        for words, phrase in zip(self.content(lengths), phrases, strict=True):
            if phrase is not None:
                words = [phrase, *words[:-2]]
            titles.append(title_case(list(dict.fromkeys(words)))[:100].rstrip())
        return titles

    def descriptions(self, count: int) -> list[str]:
        present = self.rng.random(count) < 0.7
        lengths = np.where(present, self.rng.integers(5, 31, size=count), 0)
        glue = self._draw(
            self.words.function, self.words.function_p, np.rint(lengths * 0.35).astype(np.int64)
        )
        phrases = self._phrase_or_none(count, 0.3)
        out = []
        for words, joiners, phrase in zip(self.content(lengths), glue, phrases, strict=True):
            if not words:
                out.append("")
                continue
            mixed = []
            for index, word in enumerate(words):
                mixed.append(word)
                if index < len(joiners):
                    mixed.append(joiners[index])
            if phrase is not None:
                mixed.insert(len(mixed) // 2, phrase)
            out.append((title_case(mixed) + ".")[:800])
        return out

    def links(self, titles: list[str]) -> list[str]:
        count = len(titles)
        domains = self.words.domains[
            self.rng.choice(len(self.words.domains), size=count, p=self.words.domains_p)
        ].tolist()
        present = (self.rng.random(count) < 0.7).tolist()
        www = (self.rng.random(count) < 0.5).tolist()
        return [
            f"https://{'www.' if w else ''}{domain}/{slugify(title)[:80] or 'idea'}"
            if wanted
            else ""
            for domain, title, wanted, w in zip(domains, titles, present, www, strict=True)
        ]

    def names(self, count: int) -> list[str]:
        """Board names: one to three words, or a phrase."""
        phrases = self._phrase_or_none(count, 0.2)
        words = self.content(self.rng.integers(1, 4, size=count))
        return [
            title_case([phrase] if phrase else chosen)
            for chosen, phrase in zip(words, phrases, strict=True)
        ]
