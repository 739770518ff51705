// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "pipeline/jobtypes.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QList>
#include <QSet>

namespace flowgate {

/// The queue of files shown in the main window: one row per file, from
/// "queued" to "done", "failed" or "cancelled". Only the GUI thread touches
/// it; the engine's signals reach it queued.
class QueueModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        FileColumn,
        SizeColumn,
        StateColumn,
        ProgressColumn,
        ThroughputColumn,
        RatioColumn,
        ShaColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Role { ProgressRole = Qt::UserRole + 1, StateRole, EngineIdRole, PathRole };

    struct Row
    {
        QString path;
        qint64 size = 0;
        JobMode mode = JobMode::Pack;
        FileState state = FileState::Queued;
        int engineId = -1; ///< -1 until started
        quint64 done = 0;
        quint64 total = 0;
        double throughputMBps = 0.0;
        double ratio = 0.0;
        QString sha256;
        QString error;
        QString output;
        QElapsedTimer timer;
    };

    explicit QueueModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Adds a file if it is not queued already. Returns false and sets *why
    /// for a duplicate or an unreadable entry.
    bool addFile(const QString &path, JobMode mode, QString *why);
    int rowOfEngineId(int engineId) const;
    const Row &row(int r) const { return m_rows.at(r); }
    QList<int> rowsInState(FileState state) const;

    void setEngineId(int r, int engineId);
    void setState(int r, FileState state);
    void setProgress(int r, quint64 done, quint64 total);
    void setFinished(int r, const FileReport &report);
    /// Back to Queued for another run (retry).
    void resetRow(int r);
    void removeRows(QList<int> rows);
    void clearFinished();

    static QString stateText(FileState state);

    // Totals for the status bar.
    int finishedCount() const;
    quint64 totalBytes() const;
    quint64 doneBytes() const;

private:
    void emitRowChanged(int r);

    QList<Row> m_rows;
    QSet<QString> m_paths;
};

} // namespace flowgate
