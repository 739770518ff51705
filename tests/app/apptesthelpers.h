// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

// Shared helpers of the GUI test suites (tests/app): a private HOME and XDG
// folders for the process, dialog hooks that answer nothing unless a test
// says so (and record every unexpected dialog), a main window with a
// QAbstractItemModelTester on its queue, and test data.

#include "chartspanel.h"
#include "dialogs.h"
#include "jobcontroller.h"
#include "mainwindow.h"
#include "queuemodel.h"
#include "tuningpanel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QByteArray>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

#include <cstring>
#include <memory>
#include <random>

namespace flowgate::apptest {

inline constexpr qint64 kKiB = 1024;
inline constexpr qint64 kMiB = 1024 * 1024;

/// A private HOME, XDG folders and QSettings for the whole test process, so
/// no test reads or writes the real user's settings, and no session bus (the
/// keychain reports NoService at once instead of talking to a real keyring).
/// Create it in initTestCase(), before anything touches QSettings.
class TestEnvironment
{
public:
    TestEnvironment()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QString root = m_root.path();
        const auto dir = [&root](const char *name) {
            const QString path = QDir(root).filePath(QString::fromLatin1(name));
            QDir().mkpath(path);
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            return QFile::encodeName(path);
        };
        qputenv("HOME", dir("home"));
        qputenv("XDG_CONFIG_HOME", dir("config"));
        qputenv("XDG_DATA_HOME", dir("data"));
        qputenv("XDG_CACHE_HOME", dir("cache"));
        qputenv("XDG_STATE_HOME", dir("state"));
        qputenv("XDG_RUNTIME_DIR", dir("runtime"));
        qputenv("DBUS_SESSION_BUS_ADDRESS", "disabled:");
        QCoreApplication::setOrganizationName(QStringLiteral("FlowgateTests"));
        QCoreApplication::setApplicationName(QStringLiteral("FlowgateGuiTests"));
    }

    bool isValid() const { return m_root.isValid(); }
    QString home() const { return QDir(m_root.path()).filePath(QStringLiteral("home")); }

private:
    QTemporaryDir m_root;
};

/// Every Dialogs hook answers "cancel" and records the call; a test sets the
/// hooks it expects. unexpectedDialogs() is checked in each test's cleanup().
class DialogRecorder
{
public:
    DialogRecorder() { reset(); }
    ~DialogRecorder() { clearHooks(); }
    Q_DISABLE_COPY_MOVE(DialogRecorder)

    void reset()
    {
        m_unexpected.clear();
        m_warnings.clear();
        Dialogs::saveFileNameHook = [this](const QString &caption, const QString &) {
            m_unexpected << QStringLiteral("save file name: ") + caption;
            return QString();
        };
        Dialogs::openFileNamesHook = [this](const QString &caption) {
            m_unexpected << QStringLiteral("open file names: ") + caption;
            return QStringList();
        };
        Dialogs::existingDirectoryHook = [this](const QString &caption) {
            m_unexpected << QStringLiteral("existing directory: ") + caption;
            return QString();
        };
        Dialogs::passphraseHook = [this](bool) {
            m_unexpected << QStringLiteral("passphrase");
            return QString();
        };
        Dialogs::questionHook = [this](const QString &title, const QString &) {
            m_unexpected << QStringLiteral("question: ") + title;
            return false;
        };
        // Warnings are collected: tests that expect none check warnings().
        Dialogs::warningHook
            = [this](const QString &title, const QString &text) { m_warnings << (title + u'\n' + text); };
    }

    static void clearHooks()
    {
        Dialogs::saveFileNameHook = {};
        Dialogs::openFileNamesHook = {};
        Dialogs::existingDirectoryHook = {};
        Dialogs::passphraseHook = {};
        Dialogs::questionHook = {};
        Dialogs::warningHook = {};
    }

    /// Answers every passphrase request with this passphrase.
    void answerPassphrase(const QString &passphrase)
    {
        Dialogs::passphraseHook = [this, passphrase](bool confirm) {
            m_passphraseRequests << confirm;
            return passphrase;
        };
    }

