// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "metrics/metricscsv.h"

#include <QBuffer>
#include <QLocale>
#include <QScopeGuard>
#include <QTest>

#include <clocale>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

using namespace flowgate;


namespace {

/// What one CSV column must hold, derived independently of the writer.
struct Field
{
    enum Kind { Int, UInt, Real, Text };
    QString name;
    Kind kind = Int;
    qint64 i = 0;
    quint64 u = 0;
    double d = 0.0;
    int decimals = 0;
    QString text;
};

Field intField(const char *name, qint64 v)
{
    Field f;
    f.name = QLatin1String(name);
    f.kind = Field::Int;
    f.i = v;
    return f;
}

Field uintField(const char *name, quint64 v)
{
    Field f;
    f.name = QLatin1String(name);
    f.kind = Field::UInt;
    f.u = v;
    return f;
}

Field realField(const char *name, double v, int decimals)
{
    Field f;
    f.name = QLatin1String(name);
    f.kind = Field::Real;
    f.d = v;
    f.decimals = decimals;
    return f;
}

Field textField(const char *name, const QString &v)
{
    Field f;
    f.name = QLatin1String(name);
    f.kind = Field::Text;
    f.text = v;
    return f;
}

void addBlock(QList<Field> &out, const std::string &prefix, const Percentiles &p)
{
    out << realField((prefix + "_p50_ms").c_str(), p.p50Ms, 6) << realField((prefix + "_p95_ms").c_str(), p.p95Ms, 6)
        << realField((prefix + "_p99_ms").c_str(), p.p99Ms, 6) << uintField((prefix + "_count").c_str(), p.count);
}

/// Every MetricsSnapshot field, in the documented column order.
QList<Field> expectedFields(const MetricsSnapshot &s)
{
    QList<Field> f;
    f << realField("elapsed_s", double(s.elapsedMs) / 1000.0, 3) << intField("interval_ms", s.intervalMs)
      << intField("wall_clock_epoch_ms", s.wallClockMsSinceEpoch);
    f << intField("cpu_tokens_total", s.cpuTokensTotal) << intField("cpu_tokens_in_use", s.cpuTokensInUse)
      << intField("cpu_tokens_available", s.cpuTokensAvailable) << intField("cpu_waiters", s.cpuWaiters)
      << realField("cpu_saturation_pct", s.cpuSaturationPercent, 3);
    f << intField("io_tokens_total", s.ioTokensTotal) << intField("io_tokens_in_use", s.ioTokensInUse)
      << intField("io_tokens_available", s.ioTokensAvailable) << intField("io_waiters", s.ioWaiters)
      << realField("io_saturation_pct", s.ioSaturationPercent, 3) << textField("storage_type", s.storageType);
    f << intField("memory_used_bytes", s.memoryUsedBytes) << intField("memory_peak_bytes", s.memoryPeakBytes)
      << intField("memory_capacity_bytes", s.memoryCapacityBytes)
      << intField("memory_soft_limit_bytes", s.memorySoftLimitBytes)
      << intField("memory_hard_limit_bytes", s.memoryHardLimitBytes)
      << realField("memory_utilization_pct", s.memoryUtilizationPercent, 3);
    addBlock(f, "cpu_wait", s.cpuWait);
    addBlock(f, "io_wait", s.ioWait);
    addBlock(f, "queue_wait", s.queueWait);
    addBlock(f, "file_latency", s.fileLatency);
    addBlock(f, "cpu_wait_run", s.cpuWaitRun);
    addBlock(f, "io_wait_run", s.ioWaitRun);
    addBlock(f, "queue_wait_run", s.queueWaitRun);
    f << realField("cpu_wait_total_ms", s.cpuWaitTotalMs, 6) << realField("io_wait_total_ms", s.ioWaitTotalMs, 6);
    f << intField("queue_depth", s.queueDepth) << intField("queue_depth_max", s.queueDepthMax);
    f << intField("active_workers", s.activeWorkers) << intField("files_in_flight", s.filesInFlight)
      << uintField("tasks_spawned", s.tasksSpawned) << uintField("tasks_completed", s.tasksCompleted)
      << uintField("tasks_failed", s.tasksFailed) << uintField("in_bytes", s.bytesIn)
      << uintField("out_bytes", s.bytesOut) << realField("throughput_in_MBps", s.throughputInMBps, 3)
      << realField("throughput_out_MBps", s.throughputOutMBps, 3);
    f << textField("note", s.note);
    return f;
}

Percentiles percentiles(double p50, double p95, double p99, quint64 count)
{
    Percentiles p;
    p.p50Ms = p50;
    p.p95Ms = p95;
    p.p99Ms = p99;
    p.count = count;
    return p;
}

QList<MetricsSnapshot> sampleSnapshots()
{
    QList<MetricsSnapshot> rows;

    rows << MetricsSnapshot{}; // all zero, empty strings

    MetricsSnapshot typical;
    typical.elapsedMs = 250;
    typical.intervalMs = 250;
    typical.wallClockMsSinceEpoch = 1'718'000'000'123;
    typical.cpuTokensTotal = 8;
    typical.cpuTokensInUse = 7;
    typical.cpuTokensAvailable = 1;
    typical.cpuWaiters = 3;
    typical.cpuSaturationPercent = 87.5;
    typical.ioTokensTotal = 4;
    typical.ioTokensInUse = 4;
    typical.ioTokensAvailable = 0;
    typical.ioWaiters = 12;
    typical.ioSaturationPercent = 99.9994;
    typical.storageType = QStringLiteral("NVMe");
    typical.memoryUsedBytes = 5'000'000'000;       // > 2^32
    typical.memoryPeakBytes = 6'442'450'944;
    typical.memoryCapacityBytes = 17'179'869'184;  // 16 GiB
    typical.memorySoftLimitBytes = 12'884'901'888;
    typical.memoryHardLimitBytes = 15'032'385'536;
    typical.memoryUtilizationPercent = 29.103830456733704;
    typical.cpuWait = percentiles(0.0012, 0.0456, 12.345678, 1234);
    typical.ioWait = percentiles(1.5, 101.25, 250.000001, 99);
    typical.queueWait = percentiles(0.000256, 0.001, 0.0101, 4000);
    typical.fileLatency = percentiles(35.7, 812.4, 3'600'000.0, 17);
    typical.cpuWaitRun = percentiles(0.0015, 0.051, 13.0, 1'000'000);
    typical.ioWaitRun = percentiles(2.0, 99.5, 301.7, 5000);
    typical.queueWaitRun = percentiles(0.0003, 0.002, 0.02, 4'000'000);
    typical.cpuWaitTotalMs = 123456.789012;
    typical.ioWaitTotalMs = 0.0012;
    typical.queueDepth = 42;
    typical.queueDepthMax = 128;
    typical.activeWorkers = 8;
    typical.filesInFlight = 11;
    typical.tasksSpawned = 10'000;
    typical.tasksCompleted = 9'876;
    typical.tasksFailed = 3;
    typical.bytesIn = (quint64(1) << 40) + 7;
    typical.bytesOut = 5'368'709'120;
    typical.throughputInMBps = 1234.5678;
    typical.throughputOutMBps = 0.25;
    typical.note = QStringLiteral("cpu tokens 4 -> 2, said \"ok\"\nsecond line");
    rows << typical;

    MetricsSnapshot extreme;
    extreme.elapsedMs = 7'200'999;
    extreme.intervalMs = 1;
    extreme.wallClockMsSinceEpoch = std::numeric_limits<qint64>::max();
    extreme.cpuTokensTotal = std::numeric_limits<int>::max();
    extreme.cpuTokensInUse = 3;
    extreme.cpuTokensAvailable = -1; // lazy shrink: more held than the new total
    extreme.cpuSaturationPercent = 133.3333333;
    extreme.ioSaturationPercent = 0.0004;
    extreme.storageType = QStringLiteral("Custom(3)");
    extreme.memoryUsedBytes = std::numeric_limits<qint64>::max();
    extreme.memoryPeakBytes = std::numeric_limits<qint64>::max();
    extreme.memoryCapacityBytes = 1'099'511'627'776;
    extreme.memoryUtilizationPercent = 100.0;
    extreme.cpuWait = percentiles(3'600'000.0, 3'600'000.0, 3'600'000.0, std::numeric_limits<quint64>::max());
    extreme.fileLatency = percentiles(0.000001, 0.0000005, 1e-9, 1);
    extreme.cpuWaitTotalMs = 9.87654321e11;
    extreme.queueDepthMax = 100000;
    extreme.tasksSpawned = std::numeric_limits<quint64>::max();
    extreme.bytesIn = std::numeric_limits<quint64>::max();
    extreme.bytesOut = (quint64(1) << 63) + 1;
    extreme.throughputInMBps = 7000.0;
    extreme.note = QStringLiteral("\"quoted\", \r\n  Größe → 3 × ✓,,\"\" ");
    rows << extreme;

    MetricsSnapshot negative; // not expected in practice; must still survive
    negative.elapsedMs = -1500;
    negative.intervalMs = -1;
    negative.cpuSaturationPercent = -0.0000001; // rounds to zero: written "0.000"
    negative.ioWait = percentiles(-2.5, 0.0, 0.0, 0);
    negative.note = QStringLiteral("plain note");
    negative.storageType = QStringLiteral("HDD");
    rows << negative;

    return rows;
}

QByteArray writeAll(const QList<MetricsSnapshot> &rows)
{
    QByteArray data;
    QBuffer buffer(&data);
    if (!buffer.open(QIODevice::WriteOnly))
        return {};
    QString error;
    if (!MetricsCsv::write(buffer, rows, &error))
        return {};
    return data;
}

/// Checks that parsed equals the expected fields of s; returns an empty string on success.
QString compareRow(const QStringList &parsed, const MetricsSnapshot &s)
{
    const QList<Field> expected = expectedFields(s);
    if (parsed.size() != expected.size())
        return QStringLiteral("field count %1, expected %2").arg(parsed.size()).arg(expected.size());
    for (qsizetype c = 0; c < expected.size(); ++c) {
        const Field &f = expected.at(c);
        const QString &text = parsed.at(c);
        const QString where = f.name + QStringLiteral(" = '") + text + QStringLiteral("': ");
        bool ok = false;
        switch (f.kind) {
        case Field::Int: {
            const qint64 v = text.toLongLong(&ok);
            if (!ok || v != f.i)
                return where + QStringLiteral("expected %1").arg(f.i);
            break;
        }
        case Field::UInt: {
            const quint64 v = text.toULongLong(&ok);
            if (!ok || v != f.u)
                return where + QStringLiteral("expected %1").arg(f.u);
            break;
        }
        case Field::Real: {
            if (!std::isfinite(f.d)) {
                if (!text.isEmpty())
                    return where + QStringLiteral("expected an empty field");
                break;
            }
            const double v = text.toDouble(&ok); // QString::toDouble always uses the C locale
            const double tolerance = 0.5 * std::pow(10.0, -f.decimals) * (1.0 + 1e-9) + std::abs(f.d) * 1e-15;
            if (!ok || std::abs(v - f.d) > tolerance)
                return where + QStringLiteral("expected %1").arg(f.d, 0, 'g', 17);
            const qsizetype dot = text.indexOf(u'.');
            if (dot < 0 || text.size() - dot - 1 != f.decimals)
                return where + QStringLiteral("expected %1 decimals").arg(f.decimals);
            break;
        }
        case Field::Text:
            if (text != f.text)
                return where + QStringLiteral("expected '%1'").arg(f.text);
            break;
        }
    }
    return {};
}

bool trySetGermanCLocale()
{
    for (const char *name : {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "German_Germany.1252"}) {
        if (std::setlocale(LC_ALL, name))
            return true;
    }
    return false;
}

/// A device that accepts nothing.
class FailingDevice final : public QIODevice
{
public:
    FailingDevice() = default;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64) override
    {
        setErrorString(QStringLiteral("disk full"));
        return -1;
    }
};

} // namespace

