// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The main window: keyboard shortcuts for the main actions, an accessible
// name (or a buddy label) on every control, and a keychain failure that shows
// its reason and the way out (the passphrase) without a hang.

#include "apptesthelpers.h"
#include "pipeline/engine.h"

#include <QAbstractButton>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>

using namespace flowgate;
using namespace flowgate::apptest;

class MainWindowTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void mainActionsHaveShortcuts();
    void controlsHaveAccessibleNames();
    void keychainFailureShowsTheWayOut();
    void waitSeriesCanBeToldApart();

private:
    std::unique_ptr<TestEnvironment> m_env;
    std::unique_ptr<DialogRecorder> m_dialogs;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void MainWindowTest::initTestCase()
{
    m_env = std::make_unique<TestEnvironment>();
    QVERIFY(m_env->isValid());
}

void MainWindowTest::init()
{
    m_dialogs = std::make_unique<DialogRecorder>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_window = makeWindow();
    QVERIFY(m_window);
}

void MainWindowTest::cleanup()
{
    m_window.reset();
    QVERIFY2(m_dialogs->unexpected().isEmpty(), qPrintable(m_dialogs->unexpected().join(u'\n')));
    m_dialogs.reset();
    m_dir.reset();
}

void MainWindowTest::mainActionsHaveShortcuts()
{
    const char *const main[] = {"startAction", "pauseAction", "resumeAction", "cancelAction", "addFilesAction",
        "addFolderAction", "exportCsvAction", "saveChartAction"};
    for (const char *name : main) {
        QAction *a = m_window->action(QString::fromLatin1(name));
        QVERIFY2(a, name);
        QVERIFY2(!a->shortcut().isEmpty(), name);
    }
    // No two actions share a shortcut (an ambiguous one would do nothing).
    QHash<QKeySequence, QString> seen;
    for (QAction *a : m_window->findChildren<QAction *>()) {
        for (const QKeySequence &k : a->shortcuts()) {
            QVERIFY2(!seen.contains(k),
                qPrintable(QStringLiteral("%1 and %2 share %3").arg(seen.value(k), a->objectName(), k.toString())));
            seen.insert(k, a->objectName());
        }
    }

    // The shortcuts work: Ctrl+O opens the Add dialog, Ctrl+Shift+O the
    // folder dialog, Ctrl+E the CSV export.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QStringList asked;
    Dialogs::openFileNamesHook = [&](const QString &caption) {
        asked << caption;
        return QStringList();
    };
    Dialogs::existingDirectoryHook = [&](const QString &caption) {
        asked << caption;
        return QString();
    };
    Dialogs::saveFileNameHook = [&](const QString &caption, const QString &) {
        asked << caption;
        return QString();
    };
    QTest::keySequence(m_window.get(), m_window->action(QStringLiteral("addFilesAction"))->shortcut());
    QTest::keySequence(m_window.get(), m_window->action(QStringLiteral("addFolderAction"))->shortcut());
    QTest::keySequence(m_window.get(), m_window->action(QStringLiteral("exportCsvAction"))->shortcut());
    QCOMPARE(asked,
        (QStringList{
            QStringLiteral("Add files"), QStringLiteral("Add folder"), QStringLiteral("Export metrics as CSV")}));
}

void MainWindowTest::controlsHaveAccessibleNames()
{
    // Every control a user can operate, in the tuning panel, the charts panel
    // and the queue, has an accessible name or a label that is its buddy; and
    // assistive technology sees a name for it.
    QList<const QWidget *> buddies;
    for (const QLabel *label : m_window->findChildren<QLabel *>())
        if (label->buddy())
            buddies << label->buddy();
    const auto isControl = [](const QWidget *w) {
        return qobject_cast<const QAbstractButton *>(w) || qobject_cast<const QComboBox *>(w)
            || qobject_cast<const QAbstractSlider *>(w) || qobject_cast<const QAbstractSpinBox *>(w)
            || qobject_cast<const QLineEdit *>(w) || qobject_cast<const QAbstractItemView *>(w);
    };
    QStringList missing;
    int checked = 0;
    const QList<QWidget *> roots = {m_window->tuningPanel(), m_window->chartsPanel(), m_window->queueView()};
    for (QWidget *root : roots) {
        QList<QWidget *> widgets = root->findChildren<QWidget *>();
        widgets.prepend(root);
        for (QWidget *w : std::as_const(widgets)) {
            // Parts of a control (a spin box's line edit, a view's scroll
            // bars) belong to it.
            if (!isControl(w) || qobject_cast<const QScrollBar *>(w)
                || (w->parentWidget() && isControl(w->parentWidget())) || !w->isVisibleTo(m_window.get()))
                continue;
            ++checked;
            const QString what
                = QStringLiteral("%1 (%2)").arg(w->objectName(), QString::fromLatin1(w->metaObject()->className()));
            if (w->accessibleName().isEmpty() && !buddies.contains(w))
                missing << what + QStringLiteral(": no accessible name, no buddy label");
            QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(w);
            if (!iface || iface->text(QAccessible::Name).isEmpty())
                missing << what + QStringLiteral(": assistive technology sees no name");
            if (!(w->focusPolicy() & Qt::TabFocus))
                missing << what + QStringLiteral(": not reachable with the Tab key");
        }
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u'\n')));
    // 16 in the tuning panel, 2 above the charts, the queue itself.
    QVERIFY2(checked >= 19, qPrintable(QString::number(checked)));
    // Every buddy label names a control with a mnemonic (Alt+letter).
    for (const QLabel *label : m_window->tuningPanel()->findChildren<QLabel *>())
        if (label->buddy())
            QVERIFY2(label->text().contains(u'&'), qPrintable(label->objectName()));
}

