// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "metrics/metricssnapshot.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace flowgate {

/// RFC 4180 CSV export of MetricsSnapshot rows.
///
/// - One column per snapshot field, units in the names (_s, _ms, _pct, _bytes,
///   _MBps; counts unitless); every Percentiles block gives _p50_ms, _p95_ms,
///   _p99_ms and _count columns.
/// - Numbers never depend on the locale ('.' decimals, no grouping). Integers
///   are written as integers; elapsed_s with 3 decimals (exact, from ms); wait
///   durations in ms with 6 decimals (nanosecond resolution, never truncated
///   to whole ms); percentages and MB/s with 3 decimals. Non-finite values are
///   written as empty fields.
/// - UTF-8, no byte-order mark, every line ends with CRLF; text fields are
///   quoted only when they contain a comma, a double quote, CR or LF.
class MetricsCsv final
{
public:
    MetricsCsv() = delete;

    /// Header names in column order, e.g. "elapsed_s", "cpu_saturation_pct".
    static QStringList columnNames();
    static int columnCount();

    /// The header line, CRLF terminated.
    static QByteArray header();
    /// One data line, CRLF terminated.
    static QByteArray row(const MetricsSnapshot &s);

    /// Writes the header and one line per snapshot. On failure returns false
    /// and, if errorString is given, describes the failure.
    [[nodiscard]] static bool write(QIODevice &out, const QList<MetricsSnapshot> &rows,
                                    QString *errorString = nullptr);

    /// One field as RFC 4180 wants it, UTF-8 encoded: wrapped in double quotes
    /// (inner quotes doubled) when it contains , " CR or LF; verbatim otherwise.
    static QByteArray quoteField(const QString &field);

    /// Parses RFC 4180 text (UTF-8; a leading BOM is skipped) into records of
    /// fields. Quoted fields may contain commas, doubled quotes and line
    /// breaks. Records end with CRLF (a lone LF or CR is accepted too); a
    /// final line break does not start another record. Malformed input (an
    /// unterminated quote, text after a closing quote, a quote inside an
    /// unquoted field) sets *ok to false; the best-effort result is returned.
    static QList<QStringList> parse(const QByteArray &csv, bool *ok = nullptr);
};

} // namespace flowgate
