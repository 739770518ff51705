// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "advisor/advisor.h"

#include "governor/resourceconfig.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace flowgate {

namespace {

/// What the rules look at, reduced from the window.
struct WindowStats
{
    double cpuSaturation = 0.0; ///< interval-weighted mean, %
    double ioSaturation = 0.0; ///< interval-weighted mean, %
    double cpuWaitP95 = 0.0; ///< latest sliding-window P95, ms
    double ioWaitP95 = 0.0;
    double queueWaitP95 = 0.0;
    int maxQueueDepth = 0; ///< largest instantaneous depth in the window
    double memoryUtilization = 0.0; ///< latest, %
    qint64 memoryUsedBytes = 0;
    qint64 memoryCapacityBytes = 0;
    int cpuTokens = 0; ///< latest totals
    int ioTokens = 0;
    QString storageType;
    quint64 tasksCompleted = 0; ///< completed during the window
    qint64 spanMs = 0; ///< time the window covers
    bool active = false;
};

quint64 counterDelta(quint64 first, quint64 last)
{
    // A counter that went down means a new run started inside the window.
    return last >= first ? last - first : last;
}

WindowStats aggregate(const QList<MetricsSnapshot> &window)
{
    WindowStats w;
    const MetricsSnapshot &first = window.constFirst();
    const MetricsSnapshot &last = window.constLast();

    double cpuWeighted = 0.0;
    double ioWeighted = 0.0;
    double cpuPlain = 0.0;
    double ioPlain = 0.0;
    qint64 totalInterval = 0;
    for (const MetricsSnapshot &s : window) {
        const qint64 interval = std::max<qint64>(s.intervalMs, 0);
        cpuWeighted += s.cpuSaturationPercent * double(interval);
        ioWeighted += s.ioSaturationPercent * double(interval);
        cpuPlain += s.cpuSaturationPercent;
        ioPlain += s.ioSaturationPercent;
        totalInterval += interval;
        w.maxQueueDepth = std::max(w.maxQueueDepth, s.queueDepth);
        if (s.cpuTokensInUse > 0 || s.ioTokensInUse > 0 || s.cpuWaiters > 0 || s.ioWaiters > 0 || s.activeWorkers > 0
            || s.filesInFlight > 0 || s.queueDepth > 0 || s.cpuSaturationPercent > 0.0 || s.ioSaturationPercent > 0.0)
            w.active = true;
    }
    if (totalInterval > 0) {
        w.cpuSaturation = cpuWeighted / double(totalInterval);
        w.ioSaturation = ioWeighted / double(totalInterval);
        w.spanMs = totalInterval;
    } else {
        const double n = double(window.size());
        w.cpuSaturation = cpuPlain / n;
        w.ioSaturation = ioPlain / n;
        w.spanMs = std::max<qint64>(last.elapsedMs - first.elapsedMs, 0);
    }

    w.cpuWaitP95 = last.cpuWait.p95Ms;
    w.ioWaitP95 = last.ioWait.p95Ms;
    w.queueWaitP95 = last.queueWait.p95Ms;
    w.memoryUtilization = last.memoryUtilizationPercent;
    w.memoryUsedBytes = last.memoryUsedBytes;
    w.memoryCapacityBytes = last.memoryCapacityBytes;
    w.cpuTokens = std::max(last.cpuTokensTotal, 0);
    w.ioTokens = std::max(last.ioTokensTotal, 0);
    w.storageType = last.storageType;

    w.tasksCompleted = counterDelta(first.tasksCompleted, last.tasksCompleted);
    if (w.tasksCompleted > 0 || counterDelta(first.tasksSpawned, last.tasksSpawned) > 0
        || counterDelta(first.tasksFailed, last.tasksFailed) > 0 || counterDelta(first.bytesIn, last.bytesIn) > 0
        || counterDelta(first.bytesOut, last.bytesOut) > 0)
        w.active = true;
    return w;
}

/// A threshold as written in the seed: "50", "0.5".
QString threshold(double value)
{
    return QString::number(value, 'g', 10);
}

/// An observed value that is strictly above (or below) a threshold, with one
/// decimal unless rounding would make it look like the threshold itself
/// (50.04 ms shows as "50.04", never as "50.0 (> 50)").
QString observed(double value, double limit, bool above)
{
    for (int decimals = 1; decimals <= 4; ++decimals) {
        const QString text = QString::number(value, 'f', decimals);
        const double shown = text.toDouble();
        if (above ? shown > limit : shown < limit)
            return text;
    }
    return QString::number(value, 'g', 17);
}

QString observedAbove(double value, double limit)
{
    return observed(value, limit, true);
}

QString observedBelow(double value, double limit)
{
    return observed(value, limit, false);
}

QString seconds(qint64 ms)
{
    if (ms % 1000 == 0)
        return QString::number(ms / 1000);
    return QString::number(double(ms) / 1000.0, 'f', 1);
}

QString bytes(qint64 value)
{
    constexpr double kMiB = 1024.0 * 1024.0;
    constexpr double kGiB = kMiB * 1024.0;
    if (double(value) >= kGiB)
        return QCoreApplication::translate("Advisor", "%1 GiB").arg(QString::number(double(value) / kGiB, 'f', 1));
    return QCoreApplication::translate("Advisor", "%1 MiB").arg(QString::number(double(value) / kMiB, 'f', 1));
}

int severityRank(AdvisorHint::Severity s)
{
    switch (s) {
    case AdvisorHint::Severity::Critical:
        return 0;
    case AdvisorHint::Severity::Warning:
        return 1;
    case AdvisorHint::Severity::Info:
        return 2;
    }
    return 3;
}

} // namespace