class TestMetricsCsv final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columnNames();
    void header();
    void exactFormatting();
    void nonFiniteIsEmpty();
    void roundTrip_data();
    void roundTrip();
    void quoteField_data();
    void quoteField();
    void parse_data();
    void parse();
    void writeFailsOnClosedDevice();
    void writeFailsOnReadOnlyDevice();
    void writeReportsDeviceErrors();
    void writeEmptyList();
};

void TestMetricsCsv::columnNames()
{
    QStringList names = MetricsCsv::columnNames();
    QStringList expected;
    for (const Field &f : expectedFields(MetricsSnapshot{}))
        expected << f.name;
    QCOMPARE(names, expected);
    QCOMPARE(MetricsCsv::columnCount(), int(names.size()));
    QCOMPARE(int(names.size()), 62);
    QCOMPARE(int(names.removeDuplicates()), 0);
    QVERIFY(names.contains(QStringLiteral("elapsed_s")));
    QVERIFY(names.contains(QStringLiteral("cpu_saturation_pct")));
    QVERIFY(names.contains(QStringLiteral("cpu_wait_p95_ms")));
    QVERIFY(names.contains(QStringLiteral("memory_used_bytes")));
    QVERIFY(names.contains(QStringLiteral("throughput_in_MBps")));
    QCOMPARE(names.last(), QStringLiteral("note"));
}

