// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Governor microbenchmarks. Run through bench/run_governor_bench.sh, which
// repeats them with random interleaving and checks the bounds on the medians:
//   BM_Governor_AcquireCpuRelease / BM_QSemaphore_AcquireRelease <= 1.2
//   BM_Histogram_Record/real_time/threads:2                      <= 10 ns
//   BM_MemoryGuard_ConstructDestroy                              <= 10 ns
// The contended hand-off ratios (governor vs QSemaphore) are reported only.

#include "governor/governor.h"
#include "governor/memoryguard.h"
#include "governor/resourceconfig.h"
#include "governor/tokenpool.h"
#include "metrics/waithistogram.h"

#include <QSemaphore>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>

#include <benchmark/benchmark.h>

namespace {

using flowgate::Governor;
using flowgate::MemoryGuard;
using flowgate::Permit;
using flowgate::ResourceConfig;
using flowgate::TokenPool;
using flowgate::WaitHistogram;

Governor *makeGovernor(int cpuTokens)
{
    ResourceConfig cfg;
    cfg.cpuTokens = cpuTokens;
    return new Governor(cfg);
}

// --- uncontended acquire + release ------------------------------------------------

void BM_QSemaphore_AcquireRelease(benchmark::State &state)
{
    QSemaphore sem(4);
    for (auto _ : state) {
        sem.acquire();
        sem.release();
    }
}
BENCHMARK(BM_QSemaphore_AcquireRelease);

// Metrics included: the fast path records the zero wait into the CPU wait
// histogram, exactly as in production.
void BM_Governor_AcquireCpuRelease(benchmark::State &state)
{
    const std::unique_ptr<Governor> gov(makeGovernor(4));
    for (auto _ : state) {
        Permit p = gov->acquireCpu();
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK(BM_Governor_AcquireCpuRelease);

// For information: the same on a bare pool with no histogram attached.
void BM_TokenPool_AcquireRelease(benchmark::State &state)
{
    TokenPool pool(4);
    for (auto _ : state) {
        Permit p = pool.acquire();
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK(BM_TokenPool_AcquireRelease);

// --- histogram ----------------------------------------------------------------------

constexpr std::size_t kWaitSamples = 4096; // power of two: index with a mask

// Realistic waits in ns: most acquisitions do not wait at all, some wait
// microseconds, a few wait milliseconds. Fixed seed, so every run records the
// same values.
const std::array<std::uint64_t, kWaitSamples> &realisticWaits()
{
    static const auto waits = [] {
        std::array<std::uint64_t, kWaitSamples> out{};
        std::mt19937_64 rng(20261127);
        std::uniform_real_distribution<double> pick(0.0, 1.0);
        std::uniform_real_distribution<double> micro(1e3, 1e5); // 1 us .. 100 us
        std::uniform_real_distribution<double> milli(1e5, 5e7); // 100 us .. 50 ms
        for (auto &w : out) {
            const double p = pick(rng);
            if (p < 0.6)
                w = 0;
            else if (p < 0.9)
                w = std::uint64_t(micro(rng));
            else
                w = std::uint64_t(milli(rng));
        }
        return out;
    }();
    return waits;
}

WaitHistogram *g_histogram = nullptr;

void BM_Histogram_Record(benchmark::State &state)
{
    const auto &waits = realisticWaits();
    if (state.thread_index() == 0)
        g_histogram = new WaitHistogram;
    // Each thread walks the samples from its own offset.
    std::size_t i = std::size_t(state.thread_index()) * (kWaitSamples / 4);
    for (auto _ : state) {
        g_histogram->record(waits[i & (kWaitSamples - 1)]);
        ++i;
    }
    if (state.thread_index() == 0) {
        delete g_histogram;
        g_histogram = nullptr;
    }
}
BENCHMARK(BM_Histogram_Record)->UseRealTime()->Threads(1)->Threads(2);

// --- memory guard -------------------------------------------------------------------

void BM_MemoryGuard_ConstructDestroy(benchmark::State &state)
{
    const std::unique_ptr<Governor> gov(makeGovernor(4));
    for (auto _ : state) {
        MemoryGuard g(*gov, 65536);
        benchmark::DoNotOptimize(g);
    }
}
BENCHMARK(BM_MemoryGuard_ConstructDestroy);

// --- contended hand-off ---------------------------------------------------------------
// All threads share one semaphore / governor with state.range(0) permits; each
// iteration is acquire + a little work + release.

void tinyWork()
{
    std::uint64_t x = 0;
    for (int k = 0; k < 16; ++k) {
        x += std::uint64_t(k);
        benchmark::DoNotOptimize(x);
    }
}

QSemaphore *g_semaphore = nullptr;
Governor *g_governor = nullptr;

void BM_QSemaphore_Contended(benchmark::State &state)
{
    // Thread 0 sets up before the loop and tears down after it; the loop's
    // start and stop barriers keep the other threads out of both windows.
    if (state.thread_index() == 0)
        g_semaphore = new QSemaphore(int(state.range(0)));
    for (auto _ : state) {
        g_semaphore->acquire();
        tinyWork();
        g_semaphore->release();
    }
    if (state.thread_index() == 0) {
        delete g_semaphore;
        g_semaphore = nullptr;
    }
}
BENCHMARK(BM_QSemaphore_Contended)->Arg(1)->Arg(7)->UseRealTime()->Threads(2)->Threads(4);

void BM_Governor_Contended(benchmark::State &state)
{
    if (state.thread_index() == 0)
        g_governor = makeGovernor(int(state.range(0)));
    for (auto _ : state) {
        Permit p = g_governor->acquireCpu();
        tinyWork();
    }
    if (state.thread_index() == 0) {
        delete g_governor;
        g_governor = nullptr;
    }
}
BENCHMARK(BM_Governor_Contended)->Arg(1)->Arg(7)->UseRealTime()->Threads(2)->Threads(4);

} // namespace

BENCHMARK_MAIN();
