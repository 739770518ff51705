// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QtGlobal>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace flowgate {

/// Log-linear bucketing of durations in nanoseconds.
///
/// Values below 2 * kSubBuckets ns land in exact one-nanosecond buckets; above
/// that every power of two is split into kSubBuckets equal buckets, so a
/// bucket's width is at most 1/kSubBuckets (0.78 %) of its lower bound, and the
/// bucket's midpoint is within 0.39 % of any value in it. The range ends at
/// 2^48 ns (about 78 hours); larger values are clamped into the last bucket.
struct HistogramLayout
{
    static constexpr int kSubBucketBits = 7;
    static constexpr int kSubBuckets = 1 << kSubBucketBits; // 128
    static constexpr int kMaxExponent = 48;
    static constexpr int kBucketCount = (kMaxExponent - kSubBucketBits) * kSubBuckets + kSubBuckets;

    /// Bucket index for a value in ns. Pure, branch-light, a few cycles.
    static int bucketFor(std::uint64_t ns) noexcept;
    /// Lowest value that maps to the bucket.
    static std::uint64_t lowerBound(int bucket) noexcept;
    /// One past the highest value that maps to the bucket.
    static std::uint64_t upperBound(int bucket) noexcept;
    /// Representative value reported for the bucket (its midpoint).
    static double representative(int bucket) noexcept;
};

/// Plain (single-threaded) bucket counts: what a reader merges shards into.
class HistogramCounts
{
public:
    HistogramCounts();

    void add(std::uint64_t ns, std::uint64_t count = 1);
    void addBucket(int bucket, std::uint64_t count) { m_counts[std::size_t(bucket)] += count; m_total += count; }
    void merge(const HistogramCounts &other);
    /// this -= other (other must be an earlier state of the same cumulative counts).
    void subtract(const HistogramCounts &other);
    void clear();

    std::uint64_t totalCount() const noexcept { return m_total; }
    std::uint64_t bucketCount(int bucket) const noexcept { return m_counts[std::size_t(bucket)]; }

    /// Value in ns at quantile q in [0, 1] (0.5 = median), using the nearest-rank
    /// definition on the bucket midpoints. 0 when empty.
    double quantileNs(double q) const;
    /// Same in milliseconds (fractional, never truncated).
    double quantileMs(double q) const { return quantileNs(q) / 1e6; }

    /// 1-based nearest rank of quantile q among n samples: ceil(q * n) clamped
    /// to [1, n] (q <= 0 or NaN gives 1); 0 when n == 0.
    static std::uint64_t nearestRank(double q, std::uint64_t n) noexcept;

private:
    std::vector<std::uint64_t> m_counts;
    std::uint64_t m_total = 0;
};

/// A wait-time histogram that any number of threads record into at once.
///
/// Contract:
/// - record() is wait-free: one relaxed fetch_add on a shard chosen per thread;
///   shards live on separate cache lines so two threads do not contend.
/// - snapshot() may run concurrently with record(); it returns the sum of all
///   shards. Counts recorded before snapshot() starts are included; counts
///   recorded while it runs may or may not be (each is seen at most once per
///   snapshot, and by every later one).
/// - Not copyable, not movable.
class WaitHistogram final
{
public:
    static constexpr int kShards = 16;

    WaitHistogram();
    ~WaitHistogram();
    Q_DISABLE_COPY_MOVE(WaitHistogram)

    void record(std::uint64_t ns) noexcept;
    /// Adds count samples to the bucket of ns (used for batched zero-wait counts).
    void recordMany(std::uint64_t ns, std::uint64_t count) noexcept;

    /// Cumulative counts since construction (or since reset()).
    HistogramCounts snapshot() const;
    void snapshotInto(HistogramCounts &out) const;

    /// Zeroes every counter. Counts recorded concurrently with reset() may
    /// survive it or be lost; call it while nobody records.
    void reset() noexcept;

    /// Index of the shard the calling thread records into.
    static int currentShard() noexcept;

private:
    struct Shard;
    std::unique_ptr<Shard[]> m_shards;
};

} // namespace flowgate
