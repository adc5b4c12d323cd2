"""The course's site (make html) in a real browser, offline: every page, its formulas, links and images, and search.

Serves build/html on 127.0.0.1 (http.server in a thread), opens every page in Debian's headless chromium
(driven by playwright) and fails on any request to another host. Screenshots go to build/screenshots/site-*.png.
Run it with:  make test-browser   (which runs make html first)
"""

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright  # make test-browser installs it (the "browser" extra)

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "html"
SHOTS = ROOT / "build" / "screenshots"
LOCAL = {"127.0.0.1", "localhost"}
# Every page but the theme's template snippets (_static/) and index.html, a redirect to docs/index.html (the last test).
PAGES = sorted(
    name
    for name in (p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    if not name.startswith("_static/") and name != "index.html"
)

# Each '$' left in the text outside code, and whether every formula became MathJax's output.
MATH_CHECK = """() => {
  const skip = "pre, code, script, style, textarea, mjx-container";
  const walker = document.createTreeWalker(document.querySelector("article") || document.body, NodeFilter.SHOW_TEXT);
  const stray = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent.includes("$") && !n.parentElement.closest(skip)) stray.push(n.textContent.trim().slice(0, 80));
  }
  const formulas = [...document.querySelectorAll("article .math")];
  return {stray, formulas: formulas.length, typeset: formulas.filter(f => f.querySelector("mjx-container")).length};
}"""
BROKEN_IMAGES = """() => [...document.images]
  .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 100))"""


@pytest.fixture(scope="module")
def site():
    """The built site, served on 127.0.0.1; yields its address."""
    if not (SITE / "docs" / "index.html").is_file():
        pytest.fail("no site in build/html: run make html (make test-browser does)")
    handler = functools.partial(Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would bury pytest's output
        pass


@pytest.fixture(scope="module")
def browser_page(site, chromium):
    """A chromium page whose requests to any host but this machine are aborted and recorded."""
    outside = []

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", route)
        page = context.new_page()
        try:
            yield page, outside
        finally:
            browser.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"site-{name}.png")
    print(f"\nscreenshot: {SHOTS / f'site-{name}.png'}")


def test_every_page_typesets_its_formulas_and_its_links_and_images_resolve(site, browser_page):
    page, outside = browser_page
    problems, checked, math_pages = [], {}, 0
    for name in PAGES:
        page.goto(site + name, wait_until="load")
        if page.locator("article .math").count():
            math_pages += 1
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
        math = page.evaluate(MATH_CHECK)
        if math["stray"]:
            problems.append(f"{name}: raw '$' in the text: {math['stray'][:3]}")
        if math["typeset"] != math["formulas"]:
            problems.append(f"{name}: {math['formulas'] - math['typeset']} of {math['formulas']} formulas not typeset")
        problems += [f"{name}: image did not load: {src}" for src in page.evaluate(BROKEN_IMAGES)]
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for url in {urldefrag(h).url for h in hrefs if urlsplit(h).hostname in LOCAL}:
            if url not in checked:
                checked[url] = page.request.get(url).status
            if checked[url] != 200:
                problems.append(f"{name}: link to {url} answers {checked[url]}")
        if name == "docs/index.html":
            # in a new tab, as a reader arriving at the site sees it (within one tab the theme keeps the
            # sidebar's scroll position from page to page)
            first_visit = page.context.new_page()
            first_visit.goto(site + name, wait_until="load")
            _shot(first_visit, "index")
            first_visit.close()
        if name == "notebooks/02_excitation.html":
            page.locator("article .cell_output img").first.scroll_into_view_if_needed()
            page.mouse.wheel(0, -250)  # the formulas above the figure too
            page.wait_for_timeout(300)
            _shot(page, "notebook")
    assert not problems, "\n".join(problems)
    assert math_pages >= 10, f"only {math_pages} pages with formulas: is dollarmath on?"
    assert len(checked) >= len(PAGES)
    assert not outside, f"requests left the machine: {sorted(set(outside))}"


def test_search_finds_excitation(site, browser_page):
    page, outside = browser_page
    page.goto(site + "search.html?q=excitation", wait_until="load")
    summary = page.locator("#search-results .search-summary")
    expect(summary).to_have_text(re.compile(r"found \d+ page"), timeout=30_000)  # the search has finished
    results = page.locator("#search-results ul.search li")
    assert results.count() >= 10, f"search for 'excitation' lists {results.count()} pages: {summary.inner_text()}"
    # each result quotes its page's own words around the hit, not the theme's buttons or side lists
    # (each page is fetched after its result is listed: wait for every snippet)
    expect(page.locator("#search-results ul.search li p.context")).to_have_count(results.count(), timeout=30_000)
    snippets = page.locator("#search-results ul.search li p.context").all_inner_texts()
    assert all("excitation" in s.lower() for s in snippets), snippets
    theme_words = [s for s in snippets if re.search(r"System Settings|Light Dark|Toggle|\bContents\b", s)]
    assert not theme_words, f"snippets quote the theme's buttons: {theme_words}"
    _shot(page, "search")
    assert not outside, f"requests left the machine: {sorted(set(outside))}"


def test_the_site_root_opens_the_course_map_with_sidebar_and_search_box(site, browser_page):
    page, outside = browser_page
    page.goto(site, wait_until="load")
    expect(page).to_have_url(site + "docs/index.html")
    expect(page.locator("nav.bd-docs-nav a.reference").first).to_be_visible()
    expect(page.locator(".search-button-field").first).to_be_visible()
    assert not outside, f"requests left the machine: {sorted(set(outside))}"


def test_the_guard_records_a_request_to_another_host(site, browser_page):
    """The control for the tests above: a request that does leave for another host is caught and recorded."""
    page, outside = browser_page
    page.goto(site + "docs/index.html", wait_until="load")
    before = len(outside)
    page.evaluate("() => fetch('https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js').catch(() => null)")
    assert outside[before:] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"]
    del outside[before:]
