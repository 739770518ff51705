// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The tuning panel acts on the running governor at once, and the saturation
// chart follows: the CPU-tokens slider, the I/O-tokens slider and the storage
// type combo box, each moved with the keyboard during a real pack run.

#include "apptesthelpers.h"
#include "governor/governor.h"
#include "pipeline/engine.h"

#include <optional>

using namespace flowgate;
using namespace flowgate::apptest;

namespace {

enum class Resource { Cpu, Io };

/// The newest point of a saturation series, if the sample behind it was
/// taken entirely at `total` tokens (it and the sample before it report that
/// total, so the change happened before its interval began).
struct SettledPoint
{
    double plotted = 0; ///< y of the chart's point
    double sampled = 0; ///< the sample's saturation
    qint64 elapsedMs = 0;
};

std::optional<SettledPoint> settledPoint(const ChartsPanel &charts, Resource resource, int total)
{
    const int series = resource == Resource::Cpu ? 0 : 1;
    const QList<QPointF> points = charts.seriesPoints(ChartsPanel::SaturationChart, series);
    if (points.isEmpty())
        return std::nullopt;
    const qint64 ms = qRound64(points.constLast().x() * 1000.0);
    const QList<MetricsSnapshot> samples = charts.allSamples();
    for (qsizetype i = samples.size() - 1; i >= 1; --i) {
        if (samples[i].elapsedMs != ms)
            continue;
        const auto totalOf = [resource](const MetricsSnapshot &s) {
            return resource == Resource::Cpu ? s.cpuTokensTotal : s.ioTokensTotal;
        };
        if (totalOf(samples[i]) != total || totalOf(samples[i - 1]) != total)
            return std::nullopt;
        const double sampled
            = resource == Resource::Cpu ? samples[i].cpuSaturationPercent : samples[i].ioSaturationPercent;
        return SettledPoint{points.constLast().y(), sampled, ms};
    }
    return std::nullopt;
}

QByteArray describe(const std::optional<SettledPoint> &p)
{
    if (!p)
        return "no settled point";
    return QStringLiteral("point at %1 s: plotted %2 %, sampled %3 %")
        .arg(double(p->elapsedMs) / 1000.0)
        .arg(p->plotted)
        .arg(p->sampled)
        .toUtf8();
}

} // namespace

class TuningLiveTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void cpuTokensSliderActsDuringRun();
    void ioTokensSliderAndStorageTypeActDuringRun();

private:
    /// Packs one big random file with xz:6 in 256 KiB chunks, one chunk at a
    /// time (one file in flight, one per-file worker): the run keeps exactly
    /// one CPU token busy for many seconds, whatever the number of tokens.
    void startSlowRun();
    /// Cancels the run and checks that it left nothing behind.
    void cancelRun();

    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_output;
};

void TuningLiveTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
}

void TuningLiveTest::init()
{
    m_dialogs = std::make_unique<DialogRecorder>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_window = makeWindow();
    QVERIFY(m_window);
}

void TuningLiveTest::cleanup()
{
    m_window.reset();
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
    QVERIFY2(m_dialogs->warnings().isEmpty(), qPrintable(m_dialogs->warnings().join(u'\n')));
    m_dialogs.reset();
    m_dir.reset();
}

void TuningLiveTest::startSlowRun()
{
    const QString input = m_dir->filePath(QStringLiteral("in/big.bin"));
    QVERIFY(writeFile(input, randomData(24 * kMiB, 7)));
    m_output = m_dir->filePath(QStringLiteral("out"));
    PackSetup setup;
    setup.codec = CodecId::Xz;
    setup.level = 6;
    setup.chunkSize = 256 * kKiB;
    setup.outputFolder = m_output;
    setup.perFileWorkers = 1;
    setup.filesInFlight = 1;
    applySetup(*m_window, setup);
    QCOMPARE(m_window->addPaths({input}), QStringList());
    QVERIFY(clickToolBar(*m_window, "startAction"));
    QTRY_COMPARE(stateOf(*m_window, 0), FileState::Running);
}

