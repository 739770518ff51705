// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Export: "Export Metrics as CSV…" writes the sampler's snapshots that the
// charts show, number for number; "Save Chart as PNG…" writes a picture of
// the chart at the chart view's size.

#include "apptesthelpers.h"
#include "metrics/metricscsv.h"
#include "pipeline/engine.h"

#include <QFileInfo>
#include <QImage>
#include <QSet>
#include <QtCharts/QChartView>

#include <cmath>

using namespace flowgate;
using namespace flowgate::apptest;

class ExportTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void exportCsvMatchesSamples();
    void exportCsvFailureIsReported();
    void saveChartPng();

private:
    /// Packs a few files so the samples carry real work (tokens held,
    /// bytes, throughput, waits), then waits for some quiet samples too.
    void runSomeWork();

    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void ExportTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
}

void ExportTest::init()
{
    m_dialogs = std::make_unique<DialogRecorder>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_window = makeWindow();
    QVERIFY(m_window);
}

void ExportTest::cleanup()
{
    m_window.reset();
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
    m_dialogs.reset();
    m_dir.reset();
}

void ExportTest::runSomeWork()
{
    // Six xz:6 chunks on one CPU token: a run of a second or more.
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->chartsPanel()->allSamples().isEmpty(), 10000);
    QStringList inputs;
    for (int i = 0; i < 3; ++i) {
        inputs << m_dir->filePath(QStringLiteral("in/f%1.bin").arg(i));
        QVERIFY(writeFile(inputs.last(), randomData(512 * kKiB, quint64(i))));
    }
    m_window->tuningPanel()->setCpuTokens(1);
    PackSetup setup;
    setup.codec = CodecId::Xz;
    setup.level = 6;
    setup.chunkSize = 256 * kKiB;
    setup.outputFolder = m_dir->filePath(QStringLiteral("out"));
    applySetup(*m_window, setup);
    QCOMPARE(m_window->addPaths(inputs), QStringList());
    m_window->action(QStringLiteral("startAction"))->trigger();
    for (int r = 0; r < inputs.size(); ++r)
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, r), FileState::Done, 60000);
    // Samples after the run too.
    const qint64 doneAt = m_window->chartsPanel()->allSamples().constLast().elapsedMs;
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->allSamples().constLast().elapsedMs >= doneAt + 1000, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->allSamples().size() >= 12, 10000);
}

