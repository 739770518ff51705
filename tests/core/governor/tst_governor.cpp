// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// The governor as a whole: defaults, live retuning, memory tracking with the
// soft and hard limits, the local level, and the process-wide instance.

#include "governor/governor.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

using namespace flowgate;
using namespace std::chrono_literals;

class TestGovernor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Runs first: the process-wide governor is not initialised yet.
    void globalBeforeInitIsAClearError();
    void globalInitOnce();

    void defaults_data();
    void defaults();
    void storageTypeParsing_data();
    void storageTypeParsing();
    void storageTypeOfKind();
    void liveRetuning();
    void memoryTracking();
    void memoryGuardIsMoveOnly();
    void softLimitWarns();
    void hardLimitAdmitsOversizedRequestWhenAlone();
    void hardLimitWaitsForRoomInOrder();
    void hardLimitRandomSizesNoDeadlock();
    void admissionCancellation();
    void perFileLimitersFollowTheSetting();
    void filesInFlightCap();
};

void TestGovernor::globalBeforeInitIsAClearError()
{
    QVERIFY(!isResourceManagerInitialised());
    try {
        (void)resourceManager();
        QFAIL("resourceManager() before init must throw");
    } catch (const std::logic_error &e) {
        QVERIFY(QByteArray(e.what()).contains("initResourceManager"));
    }
    // The seed-style MemoryGuard(bytes) uses the global governor too.
    QVERIFY_THROWS_EXCEPTION(std::logic_error, MemoryGuard(128));
}

void TestGovernor::globalInitOnce()
{
    ResourceConfig config;
    config.cpuTokens = 6;
    config.storageType = StorageType::nvme();
    QString error;
    QVERIFY(initResourceManager(config, &error));
    QVERIFY(error.isEmpty());
    QVERIFY(isResourceManagerInitialised());
    QCOMPARE(resourceManager().cpuTokensTotal(), 6);
    QCOMPARE(resourceManager().ioTokensTotal(), 24);

    ResourceConfig other;
    other.cpuTokens = 2;
    QVERIFY(!initResourceManager(other, &error));
    QVERIFY(error.contains(QStringLiteral("already initialised")));
    QCOMPARE(resourceManager().cpuTokensTotal(), 6); // the first one stays

    {
        MemoryGuard g(4096);
        QCOMPARE(resourceManager().memoryUsed(), qint64(4096));
    }
    QCOMPARE(resourceManager().memoryUsed(), qint64(0));
}

void TestGovernor::defaults_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("custom");
    QTest::addColumn<int>("ioTokens");
    QTest::newRow("NVMe") << int(StorageType::Kind::NVMe) << 0 << 24;
    QTest::newRow("SSD") << int(StorageType::Kind::SSD) << 0 << 12;
    QTest::newRow("HDD") << int(StorageType::Kind::HDD) << 0 << 4;
    QTest::newRow("Auto") << int(StorageType::Kind::Auto) << 0 << 12;
    QTest::newRow("Custom(7)") << int(StorageType::Kind::Custom) << 7 << 7;
}

void TestGovernor::defaults()
{
    QFETCH(int, kind);
    QFETCH(int, custom);
    QFETCH(int, ioTokens);
    StorageType type;
    switch (StorageType::Kind(kind)) {
    case StorageType::Kind::NVMe:
        type = StorageType::nvme();
        break;
    case StorageType::Kind::SSD:
        type = StorageType::ssd();
        break;
    case StorageType::Kind::HDD:
        type = StorageType::hdd();
        break;
    case StorageType::Kind::Auto:
        type = StorageType::automatic();
        break;
    case StorageType::Kind::Custom:
        type = StorageType::custom(custom);
        break;
    }
    ResourceConfig config;
    config.storageType = type;
    Governor g(config);
    QCOMPARE(g.ioTokensTotal(), ioTokens);
    QCOMPARE(g.cpuTokensTotal(), std::max(ResourceConfig::availableCores() - 1, 1));
    const qint64 ram = ResourceConfig::physicalMemory();
    const qint64 expectedCapacity = ram > 0 ? std::min(qint64(40) << 30, ram / 10 * 8) : qint64(40) << 30;
    QCOMPARE(g.memoryCapacity(), expectedCapacity);
    QCOMPARE(g.storageType(), type);
    // An explicit io token count wins over the storage type.
    config.ioTokens = 3;
    Governor h(config);
    QCOMPARE(h.ioTokensTotal(), 3);
}

