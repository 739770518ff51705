// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/storagedetector.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using flowgate::StorageDetection;
using flowgate::StorageDetector;
using flowgate::StorageType;

Q_DECLARE_METATYPE(flowgate::StorageType::Kind)

namespace {

QString kindName(StorageType::Kind kind)
{
    switch (kind) {
    case StorageType::Kind::NVMe: return QStringLiteral("NVMe");
    case StorageType::Kind::SSD: return QStringLiteral("SSD");
    case StorageType::Kind::HDD: return QStringLiteral("HDD");
    case StorageType::Kind::Auto: return QStringLiteral("Auto");
    case StorageType::Kind::Custom: return QStringLiteral("Custom");
    }
    return QStringLiteral("?");
}

// Where the fake devices live, laid out as on a real machine.
const QString kNvme = QStringLiteral("devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1");
const QString kSda = QStringLiteral("devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda");
const QString kSdb = QStringLiteral("devices/pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0/block/sdb");
const QString kSdc = QStringLiteral("devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/block/sdc");
const QString kSdf = QStringLiteral("devices/pci0000:00/0000:00:17.0/ata4/host3/target3:0:0/3:0:0:0/block/sdf");
const QString kVda = QStringLiteral("devices/pci0000:00/0000:00:02.0/virtio1/block/vda");
const QString kVirtual = QStringLiteral("devices/virtual/block");

} // namespace

class TestStorageDetector final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fakeSysfs_data();
    void fakeSysfs();
    void escapingSymlinkIsIgnored();

    void emptyPath();
    void missingPathWalksUpToExistingParent();
    void realRoot();
    void realTmpfs_data();
    void realTmpfs();

private:
    void makeDir(const QString &relative);
    void writeFile(const QString &relative, const QByteArray &contents);
    /// A symbolic link at \a relative (under the fake root) whose target is
    /// \a target, written as given (relative links stay relative).
    void makeLink(const QString &relative, const QString &target);
    /// The relative path from the directory of \a from to \a to, both under the fake root.
    QString relativeTarget(const QString &from, const QString &to) const;

    QTemporaryDir m_dir;
    QString m_root;
};

void TestStorageDetector::makeDir(const QString &relative)
{
    QVERIFY2(QDir(m_root).mkpath(relative), qPrintable(relative));
}

void TestStorageDetector::writeFile(const QString &relative, const QByteArray &contents)
{
    makeDir(QFileInfo(relative).path());
    QFile file(m_root + QLatin1Char('/') + relative);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(contents), contents.size());
}

void TestStorageDetector::makeLink(const QString &relative, const QString &target)
{
    makeDir(QFileInfo(relative).path());
    const QByteArray link = QFile::encodeName(m_root + QLatin1Char('/') + relative);
    QVERIFY2(::symlink(QFile::encodeName(target).constData(), link.constData()) == 0, link.constData());
}

QString TestStorageDetector::relativeTarget(const QString &from, const QString &to) const
{
    return QDir(m_root + QLatin1Char('/') + QFileInfo(from).path()).relativeFilePath(m_root + QLatin1Char('/') + to);
}