void TuningLiveTest::cancelRun()
{
    m_window->action(QStringLiteral("cancelAction"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Cancelled, 20000);
    QTRY_VERIFY(m_window->controller()->engine().isIdle());
    QCOMPARE(entriesOf(m_output), QStringList());
}

void TuningLiveTest::cpuTokensSliderActsDuringRun()
{
    Governor &governor = m_window->controller()->governor();
    ChartsPanel &charts = *m_window->chartsPanel();
    auto *slider = child<QSlider>(m_window->tuningPanel(), "cpuTokensSlider");
    QVERIFY(slider);

    // One CPU token (the slider's minimum), moved by the keyboard.
    QTest::keyClick(slider, Qt::Key_Home);
    QCOMPARE(slider->value(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(governor.cpuTokensTotal(), 1, 100);

    startSlowRun();
    if (QTest::currentTestFailed())
        return;

    // The run holds the only token all the time: ~100 % in the chart.
    std::optional<SettledPoint> before;
    QTRY_VERIFY2_WITH_TIMEOUT((before = settledPoint(charts, Resource::Cpu, 1)) && before->plotted >= 85.0,
        describe(before).constData(), 20000);
    QCOMPARE(before->plotted, before->sampled);
    qInfo("1 CPU token: %s", describe(before).constData());
    QCOMPARE(stateOf(*m_window, 0), FileState::Running);

    // Double the tokens: the governor follows at once...
    QTest::keyClick(slider, Qt::Key_Right);
    QCOMPARE(slider->value(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(governor.cpuTokensTotal(), 2, 100);

    // ...and the chart shows the same work against twice the tokens: about
    // half (one compressing worker; the reader's hashing holds the second
    // token only for moments).
    std::optional<SettledPoint> after;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (after = settledPoint(charts, Resource::Cpu, 2)).has_value(), describe(after).constData(), 20000);
    QCOMPARE(after->plotted, after->sampled);
    qInfo("2 CPU tokens: %s", describe(after).constData());
    QVERIFY2(after->plotted >= 30.0 && after->plotted <= 75.0, describe(after).constData());
    QVERIFY2(after->elapsedMs > before->elapsedMs, describe(after).constData());
    QCOMPARE(stateOf(*m_window, 0), FileState::Running); // still the same run

    // The change is recorded in the samples' notes (and so in the CSV).
    bool noted = false;
    for (const MetricsSnapshot &s : charts.allSamples())
        noted = noted || s.note.contains(QStringLiteral("cpu tokens 1 -> 2"));
    QVERIFY(noted);

    cancelRun();
}

void TuningLiveTest::ioTokensSliderAndStorageTypeActDuringRun()
{
    Governor &governor = m_window->controller()->governor();
    ChartsPanel &charts = *m_window->chartsPanel();
    auto *slider = child<QSlider>(m_window->tuningPanel(), "ioTokensSlider");
    auto *storage = child<QComboBox>(m_window->tuningPanel(), "storageComboBox");
    QVERIFY(slider);
    QVERIFY(storage);

    startSlowRun();
    if (QTest::currentTestFailed())
        return;

    // Two I/O tokens, by the keyboard (the storage type becomes Custom).
    QTest::keyClick(slider, Qt::Key_Home);
    QTest::keyClick(slider, Qt::Key_Right);
    QCOMPARE(slider->value(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(governor.ioTokensTotal(), 2, 100);
    QCOMPARE(governor.storageType(), StorageType::custom(2));
    QCOMPARE(storage->currentData().toInt(), int(StorageType::Kind::Custom));

    // The test holds both I/O tokens for the rest of the run, so the I/O
    // saturation is known exactly (the slow xz run needs the I/O tokens only
    // for moments; it waits while the test holds them).
    Permit first;
    Permit second;
    QTRY_VERIFY(bool(first = governor.tryAcquireIo()));
    QTRY_VERIFY(bool(second = governor.tryAcquireIo()));

    std::optional<SettledPoint> p;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (p = settledPoint(charts, Resource::Io, 2)) && p->plotted >= 95.0, describe(p).constData(), 20000);
    QCOMPARE(p->plotted, p->sampled);
    qInfo("I/O tokens %d: %s", governor.ioTokensTotal(), describe(p).constData());

    // Four tokens with the slider: 2 of 4 held, about 50 %.
    QTest::keyClick(slider, Qt::Key_Right);
    QTest::keyClick(slider, Qt::Key_Right);
    QCOMPARE(slider->value(), 4);
    QTRY_COMPARE_WITH_TIMEOUT(governor.ioTokensTotal(), 4, 100);
    QTRY_VERIFY2_WITH_TIMEOUT((p = settledPoint(charts, Resource::Io, 4)).has_value(), describe(p).constData(), 20000);
    QCOMPARE(p->plotted, p->sampled);
    qInfo("I/O tokens %d: %s", governor.ioTokensTotal(), describe(p).constData());
    QVERIFY2(p->plotted >= 45.0 && p->plotted <= 75.0, describe(p).constData());

    // Storage type NVMe (first entry, by the keyboard): 24 tokens, 2 held.
    QTest::keyClick(storage, Qt::Key_Home);
    QCOMPARE(storage->currentData().toInt(), int(StorageType::Kind::NVMe));
    QTRY_COMPARE_WITH_TIMEOUT(governor.ioTokensTotal(), 24, 100);
    QCOMPARE(governor.storageType(), StorageType::nvme());
    QCOMPARE(slider->value(), 24);
    QTRY_VERIFY2_WITH_TIMEOUT((p = settledPoint(charts, Resource::Io, 24)).has_value(), describe(p).constData(), 20000);
    QCOMPARE(p->plotted, p->sampled);
    qInfo("I/O tokens %d: %s", governor.ioTokensTotal(), describe(p).constData());
    QVERIFY2(p->plotted >= 7.0 && p->plotted <= 25.0, describe(p).constData());

    // Down twice: SSD, then HDD with its 4 I/O tokens: 2 of 4 held again.
    QTest::keyClick(storage, Qt::Key_Down);
    QCOMPARE(storage->currentData().toInt(), int(StorageType::Kind::SSD));
    QTest::keyClick(storage, Qt::Key_Down);
    QCOMPARE(storage->currentData().toInt(), int(StorageType::Kind::HDD));
    QTRY_COMPARE_WITH_TIMEOUT(governor.ioTokensTotal(), 4, 100);
    QCOMPARE(governor.storageType(), StorageType::hdd());
    QCOMPARE(slider->value(), 4);
    QTRY_VERIFY2_WITH_TIMEOUT((p = settledPoint(charts, Resource::Io, 4)).has_value(), describe(p).constData(), 20000);
    // The newest settled point at 4 tokens must come from the HDD period,
    // after the NVMe samples.
    for (const MetricsSnapshot &s : charts.allSamples())
        if (s.ioTokensTotal == 24)
            QVERIFY2(p->elapsedMs > s.elapsedMs, describe(p).constData());
    QCOMPARE(p->plotted, p->sampled);
    qInfo("I/O tokens %d: %s", governor.ioTokensTotal(), describe(p).constData());
    QVERIFY2(p->plotted >= 45.0 && p->plotted <= 75.0, describe(p).constData());
    QCOMPARE(stateOf(*m_window, 0), FileState::Running); // all during one run

    first = Permit();
    second = Permit();
    cancelRun();
}

QTEST_MAIN(TuningLiveTest)
#include "tst_tuning.moc"
