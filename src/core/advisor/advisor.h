// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"

#include <QList>
#include <QString>

namespace flowgate {

/// The setting a hint asks the user to change.
enum class Knob {
    None,
    CpuTokens,
    IoTokens,
    StorageType,
    ChunkSize,
    MemoryLimit,
    PerFileWorkers,
    FilesInFlight,
};

/// Every number the advisor compares against. The defaults are those of the
/// seed chapter "Resource Management" (Saturation Interpretation, Tuning
/// Guidelines 1-3, Troubleshooting 1-4). Comparisons are strict, as the seed
/// writes them: "> 50 ms" does not fire at exactly 50 ms.
struct AdvisorThresholds
{
    // Troubleshooting 1: P95 CPU wait > 50 ms while CPU saturation < 50 %.
    double cpuWaitHighMs = 50.0;
    double cpuSaturationLowPercent = 50.0;

    // Guideline 1: CPU saturation > 80 % and P95 CPU wait < 10 ms.
    double cpuSaturationHighPercent = 80.0;
    double cpuWaitLowMs = 10.0;

    // Saturation interpretation: 0-50 % is underused (with P95 CPU wait below
    // cpuWaitLowMs, i.e. nobody is waiting for a token).
    double cpuUnderusedPercent = 50.0;

    // Troubleshooting 2: I/O saturation > 90 % and P95 I/O wait > 100 ms.
    double ioSaturationCriticalPercent = 90.0;
    double ioWaitCriticalMs = 100.0;

    // Guideline 2: I/O saturation > 80 % and P95 I/O wait > 50 ms.
    double ioSaturationHighPercent = 80.0;
    double ioWaitHighMs = 50.0;

    // Guideline 3 / Troubleshooting 3: memory utilisation > 80 %. Above the
    // seed's "fully saturated" band (> 95 %) the hint becomes critical.
    double memoryHighPercent = 80.0;
    double memoryCriticalPercent = 95.0;

    // Troubleshooting 4: queue depth > 100 or P95 queue wait > 50 ms.
    int queueDepthHigh = 100;
    double queueWaitHighMs = 50.0;

    // Device table: the HDD's queue depth, the floor when lowering I/O tokens
    // of a saturated device.
    int hddIoTokens = 4;

    // Never suggest more CPU tokens than this many per core.
    int maxCpuTokensPerCore = 2;

    // Fewer snapshots than this give no hints.
    int minSnapshots = 2;
};

/// One piece of advice, ready to show.
struct AdvisorHint
{
    enum class Severity { Info, Warning, Critical };

    QString id; ///< stable: "cpu-wait-high", "io-queue-saturated", "io-bound", ...
    Severity severity = Severity::Info;
    QString title; ///< one line
    QString evidence; ///< the observed numbers with units, and the thresholds they crossed
    QString action; ///< what to do, naming the knob
    Knob knob = Knob::None;
    int currentValue = -1; ///< the knob's value now, -1 when unknown
    int suggestedValue = -1; ///< a concrete new value for knob, or -1 when there is none
};

/// Turns a window of metrics snapshots into tuning hints. Stateless and
/// cheap: call evaluate() from any thread, as often as the sampler ticks.
///
/// The window is aggregated first:
///  - CPU / I/O saturation: mean of the snapshots' (time-weighted) values,
///    weighted by each snapshot's interval;
///  - P95 waits: the latest snapshot's sliding-window percentiles;
///  - queue depth: the largest instantaneous depth in the window;
///  - memory utilisation, token counts, storage type: the latest snapshot.
/// A window with fewer than AdvisorThresholds::minSnapshots snapshots, or in
/// which nothing happened (no task, byte, token, waiter, worker or queued
/// chunk), gives no hints.
///
/// Hints never contradict each other: under memory pressure no hint raises
/// CPU tokens; "cpu-underused" appears only when no hint raises CPU or I/O
/// tokens and nothing waits. Each id appears at most once; the list is
/// ordered by severity (critical first), then by a fixed rule order.
class Advisor final
{
public:
    /// cores <= 0 means ResourceConfig::availableCores().
    explicit Advisor(AdvisorThresholds thresholds = {}, int cores = 0);

    const AdvisorThresholds &thresholds() const { return m_thresholds; }
    int cores() const { return m_cores; }

    /// window: oldest first, typically the last 10 s of samples.
    QList<AdvisorHint> evaluate(const QList<MetricsSnapshot> &window) const;

private:
    AdvisorThresholds m_thresholds;
    int m_cores = 1;
};

} // namespace flowgate
