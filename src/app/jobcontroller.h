// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "governor/governor.h"
#include "metrics/metricssampler.h"
#include "pipeline/engine.h"

#include <QObject>

#include <memory>

namespace flowgate {

/// Owns the governor, the engine and the metrics sampler of the desktop app,
/// and turns their worker-thread callbacks into queued signals on the GUI
/// thread. The GUI thread never waits on any of them: every call here returns
/// at once (the governor's setters only swap an atomic and wake waiters).
class JobController final : public QObject
{
    Q_OBJECT

public:
    explicit JobController(const ResourceConfig &config, QObject *parent = nullptr);
    ~JobController() override;
    Q_DISABLE_COPY_MOVE(JobController)

    Governor &governor() { return *m_governor; }
    Engine &engine() { return *m_engine; }
    MetricsSampler &sampler() { return *m_sampler; }

Q_SIGNALS:
    /// A new metrics sample (GUI thread).
    void sampled(const flowgate::MetricsSnapshot &snapshot);
    /// The periodic summary line (GUI thread).
    void summary(const QString &line);
    void memoryWarning(qint64 used, qint64 limit);

private:
    std::unique_ptr<Governor> m_governor;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MetricsSampler> m_sampler;
};

} // namespace flowgate

Q_DECLARE_METATYPE(flowgate::MetricsSnapshot)
