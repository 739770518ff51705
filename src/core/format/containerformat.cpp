// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#include "format/containerformat.h"

#include "crypto/sha256.h"

#include <QCoreApplication>

#include <cstring>

#include <zlib.h>

namespace flowgate::fgc {

namespace {

// Fixed header fields after the magic, in order (see docs/FORMAT.md):
// version u16, header length u16, codec u8, level i8, cipher u8, key source u8,
// chunk size u32, original size u64, mode u32, mtime i64, file salt 16,
// key id 8, scrypt log2N u8, r u32, p u32, job salt 16, name length u16.
constexpr std::size_t kFixedHeaderSize = 8 + 2 + 2 + 1 + 1 + 1 + 1 + 4 + 8 + 4 + 8 + 16 + 8 + 1 + 4 + 4 + 16 + 2;

void put16(QByteArray &b, quint16 v)
{
    for (int i = 0; i < 2; ++i)
        b.append(char((v >> (8 * i)) & 0xff));
}
void put32(QByteArray &b, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        b.append(char((v >> (8 * i)) & 0xff));
}
void put64(QByteArray &b, quint64 v)
{
    for (int i = 0; i < 8; ++i)
        b.append(char((v >> (8 * i)) & 0xff));
}
void put32(std::uint8_t *p, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = std::uint8_t((v >> (8 * i)) & 0xff);
}
void put64(std::uint8_t *p, quint64 v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = std::uint8_t((v >> (8 * i)) & 0xff);
}
quint16 get16(const std::uint8_t *p)
{
    return quint16(p[0] | (p[1] << 8));
}
quint32 get32(const std::uint8_t *p)
{
    return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
}
quint64 get64(const std::uint8_t *p)
{
    return quint64(get32(p)) | (quint64(get32(p + 4)) << 32);
}

QString tr(const char *text)
{
    return QCoreApplication::translate("flowgate::fgc", text); // the context lupdate gives it
}

Hash sha256Of(std::span<const std::uint8_t> data)
{
    Sha256 h;
    h.update(data);
    const auto d = h.finish();
    Hash out{};
    if (d)
        std::memcpy(out.data(), d->data(), kHashSize);
    return out;
}

} // namespace

quint64 Header::chunkCount() const
{
    if (chunkSize == 0)
        return 0;
    return (originalSize + chunkSize - 1) / chunkSize;
}

QByteArray encodeHeader(const Header &h, Hash *hash)
{
    const QByteArray name = h.name.toUtf8();
    QByteArray b;
    b.reserve(int(kFixedHeaderSize) + name.size());
    b.append(reinterpret_cast<const char *>(kMagic.data()), int(kMagic.size()));
    put16(b, kVersion);
    put16(b, quint16(kFixedHeaderSize + std::size_t(name.size())));
    b.append(char(h.codec));
    b.append(char(qint8(h.level)));
    b.append(char(h.cipher));
    b.append(char(h.keySource));
    put32(b, h.chunkSize);
    put64(b, h.originalSize);
    put32(b, h.mode & 07777);
    put64(b, quint64(h.mtimeNs));
    b.append(reinterpret_cast<const char *>(h.fileSalt.data()), int(h.fileSalt.size()));
    b.append(reinterpret_cast<const char *>(h.keyId.data()), int(h.keyId.size()));
    b.append(char(h.scrypt.log2N));
    put32(b, h.scrypt.r);
    put32(b, h.scrypt.p);
    b.append(reinterpret_cast<const char *>(h.jobSalt.data()), int(h.jobSalt.size()));
    put16(b, quint16(name.size()));
    b.append(name);
    if (hash)
        *hash = sha256Of(std::span(reinterpret_cast<const std::uint8_t *>(b.constData()), std::size_t(b.size())));
    return b;
}

bool isSafeName(const QString &name)
{
    if (name.isEmpty() || name == u"." || name == u"..")
        return false;
    if (name.contains(u'/') || name.contains(QChar(0)))
        return false;
    const QByteArray utf8 = name.toUtf8();
    if (utf8.size() > kMaxNameBytes)
        return false;
    return QString::fromUtf8(utf8) == name;
}

ParseStatus parseHeader(
    std::span<const std::uint8_t> data, Header *out, std::size_t *consumed, Hash *hash, QString *error)
{
    const auto invalid = [&](const QString &why) {
        if (error)
            *error = why;
        return ParseStatus::Invalid;
    };
    const std::size_t magicAvailable = std::min(data.size(), kMagic.size());
    if (std::memcmp(data.data(), kMagic.data(), magicAvailable) != 0)
        return invalid(tr("not a Flowgate container (unknown signature)"));
    if (data.size() < 12) {
        *consumed = 12;
        return ParseStatus::NeedMore;
    }
    const std::uint8_t *p = data.data() + 8;
    const quint16 version = get16(p);
    if (version == 0)
        return invalid(tr("damaged container header (format version 0)"));
    if (version > kVersion)
        return invalid(tr("made by a newer Flowgate (container format %1; this version reads up to %2)")
                           .arg(version)
                           .arg(kVersion));
    const quint16 headerLength = get16(p + 2);
    if (headerLength < kFixedHeaderSize)
        return invalid(tr("damaged container header (length %1)").arg(headerLength));
    if (data.size() < headerLength) {
        *consumed = headerLength;
        return ParseStatus::NeedMore;
    }
    p += 4;
    Header h;
    const quint8 codec = *p++;
    if (codec > quint8(CodecId::Xz))
        return invalid(tr("damaged container header (unknown codec %1)").arg(codec));
    h.codec = CodecId(codec);
    h.level = qint8(*p++);
    if (h.codec != CodecId::None && h.codec != CodecId::Lz4
        && (h.level < CodecSpec::minLevel(h.codec) || h.level > CodecSpec::maxLevel(h.codec)))
        return invalid(tr("damaged container header (level %1 out of range)").arg(h.level));
    const auto cipher = cipherFromByte(*p++);
    if (!cipher)
        return invalid(tr("damaged container header (unknown cipher)"));
    h.cipher = *cipher;
    const quint8 keySource = *p++;
    if (keySource > quint8(KeySource::Passphrase))
        return invalid(tr("damaged container header (unknown key source %1)").arg(keySource));
    h.keySource = KeySource(keySource);
    if ((h.cipher == CipherId::None) != (h.keySource == KeySource::None))
        return invalid(tr("damaged container header (cipher and key source disagree)"));
    h.chunkSize = get32(p);
    p += 4;
    if (h.chunkSize < kMinChunkSize || h.chunkSize > kMaxChunkSize)
        return invalid(tr("damaged container header (chunk size %1)").arg(h.chunkSize));
    h.originalSize = get64(p);
    p += 8;
    if (h.originalSize > (quint64(1) << 56))
        return invalid(tr("damaged container header (original size)"));
    h.mode = get32(p);
    p += 4;
    if (h.mode > 07777)
        return invalid(tr("damaged container header (file mode)"));
    h.mtimeNs = qint64(get64(p));
    p += 8;
    std::memcpy(h.fileSalt.data(), p, h.fileSalt.size());
    p += h.fileSalt.size();
    std::memcpy(h.keyId.data(), p, h.keyId.size());
    p += h.keyId.size();
    h.scrypt.log2N = *p++;
    h.scrypt.r = get32(p);
    p += 4;
    h.scrypt.p = get32(p);
    p += 4;
    std::memcpy(h.jobSalt.data(), p, h.jobSalt.size());
    p += h.jobSalt.size();
    if (h.keySource == KeySource::Passphrase) {
        QString why;
        if (!isAcceptable(h.scrypt, &why))
            return invalid(tr("damaged container header (passphrase parameters: %1)").arg(why));
    }
    const quint16 nameLength = get16(p);
    p += 2;
    if (std::size_t(nameLength) + kFixedHeaderSize != headerLength)
        return invalid(tr("damaged container header (name length)"));
    h.name = QString::fromUtf8(reinterpret_cast<const char *>(p), nameLength);
    if (!isSafeName(h.name))
        return invalid(tr("the stored file name \"%1\" is not a plain file name; refusing to use it").arg(h.name));
    *out = h;
    *consumed = headerLength;
    if (hash)
        *hash = sha256Of(data.first(headerLength));
    return ParseStatus::Ok;
}

quint64 maxStoredSize(const Header &header)
{
    quint64 bound = compressBound(header.codec, header.chunkSize);
    if (header.encrypted())
        bound += kAeadTagSize;
    return bound;
}

std::size_t chunkRecordPrefixSize(const Header &header)
{
    return kChunkRecordBaseSize + (header.encrypted() ? 0 : kCrcSize);
}

void encodeChunkPrefix(const Header &header, const ChunkRecord &r, std::uint8_t *out)
{
    out[0] = kChunkTag;
    out[1] = r.last ? kLastChunkFlag : 0;
    put32(out + 2, r.plainSize);
    put32(out + 6, r.storedSize);
    if (!header.encrypted())
        put32(out + 10, r.crc);
}

ParseStatus parseChunkPrefix(const Header &header, std::span<const std::uint8_t> data, ChunkRecord *r, QString *error)
{
    const std::size_t need = chunkRecordPrefixSize(header);
    if (data.size() < need)
        return ParseStatus::NeedMore;
    const auto invalid = [&](const QString &why) {
        if (error)
            *error = why;
        return ParseStatus::Invalid;
    };
    if (data[0] != kChunkTag)
        return invalid(tr("damaged chunk record (bad tag)"));
    if ((data[1] & ~kLastChunkFlag) != 0)
        return invalid(tr("damaged chunk record (unknown flags)"));
    r->last = (data[1] & kLastChunkFlag) != 0;
    r->plainSize = get32(data.data() + 2);
    r->storedSize = get32(data.data() + 6);
    r->crc = header.encrypted() ? 0 : get32(data.data() + 10);
    if (r->plainSize == 0 || r->plainSize > header.chunkSize)
        return invalid(tr("damaged chunk record (plain size %1)").arg(r->plainSize));
    if (r->storedSize > maxStoredSize(header) || (header.encrypted() && r->storedSize < kAeadTagSize))
        return invalid(tr("damaged chunk record (stored size %1)").arg(r->storedSize));
    return ParseStatus::Ok;
}

std::array<std::uint8_t, kHashSize + 8 + 1 + 4> chunkAad(
    const Hash &headerHash, quint64 index, bool last, quint32 plainSize)
{
    std::array<std::uint8_t, kHashSize + 8 + 1 + 4> aad{};
    std::memcpy(aad.data(), headerHash.data(), kHashSize);
    put64(aad.data() + kHashSize, index);
    aad[kHashSize + 8] = last ? 1 : 0;
    put32(aad.data() + kHashSize + 9, plainSize);
    return aad;
}

quint32 chunkCrc(
    const Hash &headerHash, quint64 index, bool last, quint32 plainSize, std::span<const std::uint8_t> stored)
{
    const auto prefix = chunkAad(headerHash, index, last, plainSize);
    uLong crc = crc32_z(0L, Z_NULL, 0);
    crc = crc32_z(crc, prefix.data(), prefix.size());
    crc = crc32_z(crc, stored.data(), stored.size());
    return quint32(crc);
}

AeadNonce chunkNonce(quint64 index)
{
    AeadNonce n{};
    put64(n.data() + 4, index);
    return n;
}

AeadNonce trailerNonce(quint64 chunkCount)
{
    AeadNonce n{};
    put32(n.data(), 0xffffffffu);
    put64(n.data() + 4, chunkCount);
    return n;
}

std::array<std::uint8_t, kHashSize + 7> trailerAad(const Hash &headerHash)
{
    std::array<std::uint8_t, kHashSize + 7> aad{};
    std::memcpy(aad.data(), headerHash.data(), kHashSize);
    std::memcpy(aad.data() + kHashSize, "trailer", 7);
    return aad;
}

std::array<std::uint8_t, kTrailerPayloadSize> encodeTrailerPayload(const Trailer &t)
{
    std::array<std::uint8_t, kTrailerPayloadSize> p{};
    put64(p.data(), t.chunkCount);
    put64(p.data() + 8, t.originalSize);
    std::memcpy(p.data() + 16, t.sha256.data(), kHashSize);
    return p;
}

Trailer decodeTrailerPayload(std::span<const std::uint8_t, kTrailerPayloadSize> p)
{
    Trailer t;
    t.chunkCount = get64(p.data());
    t.originalSize = get64(p.data() + 8);
    std::memcpy(t.sha256.data(), p.data() + 16, kHashSize);
    return t;
}

std::size_t storedTrailerSize(const Header &header)
{
    return kTrailerPayloadSize + (header.encrypted() ? kAeadTagSize : kHashSize);
}

Hash trailerCheck(const Hash &headerHash, std::span<const std::uint8_t, kTrailerPayloadSize> payload)
{
    Sha256 h;
    h.update(std::span<const std::uint8_t>(headerHash.data(), headerHash.size()));
    h.update(std::span<const std::uint8_t>(payload.data(), payload.size()));
    const auto d = h.finish();
    Hash out{};
    if (d)
        std::memcpy(out.data(), d->data(), kHashSize);
    return out;
}

quint32 automaticChunkSize(quint64 fileSize)
{
    constexpr quint64 MiB = 1024 * 1024;
    if (fileSize <= MiB)
        return 64 * 1024;
    if (fileSize <= 10 * MiB)
        return 256 * 1024;
    if (fileSize <= 50 * MiB)
        return 2 * MiB;
    if (fileSize <= 500 * MiB)
        return 16 * MiB;
    return 64 * MiB;
}

} // namespace flowgate::fgc
