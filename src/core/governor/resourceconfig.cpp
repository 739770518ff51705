// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "governor/resourceconfig.h"

#include <QRegularExpression>

#include <algorithm>
#include <thread>

#include <unistd.h>

namespace flowgate {

namespace {
constexpr qint64 kGiB = qint64(1) << 30;
}

QString StorageType::toString() const
{
    switch (m_kind) {
    case Kind::NVMe: return QStringLiteral("NVMe");
    case Kind::SSD: return QStringLiteral("SSD");
    case Kind::HDD: return QStringLiteral("HDD");
    case Kind::Auto: return QStringLiteral("Auto");
    case Kind::Custom: return QStringLiteral("Custom(%1)").arg(m_custom);
    }
    return QStringLiteral("Auto");
}

std::optional<StorageType> StorageType::fromString(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"nvme")
        return nvme();
    if (t == u"ssd")
        return ssd();
    if (t == u"hdd")
        return hdd();
    if (t == u"auto")
        return automatic();
    static const QRegularExpression customRe(QStringLiteral("^(?:custom\\()?([0-9]{1,7})\\)?$"));
    const auto m = customRe.match(t);
    if (m.hasMatch()) {
        bool ok = false;
        const int n = m.captured(1).toInt(&ok);
        if (ok && n >= 1)
            return custom(n);
    }
    return std::nullopt;
}

int ResourceConfig::availableCores()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

qint64 ResourceConfig::physicalMemory()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0)
        return 0;
    return qint64(pages) * qint64(pageSize);
}

int ResourceConfig::defaultCpuTokens()
{
    return std::max(availableCores() - 1, 1);
}

qint64 ResourceConfig::defaultMemoryCapacity()
{
    const qint64 seedDefault = 40 * kGiB;
    const qint64 ram = physicalMemory();
    if (ram <= 0)
        return seedDefault;
    return std::min(seedDefault, ram / 10 * 8);
}

int ResourceConfig::resolvedCpuTokens() const
{
    return std::max(cpuTokens.value_or(defaultCpuTokens()), 1);
}

int ResourceConfig::resolvedIoTokens() const
{
    return std::max(ioTokens.value_or(storageType.defaultIoTokens()), 1);
}

qint64 ResourceConfig::resolvedMemoryCapacity() const
{
    const qint64 c = memoryLimit.value_or(defaultMemoryCapacity());
    return c > 0 ? c : defaultMemoryCapacity();
}

} // namespace flowgate
