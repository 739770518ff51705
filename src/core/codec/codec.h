// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace flowgate {

/// The compression codec of a container. The value is stored in the
/// container: never renumber, only append.
enum class CodecId : quint8 { None = 0, Zstd = 1, Lz4 = 2, Gzip = 3, Xz = 4 };

/// The codec id stored as \a value, or nothing when no codec has that value
/// (a corrupt or newer container).
[[nodiscard]] std::optional<CodecId> codecIdFromValue(quint8 value);

/// A codec and its level, as the user chooses it ("zstd:19").
///
/// Levels: zstd 1..19 (default 3); lz4 0..12 (default 0: the fast
/// compressor; 1 and 2 are the same fast compressor, 3..12 the high
/// compression one, LZ4F's compressionLevel); gzip 1..9 (default 6);
/// xz 0..9 (default 6); none has no level (0).
struct CodecSpec
{
    CodecId id = CodecId::Zstd;
    int level = 3;

    /// Parses "zstd", "zstd:19", "lz4", "lz4:9", "gzip:6", "xz:0", "none".
    /// Names are case-insensitive, whitespace around the name and the level
    /// is ignored. On failure returns nothing and sets \a error (may be null)
    /// to a message that names the valid names or the valid level range.
    [[nodiscard]] static std::optional<CodecSpec> parse(const QString &text, QString *error);

    /// "zstd:3", "lz4:0", "gzip:6", "xz:6", "none"; parse() reads it back.
    [[nodiscard]] QString toString() const;

    /// True when the id is known and the level is within its range.
    [[nodiscard]] bool isValid() const;

    static int defaultLevel(CodecId id);
    static int minLevel(CodecId id);
    static int maxLevel(CodecId id);
    /// The default spec of a codec: {id, defaultLevel(id)}.
    static CodecSpec defaultFor(CodecId id);
    /// "zstd", "lz4", "gzip", "xz", "none"; empty for an unknown id.
    static QString name(CodecId id);
    /// ".zst", ".lz4", ".gz", ".xz", "" — the extension of a compatible-mode
    /// output of that codec.
    static QString fileExtension(CodecId id);

    friend bool operator==(const CodecSpec &, const CodecSpec &) = default;
};

using Bytes = std::vector<std::uint8_t>;

/// The largest chunk (plain size) the codecs accept, compressing or
/// decompressing. Anything larger is refused before any allocation; it also
/// bounds what a corrupt container can make a decompressor allocate.
inline constexpr std::size_t kMaxChunkSize = std::size_t(1) << 30;

/// Worst-case size of the frame compress() makes from \a size plain bytes
/// (any level). \a size must be at most kMaxChunkSize; 0 for an unknown id.
[[nodiscard]] std::size_t compressBound(CodecId id, std::size_t size);

/// Compresses chunks, each into one self-contained standard frame:
/// - zstd: one zstd frame with the content size, no checksum;
/// - lz4: one LZ4 frame with the content size (64 KiB linked blocks), no
///   checksum;
/// - gzip: one gzip member (deflate, CRC32 and size in the trailer, MTIME 0);
/// - xz: one .xz stream with one LZMA2 block and a CRC64 check; the dictionary
///   is the level's, capped to the chunk size rounded up to a power of two;
/// - none: a copy.
/// Concatenated frames form a file that zstd -d, lz4 -d, gzip -d and xz -d
/// decompress ("compatible mode").
///
/// The output is a function of the spec and the chunk only: the same chunk
/// gives the same bytes whatever the compressor did before.
///
/// Not thread-safe: used by one thread at a time (the engine lends it to a
/// worker per chunk, see ContextPool) and reused for every chunk.
/// It keeps the library's context (and its memory) between chunks: with
/// chunks of one size, zstd, gzip and lz4 allocate nothing per chunk; xz
/// makes a few small allocations and re-allocates its dictionary when the
/// chunk size (rounded up to a power of two) changes.
class Compressor
{
    Q_DISABLE_COPY_MOVE(Compressor)
public:
    virtual ~Compressor();

    [[nodiscard]] virtual CodecSpec spec() const = 0;
    /// The library's working memory for this context now (after a chunk:
    /// what it keeps for the next one), in bytes; an estimate where the
    /// library does not say.
    [[nodiscard]] virtual std::size_t memoryBytes() const { return 0; }

