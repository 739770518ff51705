// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// Running the queue from the toolbar: start, pause, resume and cancel change
// the rows' states as shown, and a cancelled file leaves no output; a restore
// with the wrong passphrase fails in its own row while the rest of the queue
// carries on.

#include "apptesthelpers.h"
#include "pipeline/engine.h"

#include <QCryptographicHash>
#include <QFileInfo>

using namespace flowgate;
using namespace flowgate::apptest;

class RunControlTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void startPauseResumeCancel();
    void wrongPassphraseFailsOnlyItsRow();

private:
    void click(const char *actionName);

    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void RunControlTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
}

void RunControlTest::init()
{
    m_dialogs = std::make_unique<DialogRecorder>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_window = makeWindow();
    QVERIFY(m_window);
}

void RunControlTest::cleanup()
{
    m_window.reset();
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
    QVERIFY2(m_dialogs->warnings().isEmpty(), qPrintable(m_dialogs->warnings().join(u'\n')));
    m_dialogs.reset();
    m_dir.reset();
}

void RunControlTest::click(const char *actionName)
{
    QVERIFY2(clickToolBar(*m_window, actionName), actionName);
}

void RunControlTest::startPauseResumeCancel()
{
    // A small file that finishes, then two big ones packed slowly (xz:6,
    // 256 KiB chunks, one file in flight, one worker): the second is still
    // running, and the third queued, when they are cancelled.
    const QString in = m_dir->filePath(QStringLiteral("in"));
    const QString out = m_dir->filePath(QStringLiteral("out"));
    const QStringList inputs
        = {in + QStringLiteral("/small.bin"), in + QStringLiteral("/big1.bin"), in + QStringLiteral("/big2.bin")};
    QVERIFY(writeFile(inputs[0], randomData(64 * kKiB, 1)));
    QVERIFY(writeFile(inputs[1], randomData(24 * kMiB, 2)));
    QVERIFY(writeFile(inputs[2], randomData(8 * kMiB, 3)));
    PackSetup setup;
    setup.codec = CodecId::Xz;
    setup.level = 6;
    setup.chunkSize = 256 * kKiB;
    setup.outputFolder = out;
    setup.perFileWorkers = 1;
    setup.filesInFlight = 1;
    applySetup(*m_window, setup);
    QCOMPARE(m_window->addPaths(inputs), QStringList());
    QVERIFY(!m_window->action(QStringLiteral("pauseAction"))->isEnabled());
    QVERIFY(!m_window->action(QStringLiteral("resumeAction"))->isEnabled());

    click("startAction");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Done, 20000);
    QTRY_COMPARE(stateOf(*m_window, 1), FileState::Running);
    QCOMPARE(stateOf(*m_window, 2), FileState::Queued);
    QCOMPARE(cellText(*m_window, 1, QueueModel::StateColumn), QStringLiteral("Running"));
    QVERIFY(QFileInfo::exists(out + QStringLiteral("/small.bin.fgc")));
    QVERIFY(!m_window->action(QStringLiteral("startAction"))->isEnabled()); // nothing left to start
    QTRY_VERIFY_WITH_TIMEOUT(m_window->queueModel()->row(1).done > 0, 20000);

    click("pauseAction");
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(stateOf(*m_window, 1), FileState::Paused);
    QCOMPARE(cellText(*m_window, 1, QueueModel::StateColumn), QStringLiteral("Paused"));
    QCOMPARE(stateOf(*m_window, 2), FileState::Queued);
    QVERIFY(m_window->controller()->engine().isPaused());
    // While paused no new chunk is handed out: the CPU tokens fall idle.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->controller()->governor().cpuTokensInUse(), 0, 20000);
    const quint64 donePaused = m_window->queueModel()->row(1).done;
    QCOMPARE(stateOf(*m_window, 1), FileState::Paused); // no late "running" revives it

    click("resumeAction");
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(stateOf(*m_window, 1), FileState::Running);
    QCOMPARE(cellText(*m_window, 1, QueueModel::StateColumn), QStringLiteral("Running"));
    QVERIFY(!m_window->controller()->engine().isPaused());
    // Work goes on: more than the one chunk that may have been in flight at
    // the pause is written.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->queueModel()->row(1).done >= donePaused + 2 * 256 * kKiB, 20000);
    QCOMPARE(stateOf(*m_window, 1), FileState::Running);

    qInfo("cancelling at %llu of %lld bytes", m_window->queueModel()->row(1).done, m_window->queueModel()->row(1).size);
    click("cancelAction");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 1), FileState::Cancelled, 20000);
    QTRY_COMPARE(stateOf(*m_window, 2), FileState::Cancelled);
    QCOMPARE(cellText(*m_window, 1, QueueModel::StateColumn), QStringLiteral("Cancelled"));
    QCOMPARE(stateOf(*m_window, 0), FileState::Done);
    QTRY_VERIFY(m_window->controller()->engine().isIdle());
    // The finished file's container stays; the cancelled ones leave nothing:
    // no container, no temporary ".*.part".
    QCOMPARE(entriesOf(out), QStringList{QStringLiteral("small.bin.fgc")});
    QCOMPARE(entriesOf(in),
        (QStringList{QStringLiteral("big1.bin"), QStringLiteral("big2.bin"), QStringLiteral("small.bin")}));
    QVERIFY(!m_window->action(QStringLiteral("pauseAction"))->isEnabled());
    QVERIFY(!m_window->action(QStringLiteral("cancelAction"))->isEnabled());

    // Clear Finished removes the done and cancelled rows.
    m_window->action(QStringLiteral("clearFinishedAction"))->trigger();
    QCOMPARE(m_window->queueModel()->rowCount(), 0);
}

