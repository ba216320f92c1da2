import re

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def same_page(first: str, second: str, *, first_url: str, second_url: str) -> bool:
    """Whether two pages are the same but for their own URL and the per-render CSRF mask."""

    def normalise(html: str, url: str) -> str:
        return _CSRF_INPUT.sub("CSRF", html).replace(url, "URL")

    return normalise(first, first_url) == normalise(second, second_url)