    /// Compresses \a size bytes at \a in (may be null when \a size is 0) into
    /// one frame that replaces the content of \a out. \a out keeps its
    /// capacity: reuse it across chunks. On failure \a out is empty and
    /// \a error (may be null) says why.
    /// Note: std::vector value-initialises what resize() adds, so when
    /// \a out is shorter than compressBound() the gap is zeroed; use
    /// compressInto() with your own buffer to avoid that cost.
    [[nodiscard]] bool compress(const std::uint8_t *in, std::size_t size, Bytes &out, QString *error);

    /// Compresses into \a capacity bytes at \a dst and sets \a written to the
    /// frame size. A capacity of at least compressBound() always suffices.
    /// With less the call may fail even when the frame would have fitted
    /// (lz4 always asks for its bound); it never writes past \a capacity.
    [[nodiscard]] bool compressInto(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
        std::size_t *written, QString *error);

protected:
    Compressor() = default;

    /// One frame from \a size (<= kMaxChunkSize) bytes at \a in into \a dst.
    /// \a in and \a dst are never null. Sets \a written on success.
    [[nodiscard]] virtual bool encode(const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t capacity,
        std::size_t &written, QString &error)
        = 0;
};

/// Decompresses frames made by a Compressor of the same codec, one frame per
/// call. The caller says how many plain bytes the frame must give (the
/// chunk's plain size, from the container).
///
/// Guarantees, for any input (corrupt, truncated, hostile):
/// - a frame that is not exactly one well-formed frame of exactly
///   expectedSize plain bytes is an error with a message, never a crash, an
///   over-read or a write past expectedSize bytes;
/// - the frame header's recorded size (zstd and lz4 content size, the gzip
///   trailer's ISIZE, the xz index) is checked before any output is
///   allocated, and decoding stops as soon as the output would exceed
///   expectedSize (decompression bombs);
/// - the library's working memory is bounded (xz: by a memory limit derived
///   from expectedSize).
/// Integrity: gzip (CRC32) and xz (CRC64) detect corrupt data; zstd and lz4
/// frames carry no checksum (the pipeline authenticates chunks), so a
/// corrupt frame may decode to wrong bytes of the right size, as may none.
///
/// Not thread-safe: used by one thread at a time (lent per chunk, see
/// ContextPool); it stays usable after a failed call.
class Decompressor
{
    Q_DISABLE_COPY_MOVE(Decompressor)
public:
    virtual ~Decompressor();

    [[nodiscard]] virtual CodecId id() const = 0;
    /// As Compressor::memoryBytes().
    [[nodiscard]] virtual std::size_t memoryBytes() const { return 0; }

    /// Decompresses the frame of \a size bytes at \a in into \a out, which
    /// is resized to \a expectedSize (it keeps its capacity: reuse it). On
    /// failure \a out is empty and \a error (may be null) says why.
    [[nodiscard]] bool decompress(
        const std::uint8_t *in, std::size_t size, std::size_t expectedSize, Bytes &out, QString *error);

    /// Decompresses into \a dst, which has room for \a expectedSize bytes.
    /// On failure the content of \a dst is unspecified.
    [[nodiscard]] bool decompressInto(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString *error);

protected:
    Decompressor() = default;

    /// Cheap checks of the frame's structure and recorded plain size, made
    /// before any output is allocated. \a in is never null.
    [[nodiscard]] virtual bool checkFrame(
        const std::uint8_t *in, std::size_t size, std::size_t expectedSize, QString &error)
        = 0;
    /// Decodes the frame (checkFrame() passed) into exactly \a expectedSize
    /// bytes at \a dst. \a in and \a dst are never null.
    [[nodiscard]] virtual bool decode(
        const std::uint8_t *in, std::size_t size, std::uint8_t *dst, std::size_t expectedSize, QString &error)
        = 0;
};

/// A compressor for \a spec, or null (and \a error set, may be null) when
/// the spec is not valid or the library cannot make its context.
[[nodiscard]] std::unique_ptr<Compressor> makeCompressor(const CodecSpec &spec, QString *error = nullptr);

/// A decompressor for \a id, or null (and \a error set) for an unknown id or
/// when the library cannot make its context.
[[nodiscard]] std::unique_ptr<Decompressor> makeDecompressor(CodecId id, QString *error = nullptr);

} // namespace flowgate
