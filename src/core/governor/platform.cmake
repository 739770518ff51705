# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Platform glue of the governor (Linux): storage detection through sysfs and
# per-thread background priority (nice + ioprio). include()d from
# CMakeLists.txt in this directory.

target_sources(flowgate_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/storagedetector.h
    ${CMAKE_CURRENT_LIST_DIR}/storagedetector.cpp
    ${CMAKE_CURRENT_LIST_DIR}/backgroundpriority.h
    ${CMAKE_CURRENT_LIST_DIR}/backgroundpriority.cpp
)
