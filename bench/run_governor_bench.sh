#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Builds flowgate_bench_governor with the release preset, runs every benchmark
# side by side (9 repetitions, random interleaving, aggregates only) and prints
# the median ratios against their bounds:
#   AcquireCpu / QSemaphore (uncontended)           <= 1.2
#   WaitHistogram::record, 2 threads, ns per record <= 10
#   MemoryGuard construct + destroy, ns             <= 10
#   contended hand-off governor / QSemaphore        reported, no bound
# The bounds use CPU-time medians (robust to the thread being descheduled on a
# shared machine); wall-time medians are printed next to them. The JSON is
# kept in $BUILD_DIR/bench/governor_bench.json. Exits 1 if a bound fails.
#
# Environment:
#   BUILD_DIR   build directory (default: build/h-bench)
#   JOBS        build parallelism (default: 1; the machine is shared)
#   REPS        repetitions (default: 9)
#   MIN_TIME    --benchmark_min_time in seconds, a plain number (default: 0.2)
#   SKIP_BUILD  set to 1 to run the existing binary without building
# Extra arguments are passed to the CMake configure step, for example
#   bench/run_governor_bench.sh -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/.." && pwd)"
cd "${root}"

build_dir="${BUILD_DIR:-build/h-bench}"
jobs="${JOBS:-1}"
reps="${REPS:-9}"
min_time="${MIN_TIME:-0.2}"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cmake --preset release -B "${build_dir}" -DFLOWGATE_BUILD_TESTS=OFF "$@" >/dev/null
    cmake --build "${build_dir}" -j"${jobs}" --target flowgate_bench_governor
fi

exe="${build_dir}/bench/flowgate_bench_governor"
json="${build_dir}/bench/governor_bench.json"

# google-benchmark 1.7.1: --benchmark_min_time takes a plain number of seconds.
bench_args=(
    "--benchmark_min_time=${min_time}"
    "--benchmark_repetitions=${reps}"
    "--benchmark_enable_random_interleaving=true"
    "--benchmark_report_aggregates_only=true"
    "--benchmark_format=json"
)

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: nproc=$(nproc), $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: ${exe} ${bench_args[*]}"
echo

"${exe}" "${bench_args[@]}" >"${json}"

python3 - "${json}" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    data = json.load(f)

scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
median = {}
cpu_median = {}
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median":
        unit = scale[b.get("time_unit", "ns")]
        median[b["run_name"]] = b["real_time"] * unit
        cpu_median[b["run_name"]] = b["cpu_time"] * unit

if not median:
    sys.exit("no median aggregates in the benchmark output")

ctx = data.get("context", {})
print(f"google-benchmark library build type: {ctx.get('library_build_type', '?')}, "
      f"load average at start: {ctx.get('load_avg', '?')}")
print()
print("| benchmark | median real ns/iter | median cpu ns/iter |")
print("|---|---:|---:|")
for name in sorted(median):
    print(f"| {name} | {median[name]:.2f} | {cpu_median[name]:.2f} |")
print()


def get(name, table=None):
    table = median if table is None else table
    if name not in table:
        sys.exit(f"missing benchmark in output: {name}")
    return table[name]


def cpu(name):
    return get(name, cpu_median)


failed = False
rows = []


def check(what, value, bound, unit, note=""):
    global failed
    ok = value <= bound
    failed |= not ok
    shown = f"{value:.3f}" if unit == "x" else f"{value:.2f} ns"
    shown_bound = f"<= {bound:g}" + ("" if unit == "x" else " ns")
    rows.append(f"| {what} | {shown} | {shown_bound} | {value / bound:.2f} | {'PASS' if ok else 'FAIL'} | {note} |")


def busy_note(*names):
    # A single-threaded benchmark whose wall time exceeds its CPU time was
    # descheduled: other load on the machine, not the code under test.
    worst = max(get(n) / cpu(n) for n in names)
    return f"real/cpu up to {worst:.2f}" + (" (machine busy)" if worst > 1.15 else "")


# The bounds use CPU-time medians: on this shared machine the wall time of a
# single-threaded benchmark also counts the time its thread was descheduled.
gov, sem = "BM_Governor_AcquireCpuRelease", "BM_QSemaphore_AcquireRelease"
check("AcquireCpu / QSemaphore (uncontended, cpu-time medians)", cpu(gov) / cpu(sem), 1.2, "x",
      f"{cpu(gov):.2f} / {cpu(sem):.2f} ns; real-time ratio {get(gov) / get(sem):.3f}; " + busy_note(gov, sem))
# Two threads: google-benchmark sums the CPU time of both threads and divides
# by the records of both, i.e. the CPU each record costs the thread making it
# while another thread records too. With UseRealTime the reported time is wall
# time over all records (throughput); cpu/real says how far the two threads
# actually overlapped (2.0 = fully parallel).
h2 = "BM_Histogram_Record/real_time/threads:2"
check("Histogram record, 2 threads (cpu ns per record)", cpu(h2), 10.0, "ns",
      f"wall/records {get(h2):.2f} ns; cores busy {cpu(h2) / get(h2):.2f}")
mg = "BM_MemoryGuard_ConstructDestroy"
check("MemoryGuard construct + destroy (cpu ns)", cpu(mg), 10.0, "ns",
      f"real {get(mg):.2f} ns; " + busy_note(mg))

print("| check | measured | bound | measured/bound | result | notes |")
print("|---|---:|---:|---:|---|---|")
print("\n".join(rows))
print()

# Wall time over all iterations of all threads (UseRealTime). cpu/real = cores
# kept busy on average; below the thread count when threads sleep in the
# kernel or when other load on the machine takes the cores.
print("| contended hand-off (reported, no bound) | governor ns | QSemaphore ns | governor / QSemaphore | governor cpu/real | QSemaphore cpu/real |")
print("|---|---:|---:|---:|---:|---:|")
for permits in (1, 7):
    for threads in (2, 4):
        suffix = f"/{permits}/real_time/threads:{threads}"
        g = get("BM_Governor_Contended" + suffix)
        q = get("BM_QSemaphore_Contended" + suffix)
        gu = cpu_median["BM_Governor_Contended" + suffix] / g
        qu = cpu_median["BM_QSemaphore_Contended" + suffix] / q
        print(f"| {permits} permit(s), {threads} threads | {g:.2f} | {q:.2f} | {g / q:.2f} | {gu:.2f} | {qu:.2f} |")
print()
print("FAIL: a bound was exceeded" if failed else "PASS: all bounds met")
sys.exit(1 if failed else 0)
PY
