// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The queue: QAbstractItemModelTester on the model; files and folders dropped
// on the main window (folders recursively) add the right rows; duplicates and
// unreadable entries are reported, not silently dropped; the Add dialog,
// Remove and Clear Finished.

#include "apptesthelpers.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMimeData>
#include <QSignalSpy>
#include <QTableView>
#include <QUrl>

#include <sys/stat.h>
#include <sys/types.h>

using namespace flowgate;
using namespace flowgate::apptest;

class QueueModelTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void modelTesterOnChangingModel();
    void dropFilesAndFolders();
    void dropReportsDuplicatesAndUnreadableEntries();
    void addFilesDialogAndRemove();

private:
    /// Sends a drag-enter and a drop of these paths to the main window, as a
    /// file manager would. Returns whether both were accepted.
    bool drop(const QStringList &paths);
    QStringList rowPaths() const;

    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void QueueModelTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
}

void QueueModelTest::init()
{
    m_dialogs = std::make_unique<DialogRecorder>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_window = makeWindow();
    QVERIFY(m_window);
}

void QueueModelTest::cleanup()
{
    m_window.reset();
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
    m_dialogs.reset();
    m_dir.reset();
}

bool QueueModelTest::drop(const QStringList &paths)
{
    QList<QUrl> urls;
    for (const QString &p : paths)
        urls << QUrl::fromLocalFile(p);
    QMimeData mime;
    mime.setUrls(urls);
    const QPoint pos = m_window->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent dropEvent(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &dropEvent);
    return dropEvent.isAccepted();
}

QStringList QueueModelTest::rowPaths() const
{
    QStringList out;
    const QueueModel *m = m_window->queueModel();
    for (int r = 0; r < m->rowCount(); ++r)
        out << m->data(m->index(r, QueueModel::FileColumn), QueueModel::PathRole).toString();
    return out;
}

void QueueModelTest::modelTesterOnChangingModel()
{
    // The tester (fatal mode) watches every insertion, change and removal.
    QueueModel *model = m_window->queueModel();
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    QString why;
    QStringList paths;
    for (int i = 0; i < 5; ++i) {
        paths << m_dir->filePath(QStringLiteral("f%1.bin").arg(i));
        QVERIFY(writeFile(paths.last(), randomData(1000 + i, quint64(i))));
        QVERIFY2(model->addFile(paths.last(), JobMode::Pack, &why), qPrintable(why));
    }
    QCOMPARE(inserted.count(), 5);
    QCOMPARE(model->rowCount(), 5);
    QCOMPARE(model->columnCount(), int(QueueModel::ColumnCount));
    QCOMPARE(model->rowCount(model->index(0, 0)), 0); // a table: no children
    QCOMPARE(model->headerData(QueueModel::ErrorColumn, Qt::Horizontal).toString(), QStringLiteral("Message"));

    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    model->setEngineId(1, 42);
    model->setState(1, FileState::Running);
    model->setProgress(1, 500, 1001);
    QCOMPARE(model->data(model->index(1, QueueModel::ProgressColumn), QueueModel::ProgressRole).toInt(), 49);
    QCOMPARE(model->rowOfEngineId(42), 1);
    FileReport report;
    report.id = 42;
    report.state = FileState::Done;
    report.sha256 = QStringLiteral("ab").repeated(32);
    report.originalSize = 1001;
    report.ratio = 1.02;
    report.seconds = 0.5;
    model->setFinished(1, report);
    QCOMPARE(cellText(*m_window, 1, QueueModel::StateColumn), QStringLiteral("Done"));
    QCOMPARE(cellText(*m_window, 1, QueueModel::ShaColumn), report.sha256);
    QCOMPARE(model->data(model->index(1, QueueModel::ProgressColumn), QueueModel::ProgressRole).toInt(), 100);
    QCOMPARE(cellText(*m_window, 1, QueueModel::ErrorColumn), QString());
    // A late "running" does not revive a finished row.
    model->setState(1, FileState::Running);
    QCOMPARE(stateOf(*m_window, 1), FileState::Done);

    report.id = 43;
    report.state = FileState::Failed;
    report.error = QStringLiteral("boom");
    report.notes
        = QStringList{QStringLiteral("removed /x/.a.part, a temporary file left behind by an interrupted run")};
    model->setEngineId(3, 43);
    model->setFinished(3, report);
    QCOMPARE(cellText(*m_window, 3, QueueModel::ErrorColumn),
        QStringLiteral("boom; removed /x/.a.part, a temporary file left behind by an interrupted run"));
    QVERIFY(changed.count() >= 6);

    model->resetRow(3);
    QCOMPARE(stateOf(*m_window, 3), FileState::Queued);
    QCOMPARE(cellText(*m_window, 3, QueueModel::ErrorColumn), QString());

    model->clearFinished(); // removes row 1 (done)
    QCOMPARE(model->rowCount(), 4);
    model->removeRows({3, 0, 0, 17}); // duplicates and out-of-range rows are ignored
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(rowPaths(), (QStringList{paths[2], paths[3]}));
    // A removed path can be added again.
    QVERIFY2(model->addFile(paths[0], JobMode::Pack, &why), qPrintable(why));
    QCOMPARE(model->rowCount(), 3);
}

