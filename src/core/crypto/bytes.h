// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
#pragma once

#include <cstdint>
#include <vector>

namespace flowgate {

/// The byte buffer every pipeline stage passes along. codec/codec.h declares
/// the very same alias; redeclaring an alias to the same type is allowed, so
/// the crypto layer does not depend on the codec layer.
using Bytes = std::vector<std::uint8_t>;

} // namespace flowgate
