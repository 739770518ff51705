// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The sampler: time-weighted saturation, sliding-window and whole-run
// percentiles, the bounded ring, throughput, the summary line, and the seed's
// accessors fed from the latest sample.

#include "governor/governor.h"
#include "metrics/metricssampler.h"

#include <QRegularExpression>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

using namespace flowgate;
using namespace std::chrono_literals;

class TestMetricsSampler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsHoldTwoHoursAtFourHertz();
    void saturationIsTimeWeightedNotInstant();
    void saturationFollowsALiveResize();
    void windowAndRunPercentiles();
    void ringIsBounded();
    void throughputAndCounters();
    void samplerThreadAndSummaryLine();
    void accessorsReadTheLatestSample();
};

void TestMetricsSampler::defaultsHoldTwoHoursAtFourHertz()
{
    Governor g;
    MetricsSampler sampler(g);
    QCOMPARE(sampler.options().interval, 250ms);
    QCOMPARE(sampler.options().window, 10'000ms);
    QCOMPARE(sampler.options().summaryEvery, 10'000ms);
    QVERIFY(sampler.capacity() >= 2 * 3600 * 4);
}

void TestMetricsSampler::saturationIsTimeWeightedNotInstant()
{
    ResourceConfig config;
    config.cpuTokens = 4;
    Governor g(config);
    MetricsSampler sampler(g);
    (void)sampler.sampleNow();
    {
        Permit a = g.acquireCpu();
        Permit b = g.acquireCpu();
        std::this_thread::sleep_for(400ms);
    }
    std::this_thread::sleep_for(400ms);
    const MetricsSnapshot s = sampler.sampleNow();
    // Nothing is held at the instant of the sample: a reading "at one instant"
    // would say 0 %. Two of four tokens for half the interval is 25 %.
    QCOMPARE(s.cpuTokensInUse, 0);
    QVERIFY2(s.cpuSaturationPercent > 18.0 && s.cpuSaturationPercent < 32.0, qPrintable(QString::number(s.cpuSaturationPercent)));
    QVERIFY(s.intervalMs >= 790);
    QCOMPARE(s.ioSaturationPercent, 0.0);
}

void TestMetricsSampler::saturationFollowsALiveResize()
{
    ResourceConfig config;
    config.cpuTokens = 1;
    Governor g(config);
    MetricsSampler sampler(g);
    Permit held = g.acquireCpu();
    (void)sampler.sampleNow();
    std::this_thread::sleep_for(300ms);
    const MetricsSnapshot full = sampler.sampleNow();
    QVERIFY2(full.cpuSaturationPercent > 90.0, qPrintable(QString::number(full.cpuSaturationPercent)));
    g.setCpuTokens(4); // one of four now
    (void)sampler.sampleNow();
    std::this_thread::sleep_for(300ms);
    const MetricsSnapshot quarter = sampler.sampleNow();
    QCOMPARE(quarter.cpuTokensTotal, 4);
    QVERIFY2(quarter.cpuSaturationPercent > 20.0 && quarter.cpuSaturationPercent < 30.0,
             qPrintable(QString::number(quarter.cpuSaturationPercent)));
}

void TestMetricsSampler::windowAndRunPercentiles()
{
    Governor g;
    MetricsSampler::Options options;
    options.window = 300ms;
    MetricsSampler sampler(g, options);
    auto &cpu = g.metrics().cpuWaitHistogram();
    for (int i = 0; i < 100; ++i)
        cpu.record(1'000'000); // 1 ms
    const MetricsSnapshot first = sampler.sampleNow();
    QVERIFY(qAbs(first.cpuWait.p50Ms - 1.0) < 0.01);
    QCOMPARE(first.cpuWait.count, quint64(100));
    std::this_thread::sleep_for(400ms);
    for (int i = 0; i < 100; ++i)
        cpu.record(10'000'000); // 10 ms
    const MetricsSnapshot second = sampler.sampleNow();
    // The window (300 ms) holds only the new waits; the run holds all 200.
    QCOMPARE(second.cpuWait.count, quint64(100));
    QVERIFY(qAbs(second.cpuWait.p50Ms - 10.0) < 0.1);
    QCOMPARE(second.cpuWaitRun.count, quint64(200));
    QVERIFY(qAbs(second.cpuWaitRun.p50Ms - 1.0) < 0.01);
    QVERIFY(qAbs(second.cpuWaitRun.p99Ms - 10.0) < 0.1);
    // Sub-millisecond waits are kept, not truncated to 0.
    auto &io = g.metrics().ioWaitHistogram();
    io.record(2'500); // 2.5 µs
    const MetricsSnapshot third = sampler.sampleNow();
    QVERIFY2(third.ioWait.p50Ms > 0.00245 && third.ioWait.p50Ms < 0.00255, qPrintable(QString::number(third.ioWait.p50Ms)));
}

void TestMetricsSampler::ringIsBounded()
{
    Governor g;
    MetricsSampler::Options options;
    options.capacity = 10;
    MetricsSampler sampler(g, options);
    for (int i = 0; i < 25; ++i) {
        sampler.addNote(QStringLiteral("sample %1").arg(i));
        (void)sampler.sampleNow();
    }
    const auto all = sampler.snapshots();
    QCOMPARE(all.size(), 10);
    QCOMPARE(all.first().note, QStringLiteral("sample 15"));
    QCOMPARE(all.last().note, QStringLiteral("sample 24"));
    for (int i = 1; i < all.size(); ++i)
        QVERIFY(all[i].elapsedMs >= all[i - 1].elapsedMs);
    QCOMPARE(sampler.snapshotsSince(all.last().elapsedMs + 1).size(), 0);
    QCOMPARE(sampler.snapshotsSince(0).size(), 10);
}

void TestMetricsSampler::throughputAndCounters()
{
    Governor g;
    MetricsSampler sampler(g);
    (void)sampler.sampleNow();
    auto &m = g.metrics();
    m.addBytesIn(50'000'000);
    m.addBytesOut(20'000'000);
    m.taskSpawned();
    m.taskSpawned();
    m.taskCompleted();
    m.taskFailed();
    m.chunkQueued();
    m.chunkQueued();
    m.chunkQueued();
    m.chunkDequeued(1000);
    m.workerStarted();
    std::this_thread::sleep_for(100ms);
    const MetricsSnapshot s = sampler.sampleNow();
    QCOMPARE(s.bytesIn, quint64(50'000'000));
    QCOMPARE(s.bytesOut, quint64(20'000'000));
    const double seconds = double(s.intervalMs) / 1000.0;
    QVERIFY(qAbs(s.throughputInMBps - 50.0 / seconds) < 50.0 / seconds * 0.05);
    QVERIFY(qAbs(s.throughputOutMBps - 20.0 / seconds) < 20.0 / seconds * 0.05);
    QCOMPARE(s.tasksSpawned, quint64(2));
    QCOMPARE(s.tasksCompleted, quint64(1));
    QCOMPARE(s.tasksFailed, quint64(1));
    QCOMPARE(s.queueDepth, 2);
    QCOMPARE(s.queueDepthMax, 3);
    QCOMPARE(s.activeWorkers, 1);
    QCOMPARE(s.queueWait.count, quint64(1));
    // The next interval had no traffic.
    const MetricsSnapshot t = sampler.sampleNow();
    QCOMPARE(t.throughputInMBps, 0.0);
    m.workerFinished();
}

void TestMetricsSampler::samplerThreadAndSummaryLine()
{
    Governor g;
    MetricsSampler::Options options;
    options.interval = 20ms;
    options.summaryEvery = 100ms;
    MetricsSampler sampler(g, options);
    std::mutex mutex;
    QStringList lines;
    std::atomic<int> samples{0};
    sampler.setSampleCallback([&](const MetricsSnapshot &) { ++samples; });
    sampler.setSummaryCallback([&](const QString &line) {
        std::lock_guard lock(mutex);
        lines << line;
    });
    Permit held = g.acquireCpu();
    sampler.start();
    QVERIFY(sampler.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(samples.load() >= 12, 10000);
    {
        std::lock_guard lock(mutex);
        QVERIFY(lines.size() >= 1);
    }
    sampler.stop();
    QVERIFY(!sampler.isRunning());
    std::lock_guard lock(mutex);
    static const QRegularExpression format(QStringLiteral("^Resources: CPU=\\d+\\.\\d%, I/O=\\d+\\.\\d%, Mem=\\d+\\.\\d%$"));
    for (const QString &line : std::as_const(lines))
        QVERIFY2(format.match(line).hasMatch(), qPrintable(line));
    // One of the (default) CPU tokens was held the whole time.
    const double expected = 100.0 / g.cpuTokensTotal();
    const QString first = lines.first();
    const double cpu = first.section(u'=', 1, 1).section(u'%', 0, 0).toDouble();
    QVERIFY2(qAbs(cpu - expected) < 10.0, qPrintable(first));
    const auto all = sampler.snapshots();
    for (int i = 1; i < all.size(); ++i)
        QVERIFY(all[i].elapsedMs > all[i - 1].elapsedMs);
}

void TestMetricsSampler::accessorsReadTheLatestSample()
{
    ResourceConfig config;
    config.cpuTokens = 2;
    Governor g(config);
    // No sampler yet: whole-run figures.
    g.metrics().cpuWaitHistogram().record(3'000'000);
    QVERIFY(qAbs(g.metrics().cpuWaitP50() - 3.0) < 0.02);
    MetricsSampler sampler(g);
    Permit held = g.acquireCpu();
    (void)sampler.sampleNow();
    std::this_thread::sleep_for(100ms);
    const MetricsSnapshot s = sampler.sampleNow();
    QCOMPARE(g.metrics().cpuSaturationPercent(), s.cpuSaturationPercent);
    QCOMPARE(g.metrics().ioSaturationPercent(), s.ioSaturationPercent);
    QCOMPARE(g.metrics().cpuWaitP95(), s.cpuWait.p95Ms);
    QCOMPARE(g.metrics().cpuTokensAvailable(), 1);
    QCOMPARE(g.metrics().cpuTokensTotal(), 2);
    QCOMPARE(g.metrics().summaryLine(), ConcurrencyMetrics::summaryLine(s));
}

QTEST_GUILESS_MAIN(TestMetricsSampler)
#include "tst_metricssampler.moc"
