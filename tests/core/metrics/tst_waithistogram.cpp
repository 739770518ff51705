// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/waithistogram.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdint>
#include <latch>
#include <limits>
#include <random>
#include <set>
#include <thread>
#include <vector>

using namespace flowgate;


namespace {

using Layout = HistogramLayout;

constexpr std::uint64_t kMicrosecond = 1000;
constexpr std::uint64_t kHour = 3600ULL * 1000 * 1000 * 1000;

enum class Distribution { Uniform, LogUniform, LogNormal, Pareto, ParetoHeavy };

/// n samples in [1 us, 1 h] from a fixed seed.
std::vector<std::uint64_t> samples(Distribution d, std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::uint64_t> out;
    out.reserve(n);
    const auto clampNs = [](double v) {
        return std::uint64_t(std::clamp(v, double(kMicrosecond), double(kHour)));
    };
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> logNormal(std::log(2e6), 2.5); // median 2 ms
    std::uniform_int_distribution<std::uint64_t> uniform(kMicrosecond, kHour);
    for (std::size_t i = 0; i < n; ++i) {
        switch (d) {
        case Distribution::Uniform:
            out.push_back(uniform(rng));
            break;
        case Distribution::LogUniform:
            out.push_back(clampNs(std::exp(std::log(double(kMicrosecond))
                                           + unit(rng) * (std::log(double(kHour)) - std::log(double(kMicrosecond))))));
            break;
        case Distribution::LogNormal:
            out.push_back(clampNs(logNormal(rng)));
            break;
        case Distribution::Pareto:
        case Distribution::ParetoHeavy: {
            // Inverse CDF: x = xm / U^(1/alpha), U in (0, 1].
            const double alpha = d == Distribution::Pareto ? 1.16 : 0.35;
            const double u = 1.0 - unit(rng);
            out.push_back(clampNs(double(kMicrosecond) / std::pow(u, 1.0 / alpha)));
            break;
        }
        }
    }
    return out;
}

/// Nearest rank computed in integers from a quantile in parts per 10^4.
std::uint64_t exactRank(int permyriad, std::uint64_t n)
{
    const std::uint64_t r = (std::uint64_t(permyriad) * n + 9999) / 10000;
    return std::max<std::uint64_t>(r, 1);
}

bool sameCounts(const HistogramCounts &a, const HistogramCounts &b, QByteArray *why)
{
    if (a.totalCount() != b.totalCount()) {
        *why = "totals differ: " + QByteArray::number(a.totalCount()) + " vs " + QByteArray::number(b.totalCount());
        return false;
    }
    for (int i = 0; i < Layout::kBucketCount; ++i) {
        if (a.bucketCount(i) != b.bucketCount(i)) {
            *why = "bucket " + QByteArray::number(i) + ": " + QByteArray::number(a.bucketCount(i)) + " vs "
                   + QByteArray::number(b.bucketCount(i));
            return false;
        }
    }
    return true;
}

} // namespace

Q_DECLARE_METATYPE(Distribution)

class TestWaitHistogram final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutConstants();
    void bucketBoundaries();
    void bucketForRandomValues();
    void clampsHugeValues();
    void percentiles_data();
    void percentiles();
    void nearestRankSmallSets();
    void quantileIsFractional();
    void emptyHistogram();
    void mergeAndSubtract();
    void recordMany();
    void reset();
    void shardsAreRoundRobin();
    void concurrentEqualsSequential();
    void recordCost();
};

void TestWaitHistogram::layoutConstants()
{
    QCOMPARE(Layout::kSubBuckets, 128);
    QCOMPARE(Layout::kBucketCount, 5376);
    QCOMPARE(Layout::lowerBound(0), std::uint64_t(0));
    QCOMPARE(Layout::upperBound(Layout::kBucketCount - 1), std::uint64_t(1) << Layout::kMaxExponent);
}