Advisor::Advisor(AdvisorThresholds thresholds, int cores)
    : m_thresholds(thresholds)
    , m_cores(cores > 0 ? cores : ResourceConfig::availableCores())
{ }

QList<AdvisorHint> Advisor::evaluate(const QList<MetricsSnapshot> &window) const
{
    const AdvisorThresholds &t = m_thresholds;
    if (window.isEmpty() || window.size() < std::max(t.minSnapshots, 1))
        return {};
    const WindowStats w = aggregate(window);
    if (!w.active)
        return {};

    const QString span = seconds(w.spanMs);
    const int maxCpuTokens = std::max(1, t.maxCpuTokensPerCore * m_cores);
    QList<AdvisorHint> hints;

    // Troubleshooting 2: the device cannot serve this queue depth.
    const bool ioSaturated = w.ioSaturation > t.ioSaturationCriticalPercent && w.ioWaitP95 > t.ioWaitCriticalMs;
    if (ioSaturated) {
        AdvisorHint h;
        h.id = QStringLiteral("io-queue-saturated");
        h.severity = AdvisorHint::Severity::Warning;
        h.title = QCoreApplication::translate("Advisor", "Too many I/O tokens for this device");
        const QString storage
            = w.storageType.isEmpty() ? QCoreApplication::translate("Advisor", "unknown") : w.storageType;
        h.evidence = QCoreApplication::translate("Advisor",
            "I/O saturation %1 % (> %2 %) and P95 I/O wait %3 ms (> %4 ms) with I/O tokens set to %5 "
            "(storage type %6), over the last %7 s")
                         .arg(observedAbove(w.ioSaturation, t.ioSaturationCriticalPercent),
                             threshold(t.ioSaturationCriticalPercent), observedAbove(w.ioWaitP95, t.ioWaitCriticalMs),
                             threshold(t.ioWaitCriticalMs), QString::number(w.ioTokens), storage, span);
        h.knob = Knob::IoTokens;
        h.currentValue = w.ioTokens;
        const int lower
            = w.ioTokens > t.hddIoTokens ? std::max(t.hddIoTokens, w.ioTokens / 2) : std::max(1, w.ioTokens / 2);
        if (lower < w.ioTokens) {
            h.suggestedValue = lower;
            if (w.storageType == u"HDD")
                h.action = QCoreApplication::translate(
                    "Advisor", "Lower I/O tokens from %1 to %2: the device cannot serve this queue depth")
                               .arg(w.ioTokens)
                               .arg(lower);
            else
                h.action = QCoreApplication::translate("Advisor",
                    "Lower I/O tokens from %1 to %2, or choose the storage type that matches the "
                    "device (HDD uses %3)")
                               .arg(w.ioTokens)
                               .arg(lower)
                               .arg(t.hddIoTokens);
        } else {
            h.action = QCoreApplication::translate("Advisor",
                "I/O tokens are already at %1: the device itself is the bottleneck; "
                "use faster storage")
                           .arg(w.ioTokens);
        }
        hints.append(h);
    }

    // Guideline 3 / Troubleshooting 3.
    const bool memoryPressure = w.memoryUtilization > t.memoryHighPercent;
    if (memoryPressure) {
        AdvisorHint h;
        h.id = QStringLiteral("memory-pressure");
        h.severity = w.memoryUtilization > t.memoryCriticalPercent ? AdvisorHint::Severity::Critical
                                                                   : AdvisorHint::Severity::Warning;
        h.title = QCoreApplication::translate("Advisor", "Memory pressure");
        const double limit
            = h.severity == AdvisorHint::Severity::Critical ? t.memoryCriticalPercent : t.memoryHighPercent;
        h.evidence = QCoreApplication::translate("Advisor", "Memory utilisation %1 % (> %2 %)")
                         .arg(observedAbove(w.memoryUtilization, limit), threshold(limit));
        if (w.memoryCapacityBytes > 0)
            h.evidence += QCoreApplication::translate("Advisor", ": %1 used of %2")
                              .arg(bytes(w.memoryUsedBytes), bytes(w.memoryCapacityBytes));
        h.knob = Knob::ChunkSize;
        // Peak memory ~ chunk size x CPU tokens x files in flight: scale the
        // tokens down to bring utilisation back under the threshold.
        int fewer = int(std::floor(double(w.cpuTokens) * t.memoryHighPercent / w.memoryUtilization));
        fewer = std::clamp(fewer, 1, std::max(w.cpuTokens - 1, 1));
        if (w.cpuTokens > 1)
            h.action = QCoreApplication::translate("Advisor",
                "Lower the chunk size, or lower CPU tokens from %1 to %2 "
                "(peak memory is about chunk size × CPU tokens × files in flight)")
                           .arg(w.cpuTokens)
                           .arg(fewer);
        else
            h.action = QCoreApplication::translate("Advisor",
                "Lower the chunk size or the number of files in flight "
                "(peak memory is about chunk size × CPU tokens × files in flight)");
        hints.append(h);
    }

    // Troubleshooting 1: tasks wait for CPU tokens that are mostly free.
    // Withheld under memory pressure: more tokens would need more memory.
    if (!memoryPressure && w.cpuWaitP95 > t.cpuWaitHighMs && w.cpuSaturation < t.cpuSaturationLowPercent) {
        AdvisorHint h;
        h.id = QStringLiteral("cpu-wait-high");
        h.severity = AdvisorHint::Severity::Warning;
        h.title = QCoreApplication::translate("Advisor", "Too few CPU tokens");
        h.evidence = QCoreApplication::translate(
            "Advisor", "P95 CPU wait %1 ms (> %2 ms) while CPU saturation %3 % (< %4 %), over the last %5 s")
                         .arg(observedAbove(w.cpuWaitP95, t.cpuWaitHighMs), threshold(t.cpuWaitHighMs),
                             observedBelow(w.cpuSaturation, t.cpuSaturationLowPercent),
                             threshold(t.cpuSaturationLowPercent), span);
        h.knob = Knob::CpuTokens;
        h.currentValue = w.cpuTokens;
        const int more = std::min(std::max(w.cpuTokens + 1, m_cores), maxCpuTokens);
        if (more > w.cpuTokens) {
            h.suggestedValue = more;
            h.action
                = QCoreApplication::translate("Advisor", "Raise CPU tokens from %1 to %2").arg(w.cpuTokens).arg(more);
        } else {
            h.action = QCoreApplication::translate("Advisor",
                "CPU tokens are already at %1, twice the cores (%2): look for other programs "
                "competing for the CPU")
                           .arg(w.cpuTokens)
                           .arg(m_cores);
        }
        hints.append(h);
    }

    // Troubleshooting 4 / Guideline 5: the workers cannot keep up with the reader.
    const bool deepQueue = w.maxQueueDepth > t.queueDepthHigh;
    const bool slowQueue = w.queueWaitP95 > t.queueWaitHighMs;
    const bool queueHigh = deepQueue || slowQueue;
    const bool canRaiseToCores = w.cpuTokens < m_cores;
    if (queueHigh && !(memoryPressure && canRaiseToCores)) {
        AdvisorHint h;
        h.id = QStringLiteral("queue-depth-high");
        h.title = QCoreApplication::translate("Advisor", "Workers cannot keep up with the reader");
        QStringList parts;
        if (deepQueue)
            parts.append(QCoreApplication::translate("Advisor", "Queue depth reached %1 chunks (> %2)")
                             .arg(w.maxQueueDepth)
                             .arg(t.queueDepthHigh));
        if (slowQueue)
            parts.append(QCoreApplication::translate("Advisor", "P95 queue wait %1 ms (> %2 ms)")
                             .arg(observedAbove(w.queueWaitP95, t.queueWaitHighMs), threshold(t.queueWaitHighMs)));
        h.evidence
            = QCoreApplication::translate("Advisor", "%1, with CPU tokens set to %2 (cores: %3), over the last %4 s")
                  .arg(parts.join(QCoreApplication::translate("Advisor", " and ")), QString::number(w.cpuTokens),
                      QString::number(m_cores), span);
        if (canRaiseToCores) {
            h.severity = AdvisorHint::Severity::Warning;
            h.knob = Knob::CpuTokens;
            h.currentValue = w.cpuTokens;
            h.suggestedValue = m_cores;
            h.action = QCoreApplication::translate(
                "Advisor", "Raise CPU tokens from %1 to %2 so that more workers drain the queue")
                           .arg(w.cpuTokens)
                           .arg(m_cores);
        } else {
            h.severity = AdvisorHint::Severity::Info;
            h.knob = Knob::None;
            h.action = QCoreApplication::translate("Advisor",
                "The processing stages are the bottleneck: CPU tokens already match the cores; "
                "choose a faster codec or a lower compression level");
        }
        hints.append(h);
    }

    // Guideline 2: I/O-bound, but the device is not overloaded (that is
    // Troubleshooting 2 above, which asks for the opposite).
    if (!ioSaturated && w.ioSaturation > t.ioSaturationHighPercent && w.ioWaitP95 > t.ioWaitHighMs) {
        AdvisorHint h;
        h.id = QStringLiteral("io-bound");
        h.severity = AdvisorHint::Severity::Info;
        h.title = QCoreApplication::translate("Advisor", "I/O-bound workload");
        h.evidence = QCoreApplication::translate("Advisor",
            "I/O saturation %1 % (> %2 %) and P95 I/O wait %3 ms (> %4 ms) with I/O tokens set to %5, "
            "over the last %6 s")
                         .arg(observedAbove(w.ioSaturation, t.ioSaturationHighPercent),
                             threshold(t.ioSaturationHighPercent), observedAbove(w.ioWaitP95, t.ioWaitHighMs),
                             threshold(t.ioWaitHighMs), QString::number(w.ioTokens), span);
        h.knob = Knob::IoTokens;
        h.currentValue = w.ioTokens;
        h.suggestedValue = w.ioTokens + std::max(1, w.ioTokens / 2);
        h.action = QCoreApplication::translate(
            "Advisor", "Raise I/O tokens from %1 to %2 if the storage can serve more parallel requests")
                       .arg(w.ioTokens)
                       .arg(h.suggestedValue);
        hints.append(h);
    }

    // Guideline 1: CPU-bound; the safety margin of one core may go.
    if (!memoryPressure && canRaiseToCores && w.cpuSaturation > t.cpuSaturationHighPercent
        && w.cpuWaitP95 < t.cpuWaitLowMs) {
        AdvisorHint h;
        h.id = QStringLiteral("cpu-bound");
        h.severity = AdvisorHint::Severity::Info;
        h.title = QCoreApplication::translate("Advisor", "CPU-bound workload");
        h.evidence = QCoreApplication::translate("Advisor",
            "CPU saturation %1 % (> %2 %) and P95 CPU wait %3 ms (< %4 ms) with CPU tokens set to %5 (cores: "
            "%6), over the last %7 s")
                         .arg(observedAbove(w.cpuSaturation, t.cpuSaturationHighPercent),
                             threshold(t.cpuSaturationHighPercent), observedBelow(w.cpuWaitP95, t.cpuWaitLowMs),
                             threshold(t.cpuWaitLowMs), QString::number(w.cpuTokens), QString::number(m_cores), span);
        h.knob = Knob::CpuTokens;
        h.currentValue = w.cpuTokens;
        h.suggestedValue = m_cores;
        h.action = QCoreApplication::translate("Advisor",
            "Raise CPU tokens from %1 to %2 (one per core) for more throughput, "
            "at some cost to responsiveness")
                       .arg(w.cpuTokens)
                       .arg(m_cores);
        hints.append(h);
    }

    // Saturation interpretation 0-50 %: work was done, nobody waited, yet the
    // tokens sat idle. Only when nothing else is wrong: every other hint
    // either explains the idle tokens or asks for fewer resources.
    if (hints.isEmpty() && w.tasksCompleted > 0 && w.cpuSaturation < t.cpuUnderusedPercent
        && w.cpuWaitP95 < t.cpuWaitLowMs) {
        AdvisorHint h;
        h.id = QStringLiteral("cpu-underused");
        h.severity = AdvisorHint::Severity::Info;
        h.title = QCoreApplication::translate("Advisor", "CPU tokens underused");
        h.evidence = QCoreApplication::translate("Advisor",
            "CPU saturation %1 % (< %2 %) with P95 CPU wait %3 ms (< %4 ms) while %5 tasks "
            "completed, over the last %6 s")
                         .arg(observedBelow(w.cpuSaturation, t.cpuUnderusedPercent), threshold(t.cpuUnderusedPercent),
                             observedBelow(w.cpuWaitP95, t.cpuWaitLowMs), threshold(t.cpuWaitLowMs),
                             QString::number(w.tasksCompleted), span);
        h.knob = Knob::PerFileWorkers;
        h.action = QCoreApplication::translate(
            "Advisor", "Raise per-file workers or files in flight so that every CPU token (%1) has work")
                       .arg(w.cpuTokens);
        hints.append(h);
    }

    std::stable_sort(hints.begin(), hints.end(),
        [](const AdvisorHint &a, const AdvisorHint &b) { return severityRank(a.severity) < severityRank(b.severity); });
    return hints;
}

} // namespace flowgate
