// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The advisor's rules at, just below and just above every threshold of the
// seed chapter "Resource Management" (Saturation Interpretation, Tuning
// Guidelines 1-3, Troubleshooting 1-4). Comparisons are strict: the seed
// writes "> 50 ms", so exactly 50 ms does not fire.

#include "advisor/advisor.h"

#include <QSet>
#include <QTest>

#include <cmath>

using namespace flowgate;

namespace {

constexpr int kCores = 8;
constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kGiB = 1024 * kMiB;

/// One steady state, repeated over a window. The defaults are a healthy
/// run that gives no hints: CPU 65 % with moderate waits, I/O 40 %.
struct Sample
{
    double cpuSaturation = 65.0;
    double cpuWaitP95 = 20.0;
    double ioSaturation = 40.0;
    double ioWaitP95 = 20.0;
    double queueWaitP95 = 5.0;
    int queueDepth = 10;
    double memoryPercent = 50.0;
    int cpuTokens = 4;
    int ioTokens = 12;
    QString storageType = QStringLiteral("SSD");
    quint64 completedPerSample = 10;
    bool busy = true; ///< workers, tokens in use, bytes moving
};

Sample idleSample()
{
    Sample s;
    s.cpuSaturation = 0.0;
    s.cpuWaitP95 = 0.0;
    s.ioSaturation = 0.0;
    s.ioWaitP95 = 0.0;
    s.queueWaitP95 = 0.0;
    s.queueDepth = 0;
    s.memoryPercent = 0.0;
    s.completedPerSample = 0;
    s.busy = false;
    return s;
}

/// count snapshots of intervalMs each (40 x 250 ms = the usual 10 s).
QList<MetricsSnapshot> makeWindow(const Sample &s, int count = 40, qint64 intervalMs = 250)
{
    QList<MetricsSnapshot> window;
    for (int i = 0; i < count; ++i) {
        MetricsSnapshot m;
        m.elapsedMs = (i + 1) * intervalMs;
        m.intervalMs = intervalMs;
        m.cpuTokensTotal = s.cpuTokens;
        m.cpuTokensInUse = s.busy ? int(std::lround(s.cpuTokens * std::min(s.cpuSaturation, 100.0) / 100.0)) : 0;
        m.cpuTokensAvailable = m.cpuTokensTotal - m.cpuTokensInUse;
        m.cpuSaturationPercent = s.cpuSaturation;
        m.ioTokensTotal = s.ioTokens;
        m.ioTokensInUse = s.busy ? int(std::lround(s.ioTokens * std::min(s.ioSaturation, 100.0) / 100.0)) : 0;
        m.ioTokensAvailable = m.ioTokensTotal - m.ioTokensInUse;
        m.ioSaturationPercent = s.ioSaturation;
        m.storageType = s.storageType;
        m.memoryCapacityBytes = 4 * kGiB;
        m.memoryUsedBytes = qint64(double(m.memoryCapacityBytes) * s.memoryPercent / 100.0);
        m.memoryPeakBytes = m.memoryUsedBytes;
        m.memoryUtilizationPercent = s.memoryPercent;
        m.cpuWait = {s.cpuWaitP95 / 2, s.cpuWaitP95, s.cpuWaitP95 * 1.5, s.busy ? 100u : 0u};
        m.ioWait = {s.ioWaitP95 / 2, s.ioWaitP95, s.ioWaitP95 * 1.5, s.busy ? 100u : 0u};
        m.queueWait = {s.queueWaitP95 / 2, s.queueWaitP95, s.queueWaitP95 * 1.5, s.busy ? 100u : 0u};
        m.queueDepth = s.queueDepth;
        m.queueDepthMax = s.queueDepth;
        m.activeWorkers = s.busy ? s.cpuTokens : 0;
        m.filesInFlight = s.busy ? 1 : 0;
        m.tasksCompleted = quint64(i) * s.completedPerSample;
        m.tasksSpawned = m.tasksCompleted + quint64(s.queueDepth);
        m.bytesIn = m.tasksSpawned * 64 * 1024;
        m.bytesOut = m.tasksCompleted * 32 * 1024;
        window.append(m);
    }
    return window;
}

QStringList ids(const QList<AdvisorHint> &hints)
{
    QStringList out;
    for (const AdvisorHint &h : hints)
        out.append(h.id);
    return out;
}

const AdvisorHint *find(const QList<AdvisorHint> &hints, const QString &id)
{
    for (const AdvisorHint &h : hints)
        if (h.id == id)
            return &h;
    return nullptr;
}

/// The invariants every evaluation keeps; returns a description of the first
/// violation, or an empty string.
QString invariantViolation(const QList<AdvisorHint> &hints)
{
    QSet<QString> seen;
    bool raisesCpu = false;
    bool lowersIo = false;
    bool raisesIo = false;
    for (const AdvisorHint &h : hints) {
        if (seen.contains(h.id))
            return QStringLiteral("duplicate id ") + h.id;
        seen.insert(h.id);
        if (h.title.isEmpty() || h.evidence.isEmpty() || h.action.isEmpty())
            return QStringLiteral("empty text in ") + h.id;
        if (h.suggestedValue != -1) {
            if (h.knob == Knob::None)
                return QStringLiteral("suggested value without a knob in ") + h.id;
            if (h.suggestedValue == h.currentValue || h.suggestedValue < 1)
                return QStringLiteral("pointless suggestion in ") + h.id;
        }
        if (h.knob == Knob::CpuTokens && h.suggestedValue > h.currentValue)
            raisesCpu = true;
        if (h.knob == Knob::IoTokens && h.suggestedValue != -1) {
            if (h.suggestedValue > h.currentValue)
                raisesIo = true;
            else
                lowersIo = true;
        }
    }
    if (raisesIo && lowersIo)
        return QStringLiteral("raises and lowers I/O tokens");
    if (raisesCpu && seen.contains(QStringLiteral("memory-pressure")))
        return QStringLiteral("raises CPU tokens under memory pressure");
    if (seen.contains(QStringLiteral("cpu-underused")) && hints.size() > 1)
        return QStringLiteral("cpu-underused together with other hints");
    if (seen.contains(QStringLiteral("cpu-bound")) && seen.contains(QStringLiteral("cpu-wait-high")))
        return QStringLiteral("cpu-bound together with cpu-wait-high");
    return {};
}

} // namespace