void TestWaitHistogram::bucketBoundaries()
{
    for (int i = 0; i < Layout::kBucketCount; ++i) {
        const std::uint64_t lo = Layout::lowerBound(i);
        const std::uint64_t hi = Layout::upperBound(i);
        QVERIFY2(lo < hi, qPrintable(QString::number(i)));
        QCOMPARE(Layout::bucketFor(lo), i);
        QCOMPARE(Layout::bucketFor(hi - 1), i);
        if (i + 1 < Layout::kBucketCount) {
            QCOMPARE(Layout::lowerBound(i + 1), hi); // continuity, hence monotone
            QCOMPARE(Layout::bucketFor(hi), i + 1);
        }
        const double rep = Layout::representative(i);
        QVERIFY(rep >= double(lo) && rep < double(hi));
        if (i < 2 * Layout::kSubBuckets) {
            // exact one-nanosecond buckets, reported as their value
            QCOMPARE(lo, std::uint64_t(i));
            QCOMPARE(hi, std::uint64_t(i) + 1);
            QCOMPARE(rep, double(i));
        } else {
            // width at most 1/128 of the lower bound; midpoint reported
            QVERIFY((hi - lo) * std::uint64_t(Layout::kSubBuckets) <= lo);
            QCOMPARE(rep, (double(lo) + double(hi)) / 2.0);
            // buckets never shrink
            QVERIFY(hi - lo >= Layout::upperBound(i - 1) - Layout::lowerBound(i - 1));
        }
    }
}

void TestWaitHistogram::bucketForRandomValues()
{
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> bits(0, Layout::kMaxExponent);
    int previous = -1;
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 200000; ++i) {
        const int b = bits(rng);
        const std::uint64_t limit = b == 0 ? 1 : (std::uint64_t(1) << b) - 1;
        values.push_back(std::uniform_int_distribution<std::uint64_t>(0, limit)(rng));
    }
    std::sort(values.begin(), values.end());
    double worst = 0.0;
    for (const std::uint64_t v : values) {
        const int bucket = Layout::bucketFor(v);
        QVERIFY(bucket >= 0 && bucket < Layout::kBucketCount);
        QVERIFY(bucket >= previous); // monotone in the value
        previous = bucket;
        QVERIFY(Layout::lowerBound(bucket) <= v);
        QVERIFY(v < Layout::upperBound(bucket));
        const double rep = Layout::representative(bucket);
        if (v < 256) {
            QCOMPARE(rep, double(v));
        } else {
            const double err = std::abs(rep - double(v)) / double(v);
            worst = std::max(worst, err);
            QVERIFY2(err <= 0.5 / Layout::kSubBuckets, qPrintable(QString::number(v)));
        }
    }
    QVERIFY(worst < 0.01);
}

