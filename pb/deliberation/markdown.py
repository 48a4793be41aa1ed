"""Comments in plain text or a small Markdown subset, rendered on display and sanitised.

The source text is what is stored; rendering happens on display, so a safer sanitiser later
protects old comments too.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# The subset: paragraphs, emphasis, strong, links, lists, inline code and code blocks. No raw HTML,
# no images, no headings, no tables.
_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False, "breaks": True}).enable(
    ["emphasis", "link", "list", "backticks", "fence", "code", "newline", "escape", "autolink"]
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"


def sanitise(html: str) -> str:
    """Keep only the allowed tags, attributes and link schemes; links get rel="nofollow noopener ugc"."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                     link_rel=LINK_REL, strip_comments=True)


@lru_cache(maxsize=4096)
def render(source: str) -> Markup:
    """The comment's source text as safe HTML (markdown-it with HTML disabled, then nh3)."""
    return Markup(sanitise(_md.render(source)))