void TestStorageDetector::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = m_dir.path() + QStringLiteral("/sys");

    struct Node
    {
        QString number; // MAJ:MIN
        QString path;   // under devices/
    };
    const QList<Node> nodes = {
        {QStringLiteral("259:0"), kNvme},
        {QStringLiteral("259:2"), kNvme + QStringLiteral("/nvme0n1p2")},
        {QStringLiteral("8:0"), kSda},
        {QStringLiteral("8:1"), kSda + QStringLiteral("/sda1")},
        {QStringLiteral("8:2"), kSda + QStringLiteral("/sda2")},
        {QStringLiteral("8:3"), kSda + QStringLiteral("/sda3")},
        {QStringLiteral("8:16"), kSdb},
        {QStringLiteral("8:32"), kSdc},
        {QStringLiteral("8:80"), kSdf},
        {QStringLiteral("254:0"), kVda},
        {QStringLiteral("254:1"), kVda + QStringLiteral("/vda1")},
        {QStringLiteral("253:0"), kVirtual + QStringLiteral("/dm-0")},
        {QStringLiteral("253:1"), kVirtual + QStringLiteral("/dm-1")},
        {QStringLiteral("253:2"), kVirtual + QStringLiteral("/dm-2")},
        {QStringLiteral("253:3"), kVirtual + QStringLiteral("/dm-3")},
        {QStringLiteral("9:0"), kVirtual + QStringLiteral("/md0")},
        {QStringLiteral("7:0"), kVirtual + QStringLiteral("/loop0")},
    };
    for (const Node &node : nodes) {
        makeDir(node.path);
        const QString link = QStringLiteral("dev/block/") + node.number;
        makeLink(link, relativeTarget(link, node.path));
    }

    // NVMe namespace with a partition; rotational 0 as the kernel reports it.
    writeFile(kNvme + QStringLiteral("/queue/rotational"), "0\n");
    writeFile(kNvme + QStringLiteral("/nvme0n1p2/partition"), "2\n");
    // SATA SSD with three partitions.
    writeFile(kSda + QStringLiteral("/queue/rotational"), "0\n");
    for (int i = 1; i <= 3; ++i)
        writeFile(kSda + QStringLiteral("/sda%1/partition").arg(i), QByteArray::number(i) + '\n');
    // A spinning disk, a disk whose queue/ lacks the attribute, one with garbage in it.
    writeFile(kSdb + QStringLiteral("/queue/rotational"), "1\n");
    makeDir(kSdc + QStringLiteral("/queue"));
    writeFile(kSdf + QStringLiteral("/queue/rotational"), "maybe\n");
    // A virtio disk that claims to rotate, as virtio-blk does by default.
    writeFile(kVda + QStringLiteral("/queue/rotational"), "1\n");
    writeFile(kVda + QStringLiteral("/vda1/partition"), "1\n");

    const auto slave = [this](const QString &holder, const QString &name, const QString &target) {
        const QString link = kVirtual + QLatin1Char('/') + holder + QStringLiteral("/slaves/") + name;
        makeLink(link, relativeTarget(link, target));
    };
    // dm-0 (LUKS/LVM) on an SSD partition. Its own rotational is deliberately
    // wrong: the slaves decide.
    writeFile(kVirtual + QStringLiteral("/dm-0/queue/rotational"), "1\n");
    slave(QStringLiteral("dm-0"), QStringLiteral("sda2"), kSda + QStringLiteral("/sda2"));
    // dm-1 spans an SSD partition and an HDD.
    writeFile(kVirtual + QStringLiteral("/dm-1/queue/rotational"), "1\n");
    slave(QStringLiteral("dm-1"), QStringLiteral("sda3"), kSda + QStringLiteral("/sda3"));
    slave(QStringLiteral("dm-1"), QStringLiteral("sdb"), kSdb);
    // dm-2 stacked on dm-0.
    slave(QStringLiteral("dm-2"), QStringLiteral("dm-0"), kVirtual + QStringLiteral("/dm-0"));
    // dm-3 names itself as its slave: a broken tree must not loop forever.
    slave(QStringLiteral("dm-3"), QStringLiteral("dm-3"), kVirtual + QStringLiteral("/dm-3"));
    // md0 mirrors two partitions of the same SSD.
    slave(QStringLiteral("md0"), QStringLiteral("sda1"), kSda + QStringLiteral("/sda1"));
    slave(QStringLiteral("md0"), QStringLiteral("sda2"), kSda + QStringLiteral("/sda2"));
    // A loop device: its queue says SSD, but the file behind it could be anywhere.
    writeFile(kVirtual + QStringLiteral("/loop0/queue/rotational"), "0\n");
}

void TestStorageDetector::fakeSysfs_data()
{
    QTest::addColumn<quint32>("major");
    QTest::addColumn<quint32>("minor");
    QTest::addColumn<StorageType::Kind>("kind");
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("reason"); // a part the reason must contain

    const auto row = [](const char *name, quint32 major, quint32 minor, StorageType::Kind kind, const char *device,
                        const char *reason) {
        QTest::newRow(name) << major << minor << kind << QString::fromLatin1(device) << QString::fromLatin1(reason);
    };
    using K = StorageType::Kind;
    row("nvme namespace", 259, 0, K::NVMe, "nvme0n1", "nvme0n1: NVMe device");
    row("nvme partition", 259, 2, K::NVMe, "nvme0n1", "nvme0n1: NVMe device");
    row("sata ssd disk", 8, 0, K::SSD, "sda", "sda: queue/rotational = 0");
    row("sata ssd partition", 8, 1, K::SSD, "sda", "sda: queue/rotational = 0");
    row("hdd", 8, 16, K::HDD, "sdb", "sdb: queue/rotational = 1 (virtual disks often claim this; override if wrong)");
    row("virtio disk", 254, 0, K::HDD, "vda", "looks like a virtual disk");
    row("virtio partition", 254, 1, K::HDD, "vda", "vda: queue/rotational = 1");
    row("dm over one ssd", 253, 0, K::SSD, "dm-0", "dm-0 over sda: queue/rotational = 0");
    row("dm over mixed slaves", 253, 1, K::Auto, "dm-1", "dm-1: slaves disagree (sda: SSD, sdb: HDD)");
    row("dm over dm", 253, 2, K::SSD, "dm-2", "dm-2 over dm-0 over sda: queue/rotational = 0");
    row("dm cycle", 253, 3, K::Auto, "dm-3", "too deep");
    row("md over partitions of one ssd", 9, 0, K::SSD, "md0", "md0 over sda: queue/rotational = 0");
    row("missing rotational", 8, 32, K::Auto, "sdc", "sdc: queue/rotational missing");
    row("garbage rotational", 8, 80, K::Auto, "sdf", "unexpected queue/rotational \"maybe\"");
    row("loop device", 7, 0, K::Auto, "loop0", "loop device");
    row("unknown major:minor", 8, 48, K::Auto, "", "8:48: unknown block device");
    row("major 0", 0, 27, K::Auto, "", "0:27: no block device");
}

