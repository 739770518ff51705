// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "chartspanel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPalette>
#include <QPen>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace flowgate {

namespace {

constexpr double kMinWaitMs = 0.001; // a log axis cannot show 0: waits below 1 µs sit on the floor

double windowSeconds(ChartsPanel::Window w)
{
    switch (w) {
    case ChartsPanel::Window::OneMinute:
        return 60;
    case ChartsPanel::Window::FiveMinutes:
        return 300;
    case ChartsPanel::Window::ThirtyMinutes:
        return 1800;
    case ChartsPanel::Window::WholeRun:
        return 0;
    }
    return 300;
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    // Follow the system palette (dark themes too).
    const bool dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setLocalizeNumbers(true);
    return chart;
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *top = new QHBoxLayout;
    auto *windowLabel = new QLabel(tr("&Time window:"), this);
    m_windowBox = new QComboBox(this);
    m_windowBox->setObjectName(QStringLiteral("timeWindowComboBox"));
    m_windowBox->addItem(tr("1 minute"), int(Window::OneMinute));
    m_windowBox->addItem(tr("5 minutes"), int(Window::FiveMinutes));
    m_windowBox->addItem(tr("30 minutes"), int(Window::ThirtyMinutes));
    m_windowBox->addItem(tr("Whole run"), int(Window::WholeRun));
    m_windowBox->setCurrentIndex(1);
    m_windowBox->setAccessibleName(tr("Time window of the charts"));
    windowLabel->setBuddy(m_windowBox);
    m_freezeButton = new QPushButton(tr("&Freeze"), this);
    m_freezeButton->setObjectName(QStringLiteral("freezeButton"));
    m_freezeButton->setCheckable(true);
    m_freezeButton->setAccessibleName(tr("Freeze the charts"));
    m_freezeButton->setToolTip(tr("Stop updating the charts (samples are still recorded)"));
    top->addWidget(windowLabel);
    top->addWidget(m_windowBox);
    top->addStretch();
    top->addWidget(m_freezeButton);

    auto *grid = new QGridLayout;
    buildCharts();
    for (int i = 0; i < ChartCount; ++i)
        grid->addWidget(m_views[i], i / 2, i % 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addLayout(grid, 1);

    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
        [this](int) { setWindow(Window(m_windowBox->currentData().toInt())); });
    connect(m_freezeButton, &QPushButton::toggled, this, &ChartsPanel::setFrozen);
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_dirty && !m_frozen)
            refresh();
    });
    m_timer.start();
}

ChartsPanel::~ChartsPanel() = default;

