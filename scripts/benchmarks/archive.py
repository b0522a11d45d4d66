"""Archive reads against the sqlite3 shell on the same file, in the same run.

An archive of N housekeeping reports of the thermal structure (ten parameters each) is built
once. Then, each as a whole process, timed and with its peak memory:
  export     `ground export csv` of every parameter of it, streamed to a file, against the
             sqlite3 shell writing the same rows (time, structure, octets) as CSV: the I/O floor
  query      `ground archive query cam_temp`, against the shell running the same SQL (the query's
             SQL selects the reports, decodes the one parameter and writes the lines itself);
             and, for scale, against the shell selecting the same rows undecoded
Goals: the query within 2x of the same SQL in the shell; the export in bounded memory (flat as N grows).

    ./scripts/bench archive [--reports N] [--runs N]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fsw.dictionary import load  # noqa: E402
from fsw.protocol import TmPacket, TmSender  # noqa: E402
from ground.archive import Archive, ArchiveReader  # noqa: E402
from ground.ingest import Ingest  # noqa: E402


def build(path: Path, reports: int) -> None:
    dictionary = load()
    archive = Archive(path, dictionary, retention=None)
    ingest = Ingest(dictionary, archive=archive)
    values = {p.name: (p.enum[0][0] if p.enum else 0) for p in dictionary.structures[20]}
    sender = TmSender()
    for i in range(reports):
        values["cam_temp"] = i % 5000
        sender.push(TmPacket(0x011, 3, 25, dictionary.encode_hk(20, values), time=757_000_000 + i))
        if i % 1000 == 999:
            ingest.feed(sender.output())
    ingest.feed(sender.output(flush=True))
    archive.close()


def _query_sql(path: Path) -> tuple[str, tuple]:
    """The SQL `ground archive query cam_temp` runs on this archive."""
    reader = ArchiveReader(path, load())
    try:
        return reader.text_query("cam_temp")
    finally:
        reader.close()


def _inlined(sql: str, params: tuple) -> str:
    """The statement with its parameters written in, as a person would type it into the shell."""
    for value in params:
        sql = sql.replace("?", f"'{value}'" if isinstance(value, str) else repr(value), 1)
    return sql


def measured(argv: list[str], out: Path | None = None) -> tuple[float, float]:
    """(seconds, peak resident megabytes) of one process, the peak as GNU time reports it (a
    child's own getrusage would count the memory of the Python that forked it)."""
    start = time.perf_counter()
    with open(out or os.devnull, "w") as sink, tempfile.NamedTemporaryFile("r") as peak:
        done = subprocess.run(["/usr/bin/time", "-o", peak.name, "-f", "%M", *argv], stdout=sink,
                              stderr=subprocess.PIPE, text=True)
        kilobytes = float(peak.read().strip().splitlines()[-1] or 0)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed, kilobytes / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="runs of each query (default 5)")
    args = parser.parse_args()
    shell = shutil.which("sqlite3")
    if shell is None or not Path("/usr/bin/time").exists():
        raise SystemExit("the sqlite3 shell is the baseline and GNU time measures memory: apt-get install sqlite3 time")
    ground = str(Path(sys.executable).with_name("ground"))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.sqlite"
        build(path, args.reports)
        samples = args.reports * len(load().structures[20])
        print(f"archive: {args.reports:,} thermal reports ({samples:,} samples), {path.stat().st_size / 1e6:.1f} MB")
        rows = "SELECT obt, name, hex(data) FROM packets WHERE name = 'sid20' ORDER BY obt, id"
        ours = measured([ground, "export", "csv", "--archive", str(path), "--out", f"{directory}/ours.csv"])
        base = measured([shell, "-csv", str(path), rows], Path(directory) / "shell.csv")
        print(f"export csv    ours {ours[0]:6.2f} s {ours[1]:6.0f} MB peak   sqlite3 shell {base[0]:6.2f} s "
              f"{base[1]:6.0f} MB peak   time {ours[0] / base[0]:5.2f}x  memory {ours[1] / base[1]:5.2f}x")
        runs = [(measured([ground, "archive", "query", "cam_temp", "--archive", str(path)]),
                 measured([shell, str(path), _inlined(*_query_sql(path))]),
                 measured([shell, str(path), "SELECT obt, data FROM packets WHERE name = 'sid20' ORDER BY obt"]))
                for _ in range(args.runs)]      # interleaved, the fastest of each: a busy machine slows all alike
        ours_q, base_q, raw_q = (min(column) for column in zip(*runs))
        print(f"(fastest of {args.runs} runs each)")
        ratio = ours_q[0] / base_q[0]
        print(f"archive query ours {ours_q[0]:6.2f} s {ours_q[1]:6.0f} MB peak   sqlite3 shell {base_q[0]:6.2f} s "
              f"{base_q[1]:6.0f} MB peak   time {ratio:5.2f}x   ({'meets' if ratio <= 2 else 'misses'} goal <= 2x: "
              "the same SQL)")
        print(f"              (against the shell selecting the same rows undecoded, {raw_q[0]:.2f} s: "
              f"{ours_q[0] / raw_q[0]:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