void TestMetricsCsv::header()
{
    const QByteArray h = MetricsCsv::header();
    QVERIFY(h.endsWith("\r\n"));
    QCOMPARE(int(h.count('\n')), 1);
    QCOMPARE(h, QByteArray(MetricsCsv::columnNames().join(u',').toUtf8() + "\r\n"));
    bool ok = false;
    const QList<QStringList> parsed = MetricsCsv::parse(h, &ok);
    QVERIFY(ok);
    QCOMPARE(int(parsed.size()), 1);
    QCOMPARE(parsed.first(), MetricsCsv::columnNames());
}

void TestMetricsCsv::exactFormatting()
{
    const MetricsSnapshot s = sampleSnapshots().at(1);
    const QByteArray line = MetricsCsv::row(s);
    QVERIFY(line.endsWith("\r\n"));
    QVERIFY(line.startsWith("0.250,250,1718000000123,8,7,1,3,87.500,4,4,0,12,99.999,NVMe,5000000000,"));
    QVERIFY(line.contains(",0.001200,0.045600,12.345678,1234,"));
    QVERIFY(line.contains(",123456.789012,0.001200,42,128,"));
    QVERIFY(line.contains(",1099511627783,5368709120,1234.568,0.250,"));
    QVERIFY(line.endsWith(",\"cpu tokens 4 -> 2, said \"\"ok\"\"\nsecond line\"\r\n"));

    const MetricsSnapshot n = sampleSnapshots().at(3);
    const QByteArray negativeLine = MetricsCsv::row(n);
    QVERIFY(negativeLine.startsWith("-1.500,-1,0,0,0,0,0,0.000,"));
    QVERIFY(!negativeLine.contains("-0.0"));
    QVERIFY(negativeLine.contains(",-2.500000,0.000000,0.000000,0,"));

    MetricsSnapshot rounding;
    rounding.elapsedMs = 7'200'999;
    QVERIFY(MetricsCsv::row(rounding).startsWith("7200.999,"));
    rounding.elapsedMs = 5;
    QVERIFY(MetricsCsv::row(rounding).startsWith("0.005,"));
    rounding.elapsedMs = std::numeric_limits<qint64>::min();
    QVERIFY(MetricsCsv::row(rounding).startsWith("-9223372036854775.808,"));
}