void QueueModelTest::dropFilesAndFolders()
{
    const QString loose = m_dir->filePath(QStringLiteral("loose.txt"));
    const QString folder = m_dir->filePath(QStringLiteral("folder"));
    const QStringList inFolder = {
        folder + QStringLiteral("/.hidden"),
        folder + QStringLiteral("/a.txt"),
        folder + QStringLiteral("/sub/b.bin"),
        folder + QStringLiteral("/sub/deeper/c.dat"),
    };
    QVERIFY(writeFile(loose, "loose"));
    qint64 size = 100;
    for (const QString &p : inFolder) {
        size += 1000;
        QVERIFY(writeFile(p, randomData(size, quint64(size))));
    }
    QVERIFY(QDir().mkpath(folder + QStringLiteral("/empty")));

    QVERIFY(drop({loose, folder}));
    QCOMPARE(m_dialogs->warnings(), QStringList());
    QCOMPARE(rowPaths(), QStringList{loose} + inFolder);
    for (int r = 0; r < m_window->queueModel()->rowCount(); ++r) {
        const QueueModel::Row &row = m_window->queueModel()->row(r);
        QCOMPARE(row.size, QFileInfo(row.path).size());
        QCOMPARE(row.mode, JobMode::Pack);
        QCOMPARE(cellText(*m_window, r, QueueModel::StateColumn), QStringLiteral("Queued"));
        QCOMPARE(cellText(*m_window, r, QueueModel::FileColumn), QFileInfo(row.path).fileName());
    }
    QVERIFY(m_window->action(QStringLiteral("startAction"))->isEnabled());

    // Something that is not a local file is ignored (no row, no warning).
    QMimeData text;
    text.setText(QStringLiteral("hello"));
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(!enter.isAccepted());
    QCOMPARE(m_window->queueModel()->rowCount(), 5);
    QCOMPARE(m_dialogs->warnings(), QStringList());
}