    const QStringList &unexpected() const { return m_unexpected; }
    const QStringList &warnings() const { return m_warnings; }
    const QList<bool> &passphraseRequests() const { return m_passphraseRequests; }

private:
    QStringList m_unexpected;
    QStringList m_warnings;
    QList<bool> m_passphraseRequests;
};

/// A fresh main window (with empty settings) whose queue model is watched by
/// a fatal QAbstractItemModelTester for its whole life; null if it could not
/// be shown.
inline std::unique_ptr<MainWindow> makeWindow(bool show = true)
{
    QSettings().clear();
    auto window = std::make_unique<MainWindow>();
    // Parented to the model: it lives exactly as long as the model.
    new QAbstractItemModelTester(
        window->queueModel(), QAbstractItemModelTester::FailureReportingMode::Fatal, window->queueModel());
    if (show) {
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            return nullptr;
    }
    return window;
}

template<typename T> T *child(const QObject *parent, const char *name)
{
    return parent->findChild<T *>(QString::fromLatin1(name));
}

/// The toolbar button of a main-window action (what a user clicks).
inline QToolButton *toolButton(MainWindow &window, const char *actionName)
{
    QAction *action = window.action(QString::fromLatin1(actionName));
    auto *bar = child<QToolBar>(&window, "mainToolBar");
    if (!action || !bar)
        return nullptr;
    return qobject_cast<QToolButton *>(bar->widgetForAction(action));
}

/// Clicks an action's toolbar button; false if there is none or it is
/// disabled.
[[nodiscard]] inline bool clickToolBar(MainWindow &window, const char *actionName)
{
    QToolButton *button = toolButton(window, actionName);
    if (!button || !button->isEnabled() || !button->isVisible())
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}

/// Incompressible bytes from a fixed seed.
inline QByteArray randomData(qsizetype size, quint64 seed)
{
    QByteArray out(size, Qt::Uninitialized);
    std::mt19937_64 rng(seed);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(out.data() + i, &v, 8);
    }
    for (; i < size; ++i)
        out[i] = char(rng() & 0xff);
    return out;
}

inline bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size() && f.flush();
}

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Every entry of a folder, hidden ones included (temporary ".*.part" files).
inline QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

inline FileState stateOf(const MainWindow &window, int row)
{
    return window.queueModel()->row(row).state;
}

inline QString cellText(const MainWindow &window, int row, QueueModel::Column column)
{
    const QueueModel *m = window.queueModel();
    return m->data(m->index(row, column), Qt::DisplayRole).toString();
}

/// Pack settings through the tuning panel's widgets: codec and level, cipher,
/// chunk size (bytes, one of the combo's sizes), output folder, and the
/// per-file workers and files in flight.
struct PackSetup
{
    CodecId codec = CodecId::Zstd;
    int level = 3;
    CipherId cipher = CipherId::None;
    quint32 chunkSize = 0;
    QString outputFolder;
    int perFileWorkers = 4;
    int filesInFlight = 4;
};

inline void applySetup(MainWindow &window, const PackSetup &setup)
{
    TuningPanel *tuning = window.tuningPanel();
    tuning->setMode(JobMode::Pack);
    auto *codec = child<QComboBox>(tuning, "codecComboBox");
    codec->setCurrentIndex(codec->findData(int(setup.codec)));
    auto *level = child<QSpinBox>(tuning, "levelSpinBox");
    if (level->isEnabled())
        level->setValue(setup.level);
    tuning->setCipher(setup.cipher);
    tuning->setChunkSize(setup.chunkSize);
    tuning->setOutputFolder(setup.outputFolder);
    child<QSlider>(tuning, "perFileWorkersSlider")->setValue(setup.perFileWorkers);
    child<QSlider>(tuning, "filesInFlightSlider")->setValue(setup.filesInFlight);
}

} // namespace flowgate::apptest