void TestMetricsCsv::nonFiniteIsEmpty()
{
    MetricsSnapshot s;
    s.cpuSaturationPercent = std::numeric_limits<double>::quiet_NaN();
    s.throughputInMBps = std::numeric_limits<double>::infinity();
    s.cpuWait.p99Ms = -std::numeric_limits<double>::infinity();
    const QList<QStringList> parsed = MetricsCsv::parse(MetricsCsv::row(s));
    QCOMPARE(int(parsed.size()), 1);
    const QString failure = compareRow(parsed.first(), s);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const QStringList names = MetricsCsv::columnNames();
    QCOMPARE(parsed.first().at(names.indexOf(QStringLiteral("cpu_saturation_pct"))), QString());
}

void TestMetricsCsv::roundTrip_data()
{
    QTest::addColumn<bool>("german");
    QTest::newRow("C locale") << false;
    QTest::newRow("German locale") << true;
}

void TestMetricsCsv::roundTrip()
{
    QFETCH(bool, german);
    const QList<MetricsSnapshot> rows = sampleSnapshots();

    // Reference bytes under the C locale.
    std::setlocale(LC_ALL, "C");
    QLocale::setDefault(QLocale::c());
    const QByteArray reference = writeAll(rows);
    QVERIFY(!reference.isEmpty());

    const auto restore = qScopeGuard([] {
        std::setlocale(LC_ALL, "C");
        QLocale::setDefault(QLocale::c());
    });
    if (german) {
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        QCOMPARE(QLocale().toString(1.5), QStringLiteral("1,5")); // the switch took effect
        if (trySetGermanCLocale()) {
            char buf[16] = {};
            std::snprintf(buf, sizeof buf, "%.1f", 1.5);
            QCOMPARE(QByteArray(buf), QByteArray("1,5")); // the C library now uses ',' decimals
        } else {
            qInfo("No German C locale installed; only QLocale::setDefault() is exercised");
        }
    }

    const QByteArray data = writeAll(rows);
    QCOMPARE(data, reference); // byte-identical whatever the locale

    // Every line ends with CRLF: no bare LF outside the quoted notes.
    QVERIFY(data.endsWith("\r\n"));
    QVERIFY(data.startsWith(MetricsCsv::header()));
    QVERIFY(!data.startsWith("\xEF\xBB\xBF"));

    bool ok = false;
    const QList<QStringList> parsed = MetricsCsv::parse(data, &ok);
    QVERIFY(ok);
    QCOMPARE(parsed.size(), rows.size() + 1);
    QCOMPARE(parsed.first(), MetricsCsv::columnNames());
    for (qsizetype r = 0; r < rows.size(); ++r) {
        const QString failure = compareRow(parsed.at(r + 1), rows.at(r));
        QVERIFY2(failure.isEmpty(), qPrintable(QStringLiteral("row %1: ").arg(r) + failure));
    }

    // row() and header() agree with write().
    QByteArray concatenated = MetricsCsv::header();
    for (const MetricsSnapshot &s : rows)
        concatenated += MetricsCsv::row(s);
    QCOMPARE(concatenated, data);
}