void TestGovernor::storageTypeParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("normalised");
    QTest::newRow("nvme") << QStringLiteral("nvme") << true << QStringLiteral("NVMe");
    QTest::newRow("SSD upper") << QStringLiteral("SSD") << true << QStringLiteral("SSD");
    QTest::newRow("hdd spaces") << QStringLiteral("  hdd ") << true << QStringLiteral("HDD");
    QTest::newRow("auto") << QStringLiteral("auto") << true << QStringLiteral("Auto");
    QTest::newRow("number") << QStringLiteral("16") << true << QStringLiteral("Custom(16)");
    QTest::newRow("custom()") << QStringLiteral("Custom(5)") << true << QStringLiteral("Custom(5)");
    QTest::newRow("zero") << QStringLiteral("0") << false << QString();
    QTest::newRow("negative") << QStringLiteral("-3") << false << QString();
    QTest::newRow("junk") << QStringLiteral("floppy") << false << QString();
    QTest::newRow("empty") << QString() << false << QString();
}

void TestGovernor::storageTypeOfKind()
{
    QCOMPARE(StorageType::of(StorageType::Kind::NVMe, 7), StorageType::nvme());
    QCOMPARE(StorageType::of(StorageType::Kind::SSD, 7), StorageType::ssd());
    QCOMPARE(StorageType::of(StorageType::Kind::HDD, 7), StorageType::hdd());
    QCOMPARE(StorageType::of(StorageType::Kind::Auto, 7), StorageType::automatic());
    QCOMPARE(StorageType::of(StorageType::Kind::Custom, 7), StorageType::custom(7));
    QCOMPARE(StorageType::of(StorageType::Kind::Custom, 0), StorageType::custom(1));
    QCOMPARE(StorageType::of(StorageType::Kind(42), 7), StorageType::automatic()); // not a kind
}

void TestGovernor::storageTypeParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, normalised);
    const auto parsed = StorageType::fromString(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(parsed->toString(), normalised);
}

void TestGovernor::liveRetuning()
{
    ResourceConfig config;
    config.cpuTokens = 2;
    config.ioTokens = 2;
    Governor g(config);
    QSignalSpy changed(&g, &Governor::limitsChanged);
    Permit a = g.acquireCpu();
    Permit b = g.acquireCpu();
    QCOMPARE(g.cpuTokensAvailable(), 0);
    std::atomic<bool> got{false};
    std::thread waiter([&] {
        Permit c = g.acquireCpu();
        got = true;
    });
    QTRY_COMPARE(g.cpuPool().waiters(), 1);
    g.setCpuTokens(3); // grow: the waiter gets one at once
    waiter.join();
    QVERIFY(got.load());
    QCOMPARE(g.cpuTokensTotal(), 3);

    g.setCpuTokens(1); // shrink: nothing revoked
    QCOMPARE(g.cpuTokensInUse(), 2);
    QCOMPARE(g.cpuTokensAvailable(), 0);
    a = Permit();
    QVERIFY(!g.tryAcquireCpu()); // 1 in use, total 1
    b = Permit();
    Permit d = g.tryAcquireCpu();
    QVERIFY(d);

    g.setStorageType(StorageType::hdd());
    QCOMPARE(g.ioTokensTotal(), 4);
    QCOMPARE(g.storageType(), StorageType::hdd());
    g.setIoTokens(9);
    QCOMPARE(g.ioTokensTotal(), 9);
    QCOMPARE(changed.count(), 4);
    QCOMPARE(g.config().cpuTokens.value_or(0), 1);
}

