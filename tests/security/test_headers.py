"""Security headers on every response: every route of the app's url_map, error pages, static files, the JSON API,
PDF and CSV downloads, and HSTS with Secure cookies in production (ASVS V9.1, V14.4, V3.4)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, TEST_CONFIG
from tests.test_routes_by_role import EXPECTED, route_world  # noqa: F401  (the fixture is used below)

# Public files that choose their own caching (the stylesheet, images of public projects).
PUBLIC_FILES = ("static", "proposals.image", "delivery.photo")


def assert_security_headers(response, where: str, production: bool = False) -> None:
    """The headers every answer of pb carries, whatever its status or type."""
    headers = response.headers
    directives = {part.split()[0]: part.split()[1:] for part in
                  headers.get("Content-Security-Policy", "").split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], where
    for name in ("object-src", "base-uri", "frame-ancestors"):
        assert directives.get(name) == ["'none'"], (where, name)
    assert not any("'unsafe-inline'" in v or "'unsafe-eval'" in v or "*" in v for v in directives.values()), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), where
    assert headers.get("X-Frame-Options") == "DENY", where
    if production:
        hsts = headers.get("Strict-Transport-Security", "")
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000 and "includeSubDomains" in hsts, where


def test_every_route_is_covered_by_the_table(app):
    """The header test walks the route-by-role table, which must name every rule of the url_map."""
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


@pytest.mark.parametrize("role", ["anonymous", "resident", "admin"])
def test_every_route_answers_with_the_security_headers(client, make_user, route_world, login, role):  # noqa: F811
    if role != "anonymous":
        login(make_user(role=role))
    statuses = set()
    for endpoint in sorted(EXPECTED, key=lambda e: e == "accounts.logout"):
        method, path, _expected = EXPECTED[endpoint]
        response = client.open(path, method=method)
        statuses.add(response.status_code)
        assert_security_headers(response, f"{role} {method} {path} ({endpoint})")
        if role != "anonymous" and endpoint != "accounts.logout":
            # What a signed-in person sees stays out of caches, but for public files that set their own.
            cache = response.headers.get("Cache-Control", "")
            assert "no-store" in cache or endpoint in PUBLIC_FILES, (endpoint, cache)
        response.close()
    # Pages, redirects and errors were all among them.
    assert {200, 302}.issubset(statuses) and statuses & {403, 404}


def test_error_answers_carry_the_headers(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal")

    from pb.accounts.permissions import public

    public(boom)
    with app.app_context():
        from pb.extensions import limiter

        limiter.reset()
        client = app.test_client()
        cases = {
            "404 page": client.get("/no-such-page"),
            "404 JSON": client.get("/api/v1/processes/999/projects"),
            "405": client.put("/login"),
            "500": client.get("/boom"),
            "400 CSRF": client.post("/login", data={"email": "a@example.org", "password": "x"}),
            "static": client.get("/static/pb.css"),
            "JSON API": client.get("/api/v1/processes"),
            "health": client.get("/healthz"),
        }
    limited = make_app(PB_LOGIN_LIMIT_PER_ADDRESS="1 per minute")
    with limited.app_context():
        limiter.reset()
        client = limited.test_client()
        client.post("/login", data={"email": "a@example.org", "password": "x"}).close()
        cases["429"] = client.post("/login", data={"email": "a@example.org", "password": "x"})
    for response in cases.values():
        response.close()
    assert cases["429"].status_code == 429 and cases["500"].status_code == 500
    for where, response in cases.items():
        assert_security_headers(response, where)


@pytest.fixture
def production_app(make_app):
    """An app configured as in production; its limits are off, as no Redis need be there (TEST_CONFIG turns
    them on again for the next app)."""
    return make_app(PB_ENV="production", PB_BASE_URL="https://pb.city.example", PB_BALLOT_KEY="b" * 64,
                    PB_REGISTER_KEY="r" * 64, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=False,
                    SECRET_KEY=TEST_CONFIG["SECRET_KEY"])


def test_production_sends_hsts_everywhere_and_secure_cookies(production_app, make_user):
    app = production_app
    with app.app_context():
        user = make_user()
        client = app.test_client()
        for path in ("/", "/login", "/static/pb.css", "/api/v1/processes", "/no-such-page", "/healthz"):
            response = client.get(path, base_url="https://pb.test")
            assert_security_headers(response, path, production=True)
            response.close()
        signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                                base_url="https://pb.test")
    assert signed_in.status_code == 302
    cookies = signed_in.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies), cookies
