// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "jobcontroller.h"

#include <QMetaObject>
#include <QPointer>

namespace flowgate {

JobController::JobController(const ResourceConfig &config, QObject *parent)
    : QObject(parent)
    , m_governor(std::make_unique<Governor>(config))
{
    qRegisterMetaType<MetricsSnapshot>();
    qRegisterMetaType<FileReport>();
    qRegisterMetaType<FileState>();
    m_engine = std::make_unique<Engine>(*m_governor);
    m_sampler = std::make_unique<MetricsSampler>(*m_governor);
    // The sampler runs on its own thread: hand each sample to the GUI thread.
    QPointer<JobController> self(this);
    m_sampler->setSampleCallback([this](const MetricsSnapshot &s) {
        QMetaObject::invokeMethod(
            this, [this, s] { Q_EMIT sampled(s); }, Qt::QueuedConnection);
    });
    m_sampler->setSummaryCallback([this](const QString &line) {
        QMetaObject::invokeMethod(
            this, [this, line] { Q_EMIT summary(line); }, Qt::QueuedConnection);
    });
    connect(m_governor.get(), &Governor::memorySoftLimitExceeded, this, &JobController::memoryWarning,
        Qt::QueuedConnection);
    m_sampler->start();
}

JobController::~JobController()
{
    // Stop the callbacks first: they post to this object.
    m_sampler->setSampleCallback({});
    m_sampler->setSummaryCallback({});
    m_sampler->stop();
    m_engine.reset(); // cancels and waits for the workers
}

} // namespace flowgate