void MainWindowTest::keychainFailureShowsTheWayOut()
{
    // The test process has no session bus (DBUS_SESSION_BUS_ADDRESS=disabled:),
    // so the keychain reports "no service" quickly.
    const QString input = m_dir->filePath(QStringLiteral("secret.txt"));
    QVERIFY(writeFile(input, randomData(64 * kKiB, 5)));
    PackSetup setup;
    setup.cipher = CipherId::ChaCha20Poly1305;
    setup.outputFolder = m_dir->filePath(QStringLiteral("out"));
    applySetup(*m_window, setup);
    m_window->tuningPanel()->setKeySource(TuningPanel::KeySourceChoice::Keychain);
    QCOMPARE(m_window->addPaths({input}), QStringList());

    QAction *start = m_window->action(QStringLiteral("startAction"));
    QElapsedTimer clock;
    clock.start();
    QVERIFY(clickToolBar(*m_window, "startAction"));
    // The GUI thread does not wait for the keychain: the click returns at
    // once, and Start stays disabled while the request runs.
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!start->isEnabled());
    QVERIFY(m_window->lastStatusMessage().contains(QStringLiteral("keychain")));

    // Meanwhile the event loop runs (a timer keeps firing) until the warning.
    int ticks = 0;
    QTimer timer;
    connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
    timer.start(10);
    // Quicker than the keychain store's own 10 s timeout: "no service" is
    // reported as such, not waited out.
    QTRY_COMPARE_WITH_TIMEOUT(m_dialogs->warnings().size(), 1, 8000);
    QVERIFY(ticks > 0);
    const QString warning = m_dialogs->warnings().constFirst();
    QVERIFY2(warning.startsWith(QStringLiteral("The keychain is not available\n")), qPrintable(warning));
    // The way out is named: the passphrase key source.
    QVERIFY2(warning.contains(QStringLiteral("\"Passphrase\"")), qPrintable(warning));
    QVERIFY2(warning.contains(QStringLiteral("key source")), qPrintable(warning));
    QCOMPARE(stateOf(*m_window, 0), FileState::Queued);
    QCOMPARE(m_window->queueModel()->row(0).engineId, -1);
    QVERIFY(start->isEnabled());

    // Taking it works: Passphrase in the key source combo box, Start again.
    auto *keySource = child<QComboBox>(m_window->tuningPanel(), "keySourceComboBox");
    QTest::keyClick(keySource, Qt::Key_End);
    QCOMPARE(m_window->tuningPanel()->keySource(), TuningPanel::KeySourceChoice::Passphrase);
    m_dialogs->answerPassphrase(QStringLiteral("the way out"));
    QVERIFY(clickToolBar(*m_window, "startAction"));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*m_window, 0), FileState::Done, 30000);
    QCOMPARE(m_dialogs->warnings().size(), 1);
    QVERIFY(QFileInfo::exists(setup.outputFolder + QStringLiteral("/secret.txt.fgc")));
}

/// The six wait series (CPU and I/O, P50/P95/P99) differ in colour or line,
/// and their legend lists them one per line at the side, where no label is
/// cut short.
void MainWindowTest::waitSeriesCanBeToldApart()
{
    QChart *chart = m_window->chartsPanel()->chartView(ChartsPanel::WaitChart)->chart();
    QCOMPARE(chart->legend()->alignment(), Qt::AlignRight);
    const QList<QAbstractSeries *> series = chart->series();
    QCOMPARE(series.size(), 6);
    QSet<QString> looks;
    QSet<QString> names;
    for (QAbstractSeries *s : series) {
        auto *line = qobject_cast<QLineSeries *>(s);
        QVERIFY(line);
        looks.insert(line->pen().color().name() + QString::number(int(line->pen().style())));
        names.insert(line->name());
    }
    QCOMPARE(looks.size(), 6);
    QCOMPARE(names.size(), 6);
}

QTEST_MAIN(MainWindowTest)
#include "tst_mainwindow.moc"