void TestMetricsCsv::quoteField_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("plain") << QStringLiteral("NVMe") << QByteArray("NVMe");
    QTest::newRow("spaces kept, unquoted") << QStringLiteral("  a b  ") << QByteArray("  a b  ");
    QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("only comma") << QStringLiteral(",") << QByteArray("\",\"");
    QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("only quote") << QStringLiteral("\"") << QByteArray("\"\"\"\"");
    QTest::newRow("two quotes") << QStringLiteral("\"\"") << QByteArray("\"\"\"\"\"\"");
    QTest::newRow("LF") << QStringLiteral("line\nbreak") << QByteArray("\"line\nbreak\"");
    QTest::newRow("CR") << QStringLiteral("cr\r") << QByteArray("\"cr\r\"");
    QTest::newRow("CRLF") << QStringLiteral("\r\n") << QByteArray("\"\r\n\"");
    QTest::newRow("all") << QStringLiteral("\",\r\n\"") << QByteArray("\"\"\",\r\n\"\"\"");
    QTest::newRow("UTF-8") << QStringLiteral("Größe ✓") << QByteArray("Gr\xC3\xB6\xC3\x9F" "e \xE2\x9C\x93");
    QTest::newRow("UTF-8 comma") << QStringLiteral("é,") << QByteArray("\"\xC3\xA9,\"");
    QTest::newRow("semicolon and tab") << QStringLiteral("a;b\tc") << QByteArray("a;b\tc");
}

void TestMetricsCsv::quoteField()
{
    QFETCH(QString, field);
    QFETCH(QByteArray, expected);
    const QByteArray quoted = MetricsCsv::quoteField(field);
    QCOMPARE(quoted, expected);

    // Round trip through the parser, alone and between other fields.
    bool ok = false;
    QList<QStringList> parsed = MetricsCsv::parse(QByteArray(quoted + "\r\n"), &ok);
    QVERIFY(ok);
    QCOMPARE(parsed, QList<QStringList>{QStringList{field}});
    parsed = MetricsCsv::parse(QByteArray("x," + quoted + ",y\r\nnext\r\n"), &ok);
    QVERIFY(ok);
    QCOMPARE(parsed, (QList<QStringList>{QStringList{QStringLiteral("x"), field, QStringLiteral("y")},
                                         QStringList{QStringLiteral("next")}}));
}

