# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# flowgate_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>]
#                   [LABELS <labels...>] [TIMEOUT <seconds>])
#
# Registers one Qt Test executable as one ctest test, with the environment
# every Flowgate test runs in: the offscreen platform, a UTF-8 C locale and
# no session bus unless the test runner provides one.

function(flowgate_add_test name)
    cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS")
    qt_add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE flowgate_options Qt6::Test ${ARG_LIBRARIES})
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set(labels ${ARG_LABELS})
    if(NOT labels)
        set(labels core)
    endif()
    set_tests_properties(${name} PROPERTIES
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LANG=C.UTF-8;LC_ALL=C.UTF-8;QT_LOGGING_RULES=*.debug=false"
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${labels}")
endfunction()
