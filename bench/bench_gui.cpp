// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// GUI responsiveness under full load: the demo workload runs (all charts
// visible, 4 Hz sampling) while a 10 ms timer on the GUI thread measures how
// late it fires, and the GUI thread's own CPU time is read from
// CLOCK_THREAD_CPUTIME_ID. Prints P50/P95/P99 lateness and the GUI thread's
// share of one core; exits 1 if P99 > 16 ms or the share > 5 %.
//
//   flowgate_bench_gui [--seconds N] [--codec xz:3] [--cpu-tokens N]

#include "chartspanel.h"
#include "governor/governor.h"
#include "jobcontroller.h"
#include "mainwindow.h"
#include "queuemodel.h"
#include "tuningpanel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QSpinBox>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

namespace {

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto rank = std::size_t(std::ceil(q * double(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("FlowgateBench"));
    int seconds = 15;
    QString codec = QStringLiteral("xz");
    int level = 3;
    int cpuTokens = 0;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--seconds")
            seconds = args[i + 1].toInt();
        if (args[i] == u"--cpu-tokens")
            cpuTokens = args[i + 1].toInt();
        if (args[i] == u"--codec") {
            codec = args[i + 1].section(u':', 0, 0);
            level = args[i + 1].section(u':', 1, 1).toInt();
        }
    }

    flowgate::MainWindow window;
    window.resize(1280, 860);
    window.show();
    // A heavier codec keeps the workers busy for the whole measurement.
    auto *codecBox = window.tuningPanel()->findChild<QComboBox *>(QStringLiteral("codecComboBox"));
    codecBox->setCurrentIndex(codecBox->findText(codec));
    if (level > 0)
        window.tuningPanel()->findChild<QSpinBox *>(QStringLiteral("levelSpinBox"))->setValue(level);
    window.chartsPanel()->setWindow(flowgate::ChartsPanel::Window::OneMinute);
    if (cpuTokens > 0)
        window.tuningPanel()->setCpuTokens(cpuTokens);

    std::vector<double> lateness;
    QElapsedTimer clock;
    double cpuStart = 0;
    qint64 wallStartMs = 0;
    double expectedMs = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &window, [&] {
        const double now = double(clock.nsecsElapsed()) / 1e6;
        lateness.push_back(std::max(0.0, now - expectedMs));
        expectedMs = now + 10.0;
    });

    QObject::connect(&window, &flowgate::MainWindow::demoReady, &window, [&] {
        // Measure once the workers are busy.
        QTimer::singleShot(1000, &window, [&] {
            clock.start();
            expectedMs = 10.0;
            cpuStart = threadCpuSeconds();
            wallStartMs = 0;
            probe.start();
            QTimer::singleShot(seconds * 1000, &window, [&] {
                probe.stop();
                const double cpu = threadCpuSeconds() - cpuStart;
                const double wall = double(clock.elapsed() - wallStartMs) / 1000.0;
                const auto &g = window.controller()->governor();
                const double p50 = percentile(lateness, 0.50), p95 = percentile(lateness, 0.95),
                             p99 = percentile(lateness, 0.99);
                const double share = 100.0 * cpu / wall;
                std::printf(
                    "GUI timer lateness over %.1f s (%zu ticks): P50 %.2f ms, P95 %.2f ms, P99 %.2f ms (bound 16 ms)\n",
                    wall, lateness.size(), p50, p95, p99);
                std::printf("GUI thread CPU: %.3f s of %.1f s = %.2f %% of one core (bound 5 %%)\n", cpu, wall, share);
                std::printf("Workload while measuring: %d CPU tokens busy of %d, %llu chunks done, %d charts visible, "
                            "%d samples\n",
                    g.cpuTokensInUse(), g.cpuTokensTotal(),
                    static_cast<unsigned long long>(g.metrics().tasksCompleted()), 4,
                    int(window.chartsPanel()->allSamples().size()));
                const bool ok = p99 <= 16.0 && share <= 5.0;
                window.controller()->engine().cancelAll();
                QApplication::exit(ok ? 0 : 1);
            });
        });
    });
    window.startDemo();
    return QApplication::exec();
}
