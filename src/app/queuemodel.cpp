// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "queuemodel.h"

#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace flowgate {

QueueModel::QueueModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int QueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString QueueModel::stateText(FileState state)
{
    switch (state) {
    case FileState::Queued:
        return tr("Queued");
    case FileState::Running:
        return tr("Running");
    case FileState::Paused:
        return tr("Paused");
    case FileState::Done:
        return tr("Done");
    case FileState::Failed:
        return tr("Failed");
    case FileState::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

QVariant QueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return {};
    const Row &r = m_rows.at(index.row());
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case FileColumn:
            return QFileInfo(r.path).fileName();
        case SizeColumn:
            return locale.formattedDataSize(r.size);
        case StateColumn:
            return stateText(r.state);
        case ProgressColumn:
            return r.total ? QStringLiteral("%1 %").arg(int(100.0 * double(r.done) / double(r.total))) : QString();
        case ThroughputColumn:
            return r.throughputMBps > 0 ? tr("%1 MB/s").arg(locale.toString(r.throughputMBps, 'f', 1)) : QString();
        case RatioColumn:
            return r.ratio > 0 ? locale.toString(r.ratio * 100.0, 'f', 1) + QStringLiteral(" %") : QString();
        case ShaColumn:
            return r.sha256;
        case ErrorColumn:
            return r.error;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == FileColumn)
            return r.path;
        if (index.column() == ErrorColumn || index.column() == ShaColumn)
            return data(index, Qt::DisplayRole);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == ThroughputColumn || index.column() == RatioColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ProgressRole:
        if (r.state == FileState::Done)
            return 100;
        return r.total ? int(100.0 * double(r.done) / double(r.total)) : 0;
    case StateRole:
        return int(r.state);
    case EngineIdRole:
        return r.engineId;
    case PathRole:
        return r.path;
    default:
        break;
    }
    return {};
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case FileColumn:
        return tr("File");
    case SizeColumn:
        return tr("Size");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    case ThroughputColumn:
        return tr("Throughput");
    case RatioColumn:
        return tr("Ratio");
    case ShaColumn:
        return tr("SHA-256");
    case ErrorColumn:
        return tr("Message"); // the error of a failed file, or what a finished one notes
    }
    return {};
}

bool QueueModel::addFile(const QString &path, JobMode mode, QString *why)
{
    const QFileInfo fi(path);
    const QString canonical = fi.absoluteFilePath();
    if (m_paths.contains(canonical)) {
        *why = tr("%1 is already in the queue").arg(canonical);
        return false;
    }
    if (!fi.exists()) {
        *why = tr("%1 does not exist").arg(canonical);
        return false;
    }
    if (!fi.isFile()) {
        *why = tr("%1 is not a regular file").arg(canonical);
        return false;
    }
    if (!fi.isReadable()) {
        *why = tr("%1 cannot be read (permission denied)").arg(canonical);
        return false;
    }
    Row row;
    row.path = canonical;
    row.size = fi.size();
    row.mode = mode;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(row);
    m_paths.insert(canonical);
    endInsertRows();
    return true;
}

int QueueModel::rowOfEngineId(int engineId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].engineId == engineId)
            return i;
    }
    return -1;
}

QList<int> QueueModel::rowsInState(FileState state) const
{
    QList<int> out;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].state == state)
            out.append(i);
    }
    return out;
}

void QueueModel::emitRowChanged(int r)
{
    Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void QueueModel::setEngineId(int r, int engineId)
{
    m_rows[r].engineId = engineId;
    m_rows[r].timer.start();
    emitRowChanged(r);
}

void QueueModel::setState(int r, FileState state)
{
    Row &row = m_rows[r];
    // A finished row keeps its final state; late "running" signals do not revive it.
    if (row.state == FileState::Done || row.state == FileState::Failed || row.state == FileState::Cancelled)
        return;
    row.state = state;
    emitRowChanged(r);
}

void QueueModel::setProgress(int r, quint64 done, quint64 total)
{
    Row &row = m_rows[r];
    row.done = done;
    row.total = total;
    const double secs = row.timer.isValid() ? double(row.timer.elapsed()) / 1000.0 : 0.0;
    row.throughputMBps = secs > 0 ? double(done) / 1e6 / secs : 0.0;
    emitRowChanged(r);
}

void QueueModel::setFinished(int r, const FileReport &report)
{
    Row &row = m_rows[r];
    row.state = report.state;
    row.sha256 = report.sha256;
    // What a finished file's report notes (a leftover temporary removed,
    // permissions not restored) shows where errors do, after the error.
    QStringList messages = report.notes;
    if (!report.error.isEmpty())
        messages.prepend(report.error);
    row.error = messages.join(QStringLiteral("; "));
    row.ratio = report.ratio;
    row.output = report.output;
    if (report.state == FileState::Done) {
        row.done = row.total = std::max<quint64>(report.originalSize, 1);
        if (report.seconds > 0)
            row.throughputMBps = double(report.originalSize) / 1e6 / report.seconds;
    }
    emitRowChanged(r);
}

void QueueModel::resetRow(int r)
{
    Row &row = m_rows[r];
    row.state = FileState::Queued;
    row.engineId = -1;
    row.done = row.total = 0;
    row.throughputMBps = row.ratio = 0;
    row.sha256.clear();
    row.error.clear();
    row.output.clear();
    emitRowChanged(r);
}

void QueueModel::removeRows(QList<int> rows)
{
    std::sort(rows.begin(), rows.end(), std::greater<>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (int r : std::as_const(rows)) {
        if (r < 0 || r >= m_rows.size())
            continue;
        beginRemoveRows({}, r, r);
        m_paths.remove(m_rows[r].path);
        m_rows.removeAt(r);
        endRemoveRows();
    }
}

void QueueModel::clearFinished()
{
    QList<int> rows = rowsInState(FileState::Done);
    rows += rowsInState(FileState::Cancelled);
    removeRows(rows);
}

int QueueModel::finishedCount() const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const Row &r) { return r.state == FileState::Done; }));
}

quint64 QueueModel::totalBytes() const
{
    quint64 total = 0;
    for (const Row &r : m_rows)
        total += quint64(r.size);
    return total;
}

quint64 QueueModel::doneBytes() const
{
    quint64 done = 0;
    for (const Row &r : m_rows)
        done += r.state == FileState::Done ? quint64(r.size) : r.done;
    return done;
}

} // namespace flowgate