void ExportTest::exportCsvMatchesSamples()
{
    runSomeWork();
    if (QTest::currentTestFailed())
        return;
    ChartsPanel &charts = *m_window->chartsPanel();
    const QString csvPath = m_dir->filePath(QStringLiteral("metrics.csv"));

    // Whole session: the file name through the save dialog's seam, "No" to
    // "only the visible window?". The hook records what the charts hold at
    // that moment (the export runs right after it, without the event loop).
    QStringList suggested;
    QList<MetricsSnapshot> shown;
    Dialogs::saveFileNameHook = [&](const QString &, const QString &name) {
        suggested << name;
        return csvPath;
    };
    Dialogs::questionHook = [&](const QString &, const QString &text) {
        shown = charts.allSamples();
        return !text.contains(QStringLiteral("visible")); // "No": the whole session
    };
    QVERIFY(clickToolBar(*m_window, "exportCsvAction"));
    QCOMPARE(suggested, QStringList{QStringLiteral("flowgate-metrics.csv")});
    QCOMPARE(m_dialogs->warnings(), QStringList());
    QVERIFY(shown.size() >= 12);
    QCOMPARE(m_window->lastStatusMessage(), QStringLiteral("%1 samples written to %2").arg(shown.size()).arg(csvPath));

    bool ok = false;
    const QList<QStringList> records = MetricsCsv::parse(readFile(csvPath), &ok);
    QVERIFY(ok);
    QCOMPARE(records.size(), shown.size() + 1);
    const QStringList header = MetricsCsv::columnNames();
    QCOMPARE(records.constFirst(), header);
    const auto col = [&header](const char *name) {
        const int i = int(header.indexOf(QString::fromLatin1(name)));
        if (i < 0)
            qFatal("no CSV column %s", name);
        return i;
    };
    const auto number = [](const QString &field) {
        bool okNumber = false;
        const double v = field.toDouble(&okNumber);
        return okNumber ? v : std::nan("");
    };
    // The sampler's own ring holds the same snapshots.
    const QList<MetricsSnapshot> ring = m_window->controller()->sampler().snapshots();
    bool sawWork = false;
    for (qsizetype i = 0; i < shown.size(); ++i) {
        const QStringList &r = records[i + 1];
        const MetricsSnapshot &s = shown[i];
        const QByteArray where = QByteArray("row ") + QByteArray::number(i + 1);
        QVERIFY2(r.size() == header.size(), where.constData());
        QVERIFY2(std::abs(number(r[col("elapsed_s")]) - double(s.elapsedMs) / 1000.0) < 5e-4, where.constData());
        QCOMPARE(r[col("interval_ms")].toLongLong(), s.intervalMs);
        QCOMPARE(r[col("cpu_tokens_total")].toInt(), s.cpuTokensTotal);
        QCOMPARE(r[col("io_tokens_total")].toInt(), s.ioTokensTotal);
        QVERIFY2(std::abs(number(r[col("cpu_saturation_pct")]) - s.cpuSaturationPercent) < 5e-4, where.constData());
        QVERIFY2(std::abs(number(r[col("io_saturation_pct")]) - s.ioSaturationPercent) < 5e-4, where.constData());
        QCOMPARE(r[col("memory_used_bytes")].toLongLong(), s.memoryUsedBytes);
        QVERIFY2(std::abs(number(r[col("cpu_wait_p99_ms")]) - s.cpuWait.p99Ms) < 5e-7, where.constData());
        QCOMPARE(r[col("queue_depth")].toInt(), s.queueDepth);
        QCOMPARE(r[col("in_bytes")].toULongLong(), s.bytesIn);
        QCOMPARE(r[col("out_bytes")].toULongLong(), s.bytesOut);
        QVERIFY2(std::abs(number(r[col("throughput_in_MBps")]) - s.throughputInMBps) < 5e-4, where.constData());
        QVERIFY2(std::abs(number(r[col("throughput_out_MBps")]) - s.throughputOutMBps) < 5e-4, where.constData());
        QCOMPARE(r[col("storage_type")], s.storageType);
        QCOMPARE(r[col("note")], s.note);
        sawWork = sawWork || (s.cpuSaturationPercent > 0 && s.throughputInMBps > 0);
        bool inRing = false;
        for (const MetricsSnapshot &x : ring) {
            if (x.elapsedMs == s.elapsedMs) {
                inRing = x.cpuSaturationPercent == s.cpuSaturationPercent && x.bytesIn == s.bytesIn
                    && x.ioTokensTotal == s.ioTokensTotal;
                break;
            }
        }
        QVERIFY2(inRing, where.constData());
    }
    QVERIFY2(sawWork, "no sample shows the run");
    QCOMPARE(shown.constLast().bytesIn, m_window->controller()->governor().metrics().bytesIn());

    // What the charts plot is what the file holds: every point of the CPU
    // saturation and read-throughput series matches the row of its time.
    charts.refresh();
    const QList<QPointF> cpu = charts.seriesPoints(ChartsPanel::SaturationChart, 0);
    const QList<QPointF> read = charts.seriesPoints(ChartsPanel::QueueChart, 1);
    QVERIFY(cpu.size() >= shown.size());
    QCOMPARE(read.size(), cpu.size());
    for (qsizetype i = 0; i < shown.size(); ++i) {
        const QStringList &r = records[i + 1];
        QVERIFY(std::abs(cpu[i].x() - number(r[col("elapsed_s")])) < 5e-4);
        QVERIFY(std::abs(cpu[i].y() - number(r[col("cpu_saturation_pct")])) < 5e-4);
        QVERIFY(std::abs(read[i].y() - number(r[col("throughput_in_MBps")])) < 5e-4);
    }

    // The visible window only ("Yes"): the rows the charts show.
    const QString visiblePath = m_dir->filePath(QStringLiteral("visible.csv"));
    Dialogs::saveFileNameHook = [&](const QString &, const QString &) { return visiblePath; };
    Dialogs::questionHook = [&](const QString &, const QString &) {
        shown = charts.visibleSamples();
        return true;
    };
    m_window->action(QStringLiteral("exportCsvAction"))->trigger();
    const QList<QStringList> visible = MetricsCsv::parse(readFile(visiblePath), &ok);
    QVERIFY(ok);
    QCOMPARE(visible.size(), shown.size() + 1);
    QCOMPARE(visible.constLast()[col("elapsed_s")].toDouble(), double(shown.constLast().elapsedMs) / 1000.0);
    QCOMPARE(m_dialogs->warnings(), QStringList());
}

