// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "mainwindow.h"

#include "advisorpanel.h"
#include "chartspanel.h"
#include "crypto/keychainsecretstore.h"
#include "crypto/masterkeymanager.h"
#include "demoworkload.h"
#include "dialogs.h"
#include "governor/storagedetector.h"
#include "jobcontroller.h"
#include "metrics/metricscsv.h"
#include "progressdelegate.h"
#include "queuemodel.h"
#include "tuningpanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDirIterator>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtCharts/QChartView>
#include <QtConcurrent/QtConcurrent>

namespace flowgate {

namespace {

ResourceConfig initialConfig()
{
    QSettings s;
    ResourceConfig c;
    c.cpuTokens = s.value(QStringLiteral("tuning/cpuTokens"), ResourceConfig::defaultCpuTokens()).toInt();
    return c;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(std::make_unique<JobController>(initialConfig()))
{
    setWindowTitle(tr("Flowgate"));
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    m_model = new QueueModel(this);
    buildLayout();
    buildActions();
    connectController();
    m_tuning->loadSettings();
    // Bring the governor in line with the restored settings.
    Governor &g = m_controller->governor();
    g.setCpuTokens(m_tuning->cpuTokens());
    g.setStorageType(m_tuning->storageType());
    g.setIoTokens(m_tuning->ioTokens());
    g.setPerFileWorkers(m_tuning->perFileWorkers());
    g.setFilesInFlight(m_tuning->filesInFlight());
    g.setMemorySoftLimit(m_tuning->memorySoftLimit());
    g.setMemoryHardLimit(m_tuning->memoryHardLimit());
    if (m_tuning->memoryHardLimit() > 0)
        g.setMemoryCapacity(m_tuning->memoryHardLimit());
    g.setBackgroundMode(m_tuning->backgroundMode());
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    detectStorage();
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow() = default;

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::buildLayout()
{
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("queueTableView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setItemDelegateForColumn(QueueModel::ProgressColumn, new ProgressDelegate(m_view));
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QueueModel::FileColumn, QHeaderView::Interactive);
    m_view->setColumnWidth(QueueModel::FileColumn, 220);
    m_view->setColumnWidth(QueueModel::ProgressColumn, 130);
    m_view->setColumnWidth(QueueModel::ShaColumn, 160);
    m_view->verticalHeader()->hide();
    m_view->setAccessibleName(tr("Queue of files"));
    m_view->setDragDropMode(QAbstractItemView::DropOnly);

    m_charts = new ChartsPanel(this);
    m_charts->setObjectName(QStringLiteral("chartsPanel"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_view);
    splitter->addWidget(m_charts);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    setCentralWidget(splitter);

    m_tuning = new TuningPanel(this);
    m_tuning->setObjectName(QStringLiteral("tuningPanel"));
    auto *tuningDock = new QDockWidget(tr("Tuning"), this);
    tuningDock->setObjectName(QStringLiteral("tuningDock"));
    auto *scroll = new QScrollArea(tuningDock);
    scroll->setWidget(m_tuning);
    scroll->setWidgetResizable(true);
    tuningDock->setWidget(scroll);
    addDockWidget(Qt::RightDockWidgetArea, tuningDock);

    m_advisor = new AdvisorPanel(this);
    m_advisor->setObjectName(QStringLiteral("advisorPanel"));
    auto *advisorDock = new QDockWidget(tr("Advisor"), this);
    advisorDock->setObjectName(QStringLiteral("advisorDock"));
    auto *advisorScroll = new QScrollArea(advisorDock);
    advisorScroll->setWidget(m_advisor);
    advisorScroll->setWidgetResizable(true);
    advisorScroll->setMinimumHeight(220);
    advisorDock->setWidget(advisorScroll);
    addDockWidget(Qt::RightDockWidgetArea, advisorDock);

    m_totalsLabel = new QLabel(this);
    m_totalsLabel->setObjectName(QStringLiteral("totalsLabel"));
    m_summaryLabel = new QLabel(this);
    m_summaryLabel->setObjectName(QStringLiteral("summaryLabel"));
    statusBar()->addWidget(m_totalsLabel, 1);
    statusBar()->addPermanentWidget(m_summaryLabel);
    resize(1280, 860);
}

void MainWindow::buildActions()
{
    const auto make
        = [this](const QString &name, const QString &text, const QKeySequence &key, const QString &tip, auto slot) {
              auto *a = new QAction(text, this);
              a->setObjectName(name);
              if (!key.isEmpty())
                  a->setShortcut(key);
              a->setToolTip(tip);
              a->setStatusTip(tip);
              connect(a, &QAction::triggered, this, slot);
              addAction(a);
              return a;
          };
    QAction *addFiles = make(
        QStringLiteral("addFilesAction"), tr("&Add Files…"), QKeySequence::Open, tr("Add files to the queue"), [this] {
            QSettings settings;
            const QStringList files = Dialogs::openFileNames(
                this, tr("Add files"), QString(), settings.value(QStringLiteral("paths/lastAddFolder")).toString());
            if (!files.isEmpty())
                settings.setValue(QStringLiteral("paths/lastAddFolder"), QFileInfo(files.first()).absolutePath());
            reportProblems(addPaths(files));
        });
    QAction *addFolder = make(QStringLiteral("addFolderAction"), tr("Add &Folder…"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), tr("Add every file of a folder (recursively)"), [this] {
            QSettings settings;
            const QString dir = Dialogs::existingDirectory(
                this, tr("Add folder"), settings.value(QStringLiteral("paths/lastAddFolder")).toString());
            if (!dir.isEmpty()) {
                settings.setValue(QStringLiteral("paths/lastAddFolder"), dir);
                reportProblems(addPaths({dir}));
            }
        });
    QAction *start = make(QStringLiteral("startAction"), tr("&Start"), QKeySequence(Qt::CTRL | Qt::Key_Return),
        tr("Start the queued files"), [this] { startQueue(false); });
    QAction *startSel = make(QStringLiteral("startSelectedAction"), tr("Start &Selected"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), tr("Start the selected queued files"),
        [this] { startQueue(true); });
    QAction *pause = make(QStringLiteral("pauseAction"), tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P),
        tr("Pause: no new chunks are handed out"), [this] {
            const QList<int> rows = selectedRows();
            if (rows.isEmpty()) {
                m_controller->engine().pauseAll();
                for (int r : m_model->rowsInState(FileState::Running))
                    m_model->setState(r, FileState::Paused);
            } else {
                for (int r : rows)
                    if (m_model->row(r).engineId >= 0)
                        m_controller->engine().pause(m_model->row(r).engineId);
            }
            updateActions();
        });
    QAction *resume = make(QStringLiteral("resumeAction"), tr("&Resume"), QKeySequence(Qt::CTRL | Qt::Key_R),
        tr("Resume paused files"), [this] {
            // A whole-queue pause is lifted for every file; otherwise the selected
            // rows (or all paused rows when nothing is selected) resume.
            const bool wholeQueue = m_controller->engine().isPaused() || selectedRows().isEmpty();
            m_controller->engine().resumeAll();
            const QList<int> rows = wholeQueue ? m_model->rowsInState(FileState::Paused) : selectedRows();
            for (int r : rows) {
                if (m_model->row(r).engineId >= 0)
                    m_controller->engine().resume(m_model->row(r).engineId);
                if (m_model->row(r).state == FileState::Paused)
                    m_model->setState(r, FileState::Running);
            }
            updateActions();
        });
    QAction *cancel = make(QStringLiteral("cancelAction"), tr("&Cancel"), QKeySequence(Qt::CTRL | Qt::Key_Period),
        tr("Cancel running files (temporary outputs are removed)"), [this] {
            const QList<int> rows = selectedRows();
            if (rows.isEmpty()) {
                m_controller->engine().cancelAll();
            } else {
                for (int r : rows)
                    if (m_model->row(r).engineId >= 0)
                        m_controller->engine().cancel(m_model->row(r).engineId);
            }
        });
    QAction *remove = make(QStringLiteral("removeAction"), tr("Re&move"), QKeySequence::Delete,
        tr("Remove the selected files from the queue"), [this] {
            QList<int> rows;
            for (int r : selectedRows()) {
                const FileState st = m_model->row(r).state;
                if (st != FileState::Running && st != FileState::Paused)
                    rows.append(r);
            }
            m_model->removeRows(rows);
            updateStatus();
        });
    QAction *clear = make(QStringLiteral("clearFinishedAction"), tr("C&lear Finished"),
        QKeySequence(Qt::CTRL | Qt::Key_L), tr("Remove finished and cancelled files from the queue"), [this] {
            m_model->clearFinished();
            updateStatus();
        });
    QAction *retry = make(QStringLiteral("retryFailedAction"), tr("Retr&y Failed"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), tr("Queue the failed files again"), [this] {
            for (int r : m_model->rowsInState(FileState::Failed))
                m_model->resetRow(r);
            updateActions();
        });
    QAction *exportCsvAction = make(QStringLiteral("exportCsvAction"), tr("&Export Metrics as CSV…"),
        QKeySequence(Qt::CTRL | Qt::Key_E), tr("Write every metrics sample of the session as CSV"), [this] {
            const QString path = Dialogs::saveFileName(
                this, tr("Export metrics as CSV"), QStringLiteral("flowgate-metrics.csv"), tr("CSV files (*.csv)"));
            if (path.isEmpty())
                return;
            const bool visibleOnly = Dialogs::question(this, tr("Export metrics"),
                tr("Export only the visible time window?\n(No exports the whole session.)"));
            QString error;
            if (!exportCsv(path, visibleOnly, &error))
                Dialogs::warning(this, tr("Export failed"), error);
        });
    QAction *png = make(QStringLiteral("saveChartAction"), tr("Save &Chart as PNG…"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), tr("Save one chart as a PNG image"), [this] {
            const QStringList names = {tr("saturation"), tr("memory"), tr("waits"), tr("queue")};
            for (int i = 0; i < ChartsPanel::ChartCount; ++i) {
                const QString path
                    = Dialogs::saveFileName(this, tr("Save the %1 chart as PNG (cancel to skip)").arg(names[i]),
                        QStringLiteral("flowgate-%1.png").arg(names[i]), tr("PNG images (*.png)"));
                if (path.isEmpty())
                    continue;
                QString error;
                if (!saveChartPng(i, path, &error))
                    Dialogs::warning(this, tr("Saving failed"), error);
            }
        });
    QAction *demo = make(QStringLiteral("demoAction"), tr("Run &Demo"), QKeySequence(Qt::CTRL | Qt::Key_D),
        tr("Generate sample files in a temporary folder and pack them"), [this] { startDemo(); });
    QAction *quit
        = make(QStringLiteral("quitAction"), tr("&Quit"), QKeySequence::Quit, tr("Quit Flowgate"), [this] { close(); });
    QAction *about
        = make(QStringLiteral("aboutAction"), tr("&About Flowgate"), QKeySequence(), tr("About Flowgate"), [this] {
              QMessageBox::about(this, tr("About Flowgate"),
                  tr("<h3>Flowgate %1</h3><p>Compresses, encrypts and checksums files in parallel under a resource "
                     "governor "
                     "that keeps the machine responsive.</p><p>BSD-3-Clause licence.</p>")
                      .arg(QStringLiteral(FLOWGATE_VERSION)));
          });

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions({addFiles, addFolder});
    file->addSeparator();
    file->addActions({exportCsvAction, png});
    file->addSeparator();
    file->addAction(quit);
    QMenu *queue = menuBar()->addMenu(tr("&Queue"));
    queue->addActions({start, startSel, pause, resume, cancel});
    queue->addSeparator();
    queue->addActions({remove, clear, retry});
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addActions({demo, about});

    auto *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->addActions({addFiles, addFolder});
    bar->addSeparator();
    bar->addActions({start, pause, resume, cancel});
    bar->addSeparator();
    bar->addActions({exportCsvAction, png, demo});
    for (QAction *a : bar->actions())
        if (!a->isSeparator())
            a->setIconText(a->text().remove(u'&').remove(QStringLiteral("…")));
}

void MainWindow::connectController()
{
    Governor &g = m_controller->governor();
    Engine &engine = m_controller->engine();
    // Sliders act on the running governor at once.
    connect(m_tuning, &TuningPanel::cpuTokensChanged, this, [this, &g](int v) {
        const int before = g.cpuTokensTotal();
        g.setCpuTokens(v);
        if (before != v)
            m_controller->sampler().addNote(QStringLiteral("cpu tokens %1 -> %2").arg(before).arg(v));
    });
    connect(m_tuning, &TuningPanel::ioTokensChanged, this, [this, &g](int v) {
        const int before = g.ioTokensTotal();
        g.setIoTokens(v);
        if (before != v)
            m_controller->sampler().addNote(QStringLiteral("io tokens %1 -> %2").arg(before).arg(v));
    });
    connect(m_tuning, &TuningPanel::storageTypeChanged, this, [&g](StorageType t) { g.setStorageType(t); });
    connect(m_tuning, &TuningPanel::perFileWorkersChanged, this, [&g](int v) { g.setPerFileWorkers(v); });
    connect(m_tuning, &TuningPanel::filesInFlightChanged, this, [&g](int v) { g.setFilesInFlight(v); });
    connect(m_tuning, &TuningPanel::memoryLimitsChanged, this, [&g](qint64 soft, qint64 hard) {
        g.setMemorySoftLimit(soft);
        g.setMemoryHardLimit(hard);
        // Utilisation is measured against the hard limit when there is one.
        g.setMemoryCapacity(hard > 0 ? hard : ResourceConfig::defaultMemoryCapacity());
    });
    connect(m_tuning, &TuningPanel::backgroundModeChanged, this, [&g](bool on) { g.setBackgroundMode(on); });
    connect(m_tuning, &TuningPanel::outputFolderChanged, this, [this] { detectStorage(); });

    connect(m_controller.get(), &JobController::sampled, this, &MainWindow::onSample);
    connect(m_controller.get(), &JobController::summary, this, [this](const QString &line) {
        // The line's format is fixed (logs and scripts read it); only the word is translated.
        QString shown = line;
        shown.replace(QStringLiteral("Resources:"), tr("Resources:"));
        m_summaryLabel->setText(shown);
    });
    connect(m_controller.get(), &JobController::memoryWarning, this, [this](qint64 used, qint64 limit) {
        showStatus(tr("Memory in use (%1) is above the soft limit (%2)")
                       .arg(QLocale().formattedDataSize(used), QLocale().formattedDataSize(limit)));
    });
    connect(
        &engine, &Engine::fileStateChanged, this,
        [this, &engine](int id, FileState) {
            // The engine's own state, not the signal's: signals emitted from
            // different threads (a pause here, a start on a worker) can arrive
            // in another order than the changes were made.
            const FileState state = engine.report(id).state;
            const int r = m_model->rowOfEngineId(id);
            if (r >= 0 && state != FileState::Done && state != FileState::Failed && state != FileState::Cancelled)
                m_model->setState(r, state);
            updateActions();
        },
        Qt::QueuedConnection);
    connect(
        &engine, &Engine::fileProgress, this,
        [this](int id, quint64 done, quint64 total) {
            const int r = m_model->rowOfEngineId(id);
            if (r >= 0)
                m_model->setProgress(r, done, total);
        },
        Qt::QueuedConnection);
    connect(
        &engine, &Engine::fileFinished, this,
        [this](const FileReport &report) {
            const int r = m_model->rowOfEngineId(report.id);
            if (r >= 0)
                m_model->setFinished(r, report);
            updateActions();
            updateStatus();
        },
        Qt::QueuedConnection);
    connect(
        m_advisor, &AdvisorPanel::applyRequested, this, [this](Knob knob, int value) { applyHint(int(knob), value); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] { updateActions(); });
}

void MainWindow::applyHint(int knob, int value)
{
    switch (Knob(knob)) {
    case Knob::CpuTokens:
        m_tuning->setCpuTokens(value);
        break;
    case Knob::IoTokens:
        m_tuning->setStorageType(StorageType::custom(value));
        break;
    case Knob::StorageType:
        m_tuning->setStorageType(StorageType::custom(value));
        break;
    case Knob::PerFileWorkers:
        m_controller->governor().setPerFileWorkers(value);
        break;
    case Knob::FilesInFlight:
        m_controller->governor().setFilesInFlight(value);
        break;
    case Knob::ChunkSize:
        m_tuning->setChunkSize(quint32(value));
        break;
    default:
        break;
    }
    showStatus(tr("Applied the advisor's suggestion"));
}

void MainWindow::onSample(const MetricsSnapshot &s)
{
    m_charts->addSample(s);
    // Hints over the last 10 s.
    static const Advisor advisor;
    QList<MetricsSnapshot> window;
    const QList<MetricsSnapshot> recent = m_charts->recentSamples(40);
    // The last 10 s, but not the idle time before the current run started.
    for (const MetricsSnapshot &x : recent)
        if (x.elapsedMs >= s.elapsedMs - 10'000 && (m_runStartMs < 0 || x.wallClockMsSinceEpoch >= m_runStartMs))
            window.append(x);
    m_advisor->setHints(advisor.evaluate(window));
    updateStatus();
}

void MainWindow::updateStatus()
{
    const QLocale locale;
    const auto &m = m_controller->governor().metrics();
    const quint64 total = m_model->totalBytes();
    const quint64 done = m_model->doneBytes();
    QString eta;
    if (m_runStartMs >= 0 && done > 0 && done < total) {
        const double secs = double(QDateTime::currentMSecsSinceEpoch() - m_runStartMs) / 1000.0;
        const double rate = double(done) / std::max(secs, 0.001);
        eta = tr(", about %1 s left").arg(int(double(total - done) / rate));
    }
    const MetricsSnapshot latest = m_charts->latestSample();
    m_totalsLabel->setText(
        tr("%1 of %2 files done · read %3 · written %4 · %5 MB/s%6")
            .arg(m_model->finishedCount())
            .arg(m_model->rowCount())
            .arg(locale.formattedDataSize(qint64(m.bytesIn())), locale.formattedDataSize(qint64(m.bytesOut())))
            .arg(locale.toString(latest.throughputInMBps, 'f', 0))
            .arg(eta));
}

void MainWindow::updateActions()
{
    const QList<int> queuedRows = m_model->rowsInState(FileState::Queued);
    const bool queued = !queuedRows.isEmpty();
    // Queued rows already handed to the engine only wait for a slot: Start has nothing to do for them.
    const bool startable
        = std::any_of(queuedRows.begin(), queuedRows.end(), [this](int r) { return m_model->row(r).engineId < 0; });
    const bool running
        = !m_model->rowsInState(FileState::Running).isEmpty() || !m_model->rowsInState(FileState::Paused).isEmpty();
    action(QStringLiteral("startAction"))->setEnabled(startable && !m_keyRequestRunning);
    action(QStringLiteral("startSelectedAction"))
        ->setEnabled(startable && !selectedRows().isEmpty() && !m_keyRequestRunning);
    action(QStringLiteral("pauseAction"))->setEnabled(running);
    action(QStringLiteral("resumeAction"))->setEnabled(running);
    action(QStringLiteral("cancelAction"))->setEnabled(running || queued);
    action(QStringLiteral("retryFailedAction"))->setEnabled(!m_model->rowsInState(FileState::Failed).isEmpty());
}

void MainWindow::showStatus(const QString &text, int timeoutMs)
{
    m_lastStatus = text;
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::reportProblems(const QStringList &problems)
{
    if (problems.isEmpty())
        return;
    showStatus(problems.size() == 1 ? problems.first()
                                    : tr("%1 entries were not added (see the details)").arg(problems.size()));
    Dialogs::warning(this, tr("Some entries were not added"), problems.join(u'\n'));
}

QStringList MainWindow::addPaths(const QStringList &paths)
{
    QStringList problems;
    // Containers dropped in pack mode are meant to be restored.
    const bool allContainers = !paths.isEmpty() && std::all_of(paths.begin(), paths.end(), [](const QString &p) {
        return QFileInfo(p).isFile() && p.endsWith(QStringLiteral(".fgc"));
    });
    if (allContainers && m_tuning->mode() == JobMode::Pack) {
        m_tuning->setMode(JobMode::Restore);
        showStatus(tr("These are Flowgate containers: the mode is now Restore"));
    }
    const JobMode mode = m_tuning->mode();
    for (const QString &path : paths) {
        const QFileInfo fi(path);
        if (fi.isDir()) {
            QStringList files;
            QDirIterator it(fi.absoluteFilePath(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System,
                QDirIterator::Subdirectories);
            while (it.hasNext())
                files << it.next();
            files.sort();
            for (const QString &f : std::as_const(files)) {
                if (mode != JobMode::Pack && !f.endsWith(QStringLiteral(".fgc")))
                    continue;
                QString why;
                if (!m_model->addFile(f, mode, &why))
                    problems << why;
            }
        } else {
            QString why;
            if (!m_model->addFile(path, mode, &why))
                problems << why;
        }
    }
    updateActions();
    updateStatus();
    detectStorage();
    return problems;
}

void MainWindow::detectStorage()
{
    // stat() may block on a network file system: never on the GUI thread.
    QString path = m_tuning->outputFolder();
    if (path.isEmpty() && m_model->rowCount() > 0)
        path = m_model->row(0).path;
    if (path.isEmpty())
        path = QDir::homePath();
    auto future = QtConcurrent::run([path] { return StorageDetector().detectForPath(path); });
    future.then(this, [this](const StorageDetection &d) {
        const QString kind = d.kind == StorageType::Kind::NVMe ? QStringLiteral("NVMe")
            : d.kind == StorageType::Kind::SSD                 ? QStringLiteral("SSD")
            : d.kind == StorageType::Kind::HDD                 ? QStringLiteral("HDD")
                                                               : QStringLiteral("Auto");
        m_tuning->setDetectedStorage(tr("detected: %1").arg(kind));
        m_tuning->findChild<QLabel *>(QStringLiteral("detectedStorageLabel"))->setToolTip(d.reason);
    });
}

QList<int> MainWindow::selectedRows() const
{
    QList<int> rows;
    if (!m_view->selectionModel())
        return rows;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
        rows.append(i.row());
    return rows;
}

void MainWindow::withKeys(std::function<void(std::optional<KeyMaterial>)> then)
{
    const JobMode mode = m_tuning->mode();
    if (mode == JobMode::Pack && m_tuning->cipher() == CipherId::None) {
        then(KeyMaterial::none());
        return;
    }
    if (m_tuning->keySource() == TuningPanel::KeySourceChoice::Passphrase) {
        const QString pass = Dialogs::passphrase(this, mode == JobMode::Pack);
        if (pass.isEmpty()) {
            then(std::nullopt);
            return;
        }
        then(KeyMaterial::fromPassphrase(pass));
        return;
    }
    // The keychain answers asynchronously, off the GUI thread, with a timeout.
    m_keyRequestRunning = true;
    updateActions();
    showStatus(tr("Asking the system keychain for the master key…"), 0);
    const bool create = mode == JobMode::Pack;
    auto future = QtConcurrent::run([create] {
        KeychainSecretStore store;
        MasterKeyManager keys(store);
        return std::make_shared<MasterKeyManager::KeyResult>(create ? keys.loadOrCreate() : keys.load());
    });
    future.then(this, [this, then](std::shared_ptr<MasterKeyManager::KeyResult> result) {
        m_keyRequestRunning = false;
        statusBar()->clearMessage();
        updateActions();
        if (!result->ok()) {
            Dialogs::warning(this, tr("The keychain is not available"),
                tr("%1\n\nChoose \"Passphrase\" as the key source in the tuning panel to encrypt with a passphrase "
                   "instead.")
                    .arg(result->message));
            then(std::nullopt);
            return;
        }
        if (result->created) {
            const bool backup = Dialogs::question(this, tr("New master key"),
                tr("A new master key (id %1) was created in the system keychain. Without it your "
                   "containers cannot be restored. Save a back-up copy now?")
                    .arg(result->keyId));
            if (backup) {
                const QString path = Dialogs::saveFileName(this, tr("Save the key back-up"),
                    QStringLiteral("flowgate-master-key.txt"), tr("Key files (*.txt)"));
                if (!path.isEmpty()) {
                    QtConcurrent::run([path] {
                        KeychainSecretStore store;
                        MasterKeyManager keys(store);
                        return keys.exportToFile(path).message;
                    }).then(this, [this](const QString &error) {
                        if (!error.isEmpty())
                            Dialogs::warning(this, tr("Back-up failed"), error);
                        else
                            showStatus(tr("Key back-up saved (keep it somewhere safe and offline)"));
                    });
                }
            }
        }
        then(KeyMaterial::fromMasterKey(std::move(result->key), result->keyId));
    });
}

void MainWindow::startQueue(bool selectedOnly)
{
    QList<int> rows;
    for (int r : selectedOnly ? selectedRows() : m_model->rowsInState(FileState::Queued))
        if (m_model->row(r).state == FileState::Queued && m_model->row(r).engineId < 0)
            rows.append(r);
    if (rows.isEmpty())
        return;
    // Rows are identified by path while the key request runs (rows may move).
    QStringList paths;
    for (int r : rows)
        paths << m_model->row(r).path;
    withKeys([this, paths](std::optional<KeyMaterial> keys) {
        if (!keys)
            return;
        QList<int> current;
        for (int r = 0; r < m_model->rowCount(); ++r)
            if (paths.contains(m_model->row(r).path) && m_model->row(r).engineId < 0)
                current.append(r);
        launch(current, *keys);
    });
}

void MainWindow::launch(const QList<int> &rows, const KeyMaterial &keys)
{
    JobSettings settings;
    settings.mode = m_tuning->mode();
    settings.codec = m_tuning->codec();
    settings.cipher = m_tuning->cipher();
    settings.keys = keys;
    settings.chunkSize = m_tuning->chunkSize();
    settings.outputDir = m_tuning->outputFolder();
    if (!settings.outputDir.isEmpty())
        QDir().mkpath(settings.outputDir);
    m_controller->engine().resumeAll();
    if (m_runStartMs < 0)
        m_runStartMs = QDateTime::currentMSecsSinceEpoch();
    for (int r : rows) {
        JobSettings s = settings;
        s.mode = m_model->row(r).mode;
        const int id = m_controller->engine().addFile(m_model->row(r).path, s);
        m_model->setEngineId(r, id);
    }
    updateActions();
    Q_EMIT queueStarted();
}

bool MainWindow::exportCsv(const QString &path, bool visibleOnly, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QList<MetricsSnapshot> rows = visibleOnly ? m_charts->visibleSamples() : m_charts->allSamples();
    if (!MetricsCsv::write(file, rows, error) || !file.commit()) {
        if (error->isEmpty())
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    showStatus(tr("%1 samples written to %2").arg(rows.size()).arg(path));
    return true;
}

bool MainWindow::saveChartPng(int chart, const QString &path, QString *error)
{
    QChartView *view = m_charts->chartView(ChartsPanel::ChartId(chart));
    if (!view) {
        *error = tr("No such chart");
        return false;
    }
    const QPixmap pixmap = view->grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        *error = tr("Cannot write %1").arg(path);
        return false;
    }
    showStatus(tr("Chart saved to %1").arg(path));
    return true;
}

void MainWindow::startDemo()
{
    m_demoDir = std::make_unique<QTemporaryDir>();
    if (!m_demoDir->isValid()) {
        Dialogs::warning(this, tr("Demo"), tr("Cannot create a temporary folder: %1").arg(m_demoDir->errorString()));
        return;
    }
    const QString dir = m_demoDir->path();
    showStatus(tr("Generating sample files in %1…").arg(dir), 0);
    QtConcurrent::run([dir] { return generateDemoFiles(dir); }).then(this, [this, dir](const QStringList &files) {
        m_tuning->setMode(JobMode::Pack);
        m_tuning->setCipher(CipherId::ChaCha20Poly1305);
        m_tuning->setOutputFolder(QDir(dir).filePath(QStringLiteral("packed")));
        QDir().mkpath(QDir(dir).filePath(QStringLiteral("packed")));
        reportProblems(addPaths(files));
        // The demo encrypts with a throw-away passphrase: no keychain, no prompt.
        QList<int> rows = m_model->rowsInState(FileState::Queued);
        launch(rows,
            KeyMaterial::fromPassphrase(QStringLiteral("flowgate-demo-%1").arg(QDateTime::currentMSecsSinceEpoch())));
        showStatus(tr("Demo: %1 sample files are being packed into %2")
                       .arg(files.size())
                       .arg(QDir(dir).filePath(QStringLiteral("packed"))));
        Q_EMIT demoReady();
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const bool busy
        = !m_model->rowsInState(FileState::Running).isEmpty() || !m_model->rowsInState(FileState::Paused).isEmpty();
    if (busy
        && !Dialogs::question(
            this, tr("Quit Flowgate"), tr("Files are still being processed. Cancel them and quit?"))) {
        event->ignore();
        return;
    }
    m_tuning->saveSettings();
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    m_controller->engine().cancelAll();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    reportProblems(addPaths(paths));
    event->acceptProposedAction();
}

} // namespace flowgate