void TestWaitHistogram::clampsHugeValues()
{
    const int last = Layout::kBucketCount - 1;
    QCOMPARE(Layout::bucketFor((std::uint64_t(1) << Layout::kMaxExponent) - 1), last);
    QCOMPARE(Layout::bucketFor(std::uint64_t(1) << Layout::kMaxExponent), last);
    QCOMPARE(Layout::bucketFor(std::numeric_limits<std::uint64_t>::max()), last);
    WaitHistogram h;
    h.record(std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(h.snapshot().bucketCount(last), std::uint64_t(1));
}

void TestWaitHistogram::percentiles_data()
{
    QTest::addColumn<Distribution>("distribution");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("uniform") << Distribution::Uniform << quint64(1);
    QTest::newRow("log-uniform") << Distribution::LogUniform << quint64(2);
    QTest::newRow("log-normal") << Distribution::LogNormal << quint64(3);
    QTest::newRow("pareto a=1.16") << Distribution::Pareto << quint64(4);
    QTest::newRow("pareto a=0.35") << Distribution::ParetoHeavy << quint64(5);
}

void TestWaitHistogram::percentiles()
{
    QFETCH(Distribution, distribution);
    QFETCH(quint64, seed);

    std::vector<std::uint64_t> values = samples(distribution, 100003, seed);
    WaitHistogram h;
    for (const std::uint64_t v : values)
        h.record(v);
    const HistogramCounts counts = h.snapshot();
    QCOMPARE(counts.totalCount(), std::uint64_t(values.size()));

    std::sort(values.begin(), values.end());
    QVERIFY(values.front() >= kMicrosecond && values.back() <= kHour);

    for (const int permyriad : {0, 1, 5000, 9500, 9900, 9990, 9999, 10000}) {
        const double q = permyriad / 10000.0;
        const std::uint64_t rank = exactRank(permyriad, values.size());
        QCOMPARE(HistogramCounts::nearestRank(q, values.size()), rank);
        const double exact = double(values[std::size_t(rank - 1)]);
        const double estimate = counts.quantileNs(q);
        const double err = std::abs(estimate - exact) / exact;
        QVERIFY2(err <= 0.01,
                 qPrintable(QStringLiteral("q=%1 exact=%2 estimate=%3 error=%4")
                                .arg(q).arg(exact, 0, 'f', 0).arg(estimate, 0, 'f', 0).arg(err)));
        QCOMPARE(counts.quantileMs(q), estimate / 1e6);
    }
}

void TestWaitHistogram::nearestRankSmallSets()
{
    HistogramCounts c;
    for (std::uint64_t v = 1; v <= 100; ++v)
        c.add(v);
    QCOMPARE(c.quantileNs(0.0), 1.0);
    QCOMPARE(c.quantileNs(0.01), 1.0);
    QCOMPARE(c.quantileNs(0.07), 7.0); // 0.07 * 100 == 7.000000000000001 in binary
    QCOMPARE(c.quantileNs(0.5), 50.0);
    QCOMPARE(c.quantileNs(0.505), 51.0);
    QCOMPARE(c.quantileNs(0.95), 95.0);
    QCOMPARE(c.quantileNs(0.99), 99.0);
    QCOMPARE(c.quantileNs(1.0), 100.0);
    QCOMPARE(c.quantileNs(2.0), 100.0);
    QCOMPARE(c.quantileNs(-1.0), 1.0);
    QCOMPARE(c.quantileNs(std::numeric_limits<double>::quiet_NaN()), 1.0);

    HistogramCounts single;
    single.add(12345);
    const double rep = Layout::representative(Layout::bucketFor(12345));
    QCOMPARE(single.quantileNs(0.0), rep);
    QCOMPARE(single.quantileNs(0.5), rep);
    QCOMPARE(single.quantileNs(1.0), rep);

    QCOMPARE(HistogramCounts::nearestRank(0.5, 0), std::uint64_t(0));
    QCOMPARE(HistogramCounts::nearestRank(0.5, 1), std::uint64_t(1));
    QCOMPARE(HistogramCounts::nearestRank(0.5, 3), std::uint64_t(2));
    QCOMPARE(HistogramCounts::nearestRank(0.999, 1000), std::uint64_t(999));
    QCOMPARE(HistogramCounts::nearestRank(0.9991, 1000), std::uint64_t(1000));
}

void TestWaitHistogram::quantileIsFractional()
{
    WaitHistogram h;
    h.record(1200); // 1.2 us: 0.0012 ms, must not become 0 ms
    const double ms = h.snapshot().quantileMs(0.5);
    QVERIFY(ms > 0.0);
    QVERIFY(std::abs(ms - 0.0012) / 0.0012 < 0.01);
    h.record(250); // exact below 256 ns
    QCOMPARE(h.snapshot().quantileNs(0.0), 250.0);
}

void TestWaitHistogram::emptyHistogram()
{
    const HistogramCounts empty;
    QCOMPARE(empty.totalCount(), std::uint64_t(0));
    QCOMPARE(empty.quantileNs(0.0), 0.0);
    QCOMPARE(empty.quantileNs(0.5), 0.0);
    QCOMPARE(empty.quantileNs(1.0), 0.0);
    QCOMPARE(empty.quantileMs(0.99), 0.0);

    WaitHistogram h;
    const HistogramCounts s = h.snapshot();
    QCOMPARE(s.totalCount(), std::uint64_t(0));
    QCOMPARE(s.quantileNs(0.95), 0.0);
    for (int i = 0; i < Layout::kBucketCount; ++i)
        QCOMPARE(s.bucketCount(i), std::uint64_t(0));
}

void TestWaitHistogram::mergeAndSubtract()
{
    const std::vector<std::uint64_t> a = samples(Distribution::LogNormal, 20000, 11);
    const std::vector<std::uint64_t> b = samples(Distribution::Pareto, 30000, 12);

    HistogramCounts ca, cb, all;
    for (const auto v : a) {
        ca.add(v);
        all.add(v);
    }
    for (const auto v : b) {
        cb.add(v);
        all.add(v);
    }
    QByteArray why;

    HistogramCounts merged = ca;
    merged.merge(cb);
    QVERIFY2(sameCounts(merged, all, &why), why.constData());
    for (const double q : {0.0, 0.5, 0.95, 0.99, 0.999, 1.0})
        QCOMPARE(merged.quantileNs(q), all.quantileNs(q));

    // The sliding-window use: cumulative now minus cumulative then = the window.
    HistogramCounts window = all;
    window.subtract(ca);
    QVERIFY2(sameCounts(window, cb, &why), why.constData());
    QCOMPARE(window.totalCount(), std::uint64_t(b.size()));
    for (const double q : {0.5, 0.95, 0.99})
        QCOMPARE(window.quantileNs(q), cb.quantileNs(q));

    HistogramCounts none = all;
    none.subtract(all);
    QCOMPARE(none.totalCount(), std::uint64_t(0));
    QCOMPARE(none.quantileNs(0.5), 0.0);

    HistogramCounts unchanged = all;
    unchanged.subtract(HistogramCounts());
    QVERIFY2(sameCounts(unchanged, all, &why), why.constData());

    HistogramCounts cleared = all;
    cleared.clear();
    QVERIFY2(sameCounts(cleared, HistogramCounts(), &why), why.constData());

    // Merging into an empty histogram copies.
    HistogramCounts fromEmpty;
    fromEmpty.merge(cb);
    QVERIFY2(sameCounts(fromEmpty, cb, &why), why.constData());
}

void TestWaitHistogram::recordMany()
{
    WaitHistogram h;
    h.recordMany(0, 1000);
    h.recordMany(5 * kMicrosecond, 10);
    h.recordMany(7, 0);
    const HistogramCounts s = h.snapshot();
    QCOMPARE(s.totalCount(), std::uint64_t(1010));
    QCOMPARE(s.bucketCount(0), std::uint64_t(1000));
    QCOMPARE(s.bucketCount(Layout::bucketFor(5 * kMicrosecond)), std::uint64_t(10));
    QCOMPARE(s.bucketCount(7), std::uint64_t(0));
    QCOMPARE(s.quantileNs(0.5), 0.0);
    QCOMPARE(s.quantileNs(0.999), Layout::representative(Layout::bucketFor(5 * kMicrosecond)));
}

void TestWaitHistogram::reset()
{
    WaitHistogram h;
    for (int i = 0; i < 100; ++i)
        h.record(std::uint64_t(i) * 1000);
    QCOMPARE(h.snapshot().totalCount(), std::uint64_t(100));
    h.reset();
    QCOMPARE(h.snapshot().totalCount(), std::uint64_t(0));
    h.record(5);
    QCOMPARE(h.snapshot().bucketCount(5), std::uint64_t(1));
}

void TestWaitHistogram::shardsAreRoundRobin()
{
    const int mine = WaitHistogram::currentShard();
    QVERIFY(mine >= 0 && mine < WaitHistogram::kShards);
    QCOMPARE(WaitHistogram::currentShard(), mine); // stable per thread

    // Threads started one after another get consecutive shards, so any
    // kShards of them cover every shard.
    std::set<int> seen;
    for (int i = 0; i < WaitHistogram::kShards; ++i) {
        int shard = -1;
        int again = -2;
        std::thread t([&shard, &again] {
            shard = WaitHistogram::currentShard();
            again = WaitHistogram::currentShard();
        });
        t.join();
        QCOMPARE(again, shard);
        QVERIFY(shard >= 0 && shard < WaitHistogram::kShards);
        seen.insert(shard);
    }
    QCOMPARE(int(seen.size()), WaitHistogram::kShards);
}

void TestWaitHistogram::concurrentEqualsSequential()
{
    constexpr int kThreads = 8;
    constexpr std::size_t kPerThread = 40000;

    // Values over the whole range, including exact buckets and clamped ones.
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> bits(0, 52);
    std::vector<std::uint64_t> values(kThreads * kPerThread);
    for (auto &v : values) {
        const int b = bits(rng);
        v = b == 0 ? 0 : std::uniform_int_distribution<std::uint64_t>(0, (std::uint64_t(1) << b) - 1)(rng);
    }

    HistogramCounts expected;
    for (std::size_t i = 0; i < values.size(); ++i)
        expected.add(values[i], i % 97 == 0 ? 3 : 1); // matches the recordMany() below

    WaitHistogram h;
    std::latch start(kThreads + 1);
    std::atomic<int> running{kThreads};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (std::size_t i = std::size_t(t) * kPerThread; i < std::size_t(t + 1) * kPerThread; ++i) {
                if (i % 97 == 0)
                    h.recordMany(values[i], 3);
                else
                    h.record(values[i]);
            }
            running.fetch_sub(1, std::memory_order_release);
        });
    }

    // Snapshots taken while the threads record only ever grow.
    start.arrive_and_wait();
    std::uint64_t lastTotal = 0;
    int snapshots = 0;
    bool monotone = true;
    bool bounded = true;
    HistogramCounts s;
    while (running.load(std::memory_order_acquire) > 0 || snapshots < 3) {
        h.snapshotInto(s);
        monotone = monotone && s.totalCount() >= lastTotal;
        bounded = bounded && s.totalCount() <= expected.totalCount();
        lastTotal = s.totalCount();
        ++snapshots;
    }
    for (auto &t : threads)
        t.join();
    QVERIFY(monotone);
    QVERIFY(bounded);

    QByteArray why;
    QVERIFY2(sameCounts(h.snapshot(), expected, &why), why.constData());

    // And the same as one thread recording everything into a WaitHistogram.
    WaitHistogram sequential;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i % 97 == 0)
            sequential.recordMany(values[i], 3);
        else
            sequential.record(values[i]);
    }
    QVERIFY2(sameCounts(h.snapshot(), sequential.snapshot(), &why), why.constData());
}