void ExportTest::exportCsvFailureIsReported()
{
    const QString bad = m_dir->filePath(QStringLiteral("no-such-folder/metrics.csv"));
    Dialogs::saveFileNameHook = [&](const QString &, const QString &) { return bad; };
    Dialogs::questionHook = [](const QString &, const QString &) { return false; };
    QTRY_VERIFY(!m_window->chartsPanel()->allSamples().isEmpty());
    m_window->action(QStringLiteral("exportCsvAction"))->trigger();
    QCOMPARE(m_dialogs->warnings().size(), 1);
    QVERIFY2(m_dialogs->warnings().constFirst().startsWith(QStringLiteral("Export failed\n")),
        qPrintable(m_dialogs->warnings().constFirst()));
    QVERIFY2(m_dialogs->warnings().constFirst().contains(bad), qPrintable(m_dialogs->warnings().constFirst()));
    QVERIFY(!QFileInfo::exists(bad));

    // Cancelling the file dialog exports nothing and asks nothing more.
    Dialogs::saveFileNameHook = [](const QString &, const QString &) { return QString(); };
    Dialogs::questionHook = [](const QString &, const QString &) {
        QTest::qFail("asked after the file dialog was cancelled", __FILE__, __LINE__);
        return false;
    };
    m_window->action(QStringLiteral("exportCsvAction"))->trigger();
    QCOMPARE(m_dialogs->warnings().size(), 1);
}

void ExportTest::saveChartPng()
{
    // Some samples so the charts have lines.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->allSamples().size() >= 4, 10000);
    m_window->chartsPanel()->refresh();

    // One file dialog per chart; answer two of them, cancel the others.
    const QString saturation = m_dir->filePath(QStringLiteral("saturation.png"));
    const QString queue = m_dir->filePath(QStringLiteral("queue.png"));
    QStringList suggested;
    Dialogs::saveFileNameHook = [&](const QString &, const QString &name) {
        suggested << name;
        if (name.contains(QStringLiteral("saturation")))
            return saturation;
        if (name.contains(QStringLiteral("queue")))
            return queue;
        return QString();
    };
    QVERIFY(clickToolBar(*m_window, "saveChartAction"));
    QCOMPARE(suggested,
        (QStringList{QStringLiteral("flowgate-saturation.png"), QStringLiteral("flowgate-memory.png"),
            QStringLiteral("flowgate-waits.png"), QStringLiteral("flowgate-queue.png")}));
    QCOMPARE(m_dialogs->warnings(), QStringList());
    QCOMPARE(entriesOf(m_dir->path()), (QStringList{QStringLiteral("queue.png"), QStringLiteral("saturation.png")}));

    const std::pair<QString, ChartsPanel::ChartId> files[]
        = {{saturation, ChartsPanel::SaturationChart}, {queue, ChartsPanel::QueueChart}};
    for (const auto &[path, id] : files) {
        QVERIFY(QFileInfo(path).size() > 0);
        QImage image;
        QVERIFY2(image.load(path, "PNG"), qPrintable(path));
        const QChartView *view = m_window->chartsPanel()->chartView(id);
        QVERIFY(view->isVisible());
        const QSize expected = (QSizeF(view->size()) * view->devicePixelRatioF()).toSize();
        QCOMPARE(image.size(), expected);
        // Not blank: the chart's title, axes and lines give many colours.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 8, qPrintable(QString::number(colours.size())));
    }
    QCOMPARE(m_window->lastStatusMessage(), QStringLiteral("Chart saved to %1").arg(queue));

    // A file that cannot be written is reported.
    Dialogs::saveFileNameHook = [&](const QString &, const QString &name) {
        return name.contains(QStringLiteral("memory")) ? m_dir->filePath(QStringLiteral("missing/memory.png"))
                                                       : QString();
    };
    m_window->action(QStringLiteral("saveChartAction"))->trigger();
    QCOMPARE(m_dialogs->warnings().size(), 1);
    QVERIFY(m_dialogs->warnings().constFirst().startsWith(QStringLiteral("Saving failed\n")));
}

QTEST_MAIN(ExportTest)
#include "tst_export.moc"
