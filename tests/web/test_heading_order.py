"""Headings never skip a level on any page (axe's "heading-order"): crawled like test_page_crawl, as a
firm owner, a viewer and a reviewer, in both languages."""

from html.parser import HTMLParser

import pytest

from tests.web.test_page_crawl import _client, _urls, state  # noqa: F401 - `state` is the crawl's fixture

pytestmark = pytest.mark.django_db


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[tuple[int, str]] = []
        self._open: int | None = None

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._open = int(tag[1])
            self.levels.append((self._open, dict(attrs).get("id") or ""))


def heading_skips(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    skips, previous = [], None
    for level, ident in parser.levels:
        if previous is not None and level > previous + 1:
            skips.append(f"h{previous} -> h{level} ({ident or 'no id'})")
        previous = level
    return skips


def test_the_checker_finds_a_skipped_level():
    assert heading_skips("<h1>a</h1><h2>b</h2><h4 id='x'>c</h4><h2>d</h2>") == ["h2 -> h4 (x)"]
    assert heading_skips("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><h1>e</h1>") == []


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("persona", ["owner", "viewer", "reviewer"])
def test_no_page_skips_a_heading_level(state, persona, language):  # noqa: F811
    users, values = state
    client = _client(users, persona, language)
    problems = []
    for url in _urls(values):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        problems += [f"{url}: {skip}" for skip in heading_skips(response.content.decode())]
    assert not problems, "\n".join(sorted(set(problems)))
