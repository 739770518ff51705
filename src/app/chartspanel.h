// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"

#include <QList>
#include <QTimer>
#include <QWidget>

#include <deque>

class QChart;
class QChartView;
class QComboBox;
class QLineSeries;
class QPushButton;
class QValueAxis;
class QLogValueAxis;

namespace flowgate {

/// The live charts: CPU and I/O saturation; memory used and utilisation;
/// CPU and I/O wait P50/P95/P99 (log scale, ms); queue depth and throughput.
///
/// Samples arrive with addSample() (4 per second); the charts are redrawn by
/// a UI timer, at most 4 times a second, from bounded buffers with replace(),
/// downsampled to a few hundred points for long windows. Chart work is paced
/// by the timer, not by the samples.
class ChartsPanel final : public QWidget
{
    Q_OBJECT

public:
    enum class Window { OneMinute, FiveMinutes, ThirtyMinutes, WholeRun };
    enum ChartId { SaturationChart, MemoryChart, WaitChart, QueueChart, ChartCount };

    explicit ChartsPanel(QWidget *parent = nullptr);
    ~ChartsPanel() override;

    void addSample(const MetricsSnapshot &snapshot);
    void clear();
    /// The samples inside the visible window (what the charts show).
    QList<MetricsSnapshot> visibleSamples() const;
    QList<MetricsSnapshot> allSamples() const;
    /// The last n samples, oldest first (cheap: copies only those).
    QList<MetricsSnapshot> recentSamples(int n) const;
    /// The newest sample, or an empty one before the first.
    MetricsSnapshot latestSample() const { return m_samples.empty() ? MetricsSnapshot() : m_samples.back(); }

    void setWindow(Window window);
    Window window() const { return m_window; }
    void setFrozen(bool frozen);
    bool isFrozen() const { return m_frozen; }

    QChartView *chartView(ChartId id) const { return m_views[id]; }
    /// Points currently plotted in a series (for tests): chart, series index.
    QList<QPointF> seriesPoints(ChartId chart, int series) const;
    /// Redraws now (the timer does this 4 times a second).
    void refresh();

    static constexpr int kMaxPoints = 600;
    static constexpr int kMaxSamples = 36'000; ///< 2 h 30 min at 4 Hz

Q_SIGNALS:
    void frozenChanged(bool frozen);

private:
    void buildCharts();
    void attachHover(QLineSeries *series, const QString &unit);

    std::deque<MetricsSnapshot> m_samples;
    Window m_window = Window::FiveMinutes;
    bool m_frozen = false;
    bool m_dirty = false;
    QTimer m_timer;
    QComboBox *m_windowBox = nullptr;
    QPushButton *m_freezeButton = nullptr;
    QChartView *m_views[ChartCount] = {};
    QList<QLineSeries *> m_series[ChartCount];
    QValueAxis *m_timeAxes[ChartCount] = {};
    QValueAxis *m_saturationAxis = nullptr;
    QValueAxis *m_memoryAxis = nullptr;
    QValueAxis *m_memoryPercentAxis = nullptr;
    QLogValueAxis *m_waitAxis = nullptr;
    QValueAxis *m_queueAxis = nullptr;
    QValueAxis *m_throughputAxis = nullptr;
};

} // namespace flowgate
