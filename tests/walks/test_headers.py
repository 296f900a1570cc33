"""Security headers and the content security policy on every page, and nothing inline."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests import PROJECT_ROOT
from tests.walks.test_isolation import PLACEHOLDER, all_paths, fill

ROOT = PROJECT_ROOT


def assert_security_headers(url, response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert "object-src 'none'" in csp, url
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "unsafe-inline" not in script_src.group(1), url
    assert "http" not in csp, url  # no outside origin is allowed
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    # Pages behind personal links send no referrer at all (their URL is a secret).
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), url
    assert response.headers.get("X-Frame-Options") == "DENY", url
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), url


def walk_headers(client):
    seen = 0
    for path in all_paths():
        url = fill(path, 1) if PLACEHOLDER.search(path) else path
        response = client.get(url)
        assert response.status_code < 500, url
        assert_security_headers(url, response)
        seen += 1
    return seen


@pytest.mark.django_db
def test_every_page_has_the_security_headers_for_staff(coordinator_client):
    assert walk_headers(coordinator_client) == len(list(all_paths()))


@pytest.mark.django_db
def test_every_page_has_the_security_headers_for_anonymous_visitors(client):
    assert walk_headers(client) == len(list(all_paths()))


@pytest.mark.django_db
def test_static_files_and_errors_have_the_headers_too(client):
    assert_security_headers("404", client.get("/no-such-page/"))
    assert_security_headers("static", client.get("/static/css/app.css"))


def page_templates():
    """The project's and every app's templates, but not e-mails (never served as a page;
    mail clients need inline styles)."""
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        for template in folder.rglob("*.html"):
            if "email" not in template.relative_to(folder).parts:
                yield template


def test_templates_have_no_inline_scripts_styles_or_outside_resources():
    offenders = []
    templates = list(page_templates())
    assert len(templates) > 10
    for template in templates:
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"<style",
                        r"\son[a-z]+=", r"(?:src|href)=\"(?:https?:)?//"):
            if re.search(pattern, text):
                offenders.append((template.name, pattern))
    assert offenders == []


@pytest.mark.django_db
def test_the_api_docs_load_everything_from_this_site(coordinator_client):
    page = coordinator_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/' in attrs for attrs in scripts)
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html))
    csp = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in csp
    script = coordinator_client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()

    bundle = re.search(r'src="/static/([^"]*swagger-ui-bundle\.js)"', html).group(1)
    assert finders.find(bundle)  # shipped by drf-spectacular-sidecar, collected as static
