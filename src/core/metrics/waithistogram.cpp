// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/waithistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace flowgate {

namespace {

using Layout = HistogramLayout;

// Values are clamped to this before bucketing, so everything >= 2^48 ns lands
// in the last bucket.
constexpr std::uint64_t kMaxValue = (std::uint64_t(1) << Layout::kMaxExponent) - 1;

// Values below this all share shift 0 (exact buckets): 2 * kSubBuckets = 256.
constexpr std::uint64_t kExactLimitMask = (std::uint64_t(2) << Layout::kSubBucketBits) - 1; // 255

// Shift (log2 of the bucket width) of the buckets of a given index range.
constexpr int shiftOfBucket(int bucket) noexcept
{
    // Buckets [0, 256) have width 1; after that every run of kSubBuckets
    // buckets doubles the width.
    const int group = bucket >> Layout::kSubBucketBits;
    return group > 0 ? group - 1 : 0;
}

constexpr int lastBucket = Layout::kBucketCount - 1;

static_assert(Layout::kBucketCount == (Layout::kMaxExponent - Layout::kSubBucketBits + 1) * Layout::kSubBuckets);
static_assert(shiftOfBucket(lastBucket) == Layout::kMaxExponent - Layout::kSubBucketBits - 1);

// The calling thread's shard; -1 until the thread first records. Constant
// initialised, so reading it is a plain TLS load (no init guard).
thread_local int t_shard = -1;
std::atomic<unsigned> g_nextShard{0};

[[gnu::noinline]] int assignShard() noexcept
{
    const unsigned n = g_nextShard.fetch_add(1, std::memory_order_relaxed);
    t_shard = int(n % unsigned(WaitHistogram::kShards));
    return t_shard;
}

// The record() fast path: kept inline here so that record() is one call with
// no further calls inside (the public statics below forward to these).
[[gnu::always_inline]] inline int shardIndex() noexcept
{
    const int shard = t_shard;
    if (shard >= 0) [[likely]]
        return shard;
    return assignShard();
}

[[gnu::always_inline]] inline int bucketIndex(std::uint64_t ns) noexcept
{
    const std::uint64_t v = std::min(ns, kMaxValue);
    // Number of low bits dropped: 0 below 256, bit_width - 8 above, so the
    // kept part (v >> shift) always lies in [128, 256) once v >= 128.
    const int shift = int(std::bit_width(v | kExactLimitMask)) - (Layout::kSubBucketBits + 1);
    return (shift << Layout::kSubBucketBits) + int(v >> shift);
}

} // namespace

// --- HistogramLayout ---------------------------------------------------------

int HistogramLayout::bucketFor(std::uint64_t ns) noexcept
{
    return bucketIndex(ns);
}

std::uint64_t HistogramLayout::lowerBound(int bucket) noexcept
{
    const int shift = shiftOfBucket(bucket);
    const auto mantissa = std::uint64_t(bucket - (shift << kSubBucketBits));
    return mantissa << shift;
}

std::uint64_t HistogramLayout::upperBound(int bucket) noexcept
{
    return lowerBound(bucket) + (std::uint64_t(1) << shiftOfBucket(bucket));
}

double HistogramLayout::representative(int bucket) noexcept
{
    const std::uint64_t lower = lowerBound(bucket);
    if (bucket < 2 * kSubBuckets)
        return double(lower); // exact one-nanosecond bucket
    const std::uint64_t width = std::uint64_t(1) << shiftOfBucket(bucket);
    return double(lower) + double(width) / 2.0;
}

// --- HistogramCounts ---------------------------------------------------------

HistogramCounts::HistogramCounts()
    : m_counts(std::size_t(HistogramLayout::kBucketCount), 0)
{
}

void HistogramCounts::add(std::uint64_t ns, std::uint64_t count)
{
    addBucket(bucketIndex(ns), count);
}

