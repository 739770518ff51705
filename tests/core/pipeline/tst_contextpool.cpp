// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// ContextPool: codec contexts lent per chunk, reused, kept at most one per
// CPU token, and counted in the governor's memory gauge while lent.

#include "governor/governor.h"
#include "pipeline/contextpool.h"

#include <QTest>

#include <vector>

using namespace flowgate;

class TestContextPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reusesAndCountsMemory();
    void keepsNoMoreThanTheCpuTokens();
    void aCodecThatCannotBeMadeLeavesNothing();
};

namespace {
ResourceConfig config(int cpuTokens)
{
    ResourceConfig c;
    c.cpuTokens = cpuTokens;
    c.ioTokens = 2;
    return c;
}
} // namespace

void TestContextPool::reusesAndCountsMemory()
{
    Governor governor(config(2));
    ContextPool pool(governor);
    const CodecSpec zstd19{CodecId::Zstd, 19};
    const QByteArray data(4 << 20, 'x');
    Compressor *first = nullptr;
    {
        QString error;
        auto c = pool.compressor(zstd19, &error);
        QVERIFY2(c, qPrintable(error));
        first = c.get();
        Bytes out;
        QVERIFY(c->compress(
            reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size()), out, &error));
        QCOMPARE(pool.live(), 1);
    }
    // Given back: kept, not counted while idle.
    QCOMPARE(pool.live(), 1);
    QCOMPARE(governor.memoryUsed(), qint64(0));
    {
        QString error;
        auto again = pool.compressor(zstd19, &error);
        QCOMPARE(again.get(), first); // the same context, not a new one
        // Lent again: what it kept after its chunk counts in the gauge.
        QVERIFY2(governor.memoryUsed() > 1024 * 1024, qPrintable(QString::number(governor.memoryUsed())));
        auto other = pool.decompressor(CodecId::Zstd, &error);
        QVERIFY(other);
        QCOMPARE(pool.live(), 2);
    }
    QCOMPARE(pool.peakLive(), 2);
    pool.clear();
    QCOMPARE(pool.live(), 0);
    QCOMPARE(governor.memoryUsed(), qint64(0));
}

void TestContextPool::keepsNoMoreThanTheCpuTokens()
{
    Governor governor(config(2));
    ContextPool pool(governor);
    QString error;
    {
        // Three lent at once (say, during a lazy shrink of the tokens).
        std::vector<ContextPool::Lease<Compressor>> lent;
        lent.push_back(pool.compressor(CodecSpec{CodecId::Zstd, 3}, &error));
        lent.push_back(pool.compressor(CodecSpec{CodecId::Xz, 1}, &error));
        lent.push_back(pool.compressor(CodecSpec{CodecId::Gzip, 6}, &error));
        QCOMPARE(pool.live(), 3);
    }
    QCOMPARE(pool.live(), 2); // back to one per CPU token
    // A new kind needs room: an idle one of another kind makes it.
    {
        auto lz4 = pool.compressor(CodecSpec{CodecId::Lz4, 1}, &error);
        QVERIFY(lz4);
        QCOMPARE(pool.live(), 2);
    }
    governor.setCpuTokens(1);
    {
        auto d = pool.decompressor(CodecId::Gzip, &error);
        QVERIFY(d);
        QCOMPARE(pool.live(), 1); // the lent one only: no room for idle ones
    }
    QCOMPARE(pool.live(), 1);
    pool.clear();
    QCOMPARE(governor.memoryUsed(), qint64(0));
}

void TestContextPool::aCodecThatCannotBeMadeLeavesNothing()
{
    Governor governor(config(2));
    ContextPool pool(governor);
    QString error;
    auto bad = pool.compressor(CodecSpec{CodecId::Zstd, 99}, &error);
    QVERIFY(!bad);
    QVERIFY(!error.isEmpty());
    QCOMPARE(pool.live(), 0);
    auto good = pool.compressor(CodecSpec{CodecId::Zstd, 3}, &error);
    QVERIFY(good);
    QCOMPARE(pool.live(), 1);
}

QTEST_GUILESS_MAIN(TestContextPool)
#include "tst_contextpool.moc"