void RunControlTest::wrongPassphraseFailsOnlyItsRow()
{
    const QString in = m_dir->filePath(QStringLiteral("in"));
    const QString packed = m_dir->filePath(QStringLiteral("packed"));
    const QString restored = m_dir->filePath(QStringLiteral("restored"));
    const QString a = in + QStringLiteral("/a.bin");
    const QString b = in + QStringLiteral("/b.bin");
    const QString c = in + QStringLiteral("/c.bin");
    QVERIFY(writeFile(a, randomData(300 * kKiB, 11)));
    QVERIFY(writeFile(b, randomData(200 * kKiB, 12)));
    QVERIFY(writeFile(c, randomData(100 * kKiB, 13)));
    PackSetup setup;
    setup.cipher = CipherId::ChaCha20Poly1305;
    setup.outputFolder = packed;
    applySetup(*m_window, setup);
    m_window->tuningPanel()->setKeySource(TuningPanel::KeySourceChoice::Passphrase);
    const QString p1 = QStringLiteral("correct horse battery staple");
    const QString p2 = QStringLiteral("a different passphrase");

    // One run uses one passphrase: A and B with P1, then C with P2.
    QCOMPARE(m_window->addPaths({a, b}), QStringList());
    m_dialogs->answerPassphrase(p1);
    click("startAction");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Done, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 1), FileState::Done, 30000);
    m_window->action(QStringLiteral("clearFinishedAction"))->trigger();
    QCOMPARE(m_window->queueModel()->rowCount(), 0);
    QCOMPARE(m_window->addPaths({c}), QStringList());
    m_dialogs->answerPassphrase(p2);
    click("startAction");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Done, 30000);
    m_window->action(QStringLiteral("clearFinishedAction"))->trigger();
    QCOMPARE(m_dialogs->passphraseRequests(), (QList<bool>{true, true})); // packing asks twice (confirm)
    QCOMPARE(entriesOf(packed),
        (QStringList{QStringLiteral("a.bin.fgc"), QStringLiteral("b.bin.fgc"), QStringLiteral("c.bin.fgc")}));

    // Restore all three with P1, one file at a time, C first: C fails, and A
    // and B are restored after it.
    m_window->tuningPanel()->setMode(JobMode::Restore);
    m_window->tuningPanel()->setOutputFolder(restored);
    child<QSlider>(m_window->tuningPanel(), "filesInFlightSlider")->setValue(1);
    QCOMPARE(m_window->addPaths({packed + QStringLiteral("/c.bin.fgc"), packed + QStringLiteral("/a.bin.fgc"),
                 packed + QStringLiteral("/b.bin.fgc")}),
        QStringList());
    QCOMPARE(m_window->queueModel()->row(0).mode, JobMode::Restore);
    m_dialogs->answerPassphrase(p1);
    click("startAction");
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Failed, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 1), FileState::Done, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 2), FileState::Done, 30000);
    QCOMPARE(m_dialogs->passphraseRequests(), (QList<bool>{true, true, false})); // restoring asks once, no confirm

    // The error is in C's row, in words.
    const QString error = cellText(*m_window, 0, QueueModel::ErrorColumn);
    QVERIFY2(!error.isEmpty(), "no error in the failed row");
    QVERIFY2(error.contains(QStringLiteral("passphrase")), qPrintable(error));
    QCOMPARE(cellText(*m_window, 0, QueueModel::StateColumn), QStringLiteral("Failed"));
    QCOMPARE(cellText(*m_window, 0, QueueModel::ShaColumn), QString());
    // A and B are restored byte for byte, with their checksums shown.
    for (int row : {1, 2}) {
        const QString original = row == 1 ? a : b;
        const QByteArray data = readFile(original);
        QCOMPARE(readFile(restored + u'/' + QFileInfo(original).fileName()), data);
        QCOMPARE(cellText(*m_window, row, QueueModel::ErrorColumn), QString());
        QCOMPARE(cellText(*m_window, row, QueueModel::ShaColumn),
            QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
    }
    // C left nothing behind (no file, no temporary ".*.part").
    QTRY_VERIFY(m_window->controller()->engine().isIdle());
    QCOMPARE(entriesOf(restored), (QStringList{QStringLiteral("a.bin"), QStringLiteral("b.bin")}));
    QVERIFY(m_window->action(QStringLiteral("retryFailedAction"))->isEnabled());
}

QTEST_MAIN(RunControlTest)
#include "tst_runcontrol.moc"
