# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# cmake -DBUILD_DIR=... -P check_layering.cmake
# The control target must build; the Widgets probe must fail, and fail because
# the Widgets header is not found (not for some unrelated reason).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target flowgate_layering_control
                RESULT_VARIABLE control_rc OUTPUT_VARIABLE control_out ERROR_VARIABLE control_out)
if(NOT control_rc EQUAL 0)
    message(FATAL_ERROR "the control (a Core header in the core) did not build:\n${control_out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target flowgate_layering_probe
                RESULT_VARIABLE probe_rc OUTPUT_VARIABLE probe_out ERROR_VARIABLE probe_out)
if(probe_rc EQUAL 0)
    message(FATAL_ERROR "a Widgets include compiled in the core: the layering is broken")
endif()
if(NOT probe_out MATCHES "QWidget: No such file or directory")
    message(FATAL_ERROR "the Widgets probe failed, but not for the expected reason:\n${probe_out}")
endif()
message(STATUS "layering holds: <QWidget> is not reachable from flowgate_core")

# <QtWidgets/QWidget> is on the system include path of every Qt program, so
# the compile check above cannot catch that spelling: look for it directly.
file(GLOB_RECURSE core_files ${SOURCE_DIR}/src/core/*.h ${SOURCE_DIR}/src/core/*.cpp)
foreach(f IN LISTS core_files)
    file(STRINGS ${f} bad REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](QtWidgets|QtGui|QtCharts)/")
    if(bad)
        message(FATAL_ERROR "${f} includes a GUI module: ${bad}")
    endif()
endforeach()
list(LENGTH core_files n)
message(STATUS "no GUI include in the ${n} files of src/core")
