// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

namespace flowgate {

/// The kind of storage a job reads from and writes to. It decides the default
/// number of I/O tokens: the queue depth the device serves well.
class StorageType
{
public:
    enum class Kind { NVMe, SSD, HDD, Auto, Custom };

    constexpr StorageType() = default;
    static constexpr StorageType nvme() { return StorageType(Kind::NVMe, 0); }
    static constexpr StorageType ssd() { return StorageType(Kind::SSD, 0); }
    static constexpr StorageType hdd() { return StorageType(Kind::HDD, 0); }
    static constexpr StorageType automatic() { return StorageType(Kind::Auto, 0); }
    /// A user-chosen I/O token count (clamped to at least 1).
    static constexpr StorageType custom(int ioTokens) { return StorageType(Kind::Custom, ioTokens < 1 ? 1 : ioTokens); }
    /// The storage type of \a kind (automatic for a value outside Kind);
    /// \a customIoTokens counts only for Custom.
    static constexpr StorageType of(Kind kind, int customIoTokens)
    {
        if (kind == Kind::Custom)
            return custom(customIoTokens);
        return kind >= Kind::NVMe && kind <= Kind::Auto ? StorageType(kind, 0) : automatic();
    }

    constexpr Kind kind() const { return m_kind; }
    constexpr int customTokens() const { return m_custom; }

    /// I/O tokens for this type: NVMe 24, SSD 12, HDD 4, Auto 12, Custom(n) n.
    constexpr int defaultIoTokens() const
    {
        switch (m_kind) {
        case Kind::NVMe:
            return 24;
        case Kind::SSD:
            return 12;
        case Kind::HDD:
            return 4;
        case Kind::Auto:
            return 12;
        case Kind::Custom:
            return m_custom;
        }
        return 12;
    }

    /// "NVMe", "SSD", "HDD", "Auto" or "Custom(n)".
    QString toString() const;
    /// Parses "nvme", "ssd", "hdd", "auto" (any case) or a positive integer n
    /// (Custom(n)); also accepts "Custom(n)". nullopt on anything else.
    static std::optional<StorageType> fromString(const QString &text);

    friend constexpr bool operator==(StorageType a, StorageType b)
    {
        return a.m_kind == b.m_kind && a.m_custom == b.m_custom;
    }

private:
    constexpr StorageType(Kind kind, int custom)
        : m_kind(kind)
        , m_custom(custom)
    { }
    Kind m_kind = Kind::Auto;
    int m_custom = 0;
};

/// What the global level of the governor is configured with. Unset optionals
/// take the defaults below when the governor resolves the configuration.
struct ResourceConfig
{
    std::optional<int> cpuTokens; ///< default: max(cores - 1, 1)
    std::optional<int> ioTokens; ///< default: storageType.defaultIoTokens()
    StorageType storageType = StorageType::automatic();
    std::optional<qint64> memoryLimit; ///< capacity in bytes; default: 40 GiB capped at 80 % of RAM
    qint64 memorySoftLimit = 0; ///< bytes; crossing it raises a warning; 0 = none
    qint64 memoryHardLimit = 0; ///< bytes; admission control; 0 = none

    /// Logical cores of this machine (at least 1).
    static int availableCores();
    /// Physical RAM in bytes (0 if unknown).
    static qint64 physicalMemory();
    static int defaultCpuTokens();
    /// min(40 GiB, 80 % of physical RAM); 40 GiB when RAM is unknown.
    static qint64 defaultMemoryCapacity();

    int resolvedCpuTokens() const;
    int resolvedIoTokens() const;
    qint64 resolvedMemoryCapacity() const;
};

} // namespace flowgate