Q_DECLARE_METATYPE(Sample)

class TestAdvisor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyWindowGivesNoHints();
    void tooFewSnapshotsGiveNoHints();
    void idleWindowGivesNoHints();
    void stalledWindowStillCounts();
    void rules_data();
    void rules();
    void details_data();
    void details();
    void saturationIsIntervalWeighted();
    void percentilesComeFromLatestSnapshot();
    void queueDepthIsWindowMaximum();
    void evidenceNeverRoundsOntoThreshold();
    void thresholdsAreConfigurable();
    void defaultCoresAreDetected();
    void sweepKeepsInvariants();
};

void TestAdvisor::emptyWindowGivesNoHints()
{
    const Advisor advisor({}, kCores);
    QVERIFY(advisor.evaluate({}).isEmpty());
}

void TestAdvisor::tooFewSnapshotsGiveNoHints()
{
    Sample s;
    s.cpuSaturation = 30.0;
    s.cpuWaitP95 = 200.0;
    s.memoryPercent = 99.0;
    const Advisor advisor({}, kCores);
    QVERIFY(advisor.evaluate(makeWindow(s, 1)).isEmpty());
    QVERIFY(!advisor.evaluate(makeWindow(s, 2)).isEmpty());
}

void TestAdvisor::idleWindowGivesNoHints()
{
    const Advisor advisor({}, kCores);
    QVERIFY(advisor.evaluate(makeWindow(idleSample())).isEmpty());

    // A job that ended a moment ago leaves its waits in the sliding-window
    // percentiles (and its chunks' memory may still be accounted), but
    // nothing runs any more: still no hints.
    Sample stale = idleSample();
    stale.cpuWaitP95 = 300.0;
    stale.ioWaitP95 = 300.0;
    stale.queueWaitP95 = 300.0;
    stale.memoryPercent = 90.0;
    QVERIFY(advisor.evaluate(makeWindow(stale)).isEmpty());
}

void TestAdvisor::stalledWindowStillCounts()
{
    // Nothing completes, but tasks wait for CPU tokens: that is activity.
    Sample s;
    s.completedPerSample = 0;
    s.cpuSaturation = 20.0;
    s.cpuWaitP95 = 400.0;
    auto window = makeWindow(s);
    for (MetricsSnapshot &m : window) {
        m.tasksSpawned = 5;
        m.bytesIn = 0;
        m.bytesOut = 0;
        m.cpuWaiters = 3;
    }
    const Advisor advisor({}, kCores);
    QCOMPARE(ids(advisor.evaluate(window)), QStringList{QStringLiteral("cpu-wait-high")});
}