void ChartsPanel::buildCharts()
{
    const auto addSeries = [this](ChartId id, QChart *chart, const QString &name) {
        auto *s = new QLineSeries(chart);
        s->setName(name);
        chart->addSeries(s);
        m_series[id].append(s);
        return s;
    };
    const auto timeAxis = [this](ChartId id, QChart *chart) {
        auto *axis = new QValueAxis(chart);
        axis->setTitleText(tr("time (s)"));
        axis->setLabelFormat(QStringLiteral("%.0f"));
        axis->setTickCount(6);
        chart->addAxis(axis, Qt::AlignBottom);
        m_timeAxes[id] = axis;
        return axis;
    };

    // Saturation
    {
        QChart *c = newChart(tr("CPU and I/O saturation"));
        auto *t = timeAxis(SaturationChart, c);
        m_saturationAxis = new QValueAxis(c);
        m_saturationAxis->setRange(0, 100);
        m_saturationAxis->setTitleText(tr("%"));
        c->addAxis(m_saturationAxis, Qt::AlignLeft);
        for (const QString &n : {tr("CPU %"), tr("I/O %")}) {
            auto *s = addSeries(SaturationChart, c, n);
            s->attachAxis(t);
            s->attachAxis(m_saturationAxis);
            attachHover(s, QStringLiteral("%"));
        }
        m_views[SaturationChart] = new QChartView(c, this);
    }
    // Memory
    {
        QChart *c = newChart(tr("Memory"));
        auto *t = timeAxis(MemoryChart, c);
        m_memoryAxis = new QValueAxis(c);
        m_memoryAxis->setTitleText(tr("MiB"));
        m_memoryAxis->setLabelFormat(QStringLiteral("%.3g"));
        c->addAxis(m_memoryAxis, Qt::AlignLeft);
        m_memoryPercentAxis = new QValueAxis(c);
        m_memoryPercentAxis->setTitleText(tr("% of capacity"));
        m_memoryPercentAxis->setRange(0, 100);
        c->addAxis(m_memoryPercentAxis, Qt::AlignRight);
        auto *used = addSeries(MemoryChart, c, tr("used (MiB)"));
        used->attachAxis(t);
        used->attachAxis(m_memoryAxis);
        attachHover(used, tr("MiB"));
        auto *util = addSeries(MemoryChart, c, tr("utilisation %"));
        util->attachAxis(t);
        util->attachAxis(m_memoryPercentAxis);
        attachHover(util, QStringLiteral("%"));
        m_views[MemoryChart] = new QChartView(c, this);
    }
    // Waits
    {
        QChart *c = newChart(tr("Waits for tokens (P50 / P95 / P99, last 10 s)"));
        auto *t = timeAxis(WaitChart, c);
        m_waitAxis = new QLogValueAxis(c);
        m_waitAxis->setBase(10);
        m_waitAxis->setTitleText(tr("ms (log)"));
        m_waitAxis->setLabelFormat(QStringLiteral("%.3g"));
        m_waitAxis->setRange(kMinWaitMs, 1000);
        c->addAxis(m_waitAxis, Qt::AlignLeft);
        // Six series: the colour tells the percentile, the line the
        // resource (CPU solid, I/O dashed); the legend stands at the right,
        // one line per series, so no label is cut short.
        const QColor percentileColours[]
            = {QColor(0x43, 0xa0, 0x47), QColor(0xfb, 0x8c, 0x00), QColor(0xe5, 0x39, 0x35)};
        const QString names[]
            = {tr("CPU P50"), tr("CPU P95"), tr("CPU P99"), tr("I/O P50"), tr("I/O P95"), tr("I/O P99")};
        for (int i = 0; i < 6; ++i) {
            auto *s = addSeries(WaitChart, c, names[i]);
            QPen pen(percentileColours[i % 3], 2);
            if (i >= 3)
                pen.setStyle(Qt::DashLine);
            s->setPen(pen);
            s->attachAxis(t);
            s->attachAxis(m_waitAxis);
            attachHover(s, tr("ms"));
        }
        c->legend()->setAlignment(Qt::AlignRight);
        c->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
        m_views[WaitChart] = new QChartView(c, this);
    }
    // Queue and throughput
    {
        QChart *c = newChart(tr("Queue depth and throughput"));
        auto *t = timeAxis(QueueChart, c);
        m_queueAxis = new QValueAxis(c);
        m_queueAxis->setTitleText(tr("chunks queued"));
        m_queueAxis->setLabelFormat(QStringLiteral("%.0f"));
        c->addAxis(m_queueAxis, Qt::AlignLeft);
        m_throughputAxis = new QValueAxis(c);
        m_throughputAxis->setTitleText(tr("MB/s"));
        m_throughputAxis->setLabelFormat(QStringLiteral("%.3g"));
        c->addAxis(m_throughputAxis, Qt::AlignRight);
        auto *q = addSeries(QueueChart, c, tr("queue depth"));
        q->attachAxis(t);
        q->attachAxis(m_queueAxis);
        attachHover(q, QString());
        for (const QString &n : {tr("read MB/s"), tr("written MB/s")}) {
            auto *s = addSeries(QueueChart, c, n);
            s->attachAxis(t);
            s->attachAxis(m_throughputAxis);
            attachHover(s, tr("MB/s"));
        }
        m_views[QueueChart] = new QChartView(c, this);
    }
    const QString names[ChartCount] = {QStringLiteral("saturationChartView"), QStringLiteral("memoryChartView"),
        QStringLiteral("waitChartView"), QStringLiteral("queueChartView")};
    for (int i = 0; i < ChartCount; ++i) {
        m_views[i]->setObjectName(names[i]);
        m_views[i]->setRenderHint(QPainter::Antialiasing);
        m_views[i]->setMinimumSize(320, 200);
        m_views[i]->setAccessibleName(m_views[i]->chart()->title());
    }
}