void TestGovernor::memoryTracking()
{
    ResourceConfig config;
    config.memoryLimit = qint64(1) << 30;
    Governor g(config);
    QCOMPARE(g.memoryCapacity(), qint64(1) << 30);
    g.allocateMemory(1000);
    QCOMPARE(g.memoryUsed(), qint64(1000));
    {
        MemoryGuard guard(g, qint64(256) << 20);
        QCOMPARE(g.memoryUsed(), (qint64(256) << 20) + 1000);
        QCOMPARE(g.metrics().memoryUsedMb(), double((qint64(256) << 20) + 1000) / (1 << 20));
        QVERIFY(qAbs(g.metrics().memoryUtilizationPercent() - 25.0) < 0.01);
    }
    g.deallocateMemory(1000);
    QCOMPARE(g.memoryUsed(), qint64(0));
    QCOMPARE(g.memoryPeak(), (qint64(256) << 20) + 1000);
}

void TestGovernor::memoryGuardIsMoveOnly()
{
    static_assert(!std::is_copy_constructible_v<MemoryGuard>);
    Governor g;
    MemoryGuard a(g, 10);
    MemoryGuard b = std::move(a);
    QCOMPARE(g.memoryUsed(), qint64(10));
    MemoryGuard c(g, 5);
    c = std::move(b);
    QCOMPARE(g.memoryUsed(), qint64(10));
    c = MemoryGuard();
    QCOMPARE(g.memoryUsed(), qint64(0));
}

void TestGovernor::softLimitWarns()
{
    ResourceConfig config;
    config.memorySoftLimit = 1000;
    Governor g(config);
    QSignalSpy spy(&g, &Governor::memorySoftLimitExceeded);
    MemoryGuard a(g, 600);
    QCOMPARE(spy.count(), 0);
    MemoryGuard b(g, 600); // crosses 1000
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toLongLong(), 1200);
    QCOMPARE(spy.at(0).at(1).toLongLong(), 1000);
    MemoryGuard c(g, 10); // still above: no second warning
    QCOMPARE(spy.count(), 1);
    b = MemoryGuard();
    c = MemoryGuard();
    MemoryGuard d(g, 500); // crosses again
    QCOMPARE(spy.count(), 2);
    QCOMPARE(g.memorySoftLimitWarnings(), quint64(2));
    // Soft limit never blocks.
    MemoryGuard e(g, 1 << 20);
    QVERIFY(e);
}

void TestGovernor::hardLimitAdmitsOversizedRequestWhenAlone()
{
    ResourceConfig config;
    config.memoryHardLimit = 1000;
    Governor g(config);
    MemoryGuard big = g.admitMemory(5000); // larger than the limit: admitted alone
    QVERIFY(big);
    QCOMPARE(g.memoryUsed(), qint64(5000));
    // A second request waits while the first is held...
    std::atomic<bool> admitted{false};
    std::thread t([&] {
        MemoryGuard small = g.admitMemory(10);
        admitted = true;
    });
    QTRY_COMPARE(g.memoryWaiters(), 1);
    QVERIFY(!admitted.load());
    big = MemoryGuard(); // ...and goes in when it is released
    t.join();
    QVERIFY(admitted.load());
    QCOMPARE(g.memoryUsed(), qint64(0));
}

void TestGovernor::hardLimitWaitsForRoomInOrder()
{
    ResourceConfig config;
    config.memoryHardLimit = 100;
    Governor g(config);
    MemoryGuard a = g.admitMemory(60);
    std::vector<int> order;
    std::mutex orderMutex;
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    std::vector<MemoryGuard> keep(3);
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            MemoryGuard m = g.admitMemory(50);
            std::lock_guard lock(orderMutex);
            order.push_back(i);
            keep[std::size_t(i)] = std::move(m);
            ++admitted;
        });
        QTRY_COMPARE(g.memoryWaiters(), i + 1);
    }
    a = MemoryGuard(); // room for two of 50: the first two in line, not the third
    QTRY_COMPARE(admitted.load(), 2);
    {
        std::lock_guard lock(orderMutex);
        QVERIFY((order[0] == 0 && order[1] == 1) || (order[0] == 1 && order[1] == 0));
        QCOMPARE(g.memoryWaiters(), 1);
        keep[0] = MemoryGuard();
    }
    QTRY_COMPARE(admitted.load(), 3);
    for (auto &t : threads)
        t.join();
    QCOMPARE(order[2], 2);
    keep.clear();
    QCOMPARE(g.memoryUsed(), qint64(0));
}

