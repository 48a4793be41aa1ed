"""Hypothesis strategies for fuzzing pb's forms and JSON API, the HTML form harvester, and the XSS probes.

The forms are not listed by hand: ``harvest_forms`` reads every ``<form method="post">`` that a page renders
(its action, its fields, the values of its options and hidden fields), so a new form is fuzzed as soon as a
page shows it. ``form_data`` then builds a request body from a harvested form: each field is left out, given
a value the form itself offered, given junk (unicode, control characters, huge strings, numbers out of range,
wrong types), or repeated; unknown fields are added now and then.
"""

from __future__ import annotations

import dataclasses
import io
import string
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

# Fields whose value is free text a resident or a member of staff writes and a page shows back.
TEXT_TYPES = {"text", "textarea", "search", "email", "url", "tel", ""}


@dataclasses.dataclass
class Field:
    """One named control of a form: its kind and the values the page offered for it."""

    name: str
    kind: str  # an <input type>, "textarea", "select", "file" or "button"
    values: list[str] = dataclasses.field(default_factory=list)
    multiple: bool = False


@dataclasses.dataclass
class Form:
    """A form as a page renders it: where it posts and its fields, in order."""

    page: str
    action: str
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)

    def add(self, name: str, kind: str, value: str | None, multiple: bool = False) -> None:
        field = self.fields.setdefault(name, Field(name, kind, multiple=multiple))
        if kind in ("checkbox", "radio", "select"):
            field.multiple = field.multiple or kind == "checkbox" or multiple
        if value is not None and value not in field.values:
            field.values.append(value)

    @property
    def text_fields(self) -> list[str]:
        """The names of the free-text fields (text inputs and text areas, not hidden ones)."""
        return [f.name for f in self.fields.values() if f.kind in TEXT_TYPES or f.kind == "textarea"]


class _FormParser(HTMLParser):
    """Collects the POST forms of one page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = urlsplit(a.get("action") or self.page).path or urlsplit(self.page).path
            self._form = Form(self.page, action) if method == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        form = self._form
        if form is not None and tag == "option" and self._select:
            form.add(self._select[0], "select", a.get("value", ""), multiple=self._select[1])
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                form.add(name, kind, a.get("value") or "on")
            elif kind == "file":
                form.add(name, "file", None, multiple="multiple" in a)
            elif kind in ("submit", "image", "reset"):
                form.add(name, "button", a.get("value") or "")
            else:
                form.add(name, kind, a.get("value"))
        elif tag == "button":
            form.add(name, "button", a.get("value") or "")
        elif tag == "select":
            self._select = (name, "multiple" in a)
            form.add(name, "select", None, multiple="multiple" in a)
        elif tag == "textarea":
            self._textarea, self._text = name, []
            form.add(name, "textarea", None)

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            text = "".join(self._text).strip()
            if text:
                self._form.add(self._textarea, "textarea", text)
            self._textarea = None


def harvest_forms(page: str, html: str) -> list[Form]:
    """Every POST form that ``html`` (served at ``page``) renders."""
    parser = _FormParser(page)
    parser.feed(html)
    parser.close()
    return parser.forms


# Junk -----------------------------------------------------------------------------------------------

XSS_MARK = "pbxss"

# Classic payloads, each carrying the marker so that a live copy of it can be told from the app's own markup.
XSS_PAYLOADS = [
    f"<script>alert('{XSS_MARK}1')</script>",
    f"\"><img src=x onerror=alert('{XSS_MARK}2')>",
    f"'><svg onload=alert('{XSS_MARK}3')>",
    f"javascript:alert('{XSS_MARK}4')",
    f"[click me](javascript:alert('{XSS_MARK}5'))",
    f"![{XSS_MARK}6](x\" onerror=\"alert(1))",
    f"<a href=\"javascript:alert('{XSS_MARK}7')\">{XSS_MARK}7</a>",
    f"<iframe srcdoc=\"<script>alert('{XSS_MARK}8')</script>\"></iframe>",
    f"\\u003cscript\\u003ealert('{XSS_MARK}9')\\u003c/script\\u003e",
    f"&lt;script&gt;alert('{XSS_MARK}10')&lt;/script&gt;",
    f"<svg><animate onbegin=alert('{XSS_MARK}11') attributeName=x dur=1s>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{XSS_MARK}12')>",
    f"<details open ontoggle=alert('{XSS_MARK}13')>",
    f"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== \"{XSS_MARK}14\")",
    f"<style>@import 'https://evil.example/{XSS_MARK}15.css';</style>",
    f"\uff1cscript\uff1ealert('{XSS_MARK}16')\uff1c/script\uff1e",
    f"<a href=\" &#14;  javascript:alert('{XSS_MARK}17')\">x</a>",
    f"<<script>script>alert('{XSS_MARK}18')<</script>/script>",
]

LIVE_TAGS = {"script", "iframe", "svg", "math", "object", "embed", "style", "details", "animate", "mglyph",
             "base", "meta", "link", "form"}


class _LiveMarkup(HTMLParser):
    """Finds markup that a payload injected: a tag carrying the marker, an event handler, a script URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler attribute")
            squashed = "".join(ch for ch in value if ch > " ").lower()
            if name in ("href", "src", "action", "formaction", "srcdoc", "data", "xlink:href") and (
                    squashed.startswith(("javascript:", "data:text/html", "vbscript:")) or name == "srcdoc"):
                self.problems.append(f"<{tag} {name}={value!r}>: a script URL")
            if XSS_MARK in value and tag in LIVE_TAGS:
                self.problems.append(f"<{tag} {name}={value!r}>: an injected element")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>: an injected image")
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw and XSS_MARK in data:
            self.problems.append(f"<{self._raw}> holding {data[:80]!r}: an injected {self._raw}")