void ChartsPanel::attachHover(QLineSeries *series, const QString &unit)
{
    connect(series, &QLineSeries::hovered, this, [series, unit](const QPointF &point, bool state) {
        if (!state) {
            QToolTip::hideText();
            return;
        }
        const QLocale locale;
        QToolTip::showText(QCursor::pos(),
            tr("%1 at %2 s: %3 %4")
                .arg(series->name(), locale.toString(point.x(), 'f', 1), locale.toString(point.y(), 'g', 4), unit));
    });
}

void ChartsPanel::addSample(const MetricsSnapshot &snapshot)
{
    m_samples.push_back(snapshot);
    while (int(m_samples.size()) > kMaxSamples)
        m_samples.pop_front();
    m_dirty = true;
}

void ChartsPanel::clear()
{
    m_samples.clear();
    m_dirty = true;
    refresh();
}

QList<MetricsSnapshot> ChartsPanel::allSamples() const
{
    return QList<MetricsSnapshot>(m_samples.begin(), m_samples.end());
}

QList<MetricsSnapshot> ChartsPanel::recentSamples(int n) const
{
    const auto count = std::min<std::size_t>(m_samples.size(), std::size_t(std::max(n, 0)));
    return QList<MetricsSnapshot>(m_samples.end() - std::ptrdiff_t(count), m_samples.end());
}

QList<MetricsSnapshot> ChartsPanel::visibleSamples() const
{
    const double span = windowSeconds(m_window);
    if (m_samples.empty() || span <= 0)
        return allSamples();
    const qint64 from = m_samples.back().elapsedMs - qint64(span * 1000);
    auto it = std::lower_bound(
        m_samples.begin(), m_samples.end(), from, [](const MetricsSnapshot &s, qint64 t) { return s.elapsedMs < t; });
    return QList<MetricsSnapshot>(it, m_samples.end());
}

void ChartsPanel::setWindow(Window window)
{
    m_window = window;
    const int index = m_windowBox->findData(int(window));
    if (index >= 0 && index != m_windowBox->currentIndex())
        m_windowBox->setCurrentIndex(index);
    m_dirty = true;
    refresh();
}

void ChartsPanel::setFrozen(bool frozen)
{
    if (m_frozen == frozen)
        return;
    m_frozen = frozen;
    m_freezeButton->setChecked(frozen);
    m_freezeButton->setText(frozen ? tr("&Unfreeze") : tr("&Freeze"));
    if (!frozen)
        refresh();
    Q_EMIT frozenChanged(frozen);
}

QList<QPointF> ChartsPanel::seriesPoints(ChartId chart, int series) const
{
    return m_series[chart].value(series) ? m_series[chart][series]->points() : QList<QPointF>();
}