void HistogramCounts::merge(const HistogramCounts &other)
{
    for (std::size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_total += other.m_total;
}

void HistogramCounts::subtract(const HistogramCounts &other)
{
    // Saturate instead of wrapping if the precondition is violated, and keep
    // the total equal to the sum of the buckets.
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        const std::uint64_t mine = m_counts[i];
        const std::uint64_t theirs = other.m_counts[i];
        Q_ASSERT(theirs <= mine);
        m_counts[i] = mine > theirs ? mine - theirs : 0;
        total += m_counts[i];
    }
    m_total = total;
}

void HistogramCounts::clear()
{
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_total = 0;
}

std::uint64_t HistogramCounts::nearestRank(double q, std::uint64_t n) noexcept
{
    if (n == 0)
        return 0;
    if (!(q > 0.0)) // also catches NaN
        return 1;
    if (q >= 1.0)
        return n;
    const double x = q * double(n);
    // q * n is computed in binary floating point: 0.07 * 100 gives
    // 7.000000000000001, whose ceiling would be off by one. Shave off a
    // relative epsilon far below one rank before rounding up.
    const double rank = std::ceil(x - x * 1e-12);
    if (rank < 1.0)
        return 1;
    if (rank >= double(n))
        return n;
    return std::uint64_t(rank);
}

double HistogramCounts::quantileNs(double q) const
{
    if (m_total == 0)
        return 0.0;
    const std::uint64_t rank = nearestRank(q, m_total);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        cumulative += m_counts[i];
        if (cumulative >= rank)
            return HistogramLayout::representative(int(i));
    }
    return HistogramLayout::representative(lastBucket); // unreachable while m_total is consistent
}

// --- WaitHistogram -----------------------------------------------------------

// One shard's counters. alignas(128) keeps each shard on its own cache lines
// and also away from the adjacent-line prefetcher's partner line; the array
// size (kBucketCount * 8 bytes) is itself a multiple of 128, so no two shards
// ever share a line.
struct alignas(128) WaitHistogram::Shard
{
    std::array<std::atomic<std::uint64_t>, HistogramLayout::kBucketCount> counts;
};

static_assert(sizeof(std::atomic<std::uint64_t>) == sizeof(std::uint64_t));
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert((HistogramLayout::kBucketCount * sizeof(std::uint64_t)) % 128 == 0);

WaitHistogram::WaitHistogram()
    : m_shards(new Shard[kShards])
{
    reset();
}

WaitHistogram::~WaitHistogram() = default;

int WaitHistogram::currentShard() noexcept
{
    return shardIndex();
}

void WaitHistogram::record(std::uint64_t ns) noexcept
{
    m_shards[std::size_t(shardIndex())].counts[std::size_t(bucketIndex(ns))].fetch_add(1, std::memory_order_relaxed);
}

void WaitHistogram::recordMany(std::uint64_t ns, std::uint64_t count) noexcept
{
    if (count == 0)
        return;
    m_shards[std::size_t(shardIndex())].counts[std::size_t(bucketIndex(ns))].fetch_add(count,
                                                                                       std::memory_order_relaxed);
}

HistogramCounts WaitHistogram::snapshot() const
{
    HistogramCounts out;
    snapshotInto(out);
    return out;
}

void WaitHistogram::snapshotInto(HistogramCounts &out) const
{
    out.clear();
    for (int s = 0; s < kShards; ++s) {
        const auto &counts = m_shards[std::size_t(s)].counts;
        for (int b = 0; b < HistogramLayout::kBucketCount; ++b) {
            const std::uint64_t c = counts[std::size_t(b)].load(std::memory_order_relaxed);
            if (c != 0)
                out.addBucket(b, c);
        }
    }
}

void WaitHistogram::reset() noexcept
{
    for (int s = 0; s < kShards; ++s) {
        for (auto &c : m_shards[std::size_t(s)].counts)
            c.store(0, std::memory_order_relaxed);
    }
}

} // namespace flowgate
