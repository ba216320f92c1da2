"""The search box's syntax, parsed without a database."""

import pytest

from catalog.search_query import MAX_PHRASE_WORDS, MAX_TERMS, Term, parse_query


def words(*items: str) -> tuple[str, ...]:
    return tuple(items)


def test_every_word_is_a_term_and_only_the_last_one_is_still_being_typed():
    assert parse_query("red bicy").terms == (
        Term(words=words("red")),
        Term(words=words("bicy"), prefix=True),
    )


def test_a_trailing_space_says_the_last_word_is_complete():
    assert parse_query("red bicycle ").terms == (
        Term(words=words("red")),
        Term(words=words("bicycle")),
    )


@pytest.mark.parametrize("text", ["bicycle.", "bicycle,", '"bicycle"', "bicycle!"])
def test_punctuation_or_a_closing_quote_after_the_last_word_completes_it(text):
    assert parse_query(text).terms == (Term(words=words("bicycle")),)


def test_quotes_make_a_phrase_and_a_minus_excludes_a_word_or_a_phrase():
    parsed = parse_query('"red bicycle" -rust -"flat tyre" basket')

    assert parsed.included == (
        Term(words=words("red", "bicycle")),
        Term(words=words("basket"), prefix=True),
    )
    assert parsed.excluded == (
        Term(words=words("rust"), exclude=True),
        Term(words=words("flat", "tyre"), exclude=True),
    )


def test_an_excluded_last_word_is_not_a_prefix():
    assert parse_query("bicycle -rus").terms[-1] == Term(words=words("rus"), exclude=True)


def test_an_unclosed_quote_runs_to_the_end_as_a_phrase():
    assert parse_query('lamp "reading cor').terms == (
        Term(words=words("lamp")),
        Term(words=words("reading", "cor")),
    )


def test_words_joined_by_punctuation_stay_together_as_a_phrase():
    assert parse_query("e-mail example.org ").terms == (
        Term(words=words("e", "mail")),
        Term(words=words("example", "org")),
    )


def test_query_syntax_characters_never_reach_the_terms():
    parsed = parse_query("cat & dog | !bird:* 'x' (y) <-> \\z")

    assert [term.words for term in parsed.terms] == [
        ("cat",),
        ("dog",),
        ("bird",),
        ("x",),
        ("y",),
        ("z",),
    ]
    assert all(word.isalnum() for term in parsed.terms for word in term.words)


def test_letters_of_every_script_are_words():
    assert parse_query("naïve café 東京 ").terms == (
        Term(words=words("naïve")),
        Term(words=words("café")),
        Term(words=words("東京")),
    )


def test_a_repeated_term_counts_once():
    assert parse_query("lamp lamp -dust -dust ").terms == (
        Term(words=words("lamp")),
        Term(words=words("dust"), exclude=True),
    )


@pytest.mark.parametrize("text", ["", "   ", "-", '""', "- - -", "!?&|", "\x00", '-""'])
def test_text_without_words_finds_nothing(text):
    parsed = parse_query(text)

    assert parsed.terms == ()
    assert parsed.finds_nothing


def test_exclusions_alone_find_nothing():
    assert parse_query('-rust -"flat tyre"').finds_nothing
    assert not parse_query("bicycle -rust").finds_nothing


def test_only_the_first_terms_count_and_a_phrase_only_its_first_words():
    many = " ".join(f"w{n}" for n in range(MAX_TERMS + 5))
    long_phrase = '"' + " ".join(f"p{n}" for n in range(MAX_PHRASE_WORDS + 5)) + '"'

    assert [term.text for term in parse_query(many).terms] == [f"w{n}" for n in range(MAX_TERMS)]
    assert parse_query(long_phrase).terms[0].words == tuple(
        f"p{n}" for n in range(MAX_PHRASE_WORDS)
    )
