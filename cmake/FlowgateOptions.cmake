# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# One INTERFACE target carries the language level, the warnings and the Qt
# safety defines. Every Flowgate target links it; nothing is set directory-wide.

add_library(flowgate_options INTERFACE)
add_library(Flowgate::options ALIAS flowgate_options)

target_compile_features(flowgate_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_options(flowgate_options INTERFACE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wnull-dereference -Wimplicit-fallthrough)

target_compile_definitions(flowgate_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_NO_URL_CAST_FROM_STRING
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    QT_STRICT_ITERATORS)