void TestStorageDetector::fakeSysfs()
{
    QFETCH(quint32, major);
    QFETCH(quint32, minor);
    QFETCH(StorageType::Kind, kind);
    QFETCH(QString, device);
    QFETCH(QString, reason);

    const StorageDetector detector(m_root);
    const StorageDetection detection = detector.detectForDevice(major, minor);
    QCOMPARE(kindName(detection.kind), kindName(kind));
    QCOMPARE(detection.device, device);
    QVERIFY2(detection.reason.contains(reason), qPrintable(detection.reason));
}

void TestStorageDetector::escapingSymlinkIsIgnored()
{
    // An SSD outside the sysfs root, reached through an absolute link: the
    // detector must not follow a link out of the tree it was given.
    const QString outside = m_dir.path() + QStringLiteral("/outside/sde");
    QVERIFY(QDir().mkpath(outside + QStringLiteral("/queue")));
    QFile rotational(outside + QStringLiteral("/queue/rotational"));
    QVERIFY(rotational.open(QIODevice::WriteOnly));
    QCOMPARE(rotational.write("0\n"), qint64(2));
    rotational.close();
    makeLink(QStringLiteral("dev/block/8:64"), outside);

    const StorageDetection detection = StorageDetector(m_root).detectForDevice(8, 64);
    QCOMPARE(kindName(detection.kind), kindName(StorageType::Kind::Auto));
    QCOMPARE(detection.device, QString());
    QVERIFY2(detection.reason.contains(QStringLiteral("unknown block device")), qPrintable(detection.reason));

    // The same tree read through a root that does not exist at all.
    const StorageDetection none = StorageDetector(m_dir.path() + QStringLiteral("/nosys")).detectForDevice(8, 0);
    QCOMPARE(kindName(none.kind), kindName(StorageType::Kind::Auto));
}

void TestStorageDetector::emptyPath()
{
    const StorageDetection detection = StorageDetector().detectForPath(QString());
    QCOMPARE(kindName(detection.kind), kindName(StorageType::Kind::Auto));
    QVERIFY(!detection.reason.isEmpty());
}

void TestStorageDetector::missingPathWalksUpToExistingParent()
{
    const StorageDetector detector;
    const StorageDetection existing = detector.detectForPath(m_dir.path());
    const StorageDetection missing =
        detector.detectForPath(m_dir.path() + QStringLiteral("/not/created/yet/output.fgz"));
    QCOMPARE(kindName(missing.kind), kindName(existing.kind));
    QCOMPARE(missing.device, existing.device);
    QCOMPARE(missing.reason, existing.reason);
    QVERIFY2(!missing.reason.contains(QStringLiteral("stat() failed")), qPrintable(missing.reason));
}

void TestStorageDetector::realRoot()
{
    // Whatever this machine has: it must answer, and answer consistently.
    const StorageDetection detection = StorageDetector().detectForPath(QStringLiteral("/"));
    qInfo("/ -> %s (device \"%s\"): %s", qPrintable(kindName(detection.kind)), qPrintable(detection.device),
          qPrintable(detection.reason));
    QVERIFY(detection.kind != StorageType::Kind::Custom);
    QVERIFY(!detection.reason.isEmpty());
    if (detection.kind != StorageType::Kind::Auto)
        QVERIFY(!detection.device.isEmpty());
}

void TestStorageDetector::realTmpfs_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("/dev/shm") << QStringLiteral("/dev/shm");
    QTest::newRow("not yet created under /dev/shm") << QStringLiteral("/dev/shm/flowgate-no-such-dir/out.fgz");
}

void TestStorageDetector::realTmpfs()
{
    QFETCH(QString, path);
    struct stat status {};
    QVERIFY2(::stat("/dev/shm", &status) == 0 && major(status.st_dev) == 0, "/dev/shm is expected to be a tmpfs");

    const StorageDetection detection = StorageDetector().detectForPath(path);
    QCOMPARE(kindName(detection.kind), kindName(StorageType::Kind::Auto));
    QCOMPARE(detection.device, QString());
    QCOMPARE(detection.reason, QStringLiteral("tmpfs: no block device"));
}

QTEST_GUILESS_MAIN(TestStorageDetector)
#include "tst_storagedetector.moc"