void ChartsPanel::refresh()
{
    m_dirty = false;
    const QList<MetricsSnapshot> samples = visibleSamples();
    // Downsample long windows: keep at most kMaxPoints per series, taking the
    // maximum of each group so short peaks stay visible.
    const int n = int(samples.size());
    const int step = std::max(1, (n + kMaxPoints - 1) / kMaxPoints);
    const auto build = [&](auto value) {
        QList<QPointF> pts;
        pts.reserve(n / step + 1);
        for (int i = 0; i < n; i += step) {
            double v = value(samples[i]);
            const int end = std::min(n, i + step);
            for (int j = i + 1; j < end; ++j)
                v = std::max(v, value(samples[j]));
            pts.append(QPointF(double(samples[end - 1].elapsedMs) / 1000.0, v));
        }
        return pts;
    };
    const auto wait = [](double ms) { return std::max(ms, kMinWaitMs); };

    m_series[SaturationChart][0]->replace(build([](const MetricsSnapshot &s) { return s.cpuSaturationPercent; }));
    m_series[SaturationChart][1]->replace(build([](const MetricsSnapshot &s) { return s.ioSaturationPercent; }));
    m_series[MemoryChart][0]->replace(
        build([](const MetricsSnapshot &s) { return double(s.memoryUsedBytes) / (1 << 20); }));
    m_series[MemoryChart][1]->replace(build([](const MetricsSnapshot &s) { return s.memoryUtilizationPercent; }));
    m_series[WaitChart][0]->replace(build([&](const MetricsSnapshot &s) { return wait(s.cpuWait.p50Ms); }));
    m_series[WaitChart][1]->replace(build([&](const MetricsSnapshot &s) { return wait(s.cpuWait.p95Ms); }));
    m_series[WaitChart][2]->replace(build([&](const MetricsSnapshot &s) { return wait(s.cpuWait.p99Ms); }));
    m_series[WaitChart][3]->replace(build([&](const MetricsSnapshot &s) { return wait(s.ioWait.p50Ms); }));
    m_series[WaitChart][4]->replace(build([&](const MetricsSnapshot &s) { return wait(s.ioWait.p95Ms); }));
    m_series[WaitChart][5]->replace(build([&](const MetricsSnapshot &s) { return wait(s.ioWait.p99Ms); }));
    m_series[QueueChart][0]->replace(build([](const MetricsSnapshot &s) { return double(s.queueDepth); }));
    m_series[QueueChart][1]->replace(build([](const MetricsSnapshot &s) { return s.throughputInMBps; }));
    m_series[QueueChart][2]->replace(build([](const MetricsSnapshot &s) { return s.throughputOutMBps; }));

    double t0 = 0, t1 = 60;
    if (!samples.isEmpty()) {
        t1 = std::max(double(samples.back().elapsedMs) / 1000.0, 1.0);
        const double span = windowSeconds(m_window);
        t0 = span > 0 ? std::max(0.0, t1 - span) : double(samples.front().elapsedMs) / 1000.0;
        if (span > 0 && t1 < span)
            t1 = std::max(t1, t0 + 10.0);
    }
    for (QValueAxis *axis : m_timeAxes)
        axis->setRange(t0, std::max(t1, t0 + 1.0));

    double maxSat = 100, maxMem = 1, maxQueue = 4, maxTp = 1, maxWait = 1;
    for (const MetricsSnapshot &s : samples) {
        maxSat = std::max(maxSat, s.cpuSaturationPercent);
        maxSat = std::max(maxSat, s.ioSaturationPercent);
        maxMem = std::max(maxMem, double(s.memoryUsedBytes) / (1 << 20));
        maxQueue = std::max(maxQueue, double(s.queueDepth));
        maxTp = std::max({maxTp, s.throughputInMBps, s.throughputOutMBps});
        maxWait = std::max({maxWait, s.cpuWait.p99Ms, s.ioWait.p99Ms});
    }
    m_saturationAxis->setRange(0, std::ceil(maxSat / 10.0) * 10.0);
    m_memoryAxis->setRange(0, std::max(10.0, maxMem * 1.1));
    m_queueAxis->setRange(0, std::ceil(maxQueue * 1.1));
    m_throughputAxis->setRange(0, std::max(10.0, maxTp * 1.1));
    m_waitAxis->setRange(kMinWaitMs, std::pow(10.0, std::ceil(std::log10(maxWait * 1.5))));
}

} // namespace flowgate
