"""`python -m pipeline.tools.report_bench --output DIR [DIR ...]`: how long the HTML report takes to build,
how big it is, and how fast it opens and filters in headless chromium.

    python -m pipeline.tools.report_bench --output out/polnear_train out/polnear_dev
    python -m pipeline.tools.report_bench --output out/polnear_dev --scale 70     # ~100k claims

The build is timed as a user runs it (`python -m pipeline report`, a new process, twice: the first
run may also bundle Vega's scripts into the user cache). `--scale N` repeats every document N
times under new ids (in a temporary folder) to see how the page copes with a bigger corpus. The
browser part needs Debian's chromium and chromium-driver and selenium; it is skipped, saying so,
without them. Figures are printed, never asserted: the targets are in the README.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.tools.report import OPTIONAL, REQUIRED

ID_COLUMNS = ("doc_id", "quote_id", "mention_id")


def scaled_copy(out_dirs: list[Path], to: Path, times: int) -> Path:
    """The tables of `out_dirs`, every document repeated `times` times under new ids."""
    to.mkdir(parents=True, exist_ok=True)
    for name in list(REQUIRED) + list(OPTIONAL):
        parts = [pq.read_table(d / f"{name}.parquet") for d in out_dirs if (d / f"{name}.parquet").exists()]
        if not parts:
            continue
        table = pa.concat_tables(parts, promote_options="permissive")
        if "doc_id" not in table.column_names:          # entities: shared by all copies
            pq.write_table(table, to / f"{name}.parquet")
            continue
        copies = []
        for k in range(times):
            copy = table
            for col in ID_COLUMNS:
                if col in copy.column_names:
                    index = copy.column_names.index(col)
                    copy = copy.set_column(index, col, pc.binary_join_element_wise(
                        copy.column(col), pa.scalar(f"~{k}"), ""))
            copies.append(copy)
        pq.write_table(pa.concat_tables(copies), to / f"{name}.parquet")
    return to


def build(out_dirs: list[Path], page: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "report", "--output", *map(str, out_dirs), "--to", str(page)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def headless_chromium(chromium: str, driver_path: str, profile: str):
    """Debian's chromium driven by selenium, headless, with the flags this closed network needs
    (no background connections) and a fresh profile; browser console messages are kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1600", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def browse(page: Path, shots: Path) -> dict:
    """Seconds to open, to filter by a click on the top speaker and by a search; console errors."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
    except ImportError:
        return {"skipped": "selenium is not installed"}
    if not chromium or not driver_path:
        return {"skipped": "chromium / chromium-driver not installed (apt-get install -y chromium chromium-driver)"}
    profile = tempfile.mkdtemp(prefix="chromium-")
    driver = headless_chromium(chromium, driver_path, profile)

    def until(check, timeout=120.0):
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if check():
                return time.perf_counter() - started
            time.sleep(0.02)
        raise TimeoutError("the page did not respond in time")

    def count():
        return int(driver.find_element(By.ID, "claims").get_attribute("data-count"))

    try:
        started = time.perf_counter()
        driver.get(page.resolve().as_uri())
        until(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "ready")
        result = {"open_s": time.perf_counter() - started, "claims": count()}
        bar = driver.find_elements(By.CSS_SELECTOR, ".speakers_marks path")[0]
        started = time.perf_counter()
        ActionChains(driver).move_to_element(bar).click().perform()
        until(lambda: count() < result["claims"])
        result["click_filter_s"] = time.perf_counter() - started
        result["after_click"] = count()
        driver.save_screenshot(str(shots / "bench-click.png"))
        driver.find_element(By.ID, "clear-charts").click()
        until(lambda: count() == result["claims"])
        started = time.perf_counter()
        driver.find_element(By.ID, "search").send_keys("said")
        until(lambda: count() < result["claims"])
        result["search_filter_s"] = time.perf_counter() - started
        result["console_errors"] = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        return result
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.tools.report_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, nargs="+", required=True, help="output folder(s) to report on")
    parser.add_argument("--scale", type=int, default=1, help="repeat every document N times (default 1)")
    parser.add_argument("--to", type=Path, default=None, help="keep the page here (default: a temporary folder)")
    parser.add_argument("--no-browser", action="store_true", help="only time the build")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        tmp = Path(tmp)
        sources = args.output
        if args.scale > 1:
            sources = [scaled_copy(args.output, tmp / "scaled", args.scale)]
        page = args.to or tmp / "report.html"
        first = build(sources, page)
        second = build(sources, page)
        claims = sum(pq.read_metadata(d / "claims.parquet").num_rows for d in sources)
        print(f"report of {' + '.join(map(str, args.output))}{f' x{args.scale}' if args.scale > 1 else ''}: "
              f"{claims} claims")
        print(f"  build (python -m pipeline report, new process): {first:.1f}s first run, {second:.1f}s second run")
        print(f"  size: {page.stat().st_size / 1e6:.1f} MB")
        if not args.no_browser:
            result = browse(page, page.parent)
            if "skipped" in result:
                print(f"  browser: skipped ({result['skipped']})")
            else:
                print(f"  chromium: open {result['open_s']:.1f}s ({result['claims']} claims in the table); "
                      f"click on the top speaker -> {result['after_click']} claims in {result['click_filter_s']:.2f}s; "
                      f"search -> {result['search_filter_s']:.2f}s; console errors: {len(result['console_errors'])}")
                for message in result["console_errors"][:5]:
                    print(f"    {message[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
