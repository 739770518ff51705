// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"
#include "pipeline/jobtypes.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>
#include <QTemporaryDir>

#include <memory>
#include <optional>

class QAction;
class QLabel;
class QTableView;
class QSplitter;

namespace flowgate {

class AdvisorPanel;
class ChartsPanel;
class JobController;
class QueueModel;
class TuningPanel;

/// The window a user lives in: the queue, the tuning panel, the live charts,
/// the advisor's hints and a status bar with totals.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests and the command line.
    QueueModel *queueModel() const { return m_model; }
    TuningPanel *tuningPanel() const { return m_tuning; }
    ChartsPanel *chartsPanel() const { return m_charts; }
    AdvisorPanel *advisorPanel() const { return m_advisor; }
    JobController *controller() const { return m_controller.get(); }
    QTableView *queueView() const { return m_view; }
    QAction *action(const QString &objectName) const;

    /// Adds files and folders (recursively); returns the problems in words.
    QStringList addPaths(const QStringList &paths);
    /// Generates sample files into a temporary folder, queues and starts them.
    void startDemo();
    /// Starts every queued row (or the selected ones).
    void startQueue(bool selectedOnly = false);
    /// Writes the CSV of the session (or of the visible window).
    bool exportCsv(const QString &path, bool visibleOnly, QString *error);
    bool saveChartPng(int chart, const QString &path, QString *error);
    /// The last message shown in the status bar (tests).
    QString lastStatusMessage() const { return m_lastStatus; }

Q_SIGNALS:
    void demoReady();
    void queueStarted();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void connectController();
    void onSample(const MetricsSnapshot &s);
    void updateStatus();
    void updateActions();
    void reportProblems(const QStringList &problems);
    void launch(const QList<int> &rows, const KeyMaterial &keys);
    void withKeys(std::function<void(std::optional<KeyMaterial>)> then);
    void detectStorage();
    QList<int> selectedRows() const;
    void showStatus(const QString &text, int timeoutMs = 8000);
    void applyHint(int knob, int value);

    std::unique_ptr<JobController> m_controller;
    QueueModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    TuningPanel *m_tuning = nullptr;
    ChartsPanel *m_charts = nullptr;
    AdvisorPanel *m_advisor = nullptr;
    QLabel *m_totalsLabel = nullptr;
    QLabel *m_summaryLabel = nullptr;
    QString m_lastStatus;
    std::unique_ptr<QTemporaryDir> m_demoDir;
    bool m_keyRequestRunning = false;
    qint64 m_runStartMs = -1;
};

} // namespace flowgate