void TestGovernor::hardLimitRandomSizesNoDeadlock()
{
    ResourceConfig config;
    config.memoryHardLimit = 1 << 20;
    Governor g(config);
    std::atomic<qint64> maxSeen{0};
    std::atomic<int> oversizeAlone{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng(unsigned(t) + 11u);
            for (int i = 0; i < 400; ++i) {
                // Mostly below the limit, sometimes above it.
                const qint64 size
                    = (rng() % 10 == 0) ? qint64(1 << 20) + qint64(rng() % (1 << 20)) : qint64(rng() % (300 << 10)) + 1;
                MemoryGuard m = g.admitMemory(size);
                QVERIFY(m);
                const qint64 used = g.memoryUsed();
                qint64 prev = maxSeen.load();
                while (used > prev && !maxSeen.compare_exchange_weak(prev, used)) { }
                if (size > (1 << 20))
                    ++oversizeAlone;
                std::this_thread::yield();
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(g.memoryUsed(), qint64(0));
    QCOMPARE(g.memoryWaiters(), 0);
    QVERIFY(oversizeAlone.load() > 0);
    // Never above the limit, except an oversized request that was admitted alone.
    QVERIFY2(maxSeen.load() <= qint64(2) << 20, qPrintable(QString::number(maxSeen.load())));
}

void TestGovernor::admissionCancellation()
{
    ResourceConfig config;
    config.memoryHardLimit = 100;
    Governor g(config);
    MemoryGuard a = g.admitMemory(100);
    CancellationSource job;
    std::atomic<int> result{-1};
    std::thread first([&] {
        MemoryGuard m = g.admitMemory(50, job.token());
        result = m ? 1 : 0;
    });
    QTRY_COMPARE(g.memoryWaiters(), 1);
    // A second, uncancelled request queues behind the first.
    std::atomic<bool> secondIn{false};
    std::thread second([&] {
        MemoryGuard m = g.admitMemory(50);
        secondIn = true;
    });
    QTRY_COMPARE(g.memoryWaiters(), 2);
    job.cancel();
    first.join();
    QCOMPARE(result.load(), 0);
    a = MemoryGuard(); // the line moved past the cancelled one
    second.join();
    QVERIFY(secondIn.load());
    QCOMPARE(g.memoryUsed(), qint64(0));
}

void TestGovernor::perFileLimitersFollowTheSetting()
{
    Governor g;
    g.setPerFileWorkers(3);
    auto one = g.makeFileLimiter(QStringLiteral("a.bin"));
    auto two = g.makeFileLimiter(QStringLiteral("b.bin"));
    QCOMPARE(one->total(), 3);
    Permit p1 = one->acquire();
    Permit p2 = one->acquire();
    Permit p3 = one->acquire();
    QVERIFY(!one->tryAcquire());
    QVERIFY(two->tryAcquire()); // limits are per file
    g.setPerFileWorkers(5);
    QCOMPARE(one->total(), 5);
    QCOMPARE(two->total(), 5);
    QVERIFY(one->tryAcquire());
    g.setPerFileWorkers(1); // lazy shrink
    QCOMPARE(one->inUse(), 3);
    QVERIFY(!one->tryAcquire());
}

void TestGovernor::filesInFlightCap()
{
    Governor g;
    g.setFilesInFlight(2);
    Permit a = g.acquireFileSlot();
    Permit b = g.acquireFileSlot();
    QCOMPARE(g.filesInFlight(), 2);
    CancellationSource cancel;
    std::thread t([&] {
        Permit c = g.acquireFileSlot(cancel.token());
        QVERIFY(!c);
    });
    QTRY_COMPARE(g.filePool().waiters(), 1);
    cancel.cancel();
    t.join();
    QCOMPARE(g.filesInFlight(), 2);
}

QTEST_GUILESS_MAIN(TestGovernor)
#include "tst_governor.moc"
