// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "crypto/secure.h"

#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace flowgate {

inline constexpr std::size_t kMasterKeySize = 32;
inline constexpr std::size_t kFileKeySize = 32;
inline constexpr std::size_t kFileSaltSize = 16;
inline constexpr std::size_t kJobSaltSize = 16;

/// The HKDF "info" of per-file keys (ASCII, no terminator). Changing it
/// changes every key: it is part of the file format.
inline constexpr char kFileKeyInfo[] = "flowgate file key v1";

/// scrypt cost, stored in a container's header so restore can repeat it.
///
/// Default N = 2^17, r = 8, p = 1: 128 MiB of work area (memory-hard: an
/// attacker pays in memory, not just time). Measured on the development VM
/// (2 vCPU AMD EPYC, shared), one derivation: 0.44-0.53 s wall (about 0.42 s
/// user + 0.1 s system, the page faults) at a load average of 3; 1.1 s wall
/// while other builds kept the load average at 7. tst_crypto's
/// scryptDefaultCost prints the figure for the machine it runs on. Paid once
/// per job, not per file. The pipeline should count memoryBytes() against the
/// memory budget while it runs.
struct ScryptParams
{
    quint8 log2N = 17;
    quint32 r = 8;
    quint32 p = 1;

    quint64 n() const { return log2N < 64 ? quint64(1) << log2N : 0; }
    /// The work area scrypt allocates (128 * r * N, plus 128 * r * p), bytes.
    quint64 memoryBytes() const;
    bool operator==(const ScryptParams &) const = default;
};

/// Limits a reader accepts, so a crafted header cannot make restore allocate
/// without bound or run for hours: 10 <= log2N <= 24, 1 <= r <= 64,
/// 1 <= p <= 16, and at most kScryptMaxMemory of work area.
inline constexpr quint64 kScryptMaxMemory = quint64(1) << 30;
[[nodiscard]] bool isAcceptable(const ScryptParams &params, QString *why = nullptr);

/// HKDF-SHA256 (RFC 5869), extract then expand. length <= 255 * 32. An empty
/// salt means HashLen zero bytes, as the RFC says.
[[nodiscard]] std::optional<SecureBytes> hkdfSha256(std::span<const std::uint8_t> ikm,
    std::span<const std::uint8_t> salt, std::span<const std::uint8_t> info, std::size_t length,
    QString *error = nullptr);

/// scrypt (RFC 7914) through EVP_PBE_scrypt, with a memory ceiling large
/// enough for the given cost. N must be a power of two > 1. The raw function:
/// no policy limits (see isAcceptable() for those).
[[nodiscard]] std::optional<SecureBytes> scrypt(QByteArrayView passphraseUtf8, std::span<const std::uint8_t> salt,
    quint64 N, quint32 r, quint32 p, std::size_t length, QString *error = nullptr);

/// The key of one file: HKDF-SHA256(ikm = masterKey (32 bytes), salt =
/// fileSalt (16 bytes), info = kFileKeyInfo) -> 32 bytes. masterKey is the
/// keychain's master key or derivePassphraseKey()'s result.
[[nodiscard]] std::optional<SecureBytes> deriveFileKey(
    std::span<const std::uint8_t> masterKey, std::span<const std::uint8_t> fileSalt, QString *error = nullptr);

/// The 32-byte master key of a passphrase job: scrypt(passphrase, jobSalt,
/// params). The passphrase is normalised to Unicode NFC, then UTF-8 encoded,
/// so the same words typed on different systems give the same key. It must not
/// be empty; jobSalt must be at least kJobSaltSize bytes; params must pass
/// isAcceptable(). Costs about half a second at the default: call it
/// once per job (never on the GUI thread), then deriveFileKey() per file.
[[nodiscard]] std::optional<SecureBytes> derivePassphraseKey(const QString &passphrase,
    std::span<const std::uint8_t> jobSalt, const ScryptParams &params = {}, QString *error = nullptr);

} // namespace flowgate
