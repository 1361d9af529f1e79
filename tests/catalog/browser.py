"""Open the generated HTML catalog in a real headless Chromium and report.

Usage: browser.py HTML_DIR SCREENSHOT_DIR [QUERY...]

Loads every page of HTML_DIR from file:// (no server, no network: any
request that is not for a file under HTML_DIR is blocked and reported) and
prints one JSON report on stdout:

- per page: console messages of type error or warning, uncaught page errors,
  JavaScript dialogs (an injected alert() would open one), blocked requests,
  and whether the page is wider than a phone screen;
- for index.html: the visible contract and column rows before, after
  typing each QUERY into the search box (with the status line and the
  address), and after clearing it again;
- screenshots: index.png (desktop), index-filtered.png (the first query),
  index-phone.png and one <page>.png per contract page, under SCREENSHOT_DIR.

Chromium is Debian's (/usr/bin/chromium, or $DATAPACT_CHROMIUM), driven by
Playwright over its own pipe; Playwright never downloads a browser here.
"""

import json
import os
import pathlib
import sys

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def visible(page, selector):
    return page.eval_on_selector_all(
        selector, "rows => rows.filter(r => r.offsetParent !== null).length"
    )


def main():
    html_dir = pathlib.Path(sys.argv[1]).resolve()
    shots = pathlib.Path(sys.argv[2]).resolve()
    queries = sys.argv[3:]
    shots.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("DATAPACT_CHROMIUM", "/usr/bin/chromium")
    root = html_dir.as_uri() + "/"
    report = {"pages": {}, "chromium": chromium}

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        report["browser_version"] = browser.version
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, offline=True
        )
        blocked = []

        def route(r):
            url = r.request.url
            if url.startswith(root):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        context.route("**/*", route)

        for path in sorted(html_dir.glob("*.html")):
            page = context.new_page()
            messages, errors, dialogs = [], [], []
            page.on(
                "console",
                lambda m: messages.append({"type": m.type, "text": m.text})
                if m.type in ("error", "warning")
                else None,
            )
            page.on("pageerror", lambda e: errors.append(str(e)))

            def on_dialog(d, dialogs=dialogs):
                dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", on_dialog)
            blocked.clear()
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(100)
            entry = {
                "title": page.title(),
                "console": messages,
                "page_errors": errors,
                "dialogs": dialogs,
                "search_visible": page.is_visible("#filter"),
            }
            if path.name == "index.html":
                entry["contracts_before"] = visible(page, "tr[data-kind=contract]")
                entry["columns_before"] = visible(page, "tr[data-kind=column]")
                page.screenshot(path=str(shots / "index.png"), full_page=True)
                entry["queries"] = {}
                for i, query in enumerate(queries):
                    page.fill("#filter", query)
                    page.wait_for_timeout(50)
                    entry["queries"][query] = {
                        "contracts": visible(page, "tr[data-kind=contract]"),
                        "columns": visible(page, "tr[data-kind=column]"),
                        "status": page.inner_text("#filter-status"),
                        "hash": page.evaluate("window.location.hash"),
                    }
                    if i == 0:
                        page.screenshot(
                            path=str(shots / "index-filtered.png"), full_page=True
                        )
                if queries:
                    page.fill("#filter", "")
                    page.wait_for_timeout(50)
                    entry["contracts_cleared"] = visible(page, "tr[data-kind=contract]")
                    entry["columns_cleared"] = visible(page, "tr[data-kind=column]")
                page.set_viewport_size({"width": 390, "height": 844})
                page.wait_for_timeout(50)
                entry["phone_overflow"] = page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth"
                )
                page.screenshot(path=str(shots / "index-phone.png"), full_page=False)
            else:
                entry["columns_before"] = visible(page, "tr[data-kind=column]")
                page.screenshot(path=str(shots / (path.stem + ".png")), full_page=True)
                page.set_viewport_size({"width": 390, "height": 844})
                page.wait_for_timeout(50)
                entry["phone_overflow"] = page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth"
                )
            entry["blocked_requests"] = list(blocked)
            report["pages"][path.name] = entry
            page.close()
        browser.close()
    json.dump(report, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