void TestWaitHistogram::recordCost()
{
    // Informational: two threads recording at once into one histogram. Not a
    // pass/fail criterion (the machine is shared); bench/ has the real
    // benchmark. Thread CPU time is reported too, as it leaves out the time a
    // thread spends descheduled on a busy machine.
    constexpr std::size_t kRecords = 4'000'000;
    const std::vector<std::uint64_t> ring = samples(Distribution::LogNormal, 4096, 99);
    WaitHistogram h;
    std::latch start(3);
    std::atomic<std::int64_t> wallNs{0};
    std::atomic<std::int64_t> cpuNs{0};
    const auto threadCpuNs = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const auto work = [&] {
        start.arrive_and_wait();
        const std::int64_t c0 = threadCpuNs();
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < kRecords; ++i)
            h.record(ring[i & 4095]);
        const auto t1 = std::chrono::steady_clock::now();
        cpuNs.fetch_add(threadCpuNs() - c0);
        wallNs.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    };
    std::thread a(work);
    std::thread b(work);
    start.arrive_and_wait();
    a.join();
    b.join();
    QCOMPARE(h.snapshot().totalCount(), std::uint64_t(2 * kRecords));
    qInfo("record() with two threads recording at once: %.2f ns per call (wall), %.2f ns (thread CPU time)",
          double(wallNs.load()) / double(2 * kRecords), double(cpuNs.load()) / double(2 * kRecords));
}

QTEST_MAIN(TestWaitHistogram)
#include "tst_waithistogram.moc"