void QueueModelTest::dropReportsDuplicatesAndUnreadableEntries()
{
    // As root, chmod 000 does not make a regular file unreadable, so the
    // "unreadable" entries here are ones no user can read as a file: a
    // dangling symbolic link (its target does not exist) and a FIFO (not a
    // regular file; reading it would block).
    const QString first = m_dir->filePath(QStringLiteral("first.txt"));
    const QString second = m_dir->filePath(QStringLiteral("second.txt"));
    const QString dangling = m_dir->filePath(QStringLiteral("dangling.link"));
    const QString fifo = m_dir->filePath(QStringLiteral("pipe.fifo"));
    QVERIFY(writeFile(first, "first"));
    QVERIFY(writeFile(second, "second"));
    QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("no-such-target")), dangling));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);

    QVERIFY(drop({first}));
    QCOMPARE(rowPaths(), QStringList{first});
    QCOMPARE(m_dialogs->warnings(), QStringList());

    QVERIFY(drop({first, dangling, second, fifo}));
    // The good file is added; the three others are reported in one warning.
    QCOMPARE(rowPaths(), (QStringList{first, second}));
    QCOMPARE(m_dialogs->warnings().size(), 1);
    const QString warning = m_dialogs->warnings().constFirst();
    QVERIFY2(warning.contains(first + QStringLiteral(" is already in the queue")), qPrintable(warning));
    QVERIFY2(warning.contains(dangling + QStringLiteral(" does not exist")), qPrintable(warning));
    QVERIFY2(warning.contains(fifo + QStringLiteral(" is not a regular file")), qPrintable(warning));
    QVERIFY2(!warning.contains(second), qPrintable(warning));
    QCOMPARE(m_window->lastStatusMessage(), QStringLiteral("3 entries were not added (see the details)"));

    // Inside a dropped folder (recursively), the same entries are reported too.
    const QString folder = m_dir->filePath(QStringLiteral("folder"));
    const QString good = folder + QStringLiteral("/sub/good.txt");
    const QString innerFifo = folder + QStringLiteral("/sub/inner.fifo");
    const QString innerLink = folder + QStringLiteral("/broken.link");
    QVERIFY(writeFile(good, "good"));
    QCOMPARE(::mkfifo(QFile::encodeName(innerFifo).constData(), 0600), 0);
    QVERIFY(QFile::link(folder + QStringLiteral("/gone"), innerLink));
    QVERIFY(drop({folder}));
    QCOMPARE(rowPaths(), (QStringList{first, second, good}));
    QCOMPARE(m_dialogs->warnings().size(), 2);
    const QString inner = m_dialogs->warnings().constLast();
    QVERIFY2(inner.contains(innerFifo + QStringLiteral(" is not a regular file")), qPrintable(inner));
    QVERIFY2(inner.contains(innerLink + QStringLiteral(" does not exist")), qPrintable(inner));

    // The same folder again: its file is a duplicate, and one problem shows
    // the problem itself in the status bar.
    QVERIFY(QFile::remove(innerFifo));
    QVERIFY(QFile::remove(innerLink));
    QVERIFY(drop({folder}));
    QCOMPARE(rowPaths(), (QStringList{first, second, good}));
    QCOMPARE(m_dialogs->warnings().size(), 3);
    QVERIFY(m_dialogs->warnings().constLast().contains(good + QStringLiteral(" is already in the queue")));
    QCOMPARE(m_window->lastStatusMessage(), good + QStringLiteral(" is already in the queue"));
}

void QueueModelTest::addFilesDialogAndRemove()
{
    const QString a = m_dir->filePath(QStringLiteral("a.txt"));
    const QString b = m_dir->filePath(QStringLiteral("b.txt"));
    const QString c = m_dir->filePath(QStringLiteral("c.txt"));
    for (const QString &p : {a, b, c})
        QVERIFY(writeFile(p, p.toUtf8()));
    QStringList captions;
    Dialogs::openFileNamesHook = [&](const QString &caption) {
        captions << caption;
        return QStringList{a, b, c};
    };
    QVERIFY(clickToolBar(*m_window, "addFilesAction"));
    QCOMPARE(captions, QStringList{QStringLiteral("Add files")});
    QCOMPARE(rowPaths(), (QStringList{a, b, c}));

    // Add Folder through its dialog: everything is a duplicate now.
    Dialogs::existingDirectoryHook = [&](const QString &) { return m_dir->path(); };
    m_window->action(QStringLiteral("addFolderAction"))->trigger();
    QCOMPARE(rowPaths(), (QStringList{a, b, c}));
    QCOMPARE(m_dialogs->warnings().size(), 1);
    QCOMPARE(m_dialogs->warnings().constFirst().count(QStringLiteral("is already in the queue")), 3);

    // Select the middle row in the table and press Delete.
    QTableView *view = m_window->queueView();
    view->setFocus();
    view->selectionModel()->select(
        m_window->queueModel()->index(1, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_window->action(QStringLiteral("removeAction"))->trigger();
    QCOMPARE(rowPaths(), (QStringList{a, c}));
    QVERIFY(m_window->action(QStringLiteral("startAction"))->isEnabled());
}

QTEST_MAIN(QueueModelTest)
#include "tst_queuemodel.moc"
