"""Screenshots of the seeded demo for the README (``make screenshots``).

Seeds the demo company into a scratch SQLite database, serves it, and photographs the
pages of the README's tour with Chromium (``/usr/bin/chromium`` through Playwright):

    python docs/screenshots/take.py [--deals 25000] [--port 8765] [--out docs/screenshots]

Needs the test extra (Playwright) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "dirco-demo"

# (file, login, path, viewport, full page?)
SHOTS = [
    ("director-home.png", "director@demo.test", "/", (1366, 900), False),
    ("objectives-curve.png", "director@demo.test", "/objectives/curve/", (1366, 900), False),
    ("forecast.png", "director@demo.test", "/revenue/forecast/", (1366, 900), False),
    ("partners.png", "director@demo.test", "/partners/?sort=-won", (1366, 900), False),
    ("pipeline-board.png", "rep1@demo.test", "/pipeline/", (1366, 900), False),
    ("deal-form.png", "rep1@demo.test", "/deals/new/", (1366, 900), False),
    ("portal-home.png", "partner1@demo.test", "/portal/", (1366, 900), True),
    ("mdf-impact.png", "director@demo.test", "/mdf/requests/1/", (1366, 900), True),
    # The company's plan of this fiscal year: the third plan the demo makes.
    ("plan-impact.png", "director@demo.test", "/plans/3/impact/", (1366, 900), True),
    ("phone-board.png", "rep1@demo.test", "/pipeline/", (360, 740), False),
    ("phone-director-home.png", "director@demo.test", "/", (360, 740), False),
]


def dirco() -> list[str]:
    script = Path(sys.executable).with_name("dirco")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dirco.manage"]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def shoot(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, login, path, (width, height), full in SHOTS:
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=1
            )
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", login)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state("load")
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            if name == "deal-form.png":
                # Show the account type-ahead at work.
                page.fill("[data-autocomplete-input]", "ind")
                page.wait_for_selector("[data-autocomplete-list].is-open [role=option]")
            page.screenshot(path=str(out / name), full_page=full)
            print(f"{name}: {login} {path} at {width}x{height}")
            context.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=25_000)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8106")))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dirco-shots-") as tmp:
        env = {**os.environ, "SQLITE_PATH": str(Path(tmp) / "demo.sqlite3")}
        env.pop("DATABASE_URL", None)
        subprocess.run([*dirco(), "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run([*dirco(), "seed_demo", "--deals", str(args.deals)], env=env, check=True)
        server = subprocess.Popen(
            [*dirco(), "runserver", "--noreload", "--insecure", f"127.0.0.1:{args.port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_for(f"{base}/healthz")
            shoot(base, args.out)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