def live_markup(html: str) -> list[str]:
    """What in ``html`` a payload made live (an element, an attribute or a URL that would run); [] if none."""
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.problems


def _huge(draw_char: str, size: int) -> str:
    return draw_char * size


CONTROL = "".join(chr(c) for c in range(0, 32)) + "\x7f\u0085\u2028\u2029\u200b\u200e\u202e\ufeff"

junk_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40),
    st.text(alphabet=CONTROL + "ab ", min_size=1, max_size=20),
    # Just past each length the forms allow (the longest is a project description, 20,000 characters).
    st.builds(_huge, st.sampled_from(["a", "é", "€", "\U0001f600", "<", "9", " "]),
              st.sampled_from([257, 2_001, 5_001, 20_001])),
    st.sampled_from(XSS_PAYLOADS),
    st.sampled_from(["", " ", "\t\n", "null", "None", "undefined", "true", "[]", "{}", "0x10", "%s%s%n",
                     "{0}{1}", "' OR 1=1 --", "\"; DROP TABLE ballot; --", "../../../../etc/passwd",
                     "\x00", "a\x00b", "%00", "\\", "NaN", "Infinity", "-Infinity", "1e309", "-0", "０１２",
                     "٣", "½", "1_000", " 12 ", "12,50", "12.505", "-1", "9" * 40, "2026-02-30", "1900-01-01"]),
)
junk_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=-3, max_value=3000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
junk_value = st.one_of(junk_text, junk_number, junk_text, junk_number)
junk_name = st.one_of(st.sampled_from(["id", "user_id", "role", "status", "pool_id", "author_id", "csrf_token",
                                       "next", "process_id", "__proto__", "cost[]", "project[]"]),
                      st.text(alphabet=string.ascii_letters + "_[].", min_size=1, max_size=12))


@st.composite
def file_upload(draw) -> tuple[io.BytesIO, str]:
    """A file field's value: random bytes, text that looks like CSV, or a fake image, with a hostile name."""
    body = draw(st.one_of(
        st.binary(max_size=2_000),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.lists(junk_text, max_size=4).map(lambda row: ",".join(row)), max_size=12).map(
            lambda rows: "\n".join(["reference,birth_year,district", *rows]).encode("utf-8", "surrogatepass")),
        st.sampled_from([b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\xff" * 30, b"%PDF-1.4\n",
                         b"\xef\xbb\xbfreference;birth_year;district\nAB-9;1980;north\n",
                         "reference,birth_year,district\nAB-1001,19800,north\nAB-1002,-5,\n".encode()]),
    ))
    name = draw(st.sampled_from(["data.csv", "../../x.csv", "a.png", "", "x" * 300 + ".csv", "ü.txt", "a\x00.csv"]))
    return io.BytesIO(body), name


@st.composite
def form_data(draw, form: Form) -> MultiDict:
    """A request body for ``form``: each field left out, offered, junk or repeated; unknown fields now and then."""
    data: MultiDict = MultiDict()
    for field in form.fields.values():
        if field.kind == "file":
            if draw(st.booleans()):
                data.add(field.name, draw(file_upload()))
            continue
        how = draw(st.sampled_from(["omit", "offered", "offered", "junk", "junk", "junk", "repeat"]))
        if how == "omit":
            continue
        good = st.sampled_from(field.values) if field.values else junk_value
        if how == "offered":
            data.add(field.name, draw(good))
        elif how == "junk":
            data.add(field.name, draw(junk_value))
        else:
            for value in draw(st.lists(st.one_of(good, junk_value), min_size=2, max_size=5)):
                data.add(field.name, value)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        data.add(draw(junk_name), draw(junk_value))
    return data


def offered_data(form: Form, text: str | None = None) -> MultiDict:
    """A plausible body for ``form``: the first offered value of every field, ``text`` in every free-text field."""
    data: MultiDict = MultiDict()
    for field in form.fields.values():
        if field.kind in ("file",):
            continue
        if text is not None and field.name in form.text_fields:
            data.add(field.name, text)
        elif field.kind == "button":
            continue
        elif field.values:
            data.add(field.name, field.values[0])
    return data


# In an address, long values stop at a few kilobytes: gunicorn refuses a request line over 4,094 bytes before
# the app sees it, and decoding megabyte addresses in the test client was most of the fuzzing's time.
junk_in_address = st.one_of(
    junk_text.filter(lambda text: len(text) <= 10_001), junk_number,
    st.builds(_huge, st.sampled_from(["a", "é", "\U0001f600", "<", "%"]), st.sampled_from([257, 1_001, 4_001])),
)
query_params = st.dictionaries(
    st.one_of(st.sampled_from(["page", "per_page", "limit", "offset", "q", "pool", "district", "category", "status",
                               "sort", "beneficiary", "cost_min", "cost_max", "phase", "format", "lang", "id"]),
              junk_name),
    st.one_of(junk_in_address, st.lists(junk_in_address, min_size=2, max_size=3)),
    max_size=5,
)