void TestMetricsCsv::parse_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QList<QStringList>>("expected");
    QTest::addColumn<bool>("wellFormed");

    const auto L = [](const char *s) { return QString::fromUtf8(s); };

    QTest::newRow("empty") << QByteArray() << QList<QStringList>{} << true;
    QTest::newRow("one record") << QByteArray("a,b,c\r\n") << QList<QStringList>{{L("a"), L("b"), L("c")}} << true;
    QTest::newRow("no final CRLF") << QByteArray("a,b,c") << QList<QStringList>{{L("a"), L("b"), L("c")}} << true;
    QTest::newRow("quoted comma") << QByteArray("a,\"b,c\",d\r\n1,2,3\r\n")
                                  << QList<QStringList>{{L("a"), L("b,c"), L("d")}, {L("1"), L("2"), L("3")}}
                                  << true;
    QTest::newRow("doubled quotes") << QByteArray("\"he said \"\"hi\"\"\"\r\n")
                                    << QList<QStringList>{{L("he said \"hi\"")}} << true;
    QTest::newRow("embedded CRLF") << QByteArray("\"multi\r\nline\",x\r\ny\r\n")
                                   << QList<QStringList>{{L("multi\r\nline"), L("x")}, {L("y")}} << true;
    QTest::newRow("embedded LF") << QByteArray("\"a\nb\"") << QList<QStringList>{{L("a\nb")}} << true;
    QTest::newRow("empty fields") << QByteArray(",,\r\n") << QList<QStringList>{{L(""), L(""), L("")}} << true;
    QTest::newRow("trailing empty field") << QByteArray("a,\r\n") << QList<QStringList>{{L("a"), L("")}} << true;
    QTest::newRow("empty quoted") << QByteArray("\"\",\"\"\r\n") << QList<QStringList>{{L(""), L("")}} << true;
    QTest::newRow("LF line ends") << QByteArray("a\nb\n") << QList<QStringList>{{L("a")}, {L("b")}} << true;
    QTest::newRow("CR line ends") << QByteArray("a\rb") << QList<QStringList>{{L("a")}, {L("b")}} << true;
    QTest::newRow("blank line") << QByteArray("a\r\n\r\nb\r\n") << QList<QStringList>{{L("a")}, {L("")}, {L("b")}}
                                << true;
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBFx,y\r\n") << QList<QStringList>{{L("x"), L("y")}} << true;
    QTest::newRow("UTF-8") << QByteArray("Gr\xC3\xB6\xC3\x9F" "e,\"\xE2\x9C\x93,\xE2\x9C\x93\"\r\n")
                           << QList<QStringList>{{L("Größe"), L("✓,✓")}} << true;
    QTest::newRow("quote at end of quoted") << QByteArray("\"a\"\"\"") << QList<QStringList>{{L("a\"")}} << true;
    QTest::newRow("unterminated") << QByteArray("x,\"unterminated\r\n")
                                  << QList<QStringList>{{L("x"), L("unterminated\r\n")}} << false;
    QTest::newRow("text after closing quote") << QByteArray("\"a\"b,c\r\n")
                                              << QList<QStringList>{{L("ab"), L("c")}} << false;
    QTest::newRow("quote in unquoted") << QByteArray("a\"b,c\r\n") << QList<QStringList>{{L("a\"b"), L("c")}}
                                       << false;
}

void TestMetricsCsv::parse()
{
    QFETCH(QByteArray, csv);
    QFETCH(QList<QStringList>, expected);
    QFETCH(bool, wellFormed);
    bool ok = !wellFormed;
    QCOMPARE(MetricsCsv::parse(csv, &ok), expected);
    QCOMPARE(ok, wellFormed);
    QCOMPARE(MetricsCsv::parse(csv), expected); // ok is optional
}

void TestMetricsCsv::writeFailsOnClosedDevice()
{
    QBuffer closed;
    QString error;
    QVERIFY(!MetricsCsv::write(closed, sampleSnapshots(), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(closed.data().isEmpty());
    QVERIFY(!MetricsCsv::write(closed, sampleSnapshots(), nullptr)); // no error string wanted
}

void TestMetricsCsv::writeFailsOnReadOnlyDevice()
{
    QByteArray bytes("existing");
    QBuffer readOnly(&bytes);
    QVERIFY(readOnly.open(QIODevice::ReadOnly));
    QString error;
    QVERIFY(!MetricsCsv::write(readOnly, sampleSnapshots(), &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(bytes, QByteArray("existing"));
}

void TestMetricsCsv::writeReportsDeviceErrors()
{
    FailingDevice device;
    QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
    QString error;
    QVERIFY(!MetricsCsv::write(device, sampleSnapshots(), &error));
    QVERIFY2(error.contains(QStringLiteral("disk full")), qPrintable(error));
}

void TestMetricsCsv::writeEmptyList()
{
    QByteArray data;
    QBuffer buffer(&data);
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error = QStringLiteral("stale");
    QVERIFY(MetricsCsv::write(buffer, {}, &error));
    QVERIFY(error.isEmpty());
    QCOMPARE(data, MetricsCsv::header());
}

QTEST_MAIN(TestMetricsCsv)
#include "tst_metricscsv.moc"