void TestAdvisor::rules_data()
{
    QTest::addColumn<Sample>("sample");
    QTest::addColumn<QStringList>("expected");

    const QString cpuWaitHigh = QStringLiteral("cpu-wait-high");
    const QString ioSaturated = QStringLiteral("io-queue-saturated");
    const QString ioBound = QStringLiteral("io-bound");
    const QString memory = QStringLiteral("memory-pressure");
    const QString queue = QStringLiteral("queue-depth-high");
    const QString cpuBound = QStringLiteral("cpu-bound");
    const QString underused = QStringLiteral("cpu-underused");

    QTest::newRow("healthy") << Sample{} << QStringList{};

    // Troubleshooting 1: P95 CPU wait > 50 ms while CPU saturation < 50 %.
    auto cpu = [](double wait, double saturation) {
        Sample s;
        s.cpuWaitP95 = wait;
        s.cpuSaturation = saturation;
        return s;
    };
    QTest::newRow("T1 wait 49.9 sat 40") << cpu(49.9, 40.0) << QStringList{};
    QTest::newRow("T1 wait 50.0 sat 40") << cpu(50.0, 40.0) << QStringList{};
    QTest::newRow("T1 wait 50.1 sat 40") << cpu(50.1, 40.0) << QStringList{cpuWaitHigh};
    QTest::newRow("T1 wait 60 sat 49.9") << cpu(60.0, 49.9) << QStringList{cpuWaitHigh};
    QTest::newRow("T1 wait 60 sat 50.0") << cpu(60.0, 50.0) << QStringList{};
    QTest::newRow("T1 wait 60 sat 50.1") << cpu(60.0, 50.1) << QStringList{};
    QTest::newRow("T1 wait 49.9 sat 49.9") << cpu(49.9, 49.9) << QStringList{};
    QTest::newRow("T1 wait 50.0 sat 50.0") << cpu(50.0, 50.0) << QStringList{};
    QTest::newRow("T1 wait 50.1 sat 49.9") << cpu(50.1, 49.9) << QStringList{cpuWaitHigh};
    QTest::newRow("T1 wait 50.1 sat 50.1") << cpu(50.1, 50.1) << QStringList{};

    // Guideline 1: CPU saturation > 80 % and P95 CPU wait < 10 ms, tokens < cores.
    QTest::newRow("G1 sat 79.9 wait 5") << cpu(5.0, 79.9) << QStringList{};
    QTest::newRow("G1 sat 80.0 wait 5") << cpu(5.0, 80.0) << QStringList{};
    QTest::newRow("G1 sat 80.1 wait 5") << cpu(5.0, 80.1) << QStringList{cpuBound};
    QTest::newRow("G1 sat 90 wait 9.9") << cpu(9.9, 90.0) << QStringList{cpuBound};
    QTest::newRow("G1 sat 90 wait 10.0") << cpu(10.0, 90.0) << QStringList{};
    QTest::newRow("G1 sat 90 wait 10.1") << cpu(10.1, 90.0) << QStringList{};
    {
        Sample s = cpu(5.0, 95.0);
        s.cpuTokens = kCores;
        QTest::newRow("G1 tokens == cores") << s << QStringList{};
        s.cpuTokens = kCores - 1;
        QTest::newRow("G1 tokens == cores - 1") << s << QStringList{cpuBound};
    }

    // Saturation interpretation 0-50 %: underused, when work was done and
    // nobody waited (P95 CPU wait < 10 ms).
    QTest::newRow("SI sat 49.9 wait 0") << cpu(0.0, 49.9) << QStringList{underused};
    QTest::newRow("SI sat 50.0 wait 0") << cpu(0.0, 50.0) << QStringList{};
    QTest::newRow("SI sat 50.1 wait 0") << cpu(0.0, 50.1) << QStringList{};
    QTest::newRow("SI sat 30 wait 9.9") << cpu(9.9, 30.0) << QStringList{underused};
    QTest::newRow("SI sat 30 wait 10.0") << cpu(10.0, 30.0) << QStringList{};
    QTest::newRow("SI sat 30 wait 10.1") << cpu(10.1, 30.0) << QStringList{};
    {
        Sample s = cpu(0.0, 30.0);
        s.completedPerSample = 0; // busy, but nothing finished
        QTest::newRow("SI no task completed") << s << QStringList{};
    }

    // Troubleshooting 2: I/O saturation > 90 % and P95 I/O wait > 100 ms.
    // Guideline 2: I/O saturation > 80 % and P95 I/O wait > 50 ms (otherwise).
    auto io = [](double saturation, double wait) {
        Sample s;
        s.ioSaturation = saturation;
        s.ioWaitP95 = wait;
        return s;
    };
    QTest::newRow("T2 sat 90.1 wait 100.1") << io(90.1, 100.1) << QStringList{ioSaturated};
    QTest::newRow("T2 sat 90.0 wait 100.1") << io(90.0, 100.1) << QStringList{ioBound};
    QTest::newRow("T2 sat 89.9 wait 100.1") << io(89.9, 100.1) << QStringList{ioBound};
    QTest::newRow("T2 sat 95 wait 100.0") << io(95.0, 100.0) << QStringList{ioBound};
    QTest::newRow("T2 sat 95 wait 99.9") << io(95.0, 99.9) << QStringList{ioBound};
    QTest::newRow("T2 sat 100 wait 500") << io(100.0, 500.0) << QStringList{ioSaturated};
    QTest::newRow("G2 sat 80.1 wait 50.1") << io(80.1, 50.1) << QStringList{ioBound};
    QTest::newRow("G2 sat 80.0 wait 60") << io(80.0, 60.0) << QStringList{};
    QTest::newRow("G2 sat 79.9 wait 60") << io(79.9, 60.0) << QStringList{};
    QTest::newRow("G2 sat 85 wait 50.0") << io(85.0, 50.0) << QStringList{};
    QTest::newRow("G2 sat 85 wait 49.9") << io(85.0, 49.9) << QStringList{};
    QTest::newRow("G2 sat 85 wait 50.1") << io(85.0, 50.1) << QStringList{ioBound};

    // Guideline 3 / Troubleshooting 3: memory utilisation > 80 %.
    auto mem = [](double percent) {
        Sample s;
        s.memoryPercent = percent;
        return s;
    };
    QTest::newRow("T3 memory 79.9") << mem(79.9) << QStringList{};
    QTest::newRow("T3 memory 80.0") << mem(80.0) << QStringList{};
    QTest::newRow("T3 memory 80.1") << mem(80.1) << QStringList{memory};
    QTest::newRow("T3 memory 100") << mem(100.0) << QStringList{memory};

    // Troubleshooting 4: queue depth > 100 or P95 queue wait > 50 ms.
    auto q = [](int depth, double wait) {
        Sample s;
        s.queueDepth = depth;
        s.queueWaitP95 = wait;
        return s;
    };
    QTest::newRow("T4 depth 99") << q(99, 5.0) << QStringList{};
    QTest::newRow("T4 depth 100") << q(100, 5.0) << QStringList{};
    QTest::newRow("T4 depth 101") << q(101, 5.0) << QStringList{queue};
    QTest::newRow("T4 queue wait 49.9") << q(10, 49.9) << QStringList{};
    QTest::newRow("T4 queue wait 50.0") << q(10, 50.0) << QStringList{};
    QTest::newRow("T4 queue wait 50.1") << q(10, 50.1) << QStringList{queue};
    QTest::newRow("T4 both") << q(500, 200.0) << QStringList{queue};
    {
        Sample s = q(101, 5.0);
        s.cpuTokens = kCores;
        QTest::newRow("T4 tokens == cores") << s << QStringList{queue};
    }

    // Several rules at once: each once, never contradictory.
    {
        Sample s;
        s.cpuSaturation = 30.0;
        s.cpuWaitP95 = 80.0;
        s.ioSaturation = 95.0;
        s.ioWaitP95 = 150.0;
        s.queueDepth = 150;
        QTest::newRow("T1 + T2 + T4") << s << QStringList{ioSaturated, cpuWaitHigh, queue};
        s.memoryPercent = 85.0;
        // Under memory pressure no hint raises CPU tokens.
        QTest::newRow("T1 + T2 + T3 + T4, tokens < cores") << s << QStringList{ioSaturated, memory};
        s.cpuTokens = kCores;
        QTest::newRow("T2 + T3 + T4, tokens == cores") << s << QStringList{ioSaturated, memory, queue};
    }
    {
        Sample s;
        s.cpuSaturation = 90.0;
        s.cpuWaitP95 = 5.0;
        s.ioSaturation = 85.0;
        s.ioWaitP95 = 60.0;
        QTest::newRow("G1 + G2") << s << QStringList{ioBound, cpuBound};
        s.queueDepth = 200;
        QTest::newRow("G1 + G2 + T4") << s << QStringList{queue, ioBound, cpuBound};
        s.memoryPercent = 97.0;
        QTest::newRow("G1 + G2 + T4 + T3") << s << QStringList{memory, ioBound};
    }
    {
        Sample s;
        s.cpuSaturation = 30.0;
        s.cpuWaitP95 = 0.0;
        s.ioSaturation = 85.0;
        s.ioWaitP95 = 60.0;
        QTest::newRow("underused explained by I/O") << s << QStringList{ioBound};
        s.ioSaturation = 40.0;
        s.memoryPercent = 90.0;
        QTest::newRow("underused under memory pressure") << s << QStringList{memory};
        s.memoryPercent = 50.0;
        s.queueWaitP95 = 70.0;
        QTest::newRow("underused with a slow queue") << s << QStringList{queue};
    }
}

