// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include "codec/codec.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"

#include <QString>
#include <QtGlobal>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace flowgate {

/// The .fgc container, version 1 — byte by byte in docs/FORMAT.md.
///
///   header | chunk record * n | trailer record | end of file
///
/// All integers are little-endian. Nothing here does I/O: these functions
/// encode and decode byte ranges, and verify what can be verified without a key.
namespace fgc {

inline constexpr std::array<std::uint8_t, 8> kMagic = {0x89, 'F', 'G', 'C', '\r', '\n', 0x1a, '\n'};
inline constexpr quint16 kVersion = 1;
inline constexpr std::size_t kHashSize = 32;
using Hash = std::array<std::uint8_t, kHashSize>;

inline constexpr quint32 kMinChunkSize = 4 * 1024;
inline constexpr quint32 kMaxChunkSize = 256 * 1024 * 1024;
inline constexpr int kMaxNameBytes = 4096;

inline constexpr std::uint8_t kChunkTag = 'C';
inline constexpr std::uint8_t kTrailerTag = 'T';
inline constexpr std::uint8_t kLastChunkFlag = 0x01;

/// Fixed part of a chunk record: tag, flags, plain size, stored size
/// (+ a CRC-32 when the container is not encrypted).
inline constexpr std::size_t kChunkRecordBaseSize = 1 + 1 + 4 + 4;
inline constexpr std::size_t kCrcSize = 4;
/// Trailer payload: chunk count, original size, SHA-256 of the original.
inline constexpr std::size_t kTrailerPayloadSize = 8 + 8 + kHashSize;

enum class KeySource : quint8 { None = 0, Keychain = 1, Passphrase = 2 };

struct Header
{
    CodecId codec = CodecId::Zstd;
    int level = 3;
    CipherId cipher = CipherId::ChaCha20Poly1305;
    KeySource keySource = KeySource::None;
    quint32 chunkSize = 0;
    quint64 originalSize = 0;
    quint32 mode = 0644;        ///< permission bits (07777) of the original
    qint64 mtimeNs = 0;         ///< modification time, ns since the epoch
    std::array<std::uint8_t, kFileSaltSize> fileSalt{};
    std::array<std::uint8_t, 8> keyId{};      ///< keychain key id, zeros otherwise
    ScryptParams scrypt;                      ///< passphrase jobs only
    std::array<std::uint8_t, kJobSaltSize> jobSalt{};
    QString name;               ///< base name of the original (no directory part)

    bool encrypted() const { return cipher != CipherId::None; }
    quint64 chunkCount() const;
};

/// Serialises the header; hash receives SHA-256 of the bytes (bound into
/// every chunk's authentication).
QByteArray encodeHeader(const Header &header, Hash *hash);

enum class ParseStatus { Ok, NeedMore, Invalid };

/// Parses a header from the first bytes of a container. On Ok, *consumed is
/// the header's length and *hash its SHA-256. NeedMore: give it more bytes
/// (*consumed says at least how many in all). Invalid: *error says why in
/// words ("not a Flowgate container", "made by a newer Flowgate (format 2)", ...).
ParseStatus parseHeader(std::span<const std::uint8_t> data, Header *header, std::size_t *consumed, Hash *hash,
                        QString *error);

/// True if a stored name is safe to create inside an output folder: not
/// empty, not "." or "..", no '/' or NUL, valid UTF-8 round trip, at most
/// kMaxNameBytes.
bool isSafeName(const QString &name);

struct ChunkRecord
{
    bool last = false;
    quint32 plainSize = 0;
    quint32 storedSize = 0;
    quint32 crc = 0; ///< unencrypted containers only
};

/// The largest stored size a reader accepts for a chunk of the header's chunk size.
quint64 maxStoredSize(const Header &header);

/// Record prefix size for this header (with or without the CRC).
std::size_t chunkRecordPrefixSize(const Header &header);
/// Writes a chunk record's prefix; `out` must hold chunkRecordPrefixSize() bytes.
void encodeChunkPrefix(const Header &header, const ChunkRecord &record, std::uint8_t *out);
/// Decodes a record prefix whose first byte is kChunkTag. Validates sizes
/// against the header; Invalid with a reason otherwise.
ParseStatus parseChunkPrefix(const Header &header, std::span<const std::uint8_t> data, ChunkRecord *record,
                             QString *error);

/// The associated data of chunk `index` (encrypted) / the CRC input prefix (not).
std::array<std::uint8_t, kHashSize + 8 + 1 + 4> chunkAad(const Hash &headerHash, quint64 index, bool last,
                                                         quint32 plainSize);
/// CRC-32 (zlib polynomial) over the AAD-equivalent fields and the stored bytes.
quint32 chunkCrc(const Hash &headerHash, quint64 index, bool last, quint32 plainSize,
                 std::span<const std::uint8_t> stored);
AeadNonce chunkNonce(quint64 index);
AeadNonce trailerNonce(quint64 chunkCount);
std::array<std::uint8_t, kHashSize + 7> trailerAad(const Hash &headerHash);

struct Trailer
{
    quint64 chunkCount = 0;
    quint64 originalSize = 0;
    Hash sha256{};
};

/// Plain trailer payload (before sealing / after opening).
std::array<std::uint8_t, kTrailerPayloadSize> encodeTrailerPayload(const Trailer &trailer);
Trailer decodeTrailerPayload(std::span<const std::uint8_t, kTrailerPayloadSize> payload);
/// Stored trailer size: payload + tag (encrypted) or payload + SHA-256 (not).
std::size_t storedTrailerSize(const Header &header);
/// For unencrypted containers: SHA-256(headerHash || payload), stored after the payload.
Hash trailerCheck(const Hash &headerHash, std::span<const std::uint8_t, kTrailerPayloadSize> payload);

/// Chunk size chosen from the file size (SPEC §4): <= 1 MiB: 64 KiB;
/// <= 10 MiB: 256 KiB; <= 50 MiB: 2 MiB; <= 500 MiB: 16 MiB; larger: 64 MiB.
quint32 automaticChunkSize(quint64 fileSize);

} // namespace fgc
} // namespace flowgate
