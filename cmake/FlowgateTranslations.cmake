# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# flowgate_add_translation_check(<name> TS_DIR <dir> [LUPDATE_TARGET <target>]
#                                [LABELS <labels...>])
#
# Registers a ctest test that fails unless every message of every <dir>/*.ts
# is finished, none is vanished or obsolete, and every translation keeps the
# placeholders (%1 ... %9, %n), accelerators (&) and HTML tags of its source
# (tests/i18n/check_translations.py).
#
# With LUPDATE_TARGET (a target that qt_add_translations() was called for),
# the test first runs lupdate over that target's current sources into
# temporary copies of the .ts files: a tr() string added or removed without
# rerunning <target>_lupdate then fails the test too. The .ts files in the
# source tree are never changed by the test.

function(flowgate_add_translation_check name)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TS_DIR;LUPDATE_TARGET" "LABELS")
    if(NOT ARG_TS_DIR)
        message(FATAL_ERROR "flowgate_add_translation_check: TS_DIR is required")
    endif()
    set(labels ${ARG_LABELS})
    if(NOT labels)
        set(labels i18n)
    endif()

    find_package(Python3 3.6 COMPONENTS Interpreter)
    if(NOT Python3_Interpreter_FOUND)
        message(WARNING "python3 not found: the test ${name} will fail until it is installed")
        add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E false)
        set_tests_properties(${name} PROPERTIES LABELS "${labels}")
        return()
    endif()

    set(sync_args)
    if(ARG_LUPDATE_TARGET)
        if(NOT TARGET ${ARG_LUPDATE_TARGET})
            message(FATAL_ERROR "flowgate_add_translation_check: no target ${ARG_LUPDATE_TARGET}")
        endif()
        if(NOT TARGET ${QT_CMAKE_EXPORT_NAMESPACE}::lupdate)
            message(FATAL_ERROR "flowgate_add_translation_check: LUPDATE_TARGET needs Qt6 LinguistTools")
        endif()
        # Written by qt_add_translations() at generate time (Qt 6.2 to 6.6
        # layout; single-configuration generators).
        get_target_property(target_binary_dir ${ARG_LUPDATE_TARGET} BINARY_DIR)
        set(sync_args
            --lupdate $<TARGET_FILE:${QT_CMAKE_EXPORT_NAMESPACE}::lupdate>
            --lupdate-project ${target_binary_dir}/.lupdate/${ARG_LUPDATE_TARGET}_project.cmake)
    endif()

    add_test(NAME ${name}
        COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/i18n/check_translations.py ${sync_args} ${ARG_TS_DIR})
    set_tests_properties(${name} PROPERTIES
        ENVIRONMENT "LANG=C.UTF-8;LC_ALL=C.UTF-8;PYTHONIOENCODING=utf-8"
        TIMEOUT 120
        LABELS "${labels}")
endfunction()