void TestAdvisor::rules()
{
    QFETCH(Sample, sample);
    QFETCH(QStringList, expected);

    const Advisor advisor({}, kCores);
    const QList<AdvisorHint> hints = advisor.evaluate(makeWindow(sample));
    QCOMPARE(ids(hints), expected); // expected is in output order: severity, then rule order
    const QString violation = invariantViolation(hints);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void TestAdvisor::details_data()
{
    QTest::addColumn<Sample>("sample");
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("severity");
    QTest::addColumn<int>("knob");
    QTest::addColumn<int>("current");
    QTest::addColumn<int>("suggested");
    QTest::addColumn<QStringList>("evidence");
    QTest::addColumn<QStringList>("action");

    const int info = int(AdvisorHint::Severity::Info);
    const int warning = int(AdvisorHint::Severity::Warning);
    const int critical = int(AdvisorHint::Severity::Critical);

    {
        Sample s;
        s.cpuWaitP95 = 73.2;
        s.cpuSaturation = 41.0;
        s.cpuTokens = 1;
        QTest::newRow("cpu-wait-high 1 -> cores")
            << s << QStringLiteral("cpu-wait-high") << warning << int(Knob::CpuTokens) << 1 << kCores
            << QStringList{QStringLiteral("P95 CPU wait 73.2 ms (> 50 ms)"), QStringLiteral("41.0 % (< 50 %)"),
                   QStringLiteral("last 10 s")}
            << QStringList{QStringLiteral("Raise CPU tokens from 1 to 8")};
        s.cpuTokens = kCores;
        QTest::newRow("cpu-wait-high cores -> cores + 1")
            << s << QStringLiteral("cpu-wait-high") << warning << int(Knob::CpuTokens) << kCores << kCores + 1
            << QStringList{QStringLiteral("73.2 ms")} << QStringList{QStringLiteral("from 8 to 9")};
        s.cpuTokens = 2 * kCores - 1;
        QTest::newRow("cpu-wait-high 15 -> 16")
            << s << QStringLiteral("cpu-wait-high") << warning << int(Knob::CpuTokens) << 15 << 16
            << QStringList{QStringLiteral("73.2 ms")} << QStringList{QStringLiteral("from 15 to 16")};
        s.cpuTokens = 2 * kCores;
        QTest::newRow("cpu-wait-high at 2x cores")
            << s << QStringLiteral("cpu-wait-high") << warning << int(Knob::CpuTokens) << 16 << -1
            << QStringList{QStringLiteral("73.2 ms")} << QStringList{QStringLiteral("already at 16")};
    }
    {
        Sample s;
        s.ioSaturation = 95.0;
        s.ioWaitP95 = 150.0;
        QTest::newRow("io-queue-saturated SSD 12 -> 6")
            << s << QStringLiteral("io-queue-saturated") << warning << int(Knob::IoTokens) << 12 << 6
            << QStringList{QStringLiteral("I/O saturation 95.0 % (> 90 %)"),
                   QStringLiteral("P95 I/O wait 150.0 ms (> 100 ms)"), QStringLiteral("I/O tokens set to 12"),
                   QStringLiteral("SSD")}
            << QStringList{QStringLiteral("Lower I/O tokens from 12 to 6"), QStringLiteral("storage type"),
                   QStringLiteral("HDD uses 4")};
        s.ioTokens = 24;
        s.storageType = QStringLiteral("NVMe");
        QTest::newRow("io-queue-saturated NVMe 24 -> 12")
            << s << QStringLiteral("io-queue-saturated") << warning << int(Knob::IoTokens) << 24 << 12
            << QStringList{QStringLiteral("NVMe")} << QStringList{QStringLiteral("from 24 to 12")};
        s.ioTokens = 6;
        s.storageType = QStringLiteral("Custom(6)");
        QTest::newRow("io-queue-saturated 6 -> HDD's 4")
            << s << QStringLiteral("io-queue-saturated") << warning << int(Knob::IoTokens) << 6 << 4
            << QStringList{QStringLiteral("Custom(6)")} << QStringList{QStringLiteral("from 6 to 4")};
        s.ioTokens = 4;
        s.storageType = QStringLiteral("HDD");
        QTest::newRow("io-queue-saturated HDD 4 -> 2")
            << s << QStringLiteral("io-queue-saturated") << warning << int(Knob::IoTokens) << 4 << 2
            << QStringList{QStringLiteral("HDD")} << QStringList{QStringLiteral("from 4 to 2")};
        s.ioTokens = 1;
        QTest::newRow("io-queue-saturated at 1")
            << s << QStringLiteral("io-queue-saturated") << warning << int(Knob::IoTokens) << 1 << -1
            << QStringList{QStringLiteral("I/O tokens set to 1")} << QStringList{QStringLiteral("already at 1")};
    }
    {
        Sample s;
        s.ioSaturation = 85.5;
        s.ioWaitP95 = 62.4;
        QTest::newRow("io-bound 12 -> 18") << s << QStringLiteral("io-bound") << info << int(Knob::IoTokens) << 12 << 18
                                           << QStringList{QStringLiteral("I/O saturation 85.5 % (> 80 %)"),
                                                  QStringLiteral("P95 I/O wait 62.4 ms (> 50 ms)")}
                                           << QStringList{QStringLiteral("Raise I/O tokens from 12 to 18")};
        s.ioTokens = 1;
        QTest::newRow("io-bound 1 -> 2") << s << QStringLiteral("io-bound") << info << int(Knob::IoTokens) << 1 << 2
                                         << QStringList{} << QStringList{QStringLiteral("from 1 to 2")};
    }
    {
        Sample s;
        s.memoryPercent = 85.3;
        s.cpuTokens = 7;
        QTest::newRow("memory-pressure warning")
            << s << QStringLiteral("memory-pressure") << warning << int(Knob::ChunkSize) << -1 << -1
            << QStringList{QStringLiteral("Memory utilisation 85.3 % (> 80 %)"), QStringLiteral("of 4.0 GiB")}
            << QStringList{QStringLiteral("chunk size"), QStringLiteral("lower CPU tokens from 7 to 6")};
        s.memoryPercent = 95.0;
        QTest::newRow("memory-pressure at 95 is a warning")
            << s << QStringLiteral("memory-pressure") << warning << int(Knob::ChunkSize) << -1 << -1
            << QStringList{QStringLiteral("95.0 % (> 80 %)")} << QStringList{QStringLiteral("from 7 to 5")};
        s.memoryPercent = 95.1;
        QTest::newRow("memory-pressure above 95 is critical")
            << s << QStringLiteral("memory-pressure") << critical << int(Knob::ChunkSize) << -1 << -1
            << QStringList{QStringLiteral("95.1 % (> 95 %)")} << QStringList{QStringLiteral("from 7 to 5")};
        s.cpuTokens = 1;
        QTest::newRow("memory-pressure with one CPU token")
            << s << QStringLiteral("memory-pressure") << critical << int(Knob::ChunkSize) << -1 << -1 << QStringList{}
            << QStringList{QStringLiteral("files in flight")};
    }
    {
        Sample s;
        s.queueDepth = 150;
        QTest::newRow("queue-depth-high raises CPU tokens")
            << s << QStringLiteral("queue-depth-high") << warning << int(Knob::CpuTokens) << 4 << kCores
            << QStringList{QStringLiteral("Queue depth reached 150 chunks (> 100)"),
                   QStringLiteral("CPU tokens set to 4 (cores: 8)")}
            << QStringList{QStringLiteral("Raise CPU tokens from 4 to 8")};
        s.queueDepth = 10;
        s.queueWaitP95 = 62.5;
        s.cpuTokens = kCores;
        QTest::newRow("queue-depth-high stages are the bottleneck")
            << s << QStringLiteral("queue-depth-high") << info << int(Knob::None) << -1 << -1
            << QStringList{QStringLiteral("P95 queue wait 62.5 ms (> 50 ms)")}
            << QStringList{QStringLiteral("stages are the bottleneck")};
    }
    {
        Sample s;
        s.cpuSaturation = 92.4;
        s.cpuWaitP95 = 3.1;
        s.cpuTokens = 7;
        QTest::newRow("cpu-bound 7 -> 8")
            << s << QStringLiteral("cpu-bound") << info << int(Knob::CpuTokens) << 7 << kCores
            << QStringList{QStringLiteral("CPU saturation 92.4 % (> 80 %)"),
                   QStringLiteral("P95 CPU wait 3.1 ms (< 10 ms)"), QStringLiteral("CPU tokens set to 7 (cores: 8)")}
            << QStringList{QStringLiteral("Raise CPU tokens from 7 to 8")};
    }
    {
        Sample s;
        s.cpuSaturation = 22.5;
        s.cpuWaitP95 = 0.4;
        QTest::newRow("cpu-underused") << s << QStringLiteral("cpu-underused") << info << int(Knob::PerFileWorkers)
                                       << -1 << -1
                                       << QStringList{QStringLiteral("CPU saturation 22.5 % (< 50 %)"),
                                              QStringLiteral("P95 CPU wait 0.4 ms (< 10 ms)"),
                                              QStringLiteral("390 tasks completed")}
                                       << QStringList{
                                              QStringLiteral("per-file workers"), QStringLiteral("files in flight")};
    }
}

void TestAdvisor::details()
{
    QFETCH(Sample, sample);
    QFETCH(QString, id);
    QFETCH(int, severity);
    QFETCH(int, knob);
    QFETCH(int, current);
    QFETCH(int, suggested);
    QFETCH(QStringList, evidence);
    QFETCH(QStringList, action);

    const Advisor advisor({}, kCores);
    const QList<AdvisorHint> hints = advisor.evaluate(makeWindow(sample));
    const AdvisorHint *h = find(hints, id);
    QVERIFY2(h, qPrintable(QStringLiteral("no %1 in [%2]").arg(id, ids(hints).join(QLatin1Char(',')))));
    QCOMPARE(int(h->severity), severity);
    QCOMPARE(int(h->knob), knob);
    QCOMPARE(h->currentValue, current);
    QCOMPARE(h->suggestedValue, suggested);
    QVERIFY(!h->title.isEmpty());
    for (const QString &part : evidence)
        QVERIFY2(h->evidence.contains(part), qPrintable(h->evidence + QStringLiteral(" lacks ") + part));
    for (const QString &part : action)
        QVERIFY2(h->action.contains(part), qPrintable(h->action + QStringLiteral(" lacks ") + part));
    const QString violation = invariantViolation(hints);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void TestAdvisor::saturationIsIntervalWeighted()
{
    // 900 ms at 20 % and 100 ms at 100 %: 28 % over the window (a plain
    // mean of the two rows would be 60 %).
    Sample s;
    s.cpuWaitP95 = 80.0;
    s.cpuSaturation = 20.0;
    QList<MetricsSnapshot> window = makeWindow(s, 2);
    window[0].intervalMs = 900;
    window[1].intervalMs = 100;
    window[1].cpuSaturationPercent = 100.0;
    const Advisor advisor({}, kCores);
    const QList<AdvisorHint> hints = advisor.evaluate(window);
    QCOMPARE(ids(hints), QStringList{QStringLiteral("cpu-wait-high")});
    QVERIFY2(hints.constFirst().evidence.contains(QStringLiteral("CPU saturation 28.0 %")),
        qPrintable(hints.constFirst().evidence));
    QVERIFY2(hints.constFirst().evidence.contains(QStringLiteral("last 1 s")), qPrintable(hints.constFirst().evidence));

    // Without intervals, a plain mean.
    window[0].intervalMs = 0;
    window[1].intervalMs = 0;
    QVERIFY(advisor.evaluate(window).isEmpty());
}

void TestAdvisor::percentilesComeFromLatestSnapshot()
{
    Sample s;
    s.cpuSaturation = 30.0;
    s.cpuWaitP95 = 200.0;
    QList<MetricsSnapshot> window = makeWindow(s);
    window.last().cpuWait.p95Ms = 20.0; // the sliding window has recovered
    const Advisor advisor({}, kCores);
    QVERIFY(find(advisor.evaluate(window), QStringLiteral("cpu-wait-high")) == nullptr);

    window = makeWindow(Sample{});
    window.last().cpuWait.p95Ms = 200.0;
    for (MetricsSnapshot &m : window)
        m.cpuSaturationPercent = 30.0;
    QVERIFY(find(advisor.evaluate(window), QStringLiteral("cpu-wait-high")) != nullptr);
}

void TestAdvisor::queueDepthIsWindowMaximum()
{
    QList<MetricsSnapshot> window = makeWindow(Sample{});
    window[17].queueDepth = 101; // one spike, long drained
    const Advisor advisor({}, kCores);
    const QList<AdvisorHint> hints = advisor.evaluate(window);
    QCOMPARE(ids(hints), QStringList{QStringLiteral("queue-depth-high")});
    QVERIFY(hints.constFirst().evidence.contains(QStringLiteral("101 chunks")));

    // queueDepthMax is "since the start of the run": it does not count.
    window = makeWindow(Sample{});
    for (MetricsSnapshot &m : window)
        m.queueDepthMax = 5000;
    QVERIFY(advisor.evaluate(window).isEmpty());
}

void TestAdvisor::evidenceNeverRoundsOntoThreshold()
{
    Sample s;
    s.cpuWaitP95 = 50.04;
    s.cpuSaturation = 49.96;
    const Advisor advisor({}, kCores);
    const QList<AdvisorHint> hints = advisor.evaluate(makeWindow(s));
    QCOMPARE(ids(hints), QStringList{QStringLiteral("cpu-wait-high")});
    QVERIFY2(hints.constFirst().evidence.contains(QStringLiteral("50.04 ms (> 50 ms)")),
        qPrintable(hints.constFirst().evidence));
    QVERIFY2(hints.constFirst().evidence.contains(QStringLiteral("49.96 % (< 50 %)")),
        qPrintable(hints.constFirst().evidence));
}

void TestAdvisor::thresholdsAreConfigurable()
{
    AdvisorThresholds t;
    t.cpuWaitHighMs = 20.0;
    t.memoryHighPercent = 60.0;
    t.minSnapshots = 5;
    const Advisor advisor(t, kCores);
    QCOMPARE(advisor.thresholds().cpuWaitHighMs, 20.0);
    QCOMPARE(advisor.cores(), kCores);

    Sample s;
    s.cpuWaitP95 = 25.0;
    s.cpuSaturation = 40.0;
    QCOMPARE(ids(advisor.evaluate(makeWindow(s))), QStringList{QStringLiteral("cpu-wait-high")});
    QVERIFY(advisor.evaluate(makeWindow(s, 4)).isEmpty());
    QVERIFY(advisor.evaluate(makeWindow(s)).constFirst().evidence.contains(QStringLiteral("(> 20 ms)")));

    s = Sample{};
    s.memoryPercent = 65.0;
    QCOMPARE(ids(advisor.evaluate(makeWindow(s))), QStringList{QStringLiteral("memory-pressure")});
}

void TestAdvisor::defaultCoresAreDetected()
{
    const Advisor advisor;
    QVERIFY(advisor.cores() >= 1);
    QCOMPARE(Advisor({}, -3).cores(), advisor.cores());
    QCOMPARE(Advisor({}, 3).cores(), 3);
}

void TestAdvisor::sweepKeepsInvariants()
{
    // Every combination of values around the thresholds: no duplicate ids,
    // no contradictory pair, no empty text.
    const Advisor advisor({}, kCores);
    const double cpuSats[] = {0.0, 30.0, 49.9, 50.0, 65.0, 80.1, 99.0};
    const double cpuWaits[] = {0.0, 9.9, 10.0, 30.0, 50.1, 400.0};
    const double ioSats[] = {30.0, 80.1, 90.1};
    const double ioWaits[] = {20.0, 50.1, 100.1};
    const int depths[] = {0, 101};
    const double memories[] = {50.0, 80.1, 95.1};
    const int tokens[] = {1, kCores - 1, kCores, 2 * kCores};
    int evaluated = 0;
    int withHints = 0;
    for (double cpuSat : cpuSats)
        for (double cpuWait : cpuWaits)
            for (double ioSat : ioSats)
                for (double ioWait : ioWaits)
                    for (int depth : depths)
                        for (double memory : memories)
                            for (int cpuTokens : tokens) {
                                Sample s;
                                s.cpuSaturation = cpuSat;
                                s.cpuWaitP95 = cpuWait;
                                s.ioSaturation = ioSat;
                                s.ioWaitP95 = ioWait;
                                s.queueDepth = depth;
                                s.memoryPercent = memory;
                                s.cpuTokens = cpuTokens;
                                const QList<AdvisorHint> hints = advisor.evaluate(makeWindow(s, 4));
                                const QString violation = invariantViolation(hints);
                                QVERIFY2(violation.isEmpty(),
                                    qPrintable(violation + QStringLiteral(" in [") + ids(hints).join(QLatin1Char(','))
                                        + QLatin1Char(']')));
                                ++evaluated;
                                if (!hints.isEmpty())
                                    ++withHints;
                            }
    QVERIFY(evaluated > 1000);
    QVERIFY(withHints > evaluated / 2);
}

QTEST_GUILESS_MAIN(TestAdvisor)
#include "tst_advisor.moc"
