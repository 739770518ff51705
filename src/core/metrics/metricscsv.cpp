// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/metricscsv.h"

#include <QIODevice>

#include <cmath>
#include <iterator>

namespace flowgate {

namespace {

constexpr int kPercentDecimals = 3;
constexpr int kRateDecimals = 3;
constexpr int kWaitMsDecimals = 6; // 1 ns resolution

// --- value formatting (all locale-independent) ------------------------------

void appendInt(QByteArray &out, qint64 v)
{
    out += QByteArray::number(v);
}

void appendUInt(QByteArray &out, quint64 v)
{
    out += QByteArray::number(v);
}

void appendFixed(QByteArray &out, double v, int decimals)
{
    if (!std::isfinite(v))
        return; // empty field
    QByteArray text = QByteArray::number(v, 'f', decimals);
    // Tiny negatives round to "-0.000"; write them as "0.000".
    if (text.startsWith('-')) {
        bool allZero = true;
        for (qsizetype i = 1; i < text.size() && allZero; ++i)
            allZero = text.at(i) == '0' || text.at(i) == '.';
        if (allZero)
            text.remove(0, 1);
    }
    out += text;
}

/// Milliseconds as seconds with exactly three decimals, without going through
/// floating point (so every integer millisecond survives a round trip).
void appendSecondsFromMs(QByteArray &out, qint64 ms)
{
    const quint64 magnitude = ms < 0 ? quint64(0) - quint64(ms) : quint64(ms);
    if (ms < 0)
        out += '-';
    out += QByteArray::number(magnitude / 1000);
    out += '.';
    out += QByteArray::number(magnitude % 1000).rightJustified(3, '0');
}

void appendWaitMs(QByteArray &out, double ms)
{
    appendFixed(out, ms, kWaitMsDecimals);
}

void appendPercent(QByteArray &out, double pct)
{
    appendFixed(out, pct, kPercentDecimals);
}

void appendRate(QByteArray &out, double mbps)
{
    appendFixed(out, mbps, kRateDecimals);
}

void appendText(QByteArray &out, const QString &text)
{
    out += MetricsCsv::quoteField(text);
}

// --- the column table ---------------------------------------------------------

using Appender = void (*)(QByteArray &, const MetricsSnapshot &);

struct Column
{
    const char *name;
    Appender append;
};

using Block = Percentiles MetricsSnapshot::*;

template <Block B>
void p50(QByteArray &o, const MetricsSnapshot &s) { appendWaitMs(o, (s.*B).p50Ms); }
template <Block B>
void p95(QByteArray &o, const MetricsSnapshot &s) { appendWaitMs(o, (s.*B).p95Ms); }
template <Block B>
void p99(QByteArray &o, const MetricsSnapshot &s) { appendWaitMs(o, (s.*B).p99Ms); }
template <Block B>
void count(QByteArray &o, const MetricsSnapshot &s) { appendUInt(o, (s.*B).count); }

using S = MetricsSnapshot;

// The single source of truth for names and order: columnNames() and row()
// both walk this table, so they cannot drift apart.
const Column kColumns[] = {
    // When
    {"elapsed_s", [](QByteArray &o, const S &s) { appendSecondsFromMs(o, s.elapsedMs); }},
    {"interval_ms", [](QByteArray &o, const S &s) { appendInt(o, s.intervalMs); }},
    {"wall_clock_epoch_ms", [](QByteArray &o, const S &s) { appendInt(o, s.wallClockMsSinceEpoch); }},
    // CPU tokens
    {"cpu_tokens_total", [](QByteArray &o, const S &s) { appendInt(o, s.cpuTokensTotal); }},
    {"cpu_tokens_in_use", [](QByteArray &o, const S &s) { appendInt(o, s.cpuTokensInUse); }},
    {"cpu_tokens_available", [](QByteArray &o, const S &s) { appendInt(o, s.cpuTokensAvailable); }},
    {"cpu_waiters", [](QByteArray &o, const S &s) { appendInt(o, s.cpuWaiters); }},
    {"cpu_saturation_pct", [](QByteArray &o, const S &s) { appendPercent(o, s.cpuSaturationPercent); }},
    // I/O tokens
    {"io_tokens_total", [](QByteArray &o, const S &s) { appendInt(o, s.ioTokensTotal); }},
    {"io_tokens_in_use", [](QByteArray &o, const S &s) { appendInt(o, s.ioTokensInUse); }},
    {"io_tokens_available", [](QByteArray &o, const S &s) { appendInt(o, s.ioTokensAvailable); }},
    {"io_waiters", [](QByteArray &o, const S &s) { appendInt(o, s.ioWaiters); }},
    {"io_saturation_pct", [](QByteArray &o, const S &s) { appendPercent(o, s.ioSaturationPercent); }},
    {"storage_type", [](QByteArray &o, const S &s) { appendText(o, s.storageType); }},
    // Memory
    {"memory_used_bytes", [](QByteArray &o, const S &s) { appendInt(o, s.memoryUsedBytes); }},
    {"memory_peak_bytes", [](QByteArray &o, const S &s) { appendInt(o, s.memoryPeakBytes); }},
    {"memory_capacity_bytes", [](QByteArray &o, const S &s) { appendInt(o, s.memoryCapacityBytes); }},
    {"memory_soft_limit_bytes", [](QByteArray &o, const S &s) { appendInt(o, s.memorySoftLimitBytes); }},
    {"memory_hard_limit_bytes", [](QByteArray &o, const S &s) { appendInt(o, s.memoryHardLimitBytes); }},
    {"memory_utilization_pct", [](QByteArray &o, const S &s) { appendPercent(o, s.memoryUtilizationPercent); }},
    // Waits over the sliding window
    {"cpu_wait_p50_ms", p50<&S::cpuWait>},
    {"cpu_wait_p95_ms", p95<&S::cpuWait>},
    {"cpu_wait_p99_ms", p99<&S::cpuWait>},
    {"cpu_wait_count", count<&S::cpuWait>},
    {"io_wait_p50_ms", p50<&S::ioWait>},
    {"io_wait_p95_ms", p95<&S::ioWait>},
    {"io_wait_p99_ms", p99<&S::ioWait>},
    {"io_wait_count", count<&S::ioWait>},
    {"queue_wait_p50_ms", p50<&S::queueWait>},
    {"queue_wait_p95_ms", p95<&S::queueWait>},
    {"queue_wait_p99_ms", p99<&S::queueWait>},
    {"queue_wait_count", count<&S::queueWait>},
    {"file_latency_p50_ms", p50<&S::fileLatency>},
    {"file_latency_p95_ms", p95<&S::fileLatency>},
    {"file_latency_p99_ms", p99<&S::fileLatency>},
    {"file_latency_count", count<&S::fileLatency>},
    // Waits over the whole run
    {"cpu_wait_run_p50_ms", p50<&S::cpuWaitRun>},
    {"cpu_wait_run_p95_ms", p95<&S::cpuWaitRun>},
    {"cpu_wait_run_p99_ms", p99<&S::cpuWaitRun>},
    {"cpu_wait_run_count", count<&S::cpuWaitRun>},
    {"io_wait_run_p50_ms", p50<&S::ioWaitRun>},
    {"io_wait_run_p95_ms", p95<&S::ioWaitRun>},
    {"io_wait_run_p99_ms", p99<&S::ioWaitRun>},
    {"io_wait_run_count", count<&S::ioWaitRun>},
    {"queue_wait_run_p50_ms", p50<&S::queueWaitRun>},
    {"queue_wait_run_p95_ms", p95<&S::queueWaitRun>},
    {"queue_wait_run_p99_ms", p99<&S::queueWaitRun>},
    {"queue_wait_run_count", count<&S::queueWaitRun>},
    // Cumulative waits
    {"cpu_wait_total_ms", [](QByteArray &o, const S &s) { appendWaitMs(o, s.cpuWaitTotalMs); }},
    {"io_wait_total_ms", [](QByteArray &o, const S &s) { appendWaitMs(o, s.ioWaitTotalMs); }},
    // Queue
    {"queue_depth", [](QByteArray &o, const S &s) { appendInt(o, s.queueDepth); }},
    {"queue_depth_max", [](QByteArray &o, const S &s) { appendInt(o, s.queueDepthMax); }},
    // Work
    {"active_workers", [](QByteArray &o, const S &s) { appendInt(o, s.activeWorkers); }},
    {"files_in_flight", [](QByteArray &o, const S &s) { appendInt(o, s.filesInFlight); }},
    {"tasks_spawned", [](QByteArray &o, const S &s) { appendUInt(o, s.tasksSpawned); }},
    {"tasks_completed", [](QByteArray &o, const S &s) { appendUInt(o, s.tasksCompleted); }},
    {"tasks_failed", [](QByteArray &o, const S &s) { appendUInt(o, s.tasksFailed); }},
    {"in_bytes", [](QByteArray &o, const S &s) { appendUInt(o, s.bytesIn); }},
    {"out_bytes", [](QByteArray &o, const S &s) { appendUInt(o, s.bytesOut); }},
    {"throughput_in_MBps", [](QByteArray &o, const S &s) { appendRate(o, s.throughputInMBps); }},
    {"throughput_out_MBps", [](QByteArray &o, const S &s) { appendRate(o, s.throughputOutMBps); }},
    {"note", [](QByteArray &o, const S &s) { appendText(o, s.note); }},
};

constexpr int kColumnCount = int(std::size(kColumns));

constexpr char kLineEnd[] = "\r\n";

bool needsQuotes(const QString &field)
{
    for (const QChar c : field) {
        if (c == u',' || c == u'"' || c == u'\r' || c == u'\n')
            return true;
    }
    return false;
}

} // namespace

QStringList MetricsCsv::columnNames()
{
    QStringList names;
    names.reserve(kColumnCount);
    for (const Column &c : kColumns)
        names.append(QLatin1String(c.name));
    return names;
}

int MetricsCsv::columnCount()
{
    return kColumnCount;
}

QByteArray MetricsCsv::header()
{
    QByteArray line;
    line.reserve(1024);
    for (int i = 0; i < kColumnCount; ++i) {
        if (i > 0)
            line += ',';
        line += kColumns[i].name; // plain ASCII identifiers: never need quoting
    }
    line += kLineEnd;
    return line;
}

QByteArray MetricsCsv::row(const MetricsSnapshot &s)
{
    QByteArray line;
    line.reserve(768 + s.note.size() * 3);
    for (int i = 0; i < kColumnCount; ++i) {
        if (i > 0)
            line += ',';
        kColumns[i].append(line, s);
    }
    line += kLineEnd;
    return line;
}

bool MetricsCsv::write(QIODevice &out, const QList<MetricsSnapshot> &rows, QString *errorString)
{
    const auto fail = [errorString](const QString &message) {
        if (errorString)
            *errorString = message;
        return false;
    };
    if (!out.isOpen())
        return fail(QStringLiteral("Cannot write metrics CSV: the device is not open"));
    if (!out.isWritable())
        return fail(QStringLiteral("Cannot write metrics CSV: the device is not open for writing"));

    const auto writeAll = [&out](const QByteArray &bytes) {
        return out.write(bytes) == bytes.size();
    };
    const auto writeError = [&out]() {
        const QString detail = out.errorString();
        return detail.isEmpty() ? QStringLiteral("Cannot write metrics CSV")
                                : QStringLiteral("Cannot write metrics CSV: ") + detail;
    };

    if (!writeAll(header()))
        return fail(writeError());
    for (const MetricsSnapshot &s : rows) {
        if (!writeAll(row(s)))
            return fail(writeError());
    }
    if (errorString)
        errorString->clear();
    return true;
}

QByteArray MetricsCsv::quoteField(const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    if (!needsQuotes(field))
        return utf8;
    QByteArray quoted;
    quoted.reserve(utf8.size() + 8);
    quoted += '"';
    for (const char c : utf8) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

QList<QStringList> MetricsCsv::parse(const QByteArray &csv, bool *ok)
{
    // Structural characters (, " CR LF) are ASCII and never occur inside a
    // UTF-8 multi-byte sequence, so scanning bytes is safe; each finished
    // field is decoded from UTF-8 as a whole.
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    bool wellFormed = true;

    enum class State {
        RecordStart, // nothing consumed for the current record yet
        FieldStart,  // just after a comma
        Unquoted,
        Quoted,
        QuoteInQuoted, // saw '"' inside a quoted field: closing or doubled?
        AfterClosingQuote, // stray text after a closing quote (kept, input flagged malformed)
    };
    State state = State::RecordStart;

    const auto endField = [&]() {
        record.append(QString::fromUtf8(field));
        field.clear();
    };
    const auto endRecord = [&]() {
        endField();
        records.append(record);
        record.clear();
    };

    qsizetype i = 0;
    const qsizetype n = csv.size();
    if (csv.startsWith("\xEF\xBB\xBF"))
        i = 3;

    // Consumes a line break starting at csv[i] (CRLF, LF or CR); returns
    // the index of the last byte of the break.
    const auto skipLineBreak = [&](qsizetype at) {
        return (csv.at(at) == '\r' && at + 1 < n && csv.at(at + 1) == '\n') ? at + 1 : at;
    };

    for (; i < n; ++i) {
        const char c = csv.at(i);
        switch (state) {
        case State::RecordStart:
        case State::FieldStart:
            if (c == '"') {
                state = State::Quoted;
            } else if (c == ',') {
                endField();
                state = State::FieldStart;
            } else if (c == '\r' || c == '\n') {
                i = skipLineBreak(i);
                endRecord();
                state = State::RecordStart;
            } else {
                field += c;
                state = State::Unquoted;
            }
            break;
        case State::Unquoted:
            if (c == ',') {
                endField();
                state = State::FieldStart;
            } else if (c == '\r' || c == '\n') {
                i = skipLineBreak(i);
                endRecord();
                state = State::RecordStart;
            } else {
                if (c == '"')
                    wellFormed = false; // RFC 4180: quotes only in quoted fields
                field += c;
            }
            break;
        case State::Quoted:
            if (c == '"')
                state = State::QuoteInQuoted;
            else
                field += c;
            break;
        case State::QuoteInQuoted:
            if (c == '"') {
                field += '"';
                state = State::Quoted;
            } else if (c == ',') {
                endField();
                state = State::FieldStart;
            } else if (c == '\r' || c == '\n') {
                i = skipLineBreak(i);
                endRecord();
                state = State::RecordStart;
            } else {
                wellFormed = false; // text after the closing quote: keep it
                field += c;
                state = State::AfterClosingQuote;
            }
            break;
        case State::AfterClosingQuote:
            if (c == ',') {
                endField();
                state = State::FieldStart;
            } else if (c == '\r' || c == '\n') {
                i = skipLineBreak(i);
                endRecord();
                state = State::RecordStart;
            } else {
                field += c;
            }
            break;
        }
    }

    switch (state) {
    case State::RecordStart:
        break; // empty input or a final line break: no further record
    case State::Quoted:
        wellFormed = false; // unterminated quoted field
        endRecord();
        break;
    case State::FieldStart:
    case State::Unquoted:
    case State::QuoteInQuoted:
    case State::AfterClosingQuote:
        endRecord();
        break;
    }

    if (ok)
        *ok = wellFormed;
    return records;
}

} // namespace flowgate
